import { createHash, randomUUID } from 'crypto';
import { assumedRoleArn, registryHost } from '../arn';
import { AwsError } from '../errors';
import { DOCKER_CONFIG, DOCKER_MANIFEST } from '../seed/images';
import {
  Build,
  BuildPhase,
  CodeBuildProject,
  EmulatorState,
  LogEvent,
  PrincipalRef,
  registryOf,
} from '../state';

/**
 * What a CodeBuild build of a project does in the emulator: the buildspec of the ECR setup
 * guide (log in to ECR, build the image, push it tagged with the first 7 characters of the
 * resolved source version), run as a session of the project's service role. Every ECR call of
 * the push is a real call of the emulator's ECR operations, decided by its IAM evaluation as
 * if that session had signed it. The phases, their contexts and the CloudWatch log lines are
 * the ones a real build shows.
 */

export const PHASES = [
  'SUBMITTED',
  'QUEUED',
  'PROVISIONING',
  'DOWNLOAD_SOURCE',
  'INSTALL',
  'PRE_BUILD',
  'BUILD',
  'POST_BUILD',
  'UPLOAD_ARTIFACTS',
  'FINALIZING',
  'COMPLETED',
] as const;
type PhaseType = (typeof PHASES)[number];

/** How much of a build's wall time each phase takes (COMPLETED takes none). */
const PHASE_WEIGHTS: Record<PhaseType, number> = {
  SUBMITTED: 1,
  QUEUED: 2,
  PROVISIONING: 20,
  DOWNLOAD_SOURCE: 8,
  INSTALL: 1,
  PRE_BUILD: 6,
  BUILD: 40,
  POST_BUILD: 16,
  UPLOAD_ARTIFACTS: 1,
  FINALIZING: 5,
  COMPLETED: 0,
};

/** The buildspec every emulated project runs (the guide's login, the AWS Docker sample's rest). */
export const BUILDSPEC = {
  preBuild: [
    'echo Logging in to Amazon ECR...',
    '$(aws ecr get-login --no-include-email --region $AWS_DEFAULT_REGION)',
    'IMAGE_TAG=$(echo $CODEBUILD_RESOLVED_SOURCE_VERSION | cut -c 1-7)',
  ],
  build: [
    'echo Build started on `date`',
    'docker build -t $IMAGE_REPO_NAME:$IMAGE_TAG .',
    'docker tag $IMAGE_REPO_NAME:$IMAGE_TAG $AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com/$IMAGE_REPO_NAME:$IMAGE_TAG',
  ],
  postBuild: [
    'echo Pushing the Docker image...',
    'docker push $AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com/$IMAGE_REPO_NAME:$IMAGE_TAG',
    'IMAGE_DIGEST=$(docker inspect --format="{{index .RepoDigests 0}}" $AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com/$IMAGE_REPO_NAME:$IMAGE_TAG | cut -d@ -f2)',
  ],
};

const LOGIN_COMMAND = BUILDSPEC.preBuild[1];
const PUSH_COMMAND = BUILDSPEC.postBuild[1];
const TAG_COMMAND = BUILDSPEC.build[1];

/** The phase a build failed in, the command that failed, what it printed and its exit status. */
export interface BuildFailure {
  phase: 'PRE_BUILD' | 'BUILD' | 'POST_BUILD';
  command: string;
  output: string[];
  exitStatus: number;
}

export interface PushedImage {
  uri: string;
  tag: string;
  digest: string;
  manifestSize: number;
  /** Config and layer blobs: digest, and whether the push found it already there. */
  blobs: Array<{ digest: string; existed: boolean }>;
}

/** What a build came to: a pushed image, or the failure that stopped it. */
export type BuildOutcome =
  | { status: 'SUCCEEDED'; image: PushedImage }
  | { status: 'FAILED'; failure: BuildFailure; loginSucceeded: boolean };

