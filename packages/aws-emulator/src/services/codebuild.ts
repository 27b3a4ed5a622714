import { parseArn, projectArn } from '../arn';
import { Principal } from '../auth/principals';
import { AwsError, coralValidationMessage, jsonDialect } from '../errors';
import { Operation, OperationContext, ServiceDefinition } from '../operations';
import { paginate } from '../pagination';
import { shape } from '../shapes';
import { Build, CodeBuildProject, EmulatorState, registryOf } from '../state';
import {
  buildRecord,
  buildSession,
  completeBuild,
  newBuild,
  runBuildspec,
} from './builds';

/**
 * AWS CodeBuild (API 2016-10-06, awsJson1_1): projects (with their service role) and builds,
 * which run the ECR setup guide's buildspec as a session of the project's service role (see
 * builds.ts). Projects are named by name (in the signing region) or by ARN.
 */

const nonEmpty = shape.string({ min: 1 });
const environmentVariables = shape.list(
  shape.structure(
    {
      name: nonEmpty,
      value: shape.string(),
      type: shape.string({
        enum: ['PLAINTEXT', 'PARAMETER_STORE', 'SECRETS_MANAGER'],
      }),
    },
    ['name', 'value'],
  ),
);
const LIST_PAGE = 100;

function invalidInput(message: string) {
  return new AwsError('InvalidInputException', message, { status: 400 });
}

function resourceNotFound(message: string) {
  return new AwsError('ResourceNotFoundException', message, { status: 400 });
}

/** CodeBuild's `initiator`: the user's name, `<role>/<session>` for a role session, or root. */
function initiatorOf(principal: Principal): string {
  if (principal.kind === 'user') return principal.user!.name;
  if (principal.kind === 'assumed-role') {
    return `${principal.role!.name}/${principal.sessionName}`;
  }
  return 'root';
}

function findProject(
  state: EmulatorState,
  ref: { account: string; region: string; name: string },
): CodeBuildProject | undefined {
  const account = state.accounts.get(ref.account);
  return account
    ? registryOf(account, ref.region).projects.get(ref.name)
    : undefined;
}

/** A build id (`<project>:<uuid>`) or build ARN, split into where its build would be. */
function buildRef(id: string, ctx: OperationContext) {
  const parsed = parseArn(id);
  let account = ctx.account.id;
  let region = ctx.region;
  let rest = id;
  if (parsed) {
    if (
      parsed.service !== 'codebuild' ||
      !parsed.resource.startsWith('build/')
    ) {
      return undefined;
    }
    account = parsed.account;
    region = parsed.region;
    rest = parsed.resource.slice('build/'.length);
  }
  const colon = rest.lastIndexOf(':');
  if (colon <= 0 || colon === rest.length - 1) return undefined;
  const project = rest.slice(0, colon);
  return {
    id: rest,
    account,
    region,
    project,
    projectArn: projectArn(region, account, project),
  };
}

function findBuild(
  state: EmulatorState,
  ref: NonNullable<ReturnType<typeof buildRef>>,
): Build | undefined {
  const account = state.accounts.get(ref.account);
  return account
    ? registryOf(account, ref.region).builds.get(ref.id)
    : undefined;
}

/**
 * Starts a build: IN_PROGRESS now, run to its end after the emulator's build duration, when
 * the buildspec's ECR calls are made as the build's role session.
 */
function startBuild(
  ctx: OperationContext,
  project: CodeBuildProject,
  ref: { account: string; region: string },
  sourceVersion: string | undefined,
  overrides: Array<{ name: string; value: string; type?: string }> | undefined,
): Build {
  const build = newBuild(ctx.state, {
    project,
    accountId: ref.account,
    region: ref.region,
    sourceVersion,
    environmentVariablesOverride: overrides,
    initiator: initiatorOf(ctx.principal),
    startTime: ctx.now,
  });
  const state = ctx.state;
  const background = ctx.background;
  background.schedule(() => {
    const outcome = runBuildspec(build, (operation, input) =>
      background.call(
        buildSession(build),
        build.region,
        'ecr',
        operation,
        input,
      ),
    );
    completeBuild(state, build, outcome, new Date());
  }, background.buildDurationMs);
  return build;
}

