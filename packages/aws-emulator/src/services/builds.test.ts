import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  ResourceNotFoundException as LogsResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  BatchGetBuildsCommand,
  Build,
  ListBuildsForProjectCommand,
  ResourceNotFoundException,
  RetryBuildCommand,
  StartBuildCommand,
} from '@aws-sdk/client-codebuild';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { startEmulator } from '../index';
import {
  ACCOUNT,
  clients,
  Credentials,
  errorOf,
  KEYS,
  REGION,
  useEmulator,
} from '../__testUtils__/emulator';

const emulator = useEmulator({ buildDurationMs: 30 });

// The demo's backstage user reads ECR, IAM and projects only; builds and logs are read here as
// the account's root user, and the authorization tests use a user without these actions.
function logsClient(credentials: Credentials = KEYS.root) {
  return new CloudWatchLogsClient({
    endpoint: emulator().url,
    region: REGION,
    credentials,
    maxAttempts: 1,
  });
}

const POC = 'codebuild-proof-of-concept-snapshot';
const POC_ROLE = 'codebuild-proof-of-concept-snapshot-service-role';
const PAYMENTS = 'codebuild-payments-api';
const GUIDE_PUSH_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Action: [
        'ecr:BatchCheckLayerAvailability',
        'ecr:CompleteLayerUpload',
        'ecr:GetAuthorizationToken',
        'ecr:InitiateLayerUpload',
        'ecr:PutImage',
        'ecr:UploadLayerPart',
      ],
      Resource: '*',
      Effect: 'Allow',
    },
  ],
});

async function getBuild(id: string): Promise<Build> {
  const { builds } = await clients(emulator().url, KEYS.root).codebuild.send(
    new BatchGetBuildsCommand({ ids: [id] }),
  );
  return builds![0];
}

/** Polls BatchGetBuilds until the build is complete. */
async function finished(id: string): Promise<Build> {
  for (let i = 0; i < 200; i++) {
    const build = await getBuild(id);
    if (build.buildComplete) return build;
    await new Promise(resolve => setTimeout(resolve, 20));
  }
  throw new Error(`build ${id} did not finish`);
}

/** The whole log of a build, one line per event, read forward from the head. */
async function logOf(build: Build): Promise<string[]> {
  const { events } = await logsClient().send(
    new GetLogEventsCommand({
      logGroupName: build.logs!.groupName,
      logStreamName: build.logs!.streamName,
      startFromHead: true,
    }),
  );
  return events!.map(e => e.message!.replace(/\n$/, ''));
}

async function start(
  input: ConstructorParameters<typeof StartBuildCommand>[0],
) {
  const { build } = await clients(emulator().url, KEYS.root).codebuild.send(
    new StartBuildCommand(input),
  );
  return build!;
}

const sha = (prefix: string) => prefix.padEnd(40, '0');

