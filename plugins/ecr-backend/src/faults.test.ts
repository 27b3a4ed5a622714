import {
  DEMO_SEED_PATH,
  Emulator,
  readSeedFile,
  startEmulator,
} from '@backstage-ecr/aws-emulator';
import {
  FindingsResponse,
  ImagesResponse,
  PushAccessResponse,
  SetupStatus,
} from '@backstage-ecr/plugin-ecr-common';
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { isDeepStrictEqual } from 'util';
import {
  ACCOUNT,
  POC_SCANNED,
  startEcrBackend,
} from './__testUtils__/testBackend';

/**
 * Issue 8, point 6: with the emulator throttling half the calls, failing a
 * tenth with server errors and adding latency, the routes still answer — from
 * the cache, marked stale, where fresh data cannot be had — and writes are
 * never left half-applied.
 */

const USER = mockCredentials.user.header('user:default/guest');
const ENTITY = '/api/ecr/entity/default/component';
const POC_ROLE = 'codebuild-proof-of-concept-snapshot-service-role';
// Freshness lasts one second, so that a test can outlive it.
const TTL_SECONDS = 1;
const STORM = { throttleRate: 0.5, errorRate: 0.1, latencyMs: 30 };
const CALM = {
  throttleRate: 0,
  errorRate: 0,
  latencyMs: 0,
  throttleNext: 0,
  errorNext: 0,
  notImplemented: false,
  xml403: false,
  operations: [],
};

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
// The emulator's seed dates are relative to when it loaded, so images are
// compared by what stays put.
const imagesOf = (body: ImagesResponse) =>
  body.repositories.map(r => ({
    arn: r.arn,
    images: r.images.map(i => ({ digest: i.digest, tags: i.tags })),
  }));
const outliveFreshness = () => sleep(TTL_SECONDS * 1000 + 100);

function account(emulator: Emulator) {
  return emulator.state.accounts.get(ACCOUNT)!;
}

function repositoryIn(emulator: Emulator, name: string) {
  return account(emulator).registries.get('eu-west-2')!.repositories.get(name);
}