/** The environment of a build: the project's variables, overridden by StartBuild's. */
export function buildEnvironment(
  project: CodeBuildProject,
  overrides: Array<{ name: string; value: string; type?: string }> = [],
): Array<{ name: string; value: string; type: string }> {
  const env = new Map<string, { name: string; value: string; type: string }>();
  const environment = project.record.environment as
    | {
        environmentVariables?: Array<{
          name: string;
          value: string;
          type?: string;
        }>;
      }
    | undefined;
  for (const v of [
    ...(environment?.environmentVariables ?? []),
    ...overrides,
  ]) {
    env.set(v.name, {
      name: v.name,
      value: v.value,
      type: v.type ?? 'PLAINTEXT',
    });
  }
  return [...env.values()];
}

function variable(build: Build, name: string): string | undefined {
  return build.environmentVariables.find(v => v.name === name)?.value;
}

/** The account and repository the buildspec pushes to, from the build's environment. */
export function pushTarget(build: Build): {
  accountId: string;
  region: string;
  repositoryName?: string;
} {
  return {
    accountId: variable(build, 'AWS_ACCOUNT_ID') || build.accountId,
    region: variable(build, 'AWS_DEFAULT_REGION') || build.region,
    repositoryName: variable(build, 'IMAGE_REPO_NAME') || undefined,
  };
}

export function imageTagOf(build: Build): string {
  return build.resolvedSourceVersion.slice(0, 7);
}

/**
 * CODEBUILD_RESOLVED_SOURCE_VERSION: a commit id given as the source version is the commit
 * (an abbreviated one is completed); a branch or tag resolves to a commit id of its own.
 */
export function resolveSourceVersion(
  sourceVersion: string,
  salt: string,
): string {
  const hex = /^[0-9a-fA-F]{7,40}$/.test(sourceVersion)
    ? sourceVersion.toLowerCase()
    : '';
  const filler = createHash('sha1')
    .update(`${salt}\u0000${sourceVersion}`)
    .digest('hex');
  return (hex + filler).slice(0, 40);
}

export function buildSessionName(build: Build): string {
  return `AWSCodeBuild-${build.uuid}`;
}

export function buildSession(build: Build): PrincipalRef {
  return {
    kind: 'role-session',
    accountId: build.accountId,
    roleName: build.serviceRole.split('/').pop()!,
    sessionName: buildSessionName(build),
  };
}

export function buildSessionArn(build: Build): string {
  return assumedRoleArn(
    build.accountId,
    build.serviceRole.split('/').pop()!,
    buildSessionName(build),
  );
}

export interface NewBuildOptions {
  project: CodeBuildProject;
  accountId: string;
  region: string;
  sourceVersion?: string;
  environmentVariablesOverride?: Array<{
    name: string;
    value: string;
    type?: string;
  }>;
  initiator: string;
  startTime: Date;
  uuid?: string;
}

/** Registers a new IN_PROGRESS build of the project, with the first lines of its log. */
export function newBuild(
  state: EmulatorState,
  options: NewBuildOptions,
): Build {
  const { project, accountId, region, startTime } = options;
  const uuid = options.uuid ?? randomUUID();
  const sourceVersion =
    options.sourceVersion ||
    (project.record.sourceVersion as string | undefined) ||
    'refs/heads/main';
  project.lastBuildNumber += 1;
  const id = `${project.name}:${uuid}`;
  const build: Build = {
    id,
    uuid,
    arn: `arn:aws:codebuild:${region}:${accountId}:build/${id}`,
    buildNumber: project.lastBuildNumber,
    projectName: project.name,
    region,
    accountId,
    sourceVersion,
    resolvedSourceVersion: resolveSourceVersion(sourceVersion, id),
    startTime,
    currentPhase: 'PROVISIONING',
    buildStatus: 'IN_PROGRESS',
    phases: [
      phase('SUBMITTED', startTime, startTime, 'SUCCEEDED'),
      phase('QUEUED', startTime, startTime, 'SUCCEEDED'),
      { phaseType: 'PROVISIONING', startTime },
    ],
    serviceRole: project.record.serviceRole as string,
    initiator: options.initiator,
    environmentVariables: buildEnvironment(
      project,
      options.environmentVariablesOverride,
    ),
    exportedEnvironmentVariables: [],
    logGroupName: `/aws/codebuild/${project.name}`,
    logStreamName: uuid,
    sourceLocation: (project.record.source as { location?: string } | undefined)
      ?.location,
  };
  project.builds.push(build);
  const registry = registryOf(state.accounts.get(accountId)!, region);
  registry.builds.set(id, build);
  let group = registry.logGroups.get(build.logGroupName);
  if (!group) {
    group = {
      name: build.logGroupName,
      createdAt: startTime,
      streams: new Map(),
    };
    registry.logGroups.set(group.name, group);
  }
  group.streams.set(build.logStreamName, {
    name: build.logStreamName,
    createdAt: startTime,
    events: [],
  });
  return build;
}

