import { Emulator } from '@backstage-ecr/aws-emulator';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { EcrService } from '@backstage-ecr/plugin-ecr-node';
import express from 'express';
import request from 'supertest';
import {
  AUTH_HEADERS,
  startDemoPolicyBackend,
} from './__testUtils__/demoPolicyBackend';
import {
  ACCOUNT,
  ENTITIES,
  POC_SCANNED,
  startDemoEmulator,
} from './__testUtils__/testBackend';
import { AuditRunner } from './audit/AuditRunner';
import { AuditStore } from './audit/AuditStore';
import { createEcrOpenApiRouter, specViolationOf } from './http/openApiRouter';
import { createRouter } from './router';
import { createOpenApiRouter, spec } from './schema/openapi';
import { CachedEcrReader } from './services/CachedEcrReader';

/**
 * `src/schema/openapi.yaml` and the router agree: every route the router
 * serves is in the spec and every route in the spec is served; every request
 * the spec refuses is refused by the router (with the router's own answer),
 * every request the spec accepts is answered as the spec says, with a body of
 * the schema the spec gives for its status.
 */

type Method = 'get' | 'post';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** `/entity/:namespace/x` as the spec writes it: `/entity/{namespace}/x`. */
const toSpecPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

const specRoutes = () =>
  Object.entries(spec.paths)
    .flatMap(([path, item]) =>
      METHODS.filter(m => m in item).map(m => `${m.toUpperCase()} ${path}`),
    )
    .sort();

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** The routes an express router serves, nested routers included. */
function servedRoutes(stack: Layer[]): string[] {
  return stack.flatMap(layer => {
    if (layer.route) {
      const { path, methods } = layer.route;
      return Object.keys(methods)
        .filter(m => m !== '_all')
        .map(m => `${m.toUpperCase()} ${toSpecPath(path)}`);
    }
    return layer.handle?.stack ? servedRoutes(layer.handle.stack) : [];
  });
}

describe('the routes the router serves', () => {
  it('are the routes of the spec, and no others', async () => {
    const router = await createRouter({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
      httpAuth: mockServices.httpAuth(),
      permissions: mockServices.permissions(),
      catalog: catalogServiceMock(),
      ecr: {
        config: { allowedAccounts: [ACCOUNT], containerPort: 8080 },
      } as unknown as EcrService,
      reader: {} as CachedEcrReader,
      auditor: mockServices.auditor.mock(),
      audit: { store: {} as AuditStore, runner: {} as AuditRunner },
    });
    const served = servedRoutes((router as unknown as { stack: Layer[] }).stack)
      // The spec itself, served by @backstage/backend-openapi-utils.
      .filter(route => route !== 'GET /openapi.json')
      .sort();
    expect(served).toEqual(specRoutes());
    expect(specRoutes()).toHaveLength(13);
  });
});

const USER = AUTH_HEADERS.platformTeam!;
const POC = '/entity/default/component/proof-of-concept';
const POC_REPO = `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/proof-of-concept-repo`;

interface Case {
  method: Method;
  url: string;
  body?: object;
}

/** Requests the spec refuses, each for one reason. */
const REFUSED: Case[] = [
  { method: 'get', url: `/entity/${'n'.repeat(70)}/component/app/images` },
  { method: 'get', url: `/entity/default/component/${'a'.repeat(64)}/setup` },
  { method: 'get', url: `${POC}/images/sha256:xyz/findings` },
  { method: 'get', url: `${POC}/images/sha256:${'A'.repeat(64)}/findings` },
  {
    method: 'get',
    url: `${POC}/images/${POC_SCANNED}/findings?repository=a&repository=b`,
  },
  {
    method: 'get',
    url: `${POC}/images/${POC_SCANNED}/findings?repository=${'a'.repeat(5000)}`,
  },
  { method: 'get', url: `${POC}/setup?refresh=yes` },
  { method: 'post', url: `${POC}/repository?dryRun=maybe` },
  { method: 'post', url: `${POC}/push-access?dryRun=1` },
  { method: 'post', url: `${POC}/claim?dryRun=TRUE` },
  { method: 'post', url: `${POC}/builds?dryRun=yes` },
  {
    method: 'post',
    url: `${POC}/builds`,
    body: { sourceVersion: 'x'.repeat(300) },
  },
  { method: 'post', url: `${POC}/builds`, body: { sourceVersion: '' } },
  { method: 'get', url: '/audit?format=xml' },
  { method: 'get', url: '/audit?format=' },
  { method: 'get', url: '/audit/history?limit=0' },
  { method: 'get', url: '/audit/history?limit=501' },
  { method: 'get', url: '/audit/history?limit=1.5' },
  { method: 'get', url: '/audit/history?limit=1e2' },
  { method: 'get', url: '/audit/history?limit=00100' },
  { method: 'post', url: '/audit/run?wait=maybe' },
];