describe('routes under AWS faults', () => {
  let emulator: Emulator;
  let server: Awaited<ReturnType<typeof startEcrBackend>>['server'];

  const get = (path: string) =>
    request(server).get(`${ENTITY}/${path}`).set('Authorization', USER);
  const post = (path: string) =>
    request(server).post(`${ENTITY}/${path}`).set('Authorization', USER);

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      seed: readSeedFile(DEMO_SEED_PATH),
    });
    ({ server } = await startEcrBackend({
      emulator,
      ttlSeconds: TTL_SECONDS,
    }));
  });

  afterAll(async () => {
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.reset();
    emulator.setFaults(CALM);
  });

  describe('reads', () => {
    it('answers every images request through throttling, server errors and latency, fresh or stale', async () => {
      const warm = await get('proof-of-concept/images');
      expect(warm.status).toBe(200);
      expect(warm.body.stale).toBeUndefined();
      const warmBody: ImagesResponse = warm.body;
      await outliveFreshness();

      emulator.setFaults(STORM);
      let lastFresh = warmBody.fetchedAt;
      for (let i = 0; i < 6; i++) {
        const res = await get('proof-of-concept/images');
        const body: ImagesResponse = res.body;
        // A stale answer is the last fresh one; a fresh one is newer.
        expect({
          status: res.status,
          images: imagesOf(body),
          datedRightly: body.stale
            ? body.fetchedAt === lastFresh
            : body.fetchedAt > lastFresh,
        }).toEqual({
          status: 200,
          images: imagesOf(warmBody),
          datedRightly: true,
        });
        lastFresh = body.fetchedAt;
        await outliveFreshness();
      }
    }, 30_000);

    it('serves the last good images, marked stale, while AWS throttles every call', async () => {
      const warm = await get('proof-of-concept/images');
      expect(warm.status).toBe(200);
      await outliveFreshness();

      emulator.setFaults({ throttleRate: 1 });
      emulator.resetCalls();
      const res = await get('proof-of-concept/images');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...warm.body, stale: true });
      // It did ask AWS first: stale answers stand in, they do not replace.
      expect(emulator.calls()['ecr:DescribeImages']).toBeGreaterThan(0);

      emulator.setFaults(CALM);
      const recovered = await get('proof-of-concept/images');
      expect(recovered.status).toBe(200);
      expect(recovered.body.stale).toBeUndefined();
      expect(recovered.body.fetchedAt > warm.body.fetchedAt).toBe(true);
    });

    it('serves the last good images, marked stale, while AWS fails with 5xx', async () => {
      const warm = await get('proof-of-concept/images');
      await outliveFreshness();

      emulator.setFaults({ errorRate: 1 });
      const res = await get('proof-of-concept/images');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...warm.body, stale: true });
    });

    it('serves the last good setup status, marked stale, while AWS throttles every call', async () => {
      const warm = await get('proof-of-concept/setup');
      expect(warm.status).toBe(200);
      expect(warm.body.stale).toBeUndefined();
      await outliveFreshness();

      emulator.setFaults({ throttleRate: 1 });
      const res = await get('proof-of-concept/setup');
      expect(res.status).toBe(200);
      const body: SetupStatus = res.body;
      expect(body).toEqual({ ...warm.body, stale: true });
    });

    it.each([
      ['an IAM 5xx (ServiceFailure)', { errorRate: 1 }],
      ['an HTML 500 from an endpoint', { notImplemented: true }],
    ])(
      'serves the last good setup status, marked stale, when only iam:SimulatePrincipalPolicy fails with %s',
      async (_label, fault) => {
        const warm = await get('payments-api/setup');
        expect(warm.status).toBe(200);
        await outliveFreshness();

        emulator.setFaults({
          ...fault,
          operations: ['iam:SimulatePrincipalPolicy'],
        } as Parameters<Emulator['setFaults']>[0]);
        emulator.resetCalls();
        const res = await get('payments-api/setup');
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ ...warm.body, stale: true });
        expect(emulator.calls()['iam:SimulatePrincipalPolicy']).toBeGreaterThan(
          0,
        );
      },
    );

    it('serves the last good findings, marked stale, while AWS throttles every call', async () => {
      const path = `proof-of-concept/images/${POC_SCANNED}/findings`;
      const warm = await get(path);
      expect(warm.status).toBe(200);
      expect(warm.body.stale).toBeUndefined();
      expect(warm.body.findings.length).toBeGreaterThan(0);
      await outliveFreshness();

      emulator.setFaults({ throttleRate: 1 });
      emulator.resetCalls();
      const res = await get(path);
      expect(res.status).toBe(200);
      const body: FindingsResponse = res.body;
      expect(body).toEqual({ ...warm.body, stale: true });
      expect(emulator.calls()['ecr:DescribeImageScanFindings']).toBeGreaterThan(
        0,
      );
    });

    it('answers 503 naming the AWS code when AWS throttles and nothing was read before', async () => {
      emulator.setFaults({ throttleRate: 1 });
      const res = await get('inventory-service/images');
      expect(res.status).toBe(503);
      expect(res.body.error.message).toMatch(
        /^AWS is throttling ecr:\w+ \(HTTP \d+, ThrottlingException\)/,
      );
    });

    it('answers 502 naming the AWS code when AWS fails and nothing was read before', async () => {
      emulator.setFaults({ errorRate: 1 });
      const res = await get('inventory-service/images');
      expect(res.status).toBe(502);
      expect(res.body.error.message).toMatch(/\(HTTP 500, ServerException\)/);
    });
  });

  describe('writes', () => {
    it('never leaves a repository half set up, and a calm retry finishes it', async () => {
      const stateOf = () => {
        const repository = repositoryIn(emulator, 'inventory-service');
        if (!repository) return 'absent';
        const setup = repository.tags.find(
          t => t.Key === 'ecr.backstage-ecr.io/setup',
        )?.Value;
        const settingsApplied =
          repository.lifecyclePolicy !== undefined &&
          repository.scanOnPush &&
          repository.imageTagMutability === 'IMMUTABLE';
        if (setup === 'complete' && settingsApplied) return 'complete';
        // Marked, so that running the request again finishes it.
        if (setup === 'incomplete') return 'incomplete';
        return 'half-applied';
      };
      emulator.setFaults(STORM);
      for (let i = 0; i < 6; i++) {
        const createdBefore = stateOf() !== 'absent';
        const res = await post('inventory-service/repository');
        const state = stateOf();
        const succeeded = res.status === 200 || res.status === 201;
        expect({
          answered: [200, 201, 502, 503].includes(res.status),
          state,
          // The attempt that left it incomplete says how it will be finished.
          saysRetryFinishes:
            !succeeded && !createdBefore && state === 'incomplete'
              ? /running the request again finishes it/.test(
                  res.body.error.message,
                )
              : true,
        }).toEqual({
          answered: true,
          state: expect.stringMatching(
            succeeded ? /^complete$/ : /^(absent|complete|incomplete)$/,
          ),
          saysRetryFinishes: true,
        });
      }

      emulator.setFaults(CALM);
      const retried = await post('inventory-service/repository');
      expect([200, 201]).toContain(retried.status);
      expect(stateOf()).toBe('complete');
    }, 30_000);

    it('never leaves a partial push policy on the role', async () => {
      const dryRun = await post('proof-of-concept/push-access?dryRun=true');
      expect(dryRun.status).toBe(200);
      const { policyName, policyDocument }: PushAccessResponse = dryRun.body;
      const role = () => account(emulator).roles.get(POC_ROLE)!;
      const stateOf = () => {
        const policies = role().inlinePolicies;
        if (policies.size === 0) return 'absent';
        const text = policies.get(policyName);
        return policies.size === 1 &&
          text !== undefined &&
          isDeepStrictEqual(
            JSON.parse(decodeURIComponent(text)),
            policyDocument,
          )
          ? 'complete'
          : 'partial';
      };
      const expectAbsentOrComplete = () =>
        expect(stateOf()).toMatch(/^(absent|complete)$/);

      emulator.setFaults(STORM);
      for (let i = 0; i < 6; i++) {
        const res = await post('proof-of-concept/push-access');
        expect([200, 502, 503]).toContain(res.status);
        expectAbsentOrComplete();
      }
      emulator.setFaults({ ...STORM, errorNext: 2 });
      await post('proof-of-concept/push-access');
      expectAbsentOrComplete();

      emulator.setFaults(CALM);
      const retried = await post('proof-of-concept/push-access');
      expect(retried.status).toBe(200);
      expect(stateOf()).toBe('complete');
    }, 30_000);
  });
});
