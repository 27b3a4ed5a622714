import {
  GetLogEventsCommand,
  ResourceNotFoundException as LogsResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  BatchGetBuildsCommand,
  BatchGetProjectsCommand,
  Build,
  ListBuildsForProjectCommand,
} from '@aws-sdk/client-codebuild';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import {
  Binding,
  BuildsResponse,
  BuildStatus,
  BuildSummary,
  CodeBuildProjectRef,
  judgeBinding,
  OwnershipSubject,
  parseRoleArn,
  RoleRef,
} from '@backstage-ecr/plugin-ecr-common';
import { NotFoundError } from '@backstage/errors';
import { callAws, describeFailure, failedFact } from '../aws/call';
import { AwsClients } from '../aws/clients';
import { isAwsCallFailure } from '../aws/errors';
import { EcrConfig } from '../config';
import { readRefusal, roleRefusal } from '../setup/gatherSetupFacts';
import { roleBindingTags, tagMap } from '../setup/factSource';
import { notOwnedError } from '../writes/ownership';
import { requireAllowedAccount } from '../writes/allowedTargets';
import { diagnoseLog, pushedDigests } from './diagnose';

/** How many of a project's builds are read, newest first. */
export const MAX_BUILDS = 20;

/** The log events read from the head of a failed build's log, per page. */
const HEAD_EVENTS = 1000;
/** Pages of a failed build's log read, at most, looking for its error line. */
const HEAD_PAGES = 3;
/** The log events read from the tail of any other build's log. */
const TAIL_EVENTS = 500;

/**
 * The recent builds of a CodeBuild project, as `GET …/builds` answers them
 * (without `fetchedAt`, which the caller's cache sets).
 *
 * @public
 */
export type ProjectBuilds = Omit<BuildsResponse, 'fetchedAt' | 'stale'> & {
  project: { arn: string; name: string };
};

/**
 * How `getBuilds` reads.
 *
 * @public
 */
export interface BuildsReadOptions {
  /** How many of the newest builds; at most and by default 20. */
  limit?: number;
  /**
   * Whether the project's service role belongs to the entity, when the
   * caller knows already (the audit has the `push-role-owner` check): a
   * refused push is then diagnosed without asking IAM.
   */
  roleBelongs?: boolean;
}

/** A CodeBuild project as read for its builds: its tags and service role. */
export interface ProjectRecord {
  tags: Record<string, string>;
  serviceRole?: string;
}

/** BatchGetProjects for one project: 404 when it does not exist. */
export async function readProject(
  clients: AwsClients,
  project: CodeBuildProjectRef,
): Promise<ProjectRecord> {
  return callAws('codebuild:BatchGetProjects', project.arn, async () => {
    const answer = await clients
      .codeBuild(project.accountId, project.region)
      .send(new BatchGetProjectsCommand({ names: [project.name] }));
    const match = answer.projects?.find(p => p.name === project.name);
    if (!match) {
      throw new NotFoundError(
        `CodeBuild project ${project.name} does not exist in account ${project.accountId}, region ${project.region}`,
      );
    }
    return {
      tags: tagMap(match.tags),
      ...(match.serviceRole && { serviceRole: match.serviceRole }),
    };
  });
}

/** The ids of a project's newest builds, newest first. */
export async function listBuildIds(
  clients: AwsClients,
  project: CodeBuildProjectRef,
  limit: number,
): Promise<string[]> {
  return callAws('codebuild:ListBuildsForProject', project.arn, async () => {
    const answer = await clients
      .codeBuild(project.accountId, project.region)
      .send(
        new ListBuildsForProjectCommand({
          projectName: project.name,
          sortOrder: 'DESCENDING',
        }),
      );
    return (answer.ids ?? []).slice(0, limit);
  });
}

/** BatchGetBuilds, answered in the order of `ids`. */
export async function getBuilds(
  clients: AwsClients,
  project: CodeBuildProjectRef,
  ids: string[],
): Promise<Build[]> {
  if (ids.length === 0) return [];
  const builds = await callAws('codebuild:BatchGetBuilds', project.arn, () =>
    clients
      .codeBuild(project.accountId, project.region)
      .send(new BatchGetBuildsCommand({ ids })),
  );
  const byId = new Map((builds.builds ?? []).map(b => [b.id, b]));
  return ids.flatMap(id => {
    const build = byId.get(id);
    return build ? [build] : [];
  });
}

/**
 * Reads builds' logs from CloudWatch Logs, until AWS first refuses or fails:
 * then `unreadable` says why and no more are read.
 */
class LogReader {
  unreadable?: string;

  constructor(
    private readonly clients: AwsClients,
    private readonly project: CodeBuildProjectRef,
  ) {}

