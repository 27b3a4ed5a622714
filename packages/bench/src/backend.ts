import { request as httpRequest, IncomingHttpHeaders } from 'http';
import { AddressInfo } from 'net';
import {
  CacheService,
  CacheServiceSetOptions,
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionBackend from '@backstage/plugin-permission-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { durationToMilliseconds, JsonValue } from '@backstage/types';
// The bench boots the backend plugin itself, as a backend package would.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import ecrPlugin from '@backstage-ecr/plugin-ecr-backend';

/**
 * An in-memory cache that stores values as JSON text, as Backstage's memory and
 * Redis stores do, and that the bench can empty to make the next request cold.
 */
export class ClearableCache implements CacheService {
  private readonly entries = new Map<
    string,
    { json: string; expires: number }
  >();

  async get<T extends JsonValue>(key: string): Promise<T | undefined> {
    const entry = this.entries.get(key);
    if (!entry || entry.expires < Date.now()) return undefined;
    return JSON.parse(entry.json) as T;
  }

  async set(
    key: string,
    value: JsonValue,
    options?: CacheServiceSetOptions,
  ): Promise<void> {
    const ttl = options?.ttl ?? 60_000;
    const ttlMs = typeof ttl === 'number' ? ttl : durationToMilliseconds(ttl);
    this.entries.set(key, {
      json: JSON.stringify(value),
      expires: Date.now() + ttlMs,
    });
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  withOptions(): CacheService {
    return this;
  }

  clear(): void {
    this.entries.clear();
  }

  /** Characters of JSON held (≈ bytes: the cached text is ASCII). */
  size(): number {
    let total = 0;
    for (const entry of this.entries.values()) total += entry.json.length;
    return total;
  }
}

const allowAllPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'bench-allow-all',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle() {
            return { result: AuthorizeResult.ALLOW };
          },
        });
      },
    });
  },
});

export interface BenchBackend {
  baseUrl: string;
  cache: ClearableCache;
  /** GET a path under /api/ecr as a signed-in user; the body is read in full. */
  get(
    path: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; text: string }>;
  /**
   * GET a path under /api/ecr as the same user over a plain HTTP client, as a
   * load generator does: done at the last byte, the body left as sent (still
   * compressed when the server compressed it).
   */
  getRaw(
    path: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: IncomingHttpHeaders; bytes: Buffer }>;
  /** Any method on a path under /api/ecr, as the same user. */
  request(
    method: string,
    path: string,
  ): Promise<{ status: number; text: string }>;
  stop(): Promise<void>;
}

/**
 * The real ECR backend plugin on Backstage's test backend, listening on a
 * loopback port: the real permission backend (with an allow-all policy, so
 * every request pays for one authorization round trip), an in-memory catalog
 * holding `entities`, and a cache the bench can clear.
 */
export async function startBenchBackend(options: {
  endpoint: string;
  accountId: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  entities: Entity[];
  ttlSeconds: number;
  /** More of the `ecr` config section, e.g. `audit`. */
  ecr?: Record<string, JsonValue>;
}): Promise<BenchBackend> {
  const cache = new ClearableCache();
  const backend = await startTestBackend({
    features: [
      ecrPlugin,
      catalogServiceMock.factory({ entities: options.entities }),
      permissionBackend,
      allowAllPolicy,
      createServiceFactory({
        service: coreServices.cache,
        deps: {},
        factory: () => cache,
      }),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          aws: {
            mainAccount: options.credentials,
            accounts: [
              { accountId: options.accountId, ...options.credentials },
            ],
          },
          ecr: {
            allowedAccounts: [options.accountId],
            regions: ['eu-west-2'],
            endpoint: options.endpoint,
            cache: { ttlSeconds: options.ttlSeconds },
            // As the demo: the build roles Backstage may inspect.
            iam: {
              allowedRoleArnPatterns: [
                'arn:aws:iam::*:role/service-role/codebuild-*',
              ],
            },
            ...options.ecr,
          },
        },
      }),
    ],
  });
  const { port } = backend.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}/api/ecr`;
  const authorization = mockCredentials.user.header('user:default/bench');
  return {
    baseUrl,
    cache,
    async get(path, headers = {}) {
      const res = await fetch(`${baseUrl}${path}`, {
        headers: { ...headers, authorization },
      });
      return { status: res.status, text: await res.text() };
    },
    getRaw(path, headers = {}) {
      return new Promise((resolve, reject) => {
        const req = httpRequest(
          `${baseUrl}${path}`,
          { headers: { ...headers, authorization } },
          res => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                bytes: Buffer.concat(chunks),
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end();
      });
    },
    async request(method, path) {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization },
      });
      return { status: res.status, text: await res.text() };
    },
    stop: () => backend.stop(),
  };
}
