import { parseArn, projectArn } from '../arn';
import { AwsError, coralValidationMessage, jsonDialect } from '../errors';
import { Operation, OperationContext, ServiceDefinition } from '../operations';
import { shape } from '../shapes';
import { registryOf } from '../state';

/**
 * AWS CodeBuild (API 2016-10-06, awsJson1_1): just enough to find a project's service role.
 * Projects are named by name (in the signing region) or by ARN.
 */

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
