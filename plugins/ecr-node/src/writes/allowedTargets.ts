import { InputError, NotAllowedError } from '@backstage/errors';

/**
 * True when a role ARN matches a pattern of `ecr.iam.allowedRoleArnPatterns`:
 * `*` matches any run of characters except `/`, so it never reaches into a
 * deeper role path (`role/service-role/codebuild-*` does not match
 * `role/service-role/codebuild-ops/OpsAdmin`); `**` matches any run of
 * characters, `/` included; everything else matches itself.
 *
 * @public
 */
export function roleArnMatches(roleArn: string, pattern: string): boolean {
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const source = pattern
    .split('**')
    .map(part => part.split('*').map(literal).join('[^/]*'))
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

/**
 * Refuses (403) a write in a region outside `ecr.regions`, when that list is
 * set: the platform team's limit on where Backstage may change anything. An
 * empty list leaves every region open.
 */
export function requireAllowedRegion(
  region: string,
  regions: readonly string[],
  what: string,
): void {
  if (regions.length > 0 && !regions.includes(region)) {
    throw new NotAllowedError(
      `${what} is in region ${region}, where Backstage may not make changes: writes from Backstage are limited to the regions in ecr.regions (${regions.join(
        ', ',
      )}). Make the change in AWS directly, or ask the platform team to add ${region} to ecr.regions.`,
    );
  }
}
