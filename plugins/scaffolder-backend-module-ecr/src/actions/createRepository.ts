import { ecrRepositoryCreatePermission } from '@backstage-ecr/plugin-ecr-common';
import { EcrService } from '@backstage-ecr/plugin-ecr-node';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { accountIdFrom, repositoryFromInput } from './awsInputs';
import { examples } from './createRepository.examples';
import {
  actAsInitiator,
  InitiatorServices,
  refuseOtherOwner,
} from './initiator';

/**
 * `ecr:repository:create`: creates an ECR repository with the safe defaults of
 * the ECR plugins (scan on push, immutable tags, AES256, untagged images
 * expire after 14 days), tagged as the entity's own, or reuses it when it
 * exists and belongs to the same entity or owner. It acts as the task's
 * initiator, with the same code and ownership rules as the ECR tab's fix.
 *
 * @public
 */
export function createEcrRepositoryCreateAction(
  options: { ecr: EcrService } & InitiatorServices,
) {
  const { ecr } = options;
  return createTemplateAction({
    id: 'ecr:repository:create',
    description:
      "Creates an Amazon ECR repository with safe defaults (scan on push, immutable tags, AES256 encryption, untagged images expire after 14 days), tagged as the entity's, or reuses it when it exists already and belongs to the same entity or owner. Acts as the user who started the task.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        repositoryName: z =>
          z
            .string()
            .min(2)
            .max(256)
            .describe(
              'The repository name: lowercase letters, digits and . _ - /, e.g. orders-api or team-a/orders-api',
            ),
        region: z => z.string().describe('The AWS region, e.g. eu-west-2'),
        entityRef: z =>
          z
            .string()
            .min(3)
            .max(512)
            .describe(
              'The catalog entity the repository is for, e.g. component:default/orders-api; the repository is tagged with it',
            ),
        owner: z =>
          z
            .string()
            .min(1)
            .max(512)
            .describe(
              "The entity's owner, e.g. group:default/team-a; the user who starts the task must be a member, unless the permission policy allows more",
            ),
        accountId: z =>
          z
            .string()
            .regex(/^\d{12}$/, 'an AWS account id is 12 digits')
            .optional()
            .describe(
              'The AWS account (12 digits); default: the only account of ecr.allowedAccounts',
            ),
        imageTagMutability: z =>
          z
            .enum(['IMMUTABLE', 'MUTABLE'])
            .optional()
            .describe('Whether tags can be overwritten; default IMMUTABLE'),
        scanOnPush: z =>
          z
            .boolean()
            .optional()
            .describe('Scan each image when it is pushed; default true'),
        encryption: z =>
          z
            .enum(['AES256', 'KMS'])
            .optional()
            .describe('How images are encrypted at rest; default AES256'),
        kmsKey: z =>
          z
            .string()
            .optional()
            .describe(
              'With encryption KMS: the KMS key ARN, id or alias; default the AWS-managed key',
            ),
        tags: z =>
          z
            .record(z.string())
            .optional()
            .describe(
              'Extra tags for the repository, e.g. { "cost-centre": "shop" }; the binding tags come from entityRef and owner',
            ),
        lifecyclePolicy: z =>
          z
            .union([z.string(), z.record(z.unknown())])
            .optional()
            .describe(
              'A lifecycle policy, as JSON text or an object; default: expire untagged images after 14 days',
            ),
        ifExists: z =>
          z
            .enum(['reuse', 'fail'])
            .optional()
            .describe(
              'When the repository exists already: reuse it unchanged (default) or fail',
            ),
      },
      output: {
        repositoryArn: z =>
          z.string().describe('The repository ARN, for ecr:push-access:grant'),
        repositoryUri: z =>
          z
            .string()
            .describe(
              'ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME, for docker push and pull',
            ),
        repositoryName: z => z.string().describe('The repository name'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const repository = repositoryFromInput({
        repositoryName: input.repositoryName,
        region: input.region,
        accountId: accountIdFrom(input.accountId, ecr.config.allowedAccounts),
      });
      const lifecyclePolicyText =
        input.lifecyclePolicy === undefined ||
        typeof input.lifecyclePolicy === 'string'
          ? input.lifecyclePolicy
          : JSON.stringify(input.lifecyclePolicy);
      if (input.tags !== undefined && !isRecord(input.tags)) {
        throw new InputError('tags must be a map of tag names to values');
      }
      const initiated = await actAsInitiator(
        options,
        () => ctx.getInitiatorCredentials(),
        { entityRef: input.entityRef, owner: input.owner },
        ecrRepositoryCreatePermission,
      );
      const dryRun = ctx.isDryRun ?? false;
      const create = async () => {
        const answer = await ecr.createRepository({
          repository,
          subject: initiated.subject,
          dryRun,
          ifExists: input.ifExists ?? 'reuse',
          settings: {
            imageTagMutability: input.imageTagMutability,
            scanOnPush: input.scanOnPush,
            encryptionType: input.encryption,
            kmsKey: input.kmsKey,
            lifecyclePolicyText,
            tags: input.tags,
          },
        });
        // The AWS layer reuses a repository whose entity-ref tag names the
        // entity; for an entity the catalog does not vouch for, its owner tag
        // must agree too. (Nothing was written to an existing repository,
        // unless it was a half-created one, which is finished as it was.)
        refuseOtherOwner(
          answer.settings.tags,
          `Repository ${repository.arn}`,
          initiated,
          ecr.config.ownership,
        );
        return {
          repositoryArn: answer.repositoryArn,
          repositoryUri: answer.repositoryUri,
          created: answer.created,
          alreadyExisted: answer.alreadyExisted,
        };
      };
      // Task recovery replays the checkpoint instead of asking again, so that
      // ifExists: fail does not refuse the repository this task created.
      const result = dryRun
        ? await create()
        : await ctx.checkpoint({
            key: `ecr.repository.create.${repository.arn}`,
            fn: create,
          });

      if (dryRun) {
        ctx.logger.info(
          result.alreadyExisted
            ? `Dry run: ${repository.arn} exists already and would be reused unchanged`
            : `Dry run: would create ${repository.arn}`,
        );
      } else if (result.created) {
        ctx.logger.info(`Created ${repository.arn}`);
      } else {
        ctx.logger.info(`${repository.arn} exists already; reused unchanged`);
      }
      ctx.output('repositoryArn', result.repositoryArn);
      ctx.output('repositoryUri', result.repositoryUri);
      ctx.output('repositoryName', repository.name);
    },
  });
}

function isRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
