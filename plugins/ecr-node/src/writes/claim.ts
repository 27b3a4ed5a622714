import { TagResourceCommand } from '@aws-sdk/client-ecr';
import { TagRoleCommand } from '@aws-sdk/client-iam';
import {
  belongs,
  bindingTags,
  ClaimedResource,
  ClaimResponse,
  EcrAnnotations,
  judgeBinding,
  OwnershipSubject,
} from '@backstage-ecr/plugin-ecr-common';
import { CustomErrorBase, NotFoundError } from '@backstage/errors';
import { callAws } from '../aws/call';
import { AwsClients } from '../aws/clients';
import { EcrConfig } from '../config';
import { requireAllowedAccount, requireAllowedRegion } from './allowedTargets';
import { findRole, readRepositoryTags } from './ownership';

/**
 * What to bind, for whom.
 *
 * @public
 */
export interface ClaimRequest {
  /** The entity's annotations: only the resources they name are looked at. */
  annotations: EcrAnnotations;
  subject: OwnershipSubject;
  /** Answer what would be tagged, and tag nothing. */
  dryRun?: boolean;
}

/**
 * Binds an entity's unbound repositories, and its pushing role, to it by
 * writing the binding tags (entity ref, and owner when the entity has one).
 * Tags are only ever added to a resource with neither binding tag: one bound
 * to anyone else is reported `refused` and left alone (so is an untagged role
 * whose CodeBuild project is bound to anyone else, as it belongs through the
 * project), one already the entity's is `already`. Roles outside
 * `ecr.iam.allowedRoleArnPatterns`, and repositories outside `ecr.regions` or
 * that do not exist, are `skipped`.
 * Idempotent: a second claim finds everything `already` bound.
 */
export async function claim(
  clients: AwsClients,
  config: EcrConfig,
  request: ClaimRequest,
): Promise<ClaimResponse> {
  const { annotations, subject, dryRun = false } = request;
  const tags = bindingTags(subject, config.ownership);
  const resources: ClaimedResource[] = [];

  for (const repository of annotations.repositories) {
    requireAllowedAccount(
      repository.accountId,
      config.allowedAccounts,
      `Repository ${repository.arn}`,
    );
    try {
      requireAllowedRegion(
        repository.region,
        config.regions,
        `Repository ${repository.arn}`,
      );
    } catch (error) {
      resources.push(skipped('repository', repository.arn, error));
      continue;
    }
    const current = await readRepositoryTags(clients, repository);
    if (current === null) {
      resources.push({
        kind: 'repository',
        arn: repository.arn,
        outcome: 'skipped',
        reason:
          'It does not exist; when Backstage creates it, it is bound to this entity.',
      });
      continue;
    }
    const binding = judgeBinding(current, subject, config.ownership);
    if (binding.state !== 'unbound') {
      resources.push(judged('repository', repository.arn, binding));
      continue;
    }
    if (!dryRun) {
      await callAws('ecr:TagResource', repository.arn, () =>
        clients.ecr(repository.accountId, repository.region).send(
          new TagResourceCommand({
            resourceArn: repository.arn,
            tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          }),
        ),
      );
    }
    resources.push({
      kind: 'repository',
      arn: repository.arn,
      outcome: 'bound',
      tags,
    });
  }

  const { pushRole, codeBuildProject } = annotations;
  if (pushRole || codeBuildProject) {
    const roleArn = pushRole?.arn ?? codeBuildProject!.arn;
    try {
      const found = await findRole(
        clients,
        config,
        pushRole ? { role: pushRole } : { codeBuildProject },
        subject,
      );
      const binding = judgeBinding(found.tags, subject, config.ownership);
      const project = found.projectBinding;
      if (binding.state !== 'unbound') {
        resources.push(judged('role', found.role.arn, binding));
      } else if (project && belongs(project)) {
        // An untagged role is the entity's already, through its project.
        resources.push(judged('role', found.role.arn, project));
      } else if (project?.state === 'elsewhere') {
        // An untagged role belongs through its project; tagging it would
        // take it from the project's owners, as a role's tags win.
        resources.push({
          kind: 'role',
          arn: found.role.arn,
          outcome: 'refused',
          boundTo: project.boundTo,
          reason: `It has no binding tag of its own, and it is the service role of a CodeBuild project that belongs to ${project.boundTo} (tag ${project.tag}); Backstage never re-binds a resource bound to someone else.`,
        });
      } else {
        if (!dryRun) {
          await callAws('iam:TagRole', found.role.arn, () =>
            clients.iam(found.role.accountId, found.role.partition).send(
              new TagRoleCommand({
                RoleName: found.role.name,
                Tags: Object.entries(tags).map(([Key, Value]) => ({
                  Key,
                  Value,
                })),
              }),
            ),
          );
        }
        resources.push({
          kind: 'role',
          arn: found.role.arn,
          outcome: 'bound',
          tags,
        });
      }
    } catch (error) {
      // A role Backstage may not touch, or that cannot be found, is reported
      // beside the repositories rather than undoing their claim.
      const known =
        error instanceof CustomErrorBase &&
        (error.name === 'NotAllowedError' || error instanceof NotFoundError);
      if (!known) throw error;
      resources.push(skipped('role', roleArn, error));
    }
  }

  return {
    dryRun,
    entityRef: subject.entityRef,
    changed: !dryRun && resources.some(r => r.outcome === 'bound'),
    resources,
  };
}

function judged(
  kind: ClaimedResource['kind'],
  arn: string,
  binding: ReturnType<typeof judgeBinding>,
): ClaimedResource {
  if (belongs(binding)) {
    return {
      kind,
      arn,
      outcome: 'already',
      boundTo: 'boundTo' in binding ? binding.boundTo : undefined,
    };
  }
  return {
    kind,
    arn,
    outcome: 'refused',
    boundTo: binding.state === 'elsewhere' ? binding.boundTo : undefined,
    reason:
      binding.state === 'elsewhere'
        ? `It belongs to ${binding.boundTo} (tag ${binding.tag}); Backstage never re-binds a resource bound to someone else.`
        : undefined,
  };
}

function skipped(
  kind: ClaimedResource['kind'],
  arn: string,
  error: unknown,
): ClaimedResource {
  return {
    kind,
    arn,
    outcome: 'skipped',
    reason: error instanceof Error ? error.message : String(error),
  };
}
