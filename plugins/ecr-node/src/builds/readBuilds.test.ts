import { ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { Build } from '@aws-sdk/client-codebuild';
import {
  CodeBuildProjectRef,
  OwnershipSubject,
} from '@backstage-ecr/plugin-ecr-common';
import { ConfigReader } from '@backstage/config';
import { AwsClients } from '../aws/clients';
import { readEcrConfig } from '../config';
import { NotOwnedError } from '../writes/ownership';
import { buildConsoleUrl, readProjectBuilds } from './readBuilds';
import { startBuild } from './startBuild';

// The builds read and the build start, on stubbed SDK clients: each client's
// send answers by the command's name, and records what it was sent.

const ACCOUNT = '123412341234';
const REGION = 'eu-west-2';
const NAME = 'proof-of-concept-snapshot';
const PROJECT: CodeBuildProjectRef = {
  arn: `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/${NAME}`,
  partition: 'aws',
  region: REGION,
  accountId: ACCOUNT,
  name: NAME,
};
const SUBJECT: OwnershipSubject = {
  entityRef: 'component:default/proof-of-concept',
  ownerRef: 'group:default/team-a',
};
const CONFIG = readEcrConfig(
  new ConfigReader({
    ecr: { allowedAccounts: [ACCOUNT], regions: [REGION] },
  }),
);
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const ROLE = 'codebuild-proof-of-concept-snapshot-service-role';

type Handler = (input: any) => unknown;

function awsError(name: string, status: number, message = name) {
  return Object.assign(new Error(message), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
  });
}

function stubClients(handlers: Record<string, Handler>) {
  const sent: Array<{ command: string; input: any }> = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: any }) => {
      const name = command.constructor.name;
      sent.push({ command: name, input: command.input });
      const handler = handlers[name];
      if (!handler) throw new Error(`unexpected ${name}`);
      return handler(command.input);
    },
  };
  const clients = {
    codeBuild: () => client,
    logs: () => client,
    iam: () => client,
  } as unknown as AwsClients;
  return { clients, sent };
}

const start = new Date('2026-11-20T10:00:00Z');
const end = new Date('2026-11-20T10:03:20Z');

function build(id: string, overrides: Partial<Build> = {}): Build {
  return {
    id: `${NAME}:${id}`,
    buildNumber: 1,
    buildStatus: 'SUCCEEDED',
    currentPhase: 'COMPLETED',
    startTime: start,
    endTime: end,
    sourceVersion: 'main',
    resolvedSourceVersion: '0123456789abcdef0123456789abcdef01234567',
    initiator: 'alice',
    logs: {
      groupName: `/aws/codebuild/${NAME}`,
      streamName: id,
      deepLink: `https://console.aws.amazon.com/cloudwatch/home?region=${REGION}#logEvent:group=/aws/codebuild/${NAME};stream=${id}`,
    },
    ...overrides,
  };
}

const failed = (id: string, overrides: Partial<Build> = {}) =>
  build(id, {
    buildStatus: 'FAILED',
    currentPhase: 'COMPLETED',
    phases: [
      { phaseType: 'PRE_BUILD', phaseStatus: 'SUCCEEDED' },
      { phaseType: 'BUILD', phaseStatus: 'FAILED' },
      { phaseType: 'COMPLETED' },
    ],
    ...overrides,
  });

const DENIED_LINE = `An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation: User: arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/AWSCodeBuild-4002c38e is not authorized to perform: ecr:GetAuthorizationToken on resource: *`;

/** The handlers of a project bound to the entity, with `builds` and `logs`. */
function project(
  builds: Build[],
  logs: Record<string, string[] | Error>,
  overrides: Record<string, Handler> = {},
) {
  return stubClients({
    BatchGetProjectsCommand: () => ({
      projects: [
        {
          name: NAME,
          serviceRole: `arn:aws:iam::${ACCOUNT}:role/service-role/${ROLE}`,
          tags: [{ key: 'backstage.io/entity-ref', value: SUBJECT.entityRef }],
        },
      ],
    }),
    ListBuildsForProjectCommand: () => ({ ids: builds.map(b => b.id) }),
    // Out of order, as BatchGetBuilds may answer.
    BatchGetBuildsCommand: ({ ids }: { ids: string[] }) => ({
      builds: builds.filter(b => ids.includes(b.id!)).reverse(),
    }),
    GetLogEventsCommand: ({ logStreamName }: { logStreamName: string }) => {
      const log = logs[logStreamName];
      if (log instanceof Error) throw log;
      return {
        events: (log ?? []).map(message => ({ message })),
        nextForwardToken: 'f/end',
      };
    },
    GetRoleCommand: () => ({
      Role: {
        Arn: `arn:aws:iam::${ACCOUNT}:role/service-role/${ROLE}`,
        Tags: [{ Key: 'backstage.io/entity-ref', Value: SUBJECT.entityRef }],
      },
    }),
    ...overrides,
  });
}