function phase(
  phaseType: PhaseType,
  start: Date,
  end: Date,
  status: string,
  contexts = [{ statusCode: '', message: '' }],
): BuildPhase {
  return {
    phaseType,
    phaseStatus: status,
    startTime: start,
    endTime: end,
    durationInSeconds: Math.round((end.getTime() - start.getTime()) / 1000),
    contexts,
  };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** The agent's time stamp, as in the guide: `2020/02/29 09:30:18`. */
function agentTime(t: Date): string {
  return `${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(
    t.getUTCDate(),
  )} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(
    t.getUTCSeconds(),
  )}`;
}

class LogWriter {
  readonly events: LogEvent[] = [];
  private last = 0;

  /** Lines written at `at` (kept in order: a line is never earlier than the one before). */
  write(at: Date, ...lines: string[]) {
    for (const line of lines) {
      const timestamp = Math.max(at.getTime(), this.last);
      this.last = timestamp;
      this.events.push({
        timestamp,
        message: `${line}\n`,
        ingestionTime: timestamp + 250,
      });
    }
  }

  agent(at: Date, ...lines: string[]) {
    this.write(at, ...lines.map(l => `[Container] ${agentTime(at)} ${l}`));
  }
}

/** What `date` prints in the build container (UTC). */
function dateCommand(t: Date): string {
  const [weekday, , , , time] = t.toUTCString().split(' ');
  const month = t.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  return `${weekday.replace(',', '')} ${month} ${String(
    t.getUTCDate(),
  ).padStart(2, ' ')} ${time} UTC ${t.getUTCFullYear()}`;
}

function shortId(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** The lines `docker push` prints for an image it pushed. */
export function pushLines(image: PushedImage): string[] {
  // docker lists the layers, not the config blob, newest first.
  const layers = image.blobs.slice(1).reverse();
  return [
    `The push refers to repository [${image.uri}]`,
    ...layers.map(l => `${shortId(l.digest)}: Preparing`),
    ...layers.map(l =>
      l.existed
        ? `${shortId(l.digest)}: Layer already exists`
        : `${shortId(l.digest)}: Pushed`,
    ),
    `${image.tag}: digest: ${image.digest} size: ${image.manifestSize}`,
  ];
}

/** How the AWS CLI reports a failed call, the way a build log shows it. */
export function cliErrorLine(operation: string, error: AwsError): string {
  return `An error occurred (${error.code}) when calling the ${operation} operation: ${error.message}`;
}

/**
 * Finishes a build with its outcome: the phases (laid out over the build's wall time), its
 * status, its exported variables, and the whole log.
 */
export function completeBuild(
  state: EmulatorState,
  build: Build,
  outcome: BuildOutcome,
  endTime: Date,
): void {
  const failedPhase =
    outcome.status === 'FAILED' ? outcome.failure.phase : undefined;
  const ran = PHASES.filter(p => {
    if (failedPhase === 'PRE_BUILD') return p !== 'BUILD' && p !== 'POST_BUILD';
    if (failedPhase === 'BUILD') return p !== 'POST_BUILD';
    return true;
  });
  const total = ran.reduce((sum, p) => sum + PHASE_WEIGHTS[p], 0);
  const span = Math.max(0, endTime.getTime() - build.startTime.getTime());
  let cursor = build.startTime.getTime();
  const times = new Map<PhaseType, { start: Date; end: Date }>();
  for (const p of ran) {
    const length = (span * PHASE_WEIGHTS[p]) / total;
    times.set(p, { start: new Date(cursor), end: new Date(cursor + length) });
    cursor += length;
  }
  const at = (p: PhaseType) => times.get(p)!;

  const log = new LogWriter();
  const checkout = (build.sourceLocation ?? build.projectName).replace(
    /^[a-z0-9]+:\/\//,
    '',
  );
  const srcDir = `/codebuild/output/src${
    parseInt(build.uuid.slice(0, 8), 16) % 1000000000
  }/src/${checkout}`;

  const phases: BuildPhase[] = [];
  for (const p of ran) {
    if (p === 'COMPLETED') {
      phases.push({ phaseType: 'COMPLETED', startTime: at(p).start });
      continue;
    }
    const { start, end } = at(p);
    const failed = p === failedPhase && outcome.status === 'FAILED';
    const contexts = failed
      ? [
          {
            statusCode: 'COMMAND_EXECUTION_ERROR',
            message: `Error while executing command: ${outcome.failure.command}. Reason: exit status ${outcome.failure.exitStatus}`,
          },
        ]
      : undefined;
    phases.push(
      phase(p, start, end, failed ? 'FAILED' : 'SUCCEEDED', contexts),
    );

    if (p === 'PROVISIONING') {
      log.agent(
        start,
        'Running on CodeBuild On-demand',
        'Waiting for agent ping',
      );
      log.agent(end, 'Waiting for DOWNLOAD_SOURCE');
    } else if (p === 'DOWNLOAD_SOURCE') {
      log.agent(
        start,
        'Phase is DOWNLOAD_SOURCE',
        `CODEBUILD_SRC_DIR=${srcDir}`,
        `YAML location is ${srcDir}/buildspec.yml`,
        'Setting HTTP client timeout to higher timeout for S3 source',
        `Processing environment variables`,
        `Moving to directory ${srcDir}`,
        `Configuring ssm agent with target id: codebuild:${build.uuid}`,
        'Successfully updated ssm agent configuration',
        'Registering with agent',
        'Phases found in YAML: 3',
        ` PRE_BUILD: ${BUILDSPEC.preBuild.length} commands`,
        ` BUILD: ${BUILDSPEC.build.length} commands`,
        ` POST_BUILD: ${BUILDSPEC.postBuild.length} commands`,
        'Phase complete: DOWNLOAD_SOURCE State: SUCCEEDED',
        'Phase context status code:  Message: ',
      );
    } else if (p === 'INSTALL') {
      log.agent(
        start,
        'Entering phase INSTALL',
        'Phase complete: INSTALL State: SUCCEEDED',
        'Phase context status code:  Message: ',
      );
    } else if (p === 'PRE_BUILD') {
      log.agent(start, 'Entering phase PRE_BUILD');
      log.agent(start, `Running command ${BUILDSPEC.preBuild[0]}`);
      log.write(start, 'Logging in to Amazon ECR...');
      log.agent(start, `Running command ${LOGIN_COMMAND}`);
      if (failed) {
        log.write(start, ...outcome.failure.output);
        log.agent(
          end,
          `Command did not exit successfully ${LOGIN_COMMAND} exit status ${outcome.failure.exitStatus}`,
        );
      } else {
        log.write(
          start,
          'WARNING! Using --password via the CLI is insecure. Use --password-stdin.',
          'WARNING! Your password will be stored unencrypted in /root/.docker/config.json.',
          'Configure a credential helper to remove this warning. See',
          'https://docs.docker.com/engine/reference/commandline/login/#credentials-store',
          '',
          'Login Succeeded',
        );
        log.agent(end, `Running command ${BUILDSPEC.preBuild[2]}`);
      }
      log.agent(
        end,
        `Phase complete: PRE_BUILD State: ${failed ? 'FAILED' : 'SUCCEEDED'}`,
        `Phase context status code: ${
          failed ? phases.at(-1)!.contexts![0].statusCode : ''
        } Message: ${failed ? phases.at(-1)!.contexts![0].message : ''}`,
      );
    } else if (p === 'BUILD') {
      const target = pushTarget(build);
      const tag = imageTagOf(build);
      log.agent(start, 'Entering phase BUILD');
      log.agent(start, `Running command ${BUILDSPEC.build[0]}`);
      log.write(start, `Build started on ${dateCommand(start)}`);
      log.agent(start, `Running command ${TAG_COMMAND}`);
      if (failed) {
        log.write(start, ...outcome.failure.output);
        log.agent(
          end,
          `Command did not exit successfully ${TAG_COMMAND} exit status ${outcome.failure.exitStatus}`,
        );
      } else {
        const imageId = createHash('sha256')
          .update(build.id)
          .digest('hex')
          .slice(0, 12);
        log.write(
          start,
          'Sending build context to Docker daemon  18.43kB',
          'Step 1/4 : FROM public.ecr.aws/docker/library/node:22-alpine',
          ' ---> 2d3f0c1a9b8e',
          'Step 2/4 : WORKDIR /app',
          ' ---> Using cache',
          ' ---> 6c1b7e4d2a90',
          'Step 3/4 : COPY . .',
          ` ---> ${imageId.slice(0, 6)}f1c2d3`,
          'Step 4/4 : CMD ["node", "server.js"]',
          ` ---> ${imageId}`,
          `Successfully built ${imageId}`,
          `Successfully tagged ${target.repositoryName}:${tag}`,
        );
        log.agent(end, `Running command ${BUILDSPEC.build[2]}`);
      }
      log.agent(
        end,
        `Phase complete: BUILD State: ${failed ? 'FAILED' : 'SUCCEEDED'}`,
        `Phase context status code: ${
          failed ? phases.at(-1)!.contexts![0].statusCode : ''
        } Message: ${failed ? phases.at(-1)!.contexts![0].message : ''}`,
      );
    } else if (p === 'POST_BUILD') {
      log.agent(start, 'Entering phase POST_BUILD');
      log.agent(start, `Running command ${BUILDSPEC.postBuild[0]}`);
      log.write(start, 'Pushing the Docker image...');
      log.agent(start, `Running command ${PUSH_COMMAND}`);
      if (failed) {
        log.write(start, ...outcome.failure.output);
        log.agent(
          end,
          `Command did not exit successfully ${PUSH_COMMAND} exit status ${outcome.failure.exitStatus}`,
        );
      } else if (outcome.status === 'SUCCEEDED') {
        log.write(start, ...pushLines(outcome.image));
        log.agent(end, `Running command ${BUILDSPEC.postBuild[2]}`);
      }
      log.agent(
        end,
        `Phase complete: POST_BUILD State: ${failed ? 'FAILED' : 'SUCCEEDED'}`,
        `Phase context status code: ${
          failed ? phases.at(-1)!.contexts![0].statusCode : ''
        } Message: ${failed ? phases.at(-1)!.contexts![0].message : ''}`,
      );
    } else if (p === 'UPLOAD_ARTIFACTS') {
      log.agent(
        start,
        'Expanding base directory path: .',
        'Assembling file list',
        'Skipping artifact upload: no artifacts (NO_ARTIFACTS)',
        'Phase complete: UPLOAD_ARTIFACTS State: SUCCEEDED',
        'Phase context status code:  Message: ',
      );
    }
  }

  build.phases = phases;
  build.currentPhase = 'COMPLETED';
  build.buildStatus = outcome.status;
  build.endTime = endTime;
  const exported = [{ name: 'IMAGE_TAG', value: imageTagOf(build) }];
  if (outcome.status === 'SUCCEEDED') {
    exported.push({ name: 'IMAGE_DIGEST', value: outcome.image.digest });
  }
  build.exportedEnvironmentVariables =
    failedPhase === 'PRE_BUILD' && outcome.status === 'FAILED' ? [] : exported;

  const stream = registryOf(state.accounts.get(build.accountId)!, build.region)
    .logGroups.get(build.logGroupName)
    ?.streams.get(build.logStreamName);
  if (stream) stream.events = log.events;
}

/** The image a build makes: a config blob and one layer, distinct for every build. */
export function buildImage(build: Build): {
  config: Buffer;
  layer: Buffer;
  manifest: string;
} {
  const layer = Buffer.alloc(4096);
  let block = createHash('sha256').update(`layer\u0000${build.id}`).digest();
  for (let offset = 0; offset < layer.length; offset += block.length) {
    block.copy(layer, offset);
    block = createHash('sha256').update(block).digest();
  }
  const layerDigest = `sha256:${createHash('sha256')
    .update(layer)
    .digest('hex')}`;
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: build.startTime.toISOString(),
      config: {
        Cmd: ['node', 'server.js'],
        WorkingDir: '/app',
        Labels: {
          'org.opencontainers.image.revision': build.resolvedSourceVersion,
        },
      },
      rootfs: { type: 'layers', diff_ids: [layerDigest] },
    }),
  );
  const manifest = JSON.stringify(
    {
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: {
        mediaType: DOCKER_CONFIG,
        size: config.length,
        digest: `sha256:${createHash('sha256').update(config).digest('hex')}`,
      },
      layers: [
        {
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          size: layer.length,
          digest: layerDigest,
        },
      ],
    },
    null,
    3,
  );
  return { config, layer, manifest };
}

