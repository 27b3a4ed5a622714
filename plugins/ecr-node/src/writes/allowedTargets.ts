import { InputError, NotAllowedError } from '@backstage/errors';

/**
 * True when a role ARN matches a pattern of `ecr.iam.allowedRoleArnPatterns`:
 * `*` matches any run of characters (slashes and colons included), everything
 * else matches itself.
 */
export function roleArnMatches(roleArn: string, pattern: string): boolean {
  const source = pattern
    .split('*')
    .map(part => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(roleArn);
}

/**
 * Refuses (403) a role the configuration does not open to Backstage, whatever
 * the permission policy says: the patterns are the platform team's limit on
 * which IAM roles Backstage may ever change.
 */
export function requireAllowedRole(
  roleArn: string,
  patterns: readonly string[],
): void {
  if (patterns.length === 0) {
    throw new NotAllowedError(
      `Backstage may not attach a push policy to ${roleArn}: ecr.iam.allowedRoleArnPatterns is empty, so no role may be changed from Backstage. Ask the platform team to list the build roles' ARN patterns there, or grant push access in IAM directly.`,
    );
  }
  if (!patterns.some(pattern => roleArnMatches(roleArn, pattern))) {
    throw new NotAllowedError(
      `Backstage may not attach a push policy to ${roleArn}: the role matches none of ecr.iam.allowedRoleArnPatterns (${patterns.join(
        ', ',
      )}). Only build roles the platform team has opened to Backstage can be changed from here; grant push access in IAM directly, or ask for the pattern to be widened.`,
    );
  }
}

/** Refuses (400) an account outside `ecr.allowedAccounts`. */
export function requireAllowedAccount(
  accountId: string,
  allowedAccounts: readonly string[],
  what: string,
): void {
  if (!allowedAccounts.includes(accountId)) {
    throw new InputError(
      `${what} is in account ${accountId}, which is not one of the accounts this Backstage may use (ecr.allowedAccounts: ${
        allowedAccounts.join(', ') || 'none'
      })`,
    );
  }
}
