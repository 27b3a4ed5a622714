import { EcrClient } from './EcrClient';

function client(respond: (url: string, init?: RequestInit) => Response) {
  const fetch = jest.fn(async (url: string, init?: RequestInit) =>
    respond(url, init),
  );
  const ecr = new EcrClient({
    discoveryApi: { getBaseUrl: async () => 'http://backstage/api/ecr' },
    fetchApi: { fetch: fetch as any },
  });
  return { ecr, fetch };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });

const ref = {
  kind: 'Component',
  namespace: 'default',
  name: 'proof-of-concept',
};

describe('EcrClient', () => {
  it('asks the entity routes with the entity ref in the path', async () => {
    const { ecr, fetch } = client(() => json({ repositories: [] }));
    await ecr.getImages(ref);
    await ecr.getSetup(ref);
    expect(fetch.mock.calls.map(c => c[0])).toEqual([
      'http://backstage/api/ecr/entity/default/Component/proof-of-concept/images',
      'http://backstage/api/ecr/entity/default/Component/proof-of-concept/setup',
    ]);
  });

  it('encodes the digest and the repository ARN of a findings request', async () => {
    const { ecr, fetch } = client(() => json({ findings: [] }));
    await ecr.getFindings(ref, {
      repositoryArn: 'arn:aws:ecr:eu-west-2:123412341234:repository/a/b',
      digest: `sha256:${'a'.repeat(64)}`,
    });
    expect(fetch.mock.calls[0][0]).toBe(
      `http://backstage/api/ecr/entity/default/Component/proof-of-concept/images/sha256%3A${'a'.repeat(
        64,
      )}/findings?repository=arn%3Aaws%3Aecr%3Aeu-west-2%3A123412341234%3Arepository%2Fa%2Fb`,
    );
  });

  it('posts fixes with the dry-run flag', async () => {
    const { ecr, fetch } = client(() => json({}));
    await ecr.grantPushAccess(ref, { dryRun: true });
    await ecr.createRepository(ref, { dryRun: false });
    await ecr.claim(ref, { dryRun: true });
    await ecr.claim(ref, { dryRun: false });
    expect(fetch.mock.calls.map(c => [c[0], c[1]?.method])).toEqual([
      [
        'http://backstage/api/ecr/entity/default/Component/proof-of-concept/push-access?dryRun=true',
        'POST',
      ],
      [
        'http://backstage/api/ecr/entity/default/Component/proof-of-concept/repository?dryRun=false',
        'POST',
      ],
      [
        'http://backstage/api/ecr/entity/default/Component/proof-of-concept/claim?dryRun=true',
        'POST',
      ],
      [
        'http://backstage/api/ecr/entity/default/Component/proof-of-concept/claim?dryRun=false',
        'POST',
      ],
    ]);
  });

  it('answers what a claim tagged, and refuses as the backend does', async () => {
    const answer = {
      dryRun: true,
      entityRef: 'component:default/proof-of-concept',
      changed: false,
      resources: [
        {
          kind: 'repository',
          arn: 'arn:aws:ecr:eu-west-2:123412341234:repository/proof-of-concept-repo',
          outcome: 'bound',
          tags: {
            'backstage.io/entity-ref': 'component:default/proof-of-concept',
          },
        },
      ],
    };
    const { ecr } = client(() => json(answer));
    await expect(ecr.claim(ref, { dryRun: true })).resolves.toEqual(answer);

    const { ecr: denied } = client(() =>
      json(
        {
          error: {
            name: 'NotAllowedError',
            message:
              'Permission ecr.repository.claim is not granted for component:default/proof-of-concept',
          },
          response: { statusCode: 403 },
        },
        403,
      ),
    );
    await expect(denied.claim(ref, { dryRun: false })).rejects.toMatchObject({
      statusCode: 403,
    });
  });

  it('throws the backend’s error with its status and message', async () => {
    const { ecr } = client(() =>
      json(
        {
          error: { name: 'NotAllowedError', message: 'Denied' },
          response: { statusCode: 403 },
        },
        403,
      ),
    );
    await expect(ecr.getImages(ref)).rejects.toMatchObject({
      statusCode: 403,
      body: { error: { message: 'Denied' } },
    });
  });

  it('reads the audit as CSV text', async () => {
    const { ecr, fetch } = client(
      () => new Response('entity,check\n', { status: 200 }),
    );
    await expect(ecr.getAuditCsv()).resolves.toBe('entity,check\n');
    expect(fetch.mock.calls[0][0]).toBe(
      'http://backstage/api/ecr/audit?format=csv',
    );
  });
});