function projectRef(name: string, ctx: OperationContext) {
  const parsed = parseArn(name);
  if (parsed && parsed.service === 'codebuild') {
    return {
      arn: name,
      account: parsed.account,
      region: parsed.region,
      name: parsed.resource.replace(/^project\//, ''),
    };
  }
  return {
    arn: projectArn(ctx.region, ctx.account.id, name),
    account: ctx.account.id,
    region: ctx.region,
    name,
  };
}

const operations: Record<string, Operation> = {
  BatchGetProjects: {
    input: shape.structure(
      { names: shape.list(shape.string({ min: 1 }), { min: 1, max: 100 }) },
      ['names'],
    ),
    resources: (input, ctx) =>
      (input.names as string[]).map(name => {
        const ref = projectRef(name, ctx);
        return { resource: ref.arn, resourceAccountId: ref.account };
      }),
    handler(input, ctx) {
      const projects = [];
      const projectsNotFound = [];
      for (const name of input.names as string[]) {
        const ref = projectRef(name, ctx);
        const account = ctx.state.accounts.get(ref.account);
        const project = account
          ? registryOf(account, ref.region).projects.get(ref.name)
          : undefined;
        if (project) projects.push(project.record);
        else projectsNotFound.push(name);
      }
      return { projects, projectsNotFound };
    },
  },

  StartBuild: {
    input: shape.structure(
      {
        projectName: nonEmpty,
        sourceVersion: shape.string(),
        environmentVariablesOverride: environmentVariables,
        idempotencyToken: shape.string(),
      },
      ['projectName'],
    ),
    resources: (input, ctx) => {
      const ref = projectRef(input.projectName, ctx);
      return { resource: ref.arn, resourceAccountId: ref.account };
    },
    handler(input, ctx) {
      const ref = projectRef(input.projectName, ctx);
      const project = findProject(ctx.state, ref);
      if (!project) {
        throw resourceNotFound(`Project cannot be found: ${ref.arn}`);
      }
      const build = startBuild(
        ctx,
        project,
        ref,
        input.sourceVersion,
        input.environmentVariablesOverride,
      );
      return { build: buildRecord(build, project) };
    },
  },

  RetryBuild: {
    input: shape.structure({ id: nonEmpty, idempotencyToken: shape.string() }),
    resources: (input, ctx) => {
      const ref = input.id ? buildRef(input.id, ctx) : undefined;
      if (!ref) return [];
      return { resource: ref.projectArn, resourceAccountId: ref.account };
    },
    handler(input, ctx) {
      const ref = input.id ? buildRef(input.id, ctx) : undefined;
      if (!ref) throw invalidInput(`Invalid build ID: ${input.id ?? ''}`);
      const previous = findBuild(ctx.state, ref);
      const project = findProject(ctx.state, {
        account: ref.account,
        region: ref.region,
        name: ref.project,
      });
      if (!previous || !project) {
        throw resourceNotFound(`Build cannot be found: ${input.id}`);
      }
      const build = startBuild(
        ctx,
        project,
        { account: ref.account, region: ref.region },
        previous.sourceVersion,
        previous.environmentVariables,
      );
      return { build: buildRecord(build, project) };
    },
  },

  BatchGetBuilds: {
    input: shape.structure(
      { ids: shape.list(nonEmpty, { min: 1, max: 100 }) },
      ['ids'],
    ),
    resources: (input, ctx) => {
      const seen = new Set<string>();
      const targets = [];
      for (const id of input.ids as string[]) {
        const ref = buildRef(id, ctx);
        if (!ref || seen.has(ref.projectArn)) continue;
        seen.add(ref.projectArn);
        targets.push({
          resource: ref.projectArn,
          resourceAccountId: ref.account,
        });
      }
      return targets;
    },
    handler(input, ctx) {
      const builds = [];
      const buildsNotFound = [];
      for (const id of input.ids as string[]) {
        const ref = buildRef(id, ctx);
        const build = ref && findBuild(ctx.state, ref);
        const project =
          build &&
          findProject(ctx.state, {
            account: build.accountId,
            region: build.region,
            name: build.projectName,
          });
        if (build && project) builds.push(buildRecord(build, project));
        else buildsNotFound.push(id);
      }
      return { builds, buildsNotFound };
    },
  },

  ListBuildsForProject: {
    input: shape.structure(
      {
        projectName: nonEmpty,
        sortOrder: shape.string({ enum: ['ASCENDING', 'DESCENDING'] }),
        nextToken: shape.string(),
      },
      ['projectName'],
    ),
    resources: (input, ctx) => {
      const ref = projectRef(input.projectName, ctx);
      return { resource: ref.arn, resourceAccountId: ref.account };
    },
    handler(input, ctx) {
      const ref = projectRef(input.projectName, ctx);
      const project = findProject(ctx.state, ref);
      if (!project) {
        throw resourceNotFound(
          `The provided project ${ref.arn} does not exist`,
        );
      }
      const order: string = input.sortOrder ?? 'DESCENDING';
      const ids = project.builds.map(b => b.id);
      if (order === 'DESCENDING') ids.reverse();
      const page = paginate(
        ids,
        {
          token: input.nextToken,
          defaultMax: LIST_PAGE,
          scope: `ListBuildsForProject\u0000${ref.arn}\u0000${order}`,
        },
        () => invalidInput('Invalid next token'),
      );
      return { ids: page.items, nextToken: page.next };
    },
  },
};

export const codebuildService: ServiceDefinition = {
  name: 'codebuild',
  protocol: 'json',
  targetPrefix: 'CodeBuild_20161006',
  errors: jsonDialect(
    violations =>
      new AwsError(
        'InvalidInputException',
        coralValidationMessage(violations),
        {
          status: 400,
        },
      ),
    { code: 'InternalFailure', status: 500 },
  ),
  operations,
};
