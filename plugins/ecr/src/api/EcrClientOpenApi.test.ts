import { ResponseError } from '@backstage/errors';
import { DefaultApiClient } from '../schema/openapi';
import { EcrApi } from './EcrApi';
import { EcrClient } from './EcrClient';

/** The client generated from the backend's spec, as EcrClient uses it. */

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });

function client(respond: () => Response = () => json({})) {
  const fetch = jest.fn(async (_url: string, _init?: RequestInit) => respond());
  const ecr = new EcrClient({
    discoveryApi: { getBaseUrl: async () => 'http://backstage/api/ecr' },
    fetchApi: { fetch: fetch as any },
  });
  return { ecr, fetch };
}

const ref = { kind: 'Component', namespace: 'default', name: 'a b/c' };
const ENTITY = 'http://backstage/api/ecr/entity/default/Component/a%20b%2Fc';

/** One call of each EcrApi method. */
const CALLS: Record<keyof EcrApi, (ecr: EcrApi) => Promise<unknown>> = {
  getImages: ecr => ecr.getImages(ref),
  getFindings: ecr =>
    ecr.getFindings(ref, { repositoryArn: 'arn', digest: 'sha256:1' }),
  getSetup: ecr => ecr.getSetup(ref, { refresh: true }),
  createRepository: ecr => ecr.createRepository(ref, { dryRun: true }),
  grantPushAccess: ecr => ecr.grantPushAccess(ref, { dryRun: false }),
  configureRepository: ecr =>
    ecr.configureRepository(ref, {
      dryRun: true,
      settings: ['scanOnPush'],
      repositoryArn: 'arn',
    }),
  claim: ecr => ecr.claim(ref, { dryRun: true }),
  getAudit: ecr => ecr.getAudit(),
  getAuditHistory: ecr => ecr.getAuditHistory(),
  runAudit: ecr => ecr.runAudit(),
  getAuditCsv: ecr => ecr.getAuditCsv(),
  getBuilds: ecr => ecr.getBuilds(ref),
  startBuild: ecr =>
    ecr.startBuild(ref, { dryRun: true, sourceVersion: 'abc1234' }),
};

describe('EcrClient through the generated client', () => {
  it('asks each route of the spec but /health through one operation', async () => {
    const used = new Set<string>();
    const operations = Object.getOwnPropertyNames(
      DefaultApiClient.prototype,
    ).filter(name => name !== 'constructor');
    const spies = operations.map(name =>
      jest
        .spyOn(DefaultApiClient.prototype as any, name)
        .mockImplementation(async () => {
          used.add(name);
          return json({});
        }),
    );
    try {
      const { ecr } = client();
      for (const call of Object.values(CALLS)) await call(ecr);
      expect([...used].sort()).toEqual(
        operations.filter(name => name !== 'getHealth').sort(),
      );
    } finally {
      spies.forEach(spy => spy.mockRestore());
    }
  });

  it('sends each request to the route, with the query the spec gives', async () => {
    const { ecr, fetch } = client();
    for (const call of Object.values(CALLS)) await call(ecr);
    expect(fetch.mock.calls.map(([url, init]) => [init?.method, url])).toEqual([
      ['GET', `${ENTITY}/images`],
      ['GET', `${ENTITY}/images/sha256%3A1/findings?repository=arn`],
      ['GET', `${ENTITY}/setup?refresh=true`],
      ['POST', `${ENTITY}/repository?dryRun=true`],
      ['POST', `${ENTITY}/push-access?dryRun=false`],
      ['POST', `${ENTITY}/repository/settings?dryRun=true&repository=arn`],
      ['POST', `${ENTITY}/claim?dryRun=true`],
      ['GET', 'http://backstage/api/ecr/audit'],
      ['GET', 'http://backstage/api/ecr/audit/history'],
      ['POST', 'http://backstage/api/ecr/audit/run'],
      ['GET', 'http://backstage/api/ecr/audit?format=csv'],
      ['GET', `${ENTITY}/builds`],
      ['POST', `${ENTITY}/builds?dryRun=true`],
    ]);
  });

  it('sends a write’s dry-run flag in its JSON body too, agreeing with the query', async () => {
    const { ecr, fetch } = client();
    await ecr.grantPushAccess(ref, { dryRun: false });
    await ecr.claim(ref, { dryRun: true });
    await ecr.startBuild(ref, { dryRun: false });
    await ecr.startBuild(ref, { dryRun: true, sourceVersion: 'main' });
    await ecr.configureRepository(ref, {
      dryRun: false,
      settings: ['tagImmutability', 'lifecyclePolicy'],
      replaceLifecyclePolicy: true,
    });
    await ecr.configureRepository(ref, { dryRun: true });
    expect(
      fetch.mock.calls.map(([, init]) => ({
        body: init?.body,
        type: (init?.headers as Record<string, string>)['Content-Type'],
      })),
    ).toEqual([
      { body: '{"dryRun":false}', type: 'application/json' },
      { body: '{"dryRun":true}', type: 'application/json' },
      { body: '{"dryRun":false}', type: 'application/json' },
      {
        body: '{"dryRun":true,"sourceVersion":"main"}',
        type: 'application/json',
      },
      {
        body: '{"dryRun":false,"scanOnPush":false,"tagImmutability":true,"lifecyclePolicy":true,"replaceLifecyclePolicy":true}',
        type: 'application/json',
      },
      { body: '{"dryRun":true}', type: 'application/json' },
    ]);
  });

  it('leaves refresh out unless asked, as before', async () => {
    const { ecr, fetch } = client();
    await ecr.getSetup(ref, { refresh: false });
    await ecr.getSetup(ref);
    expect(fetch.mock.calls.map(([url]) => url)).toEqual([
      `${ENTITY}/setup`,
      `${ENTITY}/setup`,
    ]);
  });

  it.each(Object.entries(CALLS))(
    '%s throws a refusal as a ResponseError with the backend’s status and message',
    async (_name, call) => {
      const { ecr } = client(() =>
        json(
          {
            error: { name: 'NotAllowedError', message: 'Denied' },
            request: { method: 'GET', url: '/' },
            response: { statusCode: 403 },
          },
          403,
        ),
      );
      const error = await call(ecr).catch(e => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect(error).toMatchObject({
        statusCode: 403,
        body: { error: { name: 'NotAllowedError', message: 'Denied' } },
      });
    },
  );
});