  /** The log's lines (its head or its tail), or undefined when not read. */
  async read(
    build: Build,
    end: 'head' | 'tail',
  ): Promise<string[] | undefined> {
    const group = build.logs?.groupName;
    const stream = build.logs?.streamName;
    if (this.unreadable || !group || !stream) return undefined;
    const logs = this.clients.logs(this.project.accountId, this.project.region);
    const lines: string[] = [];
    try {
      let token: string | undefined;
      const pages = end === 'head' ? HEAD_PAGES : 1;
      for (let page = 0; page < pages; page++) {
        const answer = await logs.send(
          new GetLogEventsCommand({
            logGroupName: group,
            logStreamName: stream,
            startFromHead: end === 'head',
            limit: end === 'head' ? HEAD_EVENTS : TAIL_EVENTS,
            ...(token && { nextToken: token }),
          }),
        );
        const events = answer.events ?? [];
        for (const event of events) {
          // An event may hold several lines (CodeBuild writes one per line).
          lines.push(...(event.message ?? '').split(/\r?\n/));
        }
        // The forward token comes back unchanged at the end of the stream.
        if (
          events.length === 0 ||
          !answer.nextForwardToken ||
          answer.nextForwardToken === token
        ) {
          break;
        }
        token = answer.nextForwardToken;
      }
      return lines;
    } catch (error) {
      // A log that has expired or was deleted is no failure of Backstage's:
      // that build simply has no diagnosis.
      if (error instanceof LogsResourceNotFoundException) return undefined;
      if (!isAwsCallFailure(error)) throw error;
      const fact = failedFact(error, 'logs:GetLogEvents');
      this.unreadable = `${describeFailure(fact, group)}${
        fact.kind === 'denied'
          ? `; allow the role Backstage uses ${fact.deniedAction} on the /aws/codebuild/* log groups to see why builds failed`
          : ''
      }`;
      return undefined;
    }
  }
}

/**
 * The recent builds of the entity's CodeBuild project, newest first: at most
 * `limit` (by default and at most {@link MAX_BUILDS}), each mapped to a {@link BuildSummary}, a failed one
 * diagnosed from its log (DESIGN §6a). The project is read first and refused
 * (403) when AWS says it belongs to someone else, as a repository is.
 *
 * Which images a build pushed comes from its log alone: `docker push` prints
 * `digest: sha256:… size: …` for each tag it pushed, which names exactly what
 * the registry accepted. Matching images by tag or push time (the images tab
 * does that) can claim another build's image, so it is not done here. A log
 * that cannot be read leaves the digests empty.
 *
 * A log Backstage may not read (or cannot reach) costs the builds their
 * diagnosis and digests only: `logsUnreadable` says why, naming the action.
 */
export async function readProjectBuilds(
  clients: AwsClients,
  config: EcrConfig,
  project: CodeBuildProjectRef,
  subject: OwnershipSubject,
  options: BuildsReadOptions = {},
): Promise<ProjectBuilds> {
  const limit = Math.max(
    1,
    Math.min(MAX_BUILDS, Math.floor(options.limit ?? MAX_BUILDS)),
  );
  requireAllowedAccount(
    project.accountId,
    config.allowedAccounts,
    `CodeBuild project ${project.arn}`,
  );
  const record = await readProject(clients, project);
  const projectBinding = judgeBinding(record.tags, subject, config.ownership);
  const refusal = readRefusal(
    `CodeBuild project ${project.arn}`,
    projectBinding,
    config.ownership,
  );
  if (refusal) {
    throw notOwnedError(
      `CodeBuild project ${project.arn}`,
      projectBinding,
      subject,
      config.ownership,
      { kind: 'project', arn: project.arn },
    );
  }
  const ids = await listBuildIds(clients, project, limit);
  const builds = await getBuilds(clients, project, ids);

  const logs = new LogReader(clients, project);
  let roleBelongs: Promise<boolean | undefined> | undefined;
  const summaries: BuildSummary[] = [];
  // One build's log after another: a refusal stops the rest (they would be
  // refused too), and the calls stay few at a time.
  for (const build of builds) {
    const summary = summarizeBuild(build, project);
    const failed = summary.status !== 'SUCCEEDED' && isFinished(summary);
    const lines = await logs.read(build, failed ? 'head' : 'tail');
    if (lines) {
      summary.imageDigests = pushedDigests(lines);
      if (failed) {
        let diagnosis = diagnoseLog(lines);
        if (diagnosis?.checkId === 'push-permissions') {
          roleBelongs ??=
            options.roleBelongs !== undefined
              ? Promise.resolve(options.roleBelongs)
              : serviceRoleBelongs(
                  clients,
                  config,
                  project,
                  record,
                  projectBinding,
                  subject,
                );
          diagnosis = diagnoseLog(lines, { roleBelongs: await roleBelongs });
        }
        if (diagnosis) summary.diagnosis = diagnosis;
      }
    }
    summaries.push(summary);
  }
  return {
    project: { arn: project.arn, name: project.name },
    builds: summaries,
    ...(logs.unreadable && { logsUnreadable: logs.unreadable }),
  };
}

function isFinished(summary: BuildSummary): boolean {
  return summary.status !== 'IN_PROGRESS';
}

const STATUSES: readonly BuildStatus[] = [
  'SUCCEEDED',
  'FAILED',
  'FAULT',
  'TIMED_OUT',
  'IN_PROGRESS',
  'STOPPED',
];

/** A CodeBuild build as a {@link BuildSummary}, without its log's findings. */
export function summarizeBuild(
  build: Build,
  project: CodeBuildProjectRef,
): BuildSummary {
  const id = build.id ?? `${project.name}:unknown`;
  const reported = build.buildStatus as BuildStatus | undefined;
  let status: BuildStatus = 'IN_PROGRESS';
  if (reported && STATUSES.includes(reported)) status = reported;
  // A finished build whose status CodeBuild no longer names is no success.
  else if (build.buildComplete || build.endTime) status = 'FAULT';
  const failedPhase = build.phases?.find(
    p =>
      p.phaseStatus !== undefined &&
      p.phaseStatus !== 'SUCCEEDED' &&
      p.phaseStatus !== 'IN_PROGRESS',
  )?.phaseType;
  const start = build.startTime ?? new Date(0);
  const end = build.endTime;
  const sourceVersion = build.resolvedSourceVersion ?? build.sourceVersion;
  const logUrl = build.logs?.deepLink;
  return {
    id,
    ...(build.buildNumber !== undefined && { buildNumber: build.buildNumber }),
    status,
    ...(build.currentPhase && { currentPhase: build.currentPhase }),
    ...(status !== 'SUCCEEDED' && failedPhase && { failedPhase }),
    startTime: start.toISOString(),
    ...(end && {
      endTime: end.toISOString(),
      durationSeconds: Math.max(
        0,
        Math.round((end.getTime() - start.getTime()) / 1000),
      ),
    }),
    ...(sourceVersion && { sourceVersion }),
    ...(build.initiator && { initiator: build.initiator }),
    ...(logUrl && { logUrl }),
    consoleUrl: buildConsoleUrl(project, id),
    imageDigests: [],
  };
}

/** The console's host for a partition and region. */
function consoleHost(partition: string, region: string): string {
  switch (partition) {
    case 'aws-cn':
      return 'console.amazonaws.cn';
    case 'aws-us-gov':
      return 'console.amazonaws-us-gov.com';
    default:
      return `${region}.console.aws.amazon.com`;
  }
}

/**
 * The build's page in the CodeBuild console:
 * `https://REGION.console.aws.amazon.com/codesuite/codebuild/ACCOUNT/projects/NAME/build/NAME%3AUUID/?region=REGION`
 * (the build id, `NAME:UUID`, with its colon encoded, as the console links it).
 */
export function buildConsoleUrl(
  project: CodeBuildProjectRef,
  buildId: string,
): string {
  const { partition, region, accountId, name } = project;
  return `https://${consoleHost(
    partition,
    region,
  )}/codesuite/codebuild/${accountId}/projects/${encodeURIComponent(
    name,
  )}/build/${encodeURIComponent(buildId)}/?region=${region}`;
}

/**
 * Whether the project's service role belongs to the entity (its own tags, or
 * the project's): false when it does not, undefined when that cannot be told
 * (no role, or IAM could not be read).
 */
async function serviceRoleBelongs(
  clients: AwsClients,
  config: EcrConfig,
  project: CodeBuildProjectRef,
  record: ProjectRecord,
  projectBinding: Binding,
  subject: OwnershipSubject,
): Promise<boolean | undefined> {
  const role = serviceRoleRef(project, record.serviceRole);
  if (!role) return undefined;
  try {
    const answer = await clients
      .iam(role.accountId, role.partition)
      .send(new GetRoleCommand({ RoleName: role.name }));
    const tags = roleBindingTags(tagMap(answer.Role?.Tags), config.ownership);
    const roleBinding = judgeBinding(tags, subject, config.ownership);
    return !roleRefusal(roleBinding, projectBinding, config.ownership);
  } catch (error) {
    if (!isAwsCallFailure(error)) throw error;
    return undefined;
  }
}

function serviceRoleRef(
  project: CodeBuildProjectRef,
  serviceRole: string | undefined,
): RoleRef | undefined {
  if (!serviceRole) return undefined;
  const arn = serviceRole.startsWith('arn:')
    ? serviceRole
    : `arn:${project.partition}:iam::${project.accountId}:role/${serviceRole}`;
  const parsed = parseRoleArn(arn);
  return parsed.ok ? parsed.value : undefined;
}
