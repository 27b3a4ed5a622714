import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
} from '@aws-sdk/client-sts';
import { clients, errorOf, KEYS, useEmulator } from '../__testUtils__/emulator';
import { Seed } from '../seed/schema';

/** A small account where user `deployer` may assume role `reader`, which reads ECR. */
const seed: Seed = {
  accounts: [
    {
      id: '111122223333',
      regions: ['eu-west-2'],
      rootAccessKeys: [{ id: 'AKIATESTROOT00000000', secret: 'root-secret' }],
      users: [
        {
          name: 'deployer',
          accessKeys: [
            { id: 'AKIATESTDEPLOYER0000', secret: 'deployer-secret' },
          ],
          inlinePolicies: {
            assume: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: 'sts:AssumeRole',
                  Resource: 'arn:aws:iam::111122223333:role/*',
                },
              ],
            },
          },
        },
        {
          name: 'stranger',
          accessKeys: [
            { id: 'AKIATESTSTRANGER0000', secret: 'stranger-secret' },
          ],
        },
      ],
      roles: [
        {
          name: 'reader',
          maxSessionDuration: 7200,
          inlinePolicies: {
            read: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: 'ecr:Describe*', Resource: '*' },
              ],
            },
          },
        },
        {
          name: 'build-only',
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
        },
      ],
      repositories: [{ name: 'app' }],
    },
  ],
};

const emulator = useEmulator({ seed });
const demo = useEmulator();
const deployer = {
  accessKeyId: 'AKIATESTDEPLOYER0000',
  secretAccessKey: 'deployer-secret',
};
const READER = 'arn:aws:iam::111122223333:role/reader';

describe('GetCallerIdentity', () => {
  it('names an IAM user', async () => {
    const identity = await clients(demo().url).sts.send(
      new GetCallerIdentityCommand({}),
    );
    expect(identity).toMatchObject({
      Account: '123412341234',
      Arn: 'arn:aws:iam::123412341234:user/backstage',
      UserId: expect.stringMatching(/^AIDA/),
    });
  });

  it('names the account root', async () => {
    const identity = await clients(demo().url, KEYS.root).sts.send(
      new GetCallerIdentityCommand({}),
    );
    expect(identity.Arn).toBe('arn:aws:iam::123412341234:root');
    expect(identity.UserId).toBe('123412341234');
  });

  it('names a role session by its assumed-role ARN', async () => {
    const identity = await clients(demo().url, KEYS.codebuildSession).sts.send(
      new GetCallerIdentityCommand({}),
    );
    expect(identity.Arn).toBe(
      'arn:aws:sts::123412341234:assumed-role/codebuild-proof-of-concept-snapshot-service-role/AWSCodeBuild-4002c38e-ef97-2d1e-34aa-fc23a6cb4d6f',
    );
    expect(identity.UserId).toMatch(/^AROA[A-Z2-7]{17}:AWSCodeBuild-/);
  });

  it('is allowed to a principal with no policies at all', async () => {
    const stranger = {
      accessKeyId: 'AKIATESTSTRANGER0000',
      secretAccessKey: 'stranger-secret',
    };
    const identity = await clients(emulator().url, stranger).sts.send(
      new GetCallerIdentityCommand({}),
    );
    expect(identity.Arn).toBe('arn:aws:iam::111122223333:user/stranger');
  });
});

describe('AssumeRole', () => {
  it('answers temporary credentials that then act as the role session', async () => {
    const { Credentials, AssumedRoleUser } = await clients(
      emulator().url,
      deployer,
    ).sts.send(
      new AssumeRoleCommand({ RoleArn: READER, RoleSessionName: 'backstage' }),
    );
    expect(Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(Credentials?.Expiration).toBeInstanceOf(Date);
    expect(AssumedRoleUser?.Arn).toBe(
      'arn:aws:sts::111122223333:assumed-role/reader/backstage',
    );

    const session = clients(emulator().url, {
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretAccessKey!,
      sessionToken: Credentials!.SessionToken!,
    });
    const identity = await session.sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(AssumedRoleUser?.Arn);
    const { repositories } = await session.ecr.send(
      new DescribeRepositoriesCommand({}),
    );
    expect(repositories?.map(r => r.repositoryName)).toEqual(['app']);
  });

  it('narrows the session to a session policy', async () => {
    const { Credentials } = await clients(emulator().url, deployer).sts.send(
      new AssumeRoleCommand({
        RoleArn: READER,
        RoleSessionName: 'narrow',
        Policy:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:ListImages","Resource":"*"}]}',
      }),
    );
    const ecr = new ECRClient({
      endpoint: emulator().url,
      region: 'eu-west-2',
      maxAttempts: 1,
      credentials: {
        accessKeyId: Credentials!.AccessKeyId!,
        secretAccessKey: Credentials!.SecretAccessKey!,
        sessionToken: Credentials!.SessionToken!,
      },
    });
    const error = await errorOf(ecr.send(new DescribeRepositoriesCommand({})));
    expect(error.name).toBe('AccessDeniedException');
  });

  it('refuses a session token that does not belong to the key', async () => {
    const { Credentials } = await clients(emulator().url, deployer).sts.send(
      new AssumeRoleCommand({ RoleArn: READER, RoleSessionName: 'tampered' }),
    );
    const session = clients(emulator().url, {
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretAccessKey!,
      sessionToken: 'not-the-token',
    });
    const error = await errorOf(
      session.sts.send(new GetCallerIdentityCommand({})),
    );
    expect(error.name).toBe('InvalidClientTokenId');
  });

  it('denies a user without sts:AssumeRole', async () => {
    const stranger = {
      accessKeyId: 'AKIATESTSTRANGER0000',
      secretAccessKey: 'stranger-secret',
    };
    const error = await errorOf(
      clients(emulator().url, stranger).sts.send(
        new AssumeRoleCommand({ RoleArn: READER, RoleSessionName: 'session' }),
      ),
    );
    expect(error.name).toBe('AccessDenied');
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.message).toBe(
      `User: arn:aws:iam::111122223333:user/stranger is not authorized to perform: sts:AssumeRole on resource: ${READER}`,
    );
  });

  it('denies a role whose trust policy does not name the caller', async () => {
    const error = await errorOf(
      clients(emulator().url, deployer).sts.send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::111122223333:role/build-only',
          RoleSessionName: 'session',
        }),
      ),
    );
    expect(error.name).toBe('AccessDenied');
  });

  it('refuses root credentials, as AWS does', async () => {
    const root = {
      accessKeyId: 'AKIATESTROOT00000000',
      secretAccessKey: 'root-secret',
    };
    const error = await errorOf(
      clients(emulator().url, root).sts.send(
        new AssumeRoleCommand({ RoleArn: READER, RoleSessionName: 'session' }),
      ),
    );
    expect(error.message).toBe('Roles may not be assumed by root accounts.');
  });

  it('refuses a duration beyond the role maximum', async () => {
    const error = await errorOf(
      clients(emulator().url, deployer).sts.send(
        new AssumeRoleCommand({
          RoleArn: READER,
          RoleSessionName: 'session',
          DurationSeconds: 10800,
        }),
      ),
    );
    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe(
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  });

  it('refuses a duration below 900 seconds by the model constraint', async () => {
    const error = await errorOf(
      clients(emulator().url, deployer).sts.send(
        new AssumeRoleCommand({
          RoleArn: READER,
          RoleSessionName: 'session',
          DurationSeconds: 60,
        }),
      ),
    );
    expect(error.name).toBe('ValidationError');
    expect(error.message).toContain(
      'Member must have value greater than or equal to 900',
    );
  });
});
