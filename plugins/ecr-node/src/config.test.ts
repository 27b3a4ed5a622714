import { ConfigReader } from '@backstage/config';
import { readEcrConfig } from './config';

describe('readEcrConfig', () => {
  it('reads every key of docs/architecture.md, "Configuration"', () => {
    expect(
      readEcrConfig(
        new ConfigReader({
          ecr: {
            allowedAccounts: ['123412341234'],
            regions: ['eu-west-2'],
            endpoint: 'http://127.0.0.1:4566',
            cache: { ttlSeconds: 60 },
            iam: {
              allowedRoleArnPatterns: [
                'arn:aws:iam::*:role/service-role/codebuild-*',
              ],
            },
            audit: { concurrency: 8 },
            containerPort: 8080,
            ownership: {
              entityRefTag: 'example.com/entity',
              ownerTag: 'example.com/team',
              unbound: 'deny',
            },
          },
        }),
      ),
    ).toEqual({
      allowedAccounts: ['123412341234'],
      regions: ['eu-west-2'],
      endpoint: 'http://127.0.0.1:4566',
      maxAttempts: undefined,
      cacheTtlSeconds: 60,
      allowedRoleArnPatterns: ['arn:aws:iam::*:role/service-role/codebuild-*'],
      containerPort: 8080,
      ownership: {
        entityRefTag: 'example.com/entity',
        ownerTag: 'example.com/team',
        unbound: 'deny',
      },
    });
  });

  it('has safe defaults: no account allowed, AWS itself, a minute of cache', () => {
    expect(readEcrConfig(new ConfigReader({}))).toMatchObject({
      allowedAccounts: [],
      endpoint: undefined,
      cacheTtlSeconds: 60,
      containerPort: 8080,
      allowedRoleArnPatterns: [],
      ownership: {
        entityRefTag: 'backstage.io/entity-ref',
        ownerTag: 'backstage.io/owner',
        unbound: 'read-only',
      },
    });
  });

  it('lets a later config file remove the endpoint with null', () => {
    const config = ConfigReader.fromConfigs([
      {
        context: 'app-config.yaml',
        data: { ecr: { endpoint: 'http://127.0.0.1:4566' } },
      },
      {
        context: 'app-config.production.yaml',
        data: { ecr: { endpoint: null } },
      },
    ]);
    expect(readEcrConfig(config).endpoint).toBeUndefined();
  });

  it.each([
    [{ allowedAccounts: ['1234'] }, /ecr.allowedAccounts/],
    [{ endpoint: 'ftp://x' }, /ecr.endpoint/],
    [{ maxAttempts: 0 }, /ecr.maxAttempts/],
    [{ containerPort: 70000 }, /ecr.containerPort/],
    [{ ownership: { unbound: 'yes' } }, /ecr.ownership.unbound/],
    [
      { ownership: { entityRefTag: 'aws:owner' } },
      /ecr.ownership.entityRefTag/,
    ],
    [{ ownership: { ownerTag: '' } }, /ecr.ownership.ownerTag/],
    [
      { ownership: { ownerTag: 'backstage.io/entity-ref' } },
      /entityRefTag and ecr.ownership.ownerTag must differ/,
    ],
  ])('refuses %j', (ecr, message) => {
    expect(() => readEcrConfig(new ConfigReader({ ecr }))).toThrow(message);
  });
});