/** Requests the spec accepts, answered below 400 by the demo backend. */
const ACCEPTED: Case[] = [
  { method: 'get', url: '/health' },
  { method: 'get', url: `${POC}/images` },
  { method: 'get', url: `${POC}/setup` },
  { method: 'get', url: `${POC}/setup?refresh=true` },
  {
    method: 'get',
    url: `${POC}/images/${POC_SCANNED}/findings?repository=${encodeURIComponent(
      POC_REPO,
    )}`,
  },
  { method: 'get', url: `${POC}/images/${POC_SCANNED}/findings` },
  { method: 'post', url: `${POC}/repository?dryRun=true` },
  { method: 'post', url: `${POC}/push-access?dryRun=true` },
  { method: 'post', url: `${POC}/push-access`, body: { dryRun: true } },
  { method: 'post', url: `${POC}/claim?dryRun=true`, body: {} },
  { method: 'get', url: `${POC}/builds` },
  { method: 'post', url: `${POC}/builds?dryRun=true` },
  {
    method: 'post',
    url: `${POC}/builds`,
    body: { dryRun: true, sourceVersion: 'main' },
  },
  { method: 'post', url: '/audit/run?wait=true' },
  { method: 'post', url: '/audit/run?wait=false' },
  { method: 'get', url: '/audit' },
  { method: 'get', url: '/audit/history' },
  { method: 'get', url: '/audit/history?limit=0500' },
  { method: 'get', url: '/audit/history?limit=1' },
];

/** What the router's request validator makes of a request, and nothing else. */
async function verdictApp() {
  const router = await createEcrOpenApiRouter({
    logger: mockServices.logger.mock(),
  });
  router.use((req: express.Request, res: express.Response) => {
    res.json({ violation: specViolationOf(req) ?? null, query: req.query });
  });
  return express().use(router);
}

function send(
  agent: ReturnType<typeof request>,
  { method, url, body }: Case,
  prefix = '',
) {
  const req = agent[method](`${prefix}${url}`);
  return body ? req.send(body) : req;
}

describe('the request validator', () => {
  it.each(REFUSED.map(c => [`${c.method.toUpperCase()} ${c.url}`, c]))(
    'refuses %s, leaving the query as sent',
    async (_label, c) => {
      const app = await verdictApp();
      const res = await send(request(app), c);
      expect(res.body.violation).toEqual(expect.any(String));
      const sent = new URL(c.url, 'http://x').searchParams;
      for (const [name, value] of sent) {
        const seen = res.body.query[name];
        expect(Array.isArray(seen) ? seen : [seen]).toContain(value);
      }
    },
  );

  it.each(ACCEPTED.map(c => [`${c.method.toUpperCase()} ${c.url}`, c]))(
    'accepts %s, leaving the query as sent',
    async (_label, c) => {
      const app = await verdictApp();
      const res = await send(request(app), c);
      expect(res.body.violation).toBeNull();
      expect(res.body.query).toEqual(
        Object.fromEntries(new URL(c.url, 'http://x').searchParams),
      );
    },
  );
});

/**
 * Checks an answer against the spec's response schema for its route and
 * status, with the library's own response validator: a route that answers the
 * same status and body validates them.
 */
async function responseChecker() {
  const problems: string[] = [];
  const router = await createOpenApiRouter({
    middleware: [express.json({ limit: '20mb' })],
    validatorOptions: {
      validateRequests: false,
      validateResponses: {
        onError: error => {
          problems.push(error.message);
        },
      },
    },
  });
  router.use((req: express.Request, res: express.Response) => {
    const { status, body } = req.body as { status: number; body: unknown };
    res.status(status).json(body);
  });
  const app = express().use(router);
  return async (c: Case, status: number, body: unknown) => {
    problems.length = 0;
    await request(app)
      [c.method](c.url.replace(/\?.*/, ''))
      .send({ status, body });
    return [...problems];
  };
}

