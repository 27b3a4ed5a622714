import {
  ParseResult,
  parseRepositoryArn,
  RepositoryRef,
} from '@backstage-ecr/plugin-ecr-common';
import { InputError } from '@backstage/errors';

/** The AWS partition a region belongs to. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * The account to act in: the input's, or the only one `ecr.allowedAccounts`
 * lists. Accounts outside that list are refused by the ECR service itself.
 */
export function accountIdFrom(
  accountId: string | undefined,
  allowedAccounts: readonly string[],
): string {
  if (accountId !== undefined) return accountId;
  if (allowedAccounts.length === 1) return allowedAccounts[0];
  throw new InputError(
    allowedAccounts.length === 0
      ? 'accountId is required: ecr.allowedAccounts lists no account, so Backstage may act in none'
      : `accountId is required: ecr.allowedAccounts lists several (${allowedAccounts.join(
          ', ',
        )})`,
  );
}

/** The repository `repositoryName` names in `region` and `accountId`, checked as an ARN. */
export function repositoryFromInput(input: {
  repositoryName: string;
  region: string;
  accountId: string;
}): RepositoryRef {
  const { repositoryName, region, accountId } = input;
  return required(
    'repositoryName, region and accountId',
    parseRepositoryArn(
      `arn:${partitionOf(
        region,
      )}:ecr:${region}:${accountId}:repository/${repositoryName}`,
    ),
  );
}

/** A parsed ARN input, or an InputError naming the input and what is wrong. */
export function required<T>(inputName: string, result: ParseResult<T>): T {
  if (!result.ok) {
    throw new InputError(`Invalid ${inputName}: ${result.error}`);
  }
  return result.value;
}