describe('a build of the guide’s project', () => {
  beforeAll(() => emulator().reset());

  it('fails in PRE_BUILD with the guide’s AccessDeniedException, then succeeds once the role may push', async () => {
    emulator().resetCalls();
    const started = await start({
      projectName: POC,
      sourceVersion: sha('1a2b3c4d5e6f'),
    });
    expect(started).toMatchObject({
      buildStatus: 'IN_PROGRESS',
      buildComplete: false,
      projectName: POC,
      sourceVersion: sha('1a2b3c4d5e6f'),
      resolvedSourceVersion: sha('1a2b3c4d5e6f'),
      buildNumber: 4,
      serviceRole: `arn:aws:iam::${ACCOUNT}:role/service-role/${POC_ROLE}`,
      initiator: 'root',
    });
    const uuid = started.id!.split(':')[1];
    expect(started.id).toBe(`${POC}:${uuid}`);
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(started.arn).toBe(
      `arn:aws:codebuild:${REGION}:${ACCOUNT}:build/${POC}:${uuid}`,
    );
    expect(started.startTime).toBeInstanceOf(Date);
    expect(started.endTime).toBeUndefined();
    expect(started.logs).toMatchObject({
      groupName: `/aws/codebuild/${POC}`,
      streamName: uuid,
    });
    expect(started.logs!.deepLink).toContain(`stream=${uuid}`);

    const failed = await finished(started.id!);
    expect(failed.buildStatus).toBe('FAILED');
    expect(failed.currentPhase).toBe('COMPLETED');
    expect(failed.endTime!.getTime()).toBeGreaterThanOrEqual(
      failed.startTime!.getTime(),
    );
    const phases = failed.phases!.map(p => [p.phaseType, p.phaseStatus]);
    expect(phases).toEqual([
      ['SUBMITTED', 'SUCCEEDED'],
      ['QUEUED', 'SUCCEEDED'],
      ['PROVISIONING', 'SUCCEEDED'],
      ['DOWNLOAD_SOURCE', 'SUCCEEDED'],
      ['INSTALL', 'SUCCEEDED'],
      ['PRE_BUILD', 'FAILED'],
      ['UPLOAD_ARTIFACTS', 'SUCCEEDED'],
      ['FINALIZING', 'SUCCEEDED'],
      ['COMPLETED', undefined],
    ]);
    const preBuild = failed.phases!.find(p => p.phaseType === 'PRE_BUILD')!;
    expect(preBuild.contexts).toEqual([
      {
        statusCode: 'COMMAND_EXECUTION_ERROR',
        message:
          'Error while executing command: $(aws ecr get-login --no-include-email --region $AWS_DEFAULT_REGION). Reason: exit status 255',
      },
    ]);
    expect(typeof preBuild.durationInSeconds).toBe('number');
    const log = await logOf(failed);
    expect(log).toContain(
      `An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation: User: arn:aws:sts::${ACCOUNT}:assumed-role/${POC_ROLE}/AWSCodeBuild-${uuid} is not authorized to perform: ecr:GetAuthorizationToken on resource: *`,
    );
    expect(
      log.some(l => l.includes('Phase complete: PRE_BUILD State: FAILED')),
    ).toBe(true);
    // The session's call went through the emulator's request path and was counted; nothing
    // after the failed login was attempted.
    expect(emulator().calls()['ecr:GetAuthorizationToken']).toBe(1);
    expect(emulator().calls()['ecr:PutImage']).toBeUndefined();

    // The fix of the guide, on the role with IAM PutRolePolicy.
    await clients(emulator().url, KEYS.root).iam.send(
      new PutRolePolicyCommand({
        RoleName: POC_ROLE,
        PolicyName: 'EcrPush',
        PolicyDocument: GUIDE_PUSH_POLICY,
      }),
    );
    const source = 'a94f3c7e2b1d0c9f8e7d6c5b4a39281706f5e4d3';
    const retried = await start({ projectName: POC, sourceVersion: source });
    const succeeded = await finished(retried.id!);
    expect(succeeded.buildStatus).toBe('SUCCEEDED');
    expect(succeeded.phases!.map(p => p.phaseStatus)).toEqual([
      ...Array(10).fill('SUCCEEDED'),
      undefined,
    ]);

    const { imageDetails } = await clients(emulator().url, KEYS.root).ecr.send(
      new DescribeImagesCommand({
        repositoryName: 'proof-of-concept-repo',
        imageIds: [{ imageTag: 'a94f3c7' }],
      }),
    );
    expect(imageDetails).toHaveLength(1);
    const image = imageDetails![0];
    expect(image.imageTags).toEqual(['a94f3c7']);
    expect(image.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(image.imagePushedAt!.getTime()).toBeGreaterThanOrEqual(
      succeeded.startTime!.getTime() - 1000,
    );
    expect(image.imageSizeInBytes).toBeGreaterThan(0);

    const pushLog = await logOf(succeeded);
    const output = pushLog.filter(l => !l.startsWith('[Container]'));
    expect(output.at(-1)).toMatch(
      new RegExp(`^a94f3c7: digest: ${image.imageDigest} size: \\d+$`),
    );
    expect(pushLog).toContain(
      `The push refers to repository [${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/proof-of-concept-repo]`,
    );
    expect(succeeded.exportedEnvironmentVariables).toEqual([
      { name: 'IMAGE_TAG', value: 'a94f3c7' },
      { name: 'IMAGE_DIGEST', value: image.imageDigest },
    ]);
    for (const op of [
      'BatchCheckLayerAvailability',
      'InitiateLayerUpload',
      'UploadLayerPart',
      'CompleteLayerUpload',
      'PutImage',
    ]) {
      expect(emulator().calls()[`ecr:${op}`]).toBeGreaterThan(0);
    }
  });

  it('fails in POST_BUILD with ImageTagAlreadyExistsException when an IMMUTABLE repository has the tag', async () => {
    // payments-api is IMMUTABLE and already has 5d2c9e1 (pushed by its seeded build).
    const build = await finished(
      (
        await start({
          projectName: PAYMENTS,
          sourceVersion: '5d2c9e1b7a4f0e8c3d6b9a2f5e1c8d4b7a0f3e69',
        })
      ).id!,
    );
    expect(build.buildStatus).toBe('FAILED');
    const postBuild = build.phases!.find(p => p.phaseType === 'POST_BUILD')!;
    expect(postBuild.phaseStatus).toBe('FAILED');
    expect(postBuild.contexts![0].statusCode).toBe('COMMAND_EXECUTION_ERROR');
    expect(await logOf(build)).toContain(
      "An error occurred (ImageTagAlreadyExistsException) when calling the PutImage operation: The image tag '5d2c9e1' already exists in the 'payments-api' repository and cannot be overwritten because the repository is immutable.",
    );
  });

  it('fails in POST_BUILD with RepositoryNotFoundException when the repository is missing', async () => {
    const build = await finished(
      (
        await start({
          projectName: PAYMENTS,
          sourceVersion: sha('77aa'),
          environmentVariablesOverride: [
            {
              name: 'IMAGE_REPO_NAME',
              value: 'payments-api-typo',
              type: 'PLAINTEXT',
            },
          ],
        })
      ).id!,
    );
    expect(build.buildStatus).toBe('FAILED');
    expect(build.phases!.find(p => p.phaseStatus === 'FAILED')!.phaseType).toBe(
      'POST_BUILD',
    );
    expect(build.environment!.environmentVariables).toContainEqual({
      name: 'IMAGE_REPO_NAME',
      value: 'payments-api-typo',
      type: 'PLAINTEXT',
    });
    // payments-api's role may push to payments-api only: another repository is denied.
    expect(await logOf(build)).toContain(
      `An error occurred (AccessDeniedException) when calling the BatchCheckLayerAvailability operation: User: arn:aws:sts::${ACCOUNT}:assumed-role/codebuild-payments-api-service-role/AWSCodeBuild-${
        build.id!.split(':')[1]
      } is not authorized to perform: ecr:BatchCheckLayerAvailability on resource: arn:aws:ecr:${REGION}:${ACCOUNT}:repository/payments-api-typo`,
    );

    // inventory-service's repository does not exist yet: once its role may push, the push
    // finds no repository.
    await clients(emulator().url, KEYS.root).iam.send(
      new PutRolePolicyCommand({
        RoleName: 'codebuild-inventory-service-service-role',
        PolicyName: 'EcrPush',
        PolicyDocument: GUIDE_PUSH_POLICY,
      }),
    );
    const inventory = await finished(
      (
        await start({
          projectName: 'codebuild-inventory-service',
          sourceVersion: sha('9e9e'),
        })
      ).id!,
    );
    expect(inventory.buildStatus).toBe('FAILED');
    expect(
      inventory.phases!.find(p => p.phaseStatus === 'FAILED')!.phaseType,
    ).toBe('POST_BUILD');
    expect(await logOf(inventory)).toContain(
      `An error occurred (RepositoryNotFoundException) when calling the BatchCheckLayerAvailability operation: The repository with name 'inventory-service' does not exist in the registry with id '${ACCOUNT}'`,
    );
  });

  it('retries a build with its source version and environment', async () => {
    const codebuild = clients(emulator().url, KEYS.root).codebuild;
    const first = await start({
      projectName: PAYMENTS,
      sourceVersion: sha('3c3c3c3'),
    });
    const { build: retry } = await codebuild.send(
      new RetryBuildCommand({ id: first.id }),
    );
    expect(retry!.id).not.toBe(first.id);
    expect(retry!.sourceVersion).toBe(first.sourceVersion);
    expect(retry!.buildNumber).toBe(first.buildNumber! + 1);
    expect(retry!.buildStatus).toBe('IN_PROGRESS');
    const done = await finished(retry!.id!);
    // The first build pushed 3c3c3c3 to the IMMUTABLE repository: its retry cannot.
    expect((await finished(first.id!)).buildStatus).toBe('SUCCEEDED');
    expect(done.buildStatus).toBe('FAILED');
    const err = await errorOf(
      codebuild.send(
        new RetryBuildCommand({
          id: `${PAYMENTS}:00000000-0000-4000-8000-000000000000`,
        }),
      ),
    );
    expect(err).toBeInstanceOf(ResourceNotFoundException);
  });

  it('answers an unknown project with ResourceNotFoundException and unknown builds as not found', async () => {
    const codebuild = clients(emulator().url, KEYS.root).codebuild;
    const err = await errorOf(
      codebuild.send(new StartBuildCommand({ projectName: 'codebuild-nope' })),
    );
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err.message).toBe(
      `Project cannot be found: arn:aws:codebuild:${REGION}:${ACCOUNT}:project/codebuild-nope`,
    );
    const { builds, buildsNotFound } = await codebuild.send(
      new BatchGetBuildsCommand({
        ids: [
          `arn:aws:codebuild:${REGION}:${ACCOUNT}:build/${POC}:4002c38e-ef97-2d1e-34aa-fc23a6cb4d6f`,
          `${POC}:00000000-0000-4000-8000-000000000000`,
        ],
      }),
    );
    expect(builds!.map(b => b.id)).toEqual([
      `${POC}:4002c38e-ef97-2d1e-34aa-fc23a6cb4d6f`,
    ]);
    expect(buildsNotFound).toEqual([
      `${POC}:00000000-0000-4000-8000-000000000000`,
    ]);
  });

  it('starts a build by project ARN', async () => {
    const build = await start({
      projectName: `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/${PAYMENTS}`,
    });
    expect(build.projectName).toBe(PAYMENTS);
    // No source version: the project's branch, resolved to a commit.
    expect(build.sourceVersion).toBe('refs/heads/main');
    expect(build.resolvedSourceVersion).toMatch(/^[0-9a-f]{40}$/);
    await finished(build.id!);
  });
});

