import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import {
  EcrAnnotations,
  MAX_REPOSITORIES_PER_ENTITY,
  parseRepositoryArn,
  RepositoryRef,
  RepositoryTagFilter,
} from '@backstage-ecr/plugin-ecr-common';
import { InputError } from '@backstage/errors';
import { callAws } from '../aws/call';
import { AwsClients } from '../aws/clients';
import { EcrConfig } from '../config';

/** The IAM action the lookup needs; failures name it. */
const GET_RESOURCES_ACTION = 'tag:GetResources';

/**
 * The ECR repositories carrying every one of `tags`, in each of
 * `ecr.allowedAccounts` × `ecr.regions`, through every page of the Resource
 * Groups Tagging API's GetResources. Sorted by ARN. A failing call throws the
 * AwsServiceError of `tag:GetResources`: the caller cannot know the list.
 */
export async function findRepositoriesByTags(
  clients: AwsClients,
  config: Pick<EcrConfig, 'allowedAccounts' | 'regions'>,
  tags: readonly RepositoryTagFilter[],
): Promise<RepositoryRef[]> {
  const TagFilters = tags.map(t => ({ Key: t.key, Values: [t.value] }));
  const scopes = config.allowedAccounts.flatMap(accountId =>
    config.regions.map(region => ({ accountId, region })),
  );
  const found = await Promise.all(
    scopes.map(({ accountId, region }) =>
      callAws(GET_RESOURCES_ACTION, undefined, async () => {
        const client = clients.tagging(accountId, region);
        const arns: string[] = [];
        let token: string | undefined;
        do {
          const page = await client.send(
            new GetResourcesCommand({
              ResourceTypeFilters: ['ecr:repository'],
              TagFilters,
              ...(token && { PaginationToken: token }),
            }),
          );
          for (const mapping of page.ResourceTagMappingList ?? []) {
            if (mapping.ResourceARN) arns.push(mapping.ResourceARN);
          }
          token = page.PaginationToken || undefined;
        } while (token);
        return arns;
      }),
    ),
  );
  const allowed = new Set(config.allowedAccounts);
  const byArn = new Map<string, RepositoryRef>();
  for (const arn of found.flat()) {
    const parsed = parseRepositoryArn(arn);
    // Only repositories of the accounts asked; anything else is not ours to show.
    if (parsed.ok && allowed.has(parsed.value.accountId)) {
      byArn.set(parsed.value.arn, parsed.value);
    }
  }
  return [...byArn.values()].sort((a, b) => a.arn.localeCompare(b.arn));
}

/**
 * The annotations with the repositories their tags find added to those named
 * by ARN (ARN ones first, each once). Annotations without tags come back as
 * they are, with no AWS call.
 */
export async function resolveRepositoryTags(
  clients: AwsClients,
  config: Pick<EcrConfig, 'allowedAccounts' | 'regions'>,
  annotations: EcrAnnotations,
): Promise<EcrAnnotations> {
  if (!annotations.repositoryTags) return annotations;
  const found = await findRepositoriesByTags(
    clients,
    config,
    annotations.repositoryTags,
  );
  const repositories = [...annotations.repositories];
  for (const repository of found) {
    if (!repositories.some(r => r.arn === repository.arn)) {
      repositories.push(repository);
    }
  }
  if (repositories.length > MAX_REPOSITORIES_PER_ENTITY) {
    throw new InputError(
      `aws.amazon.com/amazon-ecr-tags: the tags find ${repositories.length} repositories with those the ARN annotation names; at most ${MAX_REPOSITORIES_PER_ENTITY} are accepted`,
    );
  }
  return { ...annotations, repositories };
}
