import {
  parseCodeBuildProjectArn,
  parseRepositoryArn,
  parseRoleArn,
} from '@backstage-ecr/plugin-ecr-common';
import { EcrService } from '@backstage-ecr/plugin-ecr-node';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { required } from './awsInputs';
import { examples } from './grantPushAccess.examples';

/**
 * `ecr:push-access:grant`: gives a build role least-privilege push access to
 * one repository through its own inline policy, never editing another policy
 * of the role; roles outside `ecr.iam.allowedRoleArnPatterns` are refused.
 * The same code as the ECR tab's fix, so both behave alike.
 *
 * @public
 */
export function createEcrPushAccessGrantAction(options: { ecr: EcrService }) {
  const { ecr } = options;
  return createTemplateAction({
    id: 'ecr:push-access:grant',
    description:
      'Grants a role (named by its ARN, or as the service role of a CodeBuild project) least-privilege push access to one Amazon ECR repository, through an inline policy of its own.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        repositoryArn: z =>
          z
            .string()
            .describe(
              'The repository, e.g. ${{ steps.repository.output.repositoryArn }}',
            ),
        roleArn: z =>
          z
            .string()
            .optional()
            .describe(
              'The pushing role; give this or codeBuildProjectArn, not both',
            ),
        codeBuildProjectArn: z =>
          z
            .string()
            .optional()
            .describe(
              'A CodeBuild project whose service role pushes; give this or roleArn, not both',
            ),
      },
      output: {
        roleArn: z => z.string().describe('The role that may now push'),
        policyName: z =>
          z
            .string()
            .describe(
              'The inline policy that grants it, backstage-ecr-push-<repository>',
            ),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const repository = required(
        'repositoryArn',
        parseRepositoryArn(input.repositoryArn ?? ''),
      );
      if (Boolean(input.roleArn) === Boolean(input.codeBuildProjectArn)) {
        throw new InputError(
          'Give exactly one of roleArn and codeBuildProjectArn',
        );
      }
      const principal = input.roleArn
        ? { role: required('roleArn', parseRoleArn(input.roleArn)) }
        : {
            codeBuildProject: required(
              'codeBuildProjectArn',
              parseCodeBuildProjectArn(input.codeBuildProjectArn!),
            ),
          };
      const dryRun = ctx.isDryRun ?? false;
      const grant = async () => {
        const answer = await ecr.grantPushAccess({
          repository,
          ...principal,
          dryRun,
        });
        if (dryRun) {
          ctx.logger.info(
            answer.changed
              ? `Dry run: would put inline policy ${answer.policyName} on ${
                  answer.roleArn
                }: ${JSON.stringify(answer.policyDocument)}`
              : `Dry run: ${answer.roleArn} has inline policy ${answer.policyName} already`,
          );
        }
        return {
          roleArn: answer.roleArn,
          policyName: answer.policyName,
          changed: answer.changed,
        };
      };
      const result = dryRun
        ? await grant()
        : await ctx.checkpoint({
            key: `ecr.push-access.grant.${repository.arn}.${
              input.roleArn ?? input.codeBuildProjectArn
            }`,
            fn: grant,
          });
      if (!dryRun) {
        ctx.logger.info(
          result.changed
            ? `Put inline policy ${result.policyName} on ${result.roleArn}`
            : `${result.roleArn} has inline policy ${result.policyName} already; nothing changed`,
        );
      }
      ctx.output('roleArn', result.roleArn);
      ctx.output('policyName', result.policyName);
    },
  });
}