describe('the seeded build history', () => {
  beforeAll(() => emulator().reset());

  it('has the guide’s failed builds of proof-of-concept, newest first', async () => {
    const codebuild = clients(emulator().url, KEYS.root).codebuild;
    const { ids } = await codebuild.send(
      new ListBuildsForProjectCommand({ projectName: POC }),
    );
    expect(ids).toEqual([
      `${POC}:4002c38e-ef97-2d1e-34aa-fc23a6cb4d6f`,
      `${POC}:c9e2a7d4-1f6b-4e38-b05a-8d3c6f1e2a97`,
      `${POC}:7b1f3c52-9d0e-4a61-8c2f-3e5d7a9b1c04`,
    ]);
    const build = await getBuild(ids![0]);
    expect(build).toMatchObject({
      buildNumber: 3,
      buildStatus: 'FAILED',
      buildComplete: true,
      sourceVersion: 'fcd3f42a91b7c6e05d8f2a3b4c1e9d7f6a0b5c82',
    });
    expect(await logOf(build)).toContain(
      `An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation: User: arn:aws:sts::${ACCOUNT}:assumed-role/${POC_ROLE}/AWSCodeBuild-4002c38e-ef97-2d1e-34aa-fc23a6cb4d6f is not authorized to perform: ecr:GetAuthorizationToken on resource: *`,
    );
  });

  it('has the payments-api builds that pushed the images in its repository', async () => {
    const c = clients(emulator().url, KEYS.root);
    const { ids } = await c.codebuild.send(
      new ListBuildsForProjectCommand({
        projectName: PAYMENTS,
        sortOrder: 'ASCENDING',
      }),
    );
    const { builds } = await c.codebuild.send(
      new BatchGetBuildsCommand({ ids }),
    );
    expect(builds!.map(b => b.buildStatus)).toEqual([
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
    ]);
    const { imageDetails } = await c.ecr.send(
      new DescribeImagesCommand({ repositoryName: 'payments-api' }),
    );
    for (const build of builds!) {
      const tag = build.sourceVersion!.slice(0, 7);
      const image = imageDetails!.find(i => i.imageTags!.includes(tag))!;
      expect(image).toBeDefined();
      const output = (await logOf(build)).filter(
        l => !l.startsWith('[Container]'),
      );
      expect(output.at(-1)).toMatch(
        new RegExp(`^${tag}: digest: ${image.imageDigest} size: \\d+$`),
      );
      expect(build.exportedEnvironmentVariables).toContainEqual({
        name: 'IMAGE_DIGEST',
        value: image.imageDigest,
      });
    }
  });
});