describe('readProjectBuilds', () => {
  it('maps each build, newest first, with links, duration and the digests it pushed', async () => {
    const { clients, sent } = project([build('b2'), failed('b1')], {
      b2: [
        '[Container] 2026/11/20 10:03:00 Running command docker push …',
        `latest: digest: ${DIGEST} size: 1573`,
      ],
      b1: ['no error here'],
    });
    const answer = await readProjectBuilds(clients, CONFIG, PROJECT, SUBJECT);
    expect(answer.project).toEqual({ arn: PROJECT.arn, name: NAME });
    expect(answer.logsUnreadable).toBeUndefined();
    expect(answer.builds.map(b => b.id)).toEqual([`${NAME}:b2`, `${NAME}:b1`]);
    expect(answer.builds[0]).toEqual({
      id: `${NAME}:b2`,
      buildNumber: 1,
      status: 'SUCCEEDED',
      currentPhase: 'COMPLETED',
      startTime: '2026-11-20T10:00:00.000Z',
      endTime: '2026-11-20T10:03:20.000Z',
      durationSeconds: 200,
      sourceVersion: '0123456789abcdef0123456789abcdef01234567',
      initiator: 'alice',
      logUrl: build('b2').logs!.deepLink,
      consoleUrl: `https://${REGION}.console.aws.amazon.com/codesuite/codebuild/${ACCOUNT}/projects/${NAME}/build/${NAME}%3Ab2/?region=${REGION}`,
      imageDigests: [DIGEST],
    });
    expect(answer.builds[1]).toMatchObject({
      status: 'FAILED',
      failedPhase: 'BUILD',
      imageDigests: [],
    });
    expect(answer.builds[1].diagnosis).toBeUndefined();
    const list = sent.find(s => s.command === 'ListBuildsForProjectCommand');
    expect(list?.input).toEqual({ projectName: NAME, sortOrder: 'DESCENDING' });
    // A succeeded build's log is read from its tail (one page), a failed
    // one's from its head until CloudWatch hands back the token it was given.
    const reads = sent.filter(s => s.command === 'GetLogEventsCommand');
    expect(
      reads.map(r => [r.input.logStreamName, r.input.startFromHead]),
    ).toEqual([
      ['b2', false],
      ['b1', true],
      ['b1', true],
    ]);
    expect(reads[2].input.nextToken).toBe('f/end');
  });

  it('reads at most 20 builds', async () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      build(`n${i}`, { logs: undefined }),
    );
    const { clients, sent } = project(many, {});
    const answer = await readProjectBuilds(clients, CONFIG, PROJECT, SUBJECT);
    expect(answer.builds).toHaveLength(20);
    const batch = sent.find(s => s.command === 'BatchGetBuildsCommand');
    expect(batch?.input.ids).toEqual(many.slice(0, 20).map(b => b.id));
  });

  it.each([
    [
      'a refused push',
      ['[Container] Running command aws ecr get-login-password', DENIED_LINE],
      'push-permissions',
      DENIED_LINE,
    ],
    [
      'a missing repository',
      [
        "An error occurred (RepositoryNotFoundException) when calling the DescribeRepositories operation: The repository with name 'poc' does not exist",
      ],
      'repository-exists',
      "An error occurred (RepositoryNotFoundException) when calling the DescribeRepositories operation: The repository with name 'poc' does not exist",
    ],
    [
      'docker push to a missing repository',
      [
        "name unknown: The repository with name 'poc' does not exist in the registry with id '123412341234'",
      ],
      'repository-exists',
      "name unknown: The repository with name 'poc' does not exist in the registry with id '123412341234'",
    ],
    [
      'an immutable tag',
      [
        "An error occurred (ImageTagAlreadyExistsException) when calling the PutImage operation: The image tag 'latest' already exists",
      ],
      'tag-immutability',
      "An error occurred (ImageTagAlreadyExistsException) when calling the PutImage operation: The image tag 'latest' already exists",
    ],
  ])(
    'diagnoses %s from the first error line',
    async (_case, lines, checkId, message) => {
      const { clients } = project([failed('b1')], {
        b1: [
          '  [Container] Entering phase BUILD',
          ...lines.map(l => `  ${l}`),
          DENIED_LINE,
        ],
      });
      const answer = await readProjectBuilds(clients, CONFIG, PROJECT, SUBJECT);
      expect(answer.builds[0].diagnosis).toEqual({ checkId, message });
    },
  );

  it('names push-role-owner when the refused role is not the entity’s', async () => {
    const { clients } = project(
      [failed('b1')],
      { b1: [DENIED_LINE] },
      {
        GetRoleCommand: () => ({
          Role: {
            Tags: [
              {
                Key: 'backstage.io/entity-ref',
                Value: 'component:default/other',
              },
            ],
          },
        }),
      },
    );
    const answer = await readProjectBuilds(clients, CONFIG, PROJECT, SUBJECT);
    expect(answer.builds[0].diagnosis).toEqual({
      checkId: 'push-role-owner',
      message: DENIED_LINE,
    });
  });

  it('reads only `limit` builds, and takes the role’s ownership from the caller without asking IAM', async () => {
    const { clients, sent } = project([failed('b2'), failed('b1')], {
      b2: [DENIED_LINE],
      b1: [DENIED_LINE],
    });
    const answer = await readProjectBuilds(clients, CONFIG, PROJECT, SUBJECT, {
      limit: 1,
      roleBelongs: false,
    });
    expect(answer.builds.map(b => [b.id, b.diagnosis?.checkId])).toEqual([
      [`${NAME}:b2`, 'push-role-owner'],
    ]);
    expect(sent.some(s => s.command === 'GetRoleCommand')).toBe(false);
  });

  it('leaves a failed build without a matching line undiagnosed', async () => {
    const { clients } = project([failed('b1')], {
      b1: ['npm ERR! Test failed.  See above for more details.'],
    });
    const answer = await readProjectBuilds(clients, CONFIG, PROJECT, SUBJECT);
    expect(answer.builds[0].diagnosis).toBeUndefined();
    expect(answer.logsUnreadable).toBeUndefined();
  });

  it('answers the builds without diagnosis when the logs may not be read, naming logs:GetLogEvents', async () => {
    const denied = awsError(
      'AccessDeniedException',
      400,
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/backstage/x is not authorized to perform: logs:GetLogEvents on resource: arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/codebuild/${NAME}:log-stream:b1`,
    );
    const { clients, sent } = project([failed('b2'), failed('b1')], {
      b2: denied,
      b1: denied,
    });
    const answer = await readProjectBuilds(clients, CONFIG, PROJECT, SUBJECT);
    expect(answer.builds).toHaveLength(2);
    expect(answer.builds.every(b => b.diagnosis === undefined)).toBe(true);
    expect(answer.logsUnreadable).toContain('logs:GetLogEvents');
    expect(answer.logsUnreadable).toContain('AccessDeniedException');
    // Refused once, the other logs are not asked for.
    expect(sent.filter(s => s.command === 'GetLogEventsCommand')).toHaveLength(
      1,
    );
  });

  it('takes an expired log as no diagnosis, not as unreadable logs', async () => {
    const gone = new ResourceNotFoundException({
      message: 'The specified log stream does not exist.',
      $metadata: { httpStatusCode: 400 },
    });
    const { clients } = project([failed('b1')], { b1: gone });
    const answer = await readProjectBuilds(clients, CONFIG, PROJECT, SUBJECT);
    expect(answer.builds[0].diagnosis).toBeUndefined();
    expect(answer.logsUnreadable).toBeUndefined();
  });

  it('refuses a project bound to someone else (403 naming the owner)', async () => {
    const { clients, sent } = project(
      [build('b1')],
      {},
      {
        BatchGetProjectsCommand: () => ({
          projects: [
            {
              name: NAME,
              tags: [
                { key: 'backstage.io/owner', value: 'group:default/team-b' },
              ],
            },
          ],
        }),
      },
    );
    const error = await readProjectBuilds(
      clients,
      CONFIG,
      PROJECT,
      SUBJECT,
    ).catch(e => e);
    expect(error).toBeInstanceOf(NotOwnedError);
    expect(error.message).toContain('group:default/team-b');
    expect(error.resource).toMatchObject({
      kind: 'project',
      arn: PROJECT.arn,
      state: 'elsewhere',
    });
    expect(sent.map(s => s.command)).toEqual(['BatchGetProjectsCommand']);
  });

  it('answers 404 for a project that does not exist', async () => {
    const { clients } = project(
      [],
      {},
      {
        BatchGetProjectsCommand: () => ({
          projects: [],
          projectsNotFound: [NAME],
        }),
      },
    );
    await expect(
      readProjectBuilds(clients, CONFIG, PROJECT, SUBJECT),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('maps a refused ListBuildsForProject to a 502 naming the action', async () => {
    const { clients } = project(
      [],
      {},
      {
        ListBuildsForProjectCommand: () => {
          throw awsError('AccessDeniedException', 400);
        },
      },
    );
    await expect(
      readProjectBuilds(clients, CONFIG, PROJECT, SUBJECT),
    ).rejects.toMatchObject({
      statusCode: 502,
      action: 'codebuild:ListBuildsForProject',
      awsCode: 'AccessDeniedException',
    });
  });
});

describe('buildConsoleUrl', () => {
  it('links the console of the partition', () => {
    expect(
      buildConsoleUrl(
        { ...PROJECT, partition: 'aws-cn', region: 'cn-north-1' },
        `${NAME}:x`,
      ),
    ).toBe(
      `https://console.amazonaws.cn/codesuite/codebuild/${ACCOUNT}/projects/${NAME}/build/${NAME}%3Ax/?region=cn-north-1`,
    );
  });
});