describe('the router against the spec', () => {
  let emulator: Emulator;
  let server: Awaited<ReturnType<typeof startDemoPolicyBackend>>['server'];
  let checkResponse: Awaited<ReturnType<typeof responseChecker>>;

  beforeAll(async () => {
    emulator = await startDemoEmulator();
    ({ server } = await startDemoPolicyBackend({
      emulator,
      entities: ENTITIES,
    }));
    checkResponse = await responseChecker();
  });

  afterAll(async () => {
    await emulator.stop();
  });

  const call = (c: Case, auth: string | null = USER) => {
    const req = send(request(server), c, '/api/ecr');
    return auth ? req.set('Authorization', auth) : req;
  };

  it.each(REFUSED.map(c => [`${c.method.toUpperCase()} ${c.url}`, c]))(
    'refuses %s as the spec does, with an error of the spec’s shape',
    async (_label, c) => {
      const res = await call(c);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(await checkResponse(c, res.status, res.body)).toEqual([]);
    },
  );

  it.each(ACCEPTED.map(c => [`${c.method.toUpperCase()} ${c.url}`, c]))(
    'answers %s with a status and body the spec gives',
    async (_label, c) => {
      const res = await call(c);
      expect(res.status).toBeLessThan(300);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(await checkResponse(c, res.status, res.body)).toEqual([]);
    },
  );

  it('answers a build started with the 201 and body the spec gives', async () => {
    const c: Case = { method: 'post', url: `${POC}/builds` };
    const res = await call(c);
    expect(res.status).toBe(201);
    expect(res.body.build).toMatchObject({ status: 'IN_PROGRESS' });
    expect(await checkResponse(c, res.status, res.body)).toEqual([]);
  });

  it('answers the audit as CSV, the content type the spec gives', async () => {
    const res = await call({ method: 'get', url: '/audit?format=csv' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(
      Object.keys(spec.paths['/audit'].get.responses['200'].content),
    ).toEqual(['application/json', 'text/csv']);
  });

  it('gives the 304 the images route answers to a current ETag', () => {
    // warmImages.test.ts sends If-None-Match and gets it.
    expect(
      spec.paths['/entity/{namespace}/{kind}/{name}/images'].get.responses,
    ).toHaveProperty('304');
  });

  it.each([
    [401, null],
    [403, AUTH_HEADERS.nonOwner!],
  ])(
    'answers %d as the spec does, with an error of the spec’s shape',
    async (status, auth) => {
      const c: Case = { method: 'post', url: `${POC}/push-access?dryRun=true` };
      const res = await call(c, auth);
      expect(res.status).toBe(status);
      expect(await checkResponse(c, res.status, res.body)).toEqual([]);
    },
  );

  it.each([
    [415, 'text/plain', 'dryRun=true'],
    [413, 'application/json', `{"pad":"${'a'.repeat(5000)}"}`],
  ])(
    'answers a write body refused with %d as the spec does',
    async (status, type, body) => {
      const c: Case = { method: 'post', url: `${POC}/push-access` };
      const res = await call(c).set('Content-Type', type).send(body);
      expect(res.status).toBe(status);
      expect(await checkResponse(c, res.status, res.body)).toEqual([]);
    },
  );

  it('answers an entity the caller may not see with the 404 the spec gives', async () => {
    const c: Case = {
      method: 'get',
      url: '/entity/default/component/nope/images',
    };
    const res = await call(c);
    expect(res.status).toBe(404);
    expect(await checkResponse(c, res.status, res.body)).toEqual([]);
  });

  it('finds a body that breaks the spec (the check can fail)', async () => {
    const c: Case = { method: 'get', url: '/health' };
    expect(await checkResponse(c, 200, { status: 'ok' })).toEqual([]);
    expect(await checkResponse(c, 200, { status: 'ok', extra: 1 })).not.toEqual(
      [],
    );
    expect(await checkResponse(c, 418, { status: 'ok' })).not.toEqual([]);
  });
});
