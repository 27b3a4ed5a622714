import {
  ecrPushAccessGrantPermission,
  parseCodeBuildProjectArn,
  parseRepositoryArn,
  parseRoleArn,
} from '@backstage-ecr/plugin-ecr-common';
import {
  callAws,
  EcrService,
  roleArnMatches,
} from '@backstage-ecr/plugin-ecr-node';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { required } from './awsInputs';
import { examples } from './grantPushAccess.examples';
import {
  actAsInitiator,
  InitiatorServices,
  refuseOtherOwner,
} from './initiator';

/**
 * `ecr:push-access:grant`: gives a build role least-privilege push access to
 * one repository through its own inline policy, never editing another policy
 * of the role. It acts as the task's initiator, with the same code and
 * ownership rules as the ECR tab's fix: the repository and the role must
 * belong to the entity, and roles outside `ecr.iam.allowedRoleArnPatterns`
 * are refused.
 *
 * @public
 */
export function createEcrPushAccessGrantAction(
  options: { ecr: EcrService } & InitiatorServices,
) {
  const { ecr } = options;
  return createTemplateAction({
    id: 'ecr:push-access:grant',
    description:
      'Grants a role (named by its ARN, or as the service role of a CodeBuild project) least-privilege push access to one Amazon ECR repository, through an inline policy of its own. The repository and the role must belong to the entity (their tags name it or its owner). Acts as the user who started the task.',
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
        entityRef: z =>
          z
            .string()
            .min(3)
            .max(512)
            .describe(
              'The catalog entity the grant is for, e.g. component:default/orders-api',
            ),
        owner: z =>
          z
            .string()
            .min(1)
            .max(512)
            .describe(
              "The entity's owner, e.g. group:default/team-a; the user who starts the task must be a member, unless the permission policy allows more",
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
              'The inline policy that grants it, backstage-ecr-push-<repository>-<hash of its ARN>',
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
      const initiated = await actAsInitiator(
        options,
        () => ctx.getInitiatorCredentials(),
        { entityRef: input.entityRef, owner: input.owner },
        ecrPushAccessGrantPermission,
      );
      const dryRun = ctx.isDryRun ?? false;
      const grant = async () => {
        // For an entity the catalog does not vouch for, the repository's
        // owner tag must agree with the input's owner before the AWS layer,
        // which trusts the entity-ref tag alone, grants anything. What the
        // AWS layer refuses without asking AWS (an account Backstage may not
        // use, a role outside the patterns) is left to it.
        const layerAsksAws =
          ecr.config.allowedAccounts.includes(repository.accountId) &&
          (!principal.role ||
            ecr.config.allowedRoleArnPatterns.some(pattern =>
              roleArnMatches(principal.role.arn, pattern),
            ));
        if (!initiated.catalogued && layerAsksAws) {
          const tags = await callAws(
            'ecr:ListTagsForResource',
            repository.arn,
            () => ecr.getRepositoryTags(repository),
          );
          refuseOtherOwner(
            tags,
            `Repository ${repository.arn}`,
            initiated,
            ecr.config.ownership,
          );
        }
        const answer = await ecr.grantPushAccess({
          repository,
          ...principal,
          subject: initiated.subject,
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
