import { StartBuildCommand } from '@aws-sdk/client-codebuild';
import {
  belongs,
  CodeBuildProjectRef,
  judgeBinding,
  OwnershipSubject,
  StartBuildResponse,
} from '@backstage-ecr/plugin-ecr-common';
import { InputError } from '@backstage/errors';
import { callAws } from '../aws/call';
import { AwsClients } from '../aws/clients';
import { EcrConfig } from '../config';
import {
  requireAllowedAccount,
  requireAllowedRegion,
} from '../writes/allowedTargets';
import { notOwnedError } from '../writes/ownership';
import {
  getBuilds,
  listBuildIds,
  readProject,
  summarizeBuild,
} from './readBuilds';

/** The longest source version accepted (a branch, tag or commit). */
export const MAX_SOURCE_VERSION_LENGTH = 255;

/**
 * Which build to start, for whom.
 *
 * @public
 */
export interface StartBuildRequest {
  /** The entity's CodeBuild project, as its annotation names it. */
  project: CodeBuildProjectRef;
  /** The entity the build is for: the project must belong to it. */
  subject: OwnershipSubject;
  /** The commit, branch or tag to build; that of the newest build when left out. */
  sourceVersion?: string;
  /** Answer what would be started, and start nothing. */
  dryRun?: boolean;
}

/**
 * Refuses (400) a source version CodeBuild could not take as one: empty,
 * longer than 255 characters, or holding whitespace or control characters.
 *
 * @public
 */
export function checkSourceVersion(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InputError('sourceVersion must be a non-empty string');
  }
  if (value.length > MAX_SOURCE_VERSION_LENGTH) {
    throw new InputError(
      `sourceVersion is longer than ${MAX_SOURCE_VERSION_LENGTH} characters`,
    );
  }
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(value)) {
    throw new InputError(
      'sourceVersion may not hold whitespace or control characters',
    );
  }
  return value;
}

/**
 * Starts a build of the entity's CodeBuild project (`codebuild:StartBuild`),
 * for `sourceVersion` or else the source version of the project's newest
 * build (its resolved commit, so that a re-run builds what it built).
 *
 * Refused before anything is started: a project in an account outside
 * `ecr.allowedAccounts` (400) or a region outside `ecr.regions` (403); a
 * project whose own tags do not bind it to the entity or its owner (403,
 * naming who it belongs to, as every write). The tags are read from AWS at
 * the time of the request. A dry run reads the same and starts nothing.
 */
export async function startBuild(
  clients: AwsClients,
  config: EcrConfig,
  request: StartBuildRequest,
): Promise<StartBuildResponse> {
  const { project, subject, dryRun = false } = request;
  const what = `CodeBuild project ${project.arn}`;
  requireAllowedAccount(project.accountId, config.allowedAccounts, what);
  requireAllowedRegion(project.region, config.regions, what);
  const requested =
    request.sourceVersion === undefined
      ? undefined
      : checkSourceVersion(request.sourceVersion);

  const record = await readProject(clients, project);
  const binding = judgeBinding(record.tags, subject, config.ownership);
  if (!belongs(binding)) {
    throw notOwnedError(what, binding, subject, config.ownership, {
      kind: 'project',
      arn: project.arn,
    });
  }

  let sourceVersion = requested;
  if (sourceVersion === undefined) {
    const [newest] = await getBuilds(
      clients,
      project,
      await listBuildIds(clients, project, 1),
    );
    sourceVersion = newest?.resolvedSourceVersion ?? newest?.sourceVersion;
  }
  const base = {
    projectArn: project.arn,
    ...(sourceVersion && { sourceVersion }),
  };
  if (dryRun) return { dryRun: true, ...base };

  const answer = await callAws('codebuild:StartBuild', project.arn, () =>
    clients.codeBuild(project.accountId, project.region).send(
      new StartBuildCommand({
        projectName: project.name,
        ...(sourceVersion && { sourceVersion }),
      }),
    ),
  );
  return {
    dryRun: false,
    ...base,
    ...(answer.build && { build: summarizeBuild(answer.build, project) }),
  };
}