describe('startBuild', () => {
  const started = (input: any) => ({
    build: build('new', {
      buildStatus: 'IN_PROGRESS',
      currentPhase: 'QUEUED',
      endTime: undefined,
      sourceVersion: input.sourceVersion,
      resolvedSourceVersion: undefined,
    }),
  });

  it('starts the newest build’s source version by default', async () => {
    const { clients, sent } = project(
      [build('b1')],
      {},
      {
        StartBuildCommand: started,
      },
    );
    const answer = await startBuild(clients, CONFIG, {
      project: PROJECT,
      subject: SUBJECT,
    });
    expect(answer).toMatchObject({
      dryRun: false,
      projectArn: PROJECT.arn,
      sourceVersion: '0123456789abcdef0123456789abcdef01234567',
      build: { id: `${NAME}:new`, status: 'IN_PROGRESS' },
    });
    expect(sent.find(s => s.command === 'StartBuildCommand')?.input).toEqual({
      projectName: NAME,
      sourceVersion: '0123456789abcdef0123456789abcdef01234567',
    });
  });

  it('starts nothing on a dry run, and takes the version asked', async () => {
    const { clients, sent } = project(
      [build('b1')],
      {},
      {
        StartBuildCommand: started,
      },
    );
    const answer = await startBuild(clients, CONFIG, {
      project: PROJECT,
      subject: SUBJECT,
      sourceVersion: 'release/1.2',
      dryRun: true,
    });
    expect(answer).toEqual({
      dryRun: true,
      projectArn: PROJECT.arn,
      sourceVersion: 'release/1.2',
    });
    expect(sent.map(s => s.command)).toEqual(['BatchGetProjectsCommand']);
  });

  it.each([
    [
      'bound elsewhere',
      [{ key: 'backstage.io/owner', value: 'group:default/team-b' }],
      'group:default/team-b',
    ],
    ['unbound', [], 'unbound'],
  ])('refuses a project %s (403)', async (_case, tags, named) => {
    const { clients, sent } = project(
      [build('b1')],
      {},
      {
        BatchGetProjectsCommand: () => ({ projects: [{ name: NAME, tags }] }),
        StartBuildCommand: started,
      },
    );
    const error = await startBuild(clients, CONFIG, {
      project: PROJECT,
      subject: SUBJECT,
    }).catch(e => e);
    expect(error).toBeInstanceOf(NotOwnedError);
    expect(error.name).toBe('NotAllowedError');
    expect(error.message).toContain(named);
    expect(sent.some(s => s.command === 'StartBuildCommand')).toBe(false);
  });

  it('refuses a project outside ecr.regions before asking AWS', async () => {
    const { clients, sent } = project([], {});
    await expect(
      startBuild(clients, CONFIG, {
        project: { ...PROJECT, region: 'us-east-1' },
        subject: SUBJECT,
      }),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(sent).toEqual([]);
  });

  it.each(['', 'a b', 'x'.repeat(256), 'line\nbreak'])(
    'refuses the source version %j (400)',
    async sourceVersion => {
      const { clients, sent } = project([], {});
      await expect(
        startBuild(clients, CONFIG, {
          project: PROJECT,
          subject: SUBJECT,
          sourceVersion,
        }),
      ).rejects.toMatchObject({ name: 'InputError' });
      expect(sent).toEqual([]);
    },
  );
});
