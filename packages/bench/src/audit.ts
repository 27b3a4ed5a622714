import { performance } from 'perf_hooks';
import {
  DEMO_SEED_PATH,
  readSeedFile,
  Seed,
  startEmulator,
} from '@backstage-ecr/aws-emulator';
import { Entity } from '@backstage/catalog-model';
import { AuditRunResponse } from '@backstage-ecr/plugin-ecr-common';
import { startBenchBackend } from './backend';

/**
 * The platform audit at scale (issue 8, point 1): 500 catalog entities, each
 * naming its repository and its CodeBuild project, over an account of 1,000
 * repositories (the other 500 unclaimed), with latency and throttling on every
 * AWS call. The run goes through the plugin's own route, as a platform team
 * member's "Run now" does, and waits for its end.
 */

export interface AuditBenchOptions {
  accountId: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  latencyMs: number;
  throttleRate: number;
  entities: number;
  repositories: number;
}

export interface AuditBenchResult {
  entities: number;
  repositories: number;
  status: string;
  durationMs: number;
  summary: AuditRunResponse['run']['summary'];
  calls: Record<string, number>;
  totalCalls: number;
  peakInFlight: number;
  concurrency: number;
  throttled: number;
}

/** The team that owns the i-th service. */
const teamOf = (i: number) => `group:default/team-${i % 20}`;

/** Every tenth build role lacks push access, so the audit has failures to find. */
const LACKS_PUSH = (i: number) => i % 10 === 0;

const pad = (i: number) => String(i).padStart(4, '0');
const repositoryName = (i: number) => `audit-service-${pad(i)}`;
const projectName = (i: number) => `codebuild-audit-service-${pad(i)}`;
const roleName = (i: number) => `${projectName(i)}-service-role`;

/**
 * The demo seed (for Backstage's own keys and policies) with `repositories`
 * more repositories of two images each, and for the first `entities` of them a
 * CodeBuild project whose service role may push there.
 */
export function auditSeed(options: AuditBenchOptions): Seed {
  const seed = readSeedFile(DEMO_SEED_PATH);
  const account = seed.accounts.find(a => a.id === options.accountId);
  if (!account) throw new Error(`the demo seed has no ${options.accountId}`);
  const { accountId, region } = options;
  for (let i = 1; i <= options.repositories; i++) {
    (account.repositories ??= []).push({
      name: repositoryName(i),
      createdAt: '-100d',
      scanOnPush: i % 2 === 0,
      // The services' repositories are bound to their entities; the rest
      // (no entity names them) are unbound, as unclaimed ones usually are.
      ...(i <= options.entities && {
        tags: {
          'backstage.io/entity-ref': `component:default/${repositoryName(i)}`,
        },
      }),
      images: [
        { tags: ['v1'], pushedAt: '-30d', sizeBytes: 50_000_000 },
        { tags: ['v2', 'latest'], pushedAt: '-1d', sizeBytes: 51_000_000 },
      ],
    });
  }
  for (let i = 1; i <= options.entities; i++) {
    (account.roles ??= []).push({
      name: roleName(i),
      path: '/service-role/',
      createdAt: '-100d',
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'codebuild.amazonaws.com' },
            Action: 'sts:AssumeRole',
          },
        ],
      },
      inlinePolicies: LACKS_PUSH(i)
        ? {}
        : {
            [`push-${repositoryName(i)}`]: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: [
                    'ecr:BatchCheckLayerAvailability',
                    'ecr:CompleteLayerUpload',
                    'ecr:InitiateLayerUpload',
                    'ecr:PutImage',
                    'ecr:UploadLayerPart',
                  ],
                  Resource: `arn:aws:ecr:${region}:${accountId}:repository/${repositoryName(
                    i,
                  )}`,
                },
                {
                  Effect: 'Allow',
                  Action: 'ecr:GetAuthorizationToken',
                  Resource: '*',
                },
              ],
            },
          },
    });
    (account.codebuildProjects ??= []).push({
      name: projectName(i),
      serviceRole: `arn:aws:iam::${accountId}:role/service-role/${roleName(i)}`,
      createdAt: '-100d',
      // The build role belongs to the service through its project.
      tags: { 'backstage.io/owner': teamOf(i) },
    });
  }
  return seed;
}

export function auditEntities(options: AuditBenchOptions): Entity[] {
  const { accountId, region } = options;
  return Array.from({ length: options.entities }, (_, index) => {
    const i = index + 1;
    return {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: repositoryName(i),
        namespace: 'default',
        annotations: {
          'aws.amazon.com/amazon-ecr-arn': `arn:aws:ecr:${region}:${accountId}:repository/${repositoryName(
            i,
          )}`,
          'aws.amazon.com/aws-codebuild-project-arn': `arn:aws:codebuild:${region}:${accountId}:project/${projectName(
            i,
          )}`,
        },
      },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: teamOf(i),
      },
    };
  });
}

export async function benchAudit(
  options: AuditBenchOptions,
): Promise<AuditBenchResult> {
  const concurrency = 8;
  const emulator = await startEmulator({
    port: 0,
    host: '127.0.0.1',
    seed: auditSeed(options),
    latencyMs: options.latencyMs,
  });
  let backend: Awaited<ReturnType<typeof startBenchBackend>> | undefined;
  try {
    backend = await startBenchBackend({
      endpoint: emulator.url,
      accountId: options.accountId,
      credentials: options.credentials,
      entities: auditEntities(options),
      ttlSeconds: 600,
      ecr: {
        // The bench asks for the one run itself; the schedule stays out of it.
        audit: {
          concurrency,
          schedule: {
            frequency: { hours: 24 },
            timeout: { minutes: 15 },
            initialDelay: { hours: 1 },
          },
        },
      },
    });
    emulator.resetCalls();
    emulator.setFaults({ throttleRate: options.throttleRate });
    const started = performance.now();
    const res = await backend.request('POST', '/audit/run?wait=true');
    const durationMs = performance.now() - started;
    if (res.status !== 200) {
      throw new Error(`POST /audit/run: ${res.status} ${res.text}`);
    }
    const { run } = JSON.parse(res.text) as AuditRunResponse;
    const calls = emulator.calls();
    const traffic = emulator.traffic();
    return {
      entities: options.entities,
      repositories: options.repositories,
      status: run.error ? `${run.status}: ${run.error}` : run.status,
      durationMs,
      summary: run.summary,
      calls,
      totalCalls: Object.values(calls).reduce((a, b) => a + b, 0),
      peakInFlight: traffic.peakInFlight,
      concurrency,
      throttled: traffic.throttled,
    };
  } finally {
    await backend?.stop();
    await emulator.stop();
  }
}