/** Calls an ECR operation as the build's session, through the emulator's own request path. */
export type SessionCall = (
  operation: string,
  input: Record<string, unknown>,
) => Record<string, any>;

/**
 * Runs the buildspec's AWS side as the build's session: the login, then the push of the
 * build's image (layer checks and uploads, PutImage). Returns how the build came out.
 */
export function runBuildspec(build: Build, call: SessionCall): BuildOutcome {
  const attempt = (
    operation: string,
    input: Record<string, unknown>,
  ): Record<string, any> | AwsError => {
    try {
      return call(operation, input);
    } catch (e) {
      if (e instanceof AwsError) return e;
      throw e;
    }
  };

  const login = attempt('GetAuthorizationToken', {});
  if (login instanceof AwsError) {
    return {
      status: 'FAILED',
      loginSucceeded: false,
      failure: {
        phase: 'PRE_BUILD',
        command: LOGIN_COMMAND,
        output: ['', cliErrorLine('GetAuthorizationToken', login)],
        exitStatus: 255,
      },
    };
  }

  const target = pushTarget(build);
  const tag = imageTagOf(build);
  if (!target.repositoryName) {
    return {
      status: 'FAILED',
      loginSucceeded: true,
      failure: {
        phase: 'BUILD',
        command: TAG_COMMAND,
        output: [
          `invalid argument ":${tag}" for "-t, --tag" flag: invalid reference format`,
          `See 'docker build --help'.`,
        ],
        exitStatus: 125,
      },
    };
  }

  const uri = `${registryHost(target.region, target.accountId)}/${
    target.repositoryName
  }`;
  const repo = {
    registryId: target.accountId,
    repositoryName: target.repositoryName,
  };
  const pushFailed = (operation: string, error: AwsError): BuildOutcome => ({
    status: 'FAILED',
    loginSucceeded: true,
    failure: {
      phase: 'POST_BUILD',
      command: PUSH_COMMAND,
      output: [
        `The push refers to repository [${uri}]`,
        cliErrorLine(operation, error),
      ],
      exitStatus: 1,
    },
  });

  const { config, layer, manifest } = buildImage(build);
  const blobs = [config, layer].map(content => ({
    content,
    digest: `sha256:${createHash('sha256').update(content).digest('hex')}`,
  }));
  const check = attempt('BatchCheckLayerAvailability', {
    ...repo,
    layerDigests: blobs.map(b => b.digest),
  });
  if (check instanceof AwsError)
    return pushFailed('BatchCheckLayerAvailability', check);
  const available = new Set(
    (check.layers as Array<{ layerDigest: string; layerAvailability: string }>)
      .filter(l => l.layerAvailability === 'AVAILABLE')
      .map(l => l.layerDigest),
  );
  for (const blob of blobs) {
    if (available.has(blob.digest)) continue;
    const initiated = attempt('InitiateLayerUpload', repo);
    if (initiated instanceof AwsError)
      return pushFailed('InitiateLayerUpload', initiated);
    const part = attempt('UploadLayerPart', {
      ...repo,
      uploadId: initiated.uploadId,
      partFirstByte: 0,
      partLastByte: blob.content.length - 1,
      layerPartBlob: blob.content.toString('base64'),
    });
    if (part instanceof AwsError) return pushFailed('UploadLayerPart', part);
    const completed = attempt('CompleteLayerUpload', {
      ...repo,
      uploadId: initiated.uploadId,
      layerDigests: [blob.digest],
    });
    if (completed instanceof AwsError)
      return pushFailed('CompleteLayerUpload', completed);
  }
  const put = attempt('PutImage', {
    ...repo,
    imageManifest: manifest,
    imageManifestMediaType: DOCKER_MANIFEST,
    imageTag: tag,
  });
  if (put instanceof AwsError) return pushFailed('PutImage', put);
  return {
    status: 'SUCCEEDED',
    image: {
      uri,
      tag,
      digest: put.image.imageId.imageDigest,
      manifestSize: Buffer.byteLength(manifest),
      blobs: blobs.map(b => ({
        digest: b.digest,
        existed: available.has(b.digest),
      })),
    },
  };
}