describe('paging', () => {
  let emulator2: Awaited<ReturnType<typeof startEmulator>>;
  beforeAll(async () => {
    emulator2 = await startEmulator({ port: 0, buildDurationMs: 100_000 });
  });
  afterAll(async () => {
    // The builds are still in progress: stop() must not wait for them.
    await emulator2.stop();
  });

  it('pages ListBuildsForProject by nextToken, newest first by default', async () => {
    const codebuild = clients(emulator2.url, KEYS.root).codebuild;
    const started: string[] = [];
    for (let i = 0; i < 102; i++) {
      const { build } = await codebuild.send(
        new StartBuildCommand({ projectName: 'codebuild-orders-api' }),
      );
      started.push(build!.id!);
    }
    const first = await codebuild.send(
      new ListBuildsForProjectCommand({ projectName: 'codebuild-orders-api' }),
    );
    expect(first.ids).toHaveLength(100);
    expect(first.nextToken).toBeDefined();
    const second = await codebuild.send(
      new ListBuildsForProjectCommand({
        projectName: 'codebuild-orders-api',
        nextToken: first.nextToken,
      }),
    );
    expect(second.nextToken).toBeUndefined();
    expect([...first.ids!, ...second.ids!]).toEqual([...started].reverse());
    const ascending = await codebuild.send(
      new ListBuildsForProjectCommand({
        projectName: 'codebuild-orders-api',
        sortOrder: 'ASCENDING',
      }),
    );
    expect(ascending.ids!.slice(0, 3)).toEqual(started.slice(0, 3));
    const err = await errorOf(
      codebuild.send(
        new ListBuildsForProjectCommand({ projectName: 'codebuild-nope' }),
      ),
    );
    expect(err).toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('CloudWatch Logs', () => {
  beforeAll(() => emulator().reset());
  const group = `/aws/codebuild/${PAYMENTS}`;
  const stream = 'a3c5e7f9-2b4d-4e6f-9a1c-3e5f7b9d1f24';

  it('pages GetLogEvents forward from the head until the token repeats', async () => {
    const logs = logsClient();
    const all = await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        startFromHead: true,
      }),
    );
    const everything = all.events!.map(e => e.message);
    expect(everything.length).toBeGreaterThan(20);
    const read: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 100; i++) {
      const page = await logs.send(
        new GetLogEventsCommand({
          logGroupName: group,
          logStreamName: stream,
          startFromHead: true,
          limit: 7,
          nextToken: token,
        }),
      );
      expect(page.events!.length).toBeLessThanOrEqual(7);
      read.push(...page.events!.map(e => e.message!));
      if (page.nextForwardToken === token) break;
      token = page.nextForwardToken;
    }
    expect(read).toEqual(everything);
    for (const event of all.events!) {
      expect(typeof event.timestamp).toBe('number');
      expect(event.ingestionTime).toBeGreaterThanOrEqual(event.timestamp!);
    }
  });

  it('reads the tail by default and pages backward', async () => {
    const logs = logsClient();
    const all = await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        startFromHead: true,
      }),
    );
    const tail = await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        limit: 5,
      }),
    );
    expect(tail.events!.map(e => e.message)).toEqual(
      all.events!.slice(-5).map(e => e.message),
    );
    const before = await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        limit: 5,
        nextToken: tail.nextBackwardToken,
      }),
    );
    expect(before.events!.map(e => e.message)).toEqual(
      all.events!.slice(-10, -5).map(e => e.message),
    );
    const err = await errorOf(
      logs.send(
        new GetLogEventsCommand({
          logGroupName: group,
          logStreamName: 'no-such-stream',
        }),
      ),
    );
    expect(err).toBeInstanceOf(LogsResourceNotFoundException);
    expect(err.message).toBe('The specified log stream does not exist.');
  });

  it('lists a log group’s streams with DescribeLogStreams', async () => {
    const logs = logsClient();
    const byTime = await logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: group,
        orderBy: 'LastEventTime',
        descending: true,
      }),
    );
    expect(byTime.logStreams!.map(s => s.logStreamName)).toEqual([
      'a3c5e7f9-2b4d-4e6f-9a1c-3e5f7b9d1f24',
      '5e8b2c47-a1d9-4f63-8b0e-7c2f9d4a6e13',
      '0d6a9f31-5c2e-47b8-9e1d-a4f7c3b82e60',
    ]);
    expect(byTime.logStreams![0]).toMatchObject({
      arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${group}:log-stream:a3c5e7f9-2b4d-4e6f-9a1c-3e5f7b9d1f24`,
    });
    expect(byTime.logStreams![0].lastEventTimestamp).toBeGreaterThan(
      byTime.logStreams![0].firstEventTimestamp!,
    );
    const first = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: group, limit: 2 }),
    );
    expect(first.logStreams!.map(s => s.logStreamName)).toEqual([
      '0d6a9f31-5c2e-47b8-9e1d-a4f7c3b82e60',
      '5e8b2c47-a1d9-4f63-8b0e-7c2f9d4a6e13',
    ]);
    const rest = await logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: group,
        limit: 2,
        nextToken: first.nextToken,
      }),
    );
    expect(rest.logStreams!.map(s => s.logStreamName)).toEqual([
      'a3c5e7f9-2b4d-4e6f-9a1c-3e5f7b9d1f24',
    ]);
    expect(rest.nextToken).toBeUndefined();
    const prefixed = await logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: group,
        logStreamNamePrefix: '5e',
      }),
    );
    expect(prefixed.logStreams!.map(s => s.logStreamName)).toEqual([
      '5e8b2c47-a1d9-4f63-8b0e-7c2f9d4a6e13',
    ]);
    const err = await errorOf(
      logs.send(
        new DescribeLogStreamsCommand({ logGroupName: '/aws/codebuild/nope' }),
      ),
    );
    expect(err).toBeInstanceOf(LogsResourceNotFoundException);
    expect(err.message).toBe('The specified log group does not exist.');
  });
});

describe('authorization', () => {
  beforeAll(() => emulator().reset());

  it('denies codebuild:StartBuild to a principal without it', async () => {
    const err = await errorOf(
      clients(emulator().url, KEYS.readonly).codebuild.send(
        new StartBuildCommand({ projectName: POC }),
      ),
    );
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:user/backstage-readonly is not authorized to perform: codebuild:StartBuild on resource: arn:aws:codebuild:${REGION}:${ACCOUNT}:project/${POC}`,
    );
  });

  it('denies logs:GetLogEvents on the log stream to a principal without it', async () => {
    const err = await errorOf(
      logsClient(KEYS.readonly).send(
        new GetLogEventsCommand({
          logGroupName: `/aws/codebuild/${POC}`,
          logStreamName: '4002c38e-ef97-2d1e-34aa-fc23a6cb4d6f',
        }),
      ),
    );
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:user/backstage-readonly is not authorized to perform: logs:GetLogEvents on resource: arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/codebuild/${POC}:log-stream:4002c38e-ef97-2d1e-34aa-fc23a6cb4d6f`,
    );
  });

  it('denies logs:DescribeLogStreams on the group’s streams to a principal without it', async () => {
    const err = await errorOf(
      logsClient(KEYS.readonly).send(
        new DescribeLogStreamsCommand({
          logGroupName: `/aws/codebuild/${POC}`,
        }),
      ),
    );
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:user/backstage-readonly is not authorized to perform: logs:DescribeLogStreams on resource: arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/codebuild/${POC}:log-stream:`,
    );
  });

  it('decides logs:GetLogEvents on the log stream ARN, which a log-group:…:* resource covers', async () => {
    const read = () =>
      logsClient(KEYS.codebuildSession).send(
        new GetLogEventsCommand({
          logGroupName: `/aws/codebuild/${POC}`,
          logStreamName: '4002c38e-ef97-2d1e-34aa-fc23a6cb4d6f',
          startFromHead: true,
          limit: 1,
        }),
      );
    // The CodeBuild base policy lets the build write its logs, not read them.
    expect((await errorOf(read())).name).toBe('AccessDeniedException');
    await clients(emulator().url, KEYS.root).iam.send(
      new PutRolePolicyCommand({
        RoleName: POC_ROLE,
        PolicyName: 'ReadOwnLogs',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'logs:GetLogEvents',
              Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/codebuild/${POC}:*`,
            },
          ],
        }),
      }),
    );
    expect((await read()).events).toHaveLength(1);
  });
});

describe('the build duration', () => {
  it('keeps a build IN_PROGRESS for buildDurationMs, and is set through the admin endpoint', async () => {
    const url = emulator().url;
    const set = await fetch(`${url}/_emulator/builds`, {
      method: 'POST',
      body: JSON.stringify({ buildDurationMs: 400 }),
    });
    expect(await set.json()).toEqual({ buildDurationMs: 400 });
    const build = await start({ projectName: POC });
    await new Promise(resolve => setTimeout(resolve, 150));
    const during = await getBuild(build.id!);
    expect(during.buildStatus).toBe('IN_PROGRESS');
    expect(during.currentPhase).toBe('PROVISIONING');
    expect(during.phases!.at(-1)).toMatchObject({ phaseType: 'PROVISIONING' });
    expect(during.phases!.at(-1)!.endTime).toBeUndefined();
    expect((await finished(build.id!)).buildStatus).toBe('FAILED');

    const refused = await fetch(`${url}/_emulator/builds`, {
      method: 'POST',
      body: JSON.stringify({ buildDurationMs: -1 }),
    });
    expect(refused.status).toBe(400);
    emulator().setBuildDuration(30);
    expect(await (await fetch(`${url}/_emulator/builds`)).json()).toEqual({
      buildDurationMs: 30,
    });
  });

  it('drops the builds in progress on reset', async () => {
    emulator().setBuildDuration(200);
    const build = await start({ projectName: POC });
    emulator().reset();
    emulator().resetCalls();
    emulator().setBuildDuration(30);
    // The discarded build never runs: its session makes no call.
    await new Promise(resolve => setTimeout(resolve, 300));
    expect(emulator().calls()['ecr:GetAuthorizationToken']).toBeUndefined();
    const { buildsNotFound } = await clients(
      emulator().url,
      KEYS.root,
    ).codebuild.send(new BatchGetBuildsCommand({ ids: [build.id!] }));
    expect(buildsNotFound).toEqual([build.id]);
  });
});
