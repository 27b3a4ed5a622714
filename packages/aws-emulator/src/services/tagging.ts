import { AwsError, coralValidationMessage, jsonDialect } from '../errors';
import { Operation, OperationContext, ServiceDefinition } from '../operations';
import { paginate } from '../pagination';
import { shape } from '../shapes';
import { registryOf, Tag } from '../state';

/**
 * The Resource Groups Tagging API (2017-01-26, awsJson1_1, signing name `tagging`, IAM
 * prefix `tag`): GetResources over the caller's ECR repositories and CodeBuild projects in
 * the region it signed for. Filters as AWS applies them: every TagFilter must match (AND),
 * any of a filter's Values will do (OR), a filter without Values asks only for the key.
 */

const DEFAULT_PER_PAGE = 50;

function invalidParameter(message: string) {
  return new AwsError('InvalidParameterException', message, { status: 400 });
}

interface Tagged {
  arn: string;
  /** `service:type`, as ResourceTypeFilters name it. */
  type: string;
  tags: Tag[];
}

function taggedResources(ctx: OperationContext): Tagged[] {
  const registry = registryOf(ctx.account, ctx.region);
  const found: Tagged[] = [];
  for (const repository of registry.repositories.values()) {
    found.push({
      arn: repository.arn,
      type: 'ecr:repository',
      tags: repository.tags,
    });
  }
  for (const project of registry.projects.values()) {
    const tags = (project.record.tags ?? []) as {
      key?: string;
      value?: string;
    }[];
    found.push({
      arn: project.arn,
      type: 'codebuild:project',
      tags: tags
        .filter(t => typeof t.key === 'string')
        .map(t => ({ Key: t.key!, Value: t.value ?? '' })),
    });
  }
  return found.sort((a, b) => a.arn.localeCompare(b.arn));
}

function matchesType(type: string, filters: string[] | undefined): boolean {
  if (!filters || filters.length === 0) return true;
  const [service] = type.split(':');
  return filters.some(f => f === type || f === service);
}

function matchesTags(
  tags: Tag[],
  filters: { Key?: string; Values?: string[] }[] | undefined,
): boolean {
  return (filters ?? []).every(filter =>
    tags.some(
      tag =>
        tag.Key === filter.Key &&
        (!filter.Values?.length || filter.Values.includes(tag.Value)),
    ),
  );
}

const operations: Record<string, Operation> = {
  GetResources: {
    input: shape.structure({
      PaginationToken: shape.string({ max: 2048 }),
      TagFilters: shape.list(
        shape.structure({
          Key: shape.string({ min: 1, max: 128 }),
          Values: shape.list(shape.string({ max: 256 }), { max: 20 }),
        }),
        { max: 50 },
      ),
      ResourcesPerPage: shape.integer(),
      TagsPerPage: shape.integer(),
      ResourceTypeFilters: shape.list(shape.string({ max: 256 })),
      IncludeComplianceDetails: shape.boolean(),
      ExcludeCompliantResources: shape.boolean(),
      ResourceARNList: shape.list(shape.string({ min: 1, max: 1011 }), {
        min: 1,
        max: 100,
      }),
    }),
    resources: () => '*',
    handler(input, ctx) {
      const perPage: number | undefined = input.ResourcesPerPage;
      if (perPage !== undefined && (perPage < 1 || perPage > 100)) {
        throw invalidParameter('ResourcesPerPage must be between 1 and 100');
      }
      if (input.TagFilters?.some((f: { Key?: string }) => !f.Key)) {
        throw invalidParameter('A TagFilter must have a Key');
      }
      if (
        input.ResourceARNList &&
        (perPage !== undefined || input.PaginationToken)
      ) {
        throw invalidParameter(
          'ResourceARNList cannot be used with pagination parameters',
        );
      }
      const arns: string[] | undefined = input.ResourceARNList;
      const matching = taggedResources(ctx).filter(
        r =>
          r.tags.length > 0 &&
          (!arns || arns.includes(r.arn)) &&
          matchesType(r.type, input.ResourceTypeFilters) &&
          matchesTags(r.tags, input.TagFilters),
      );
      const page = paginate(
        matching,
        {
          // AWS answers an empty string for "no more"; absent is as good for the SDK.
          token: input.PaginationToken || undefined,
          max: perPage,
          defaultMax: DEFAULT_PER_PAGE,
          scope: `GetResources\u0000${ctx.account.id}\u0000${
            ctx.region
          }\u0000${JSON.stringify([
            input.TagFilters ?? [],
            input.ResourceTypeFilters ?? [],
            arns ?? [],
          ])}`,
        },
        () => invalidParameter('The specified PaginationToken is invalid.'),
      );
      return {
        ResourceTagMappingList: page.items.map(r => ({
          ResourceARN: r.arn,
          Tags: r.tags.map(t => ({ Key: t.Key, Value: t.Value })),
        })),
        PaginationToken: page.next ?? '',
      };
    },
  },
};

export const taggingService: ServiceDefinition = {
  name: 'tagging',
  actionPrefix: 'tag',
  protocol: 'json',
  targetPrefix: 'ResourceGroupsTaggingAPI_20170126',
  errors: jsonDialect(
    violations =>
      new AwsError(
        'InvalidParameterException',
        coralValidationMessage(violations),
        { status: 400 },
      ),
    { code: 'InternalServiceException', status: 500 },
  ),
  operations,
};