/** A build in CodeBuild's Build wire shape (dates as Date). */
export function buildRecord(
  build: Build,
  project: CodeBuildProject,
): Record<string, unknown> {
  const complete = build.buildStatus !== 'IN_PROGRESS';
  const environment = {
    ...(project.record.environment as Record<string, unknown>),
    environmentVariables: build.environmentVariables,
  };
  return {
    id: build.id,
    arn: build.arn,
    buildNumber: build.buildNumber,
    startTime: build.startTime,
    endTime: build.endTime,
    currentPhase: build.currentPhase,
    buildStatus: build.buildStatus,
    sourceVersion: build.sourceVersion,
    resolvedSourceVersion: build.resolvedSourceVersion,
    projectName: build.projectName,
    phases: build.phases,
    source: project.record.source,
    secondarySources: [],
    secondarySourceVersions: [],
    artifacts: { location: '' },
    secondaryArtifacts: [],
    cache: project.record.cache,
    environment,
    serviceRole: build.serviceRole,
    logs: {
      groupName: build.logGroupName,
      streamName: build.logStreamName,
      deepLink: `https://console.aws.amazon.com/cloudwatch/home?region=${build.region}#logEvent:group=${build.logGroupName};stream=${build.logStreamName}`,
      cloudWatchLogsArn: `arn:aws:logs:${build.region}:${build.accountId}:log-group:${build.logGroupName}:log-stream:${build.logStreamName}`,
      cloudWatchLogs: { status: 'ENABLED' },
      s3Logs: { status: 'DISABLED', encryptionDisabled: false },
    },
    timeoutInMinutes: project.record.timeoutInMinutes,
    queuedTimeoutInMinutes: project.record.queuedTimeoutInMinutes,
    buildComplete: complete,
    initiator: build.initiator,
    encryptionKey: project.record.encryptionKey,
    exportedEnvironmentVariables: complete
      ? build.exportedEnvironmentVariables
      : undefined,
  };
}
