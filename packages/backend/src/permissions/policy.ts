import {
  BackstageCredentials,
  BackstageUserPrincipal,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isPermission,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  catalogEntityDeletePermission,
  RESOURCE_TYPE_CATALOG_ENTITY,
} from '@backstage/plugin-catalog-common/alpha';
import {
  ecrAuditReadPermission,
  ecrAuditRunPermission,
  ecrBuildStartPermission,
  ecrImagesReadPermission,
  ecrPushAccessGrantPermission,
  ecrRepositoryClaimPermission,
  ecrRepositoryConfigurePermission,
  ecrRepositoryCreatePermission,
} from '@backstage-ecr/plugin-ecr-common';

/** The group whose members administer ECR for everyone (docs/architecture.md, "Permissions and scoping"). */
export const PLATFORM_TEAM_REF = 'group:default/platform-team';

/**
 * What only the platform team may do: read the audit, start an audit run (a
 * sweep of AWS across every account), and claim repositories for an entity
 * (tagging AWS resources as the entity's, which decides who may change them).
 */
const platformTeamPermissions = [
  ecrAuditReadPermission,
  ecrAuditRunPermission,
  ecrRepositoryClaimPermission,
];

/** Entity changes that only the entity's owners and the platform team may make. */
const ownerOrPlatformPermissions = [
  ecrRepositoryCreatePermission,
  ecrPushAccessGrantPermission,
  ecrRepositoryConfigurePermission,
  ecrBuildStartPermission,
  catalogEntityDeletePermission,
];

/**
 * The demo app's policy, and a sensible default for adopters:
 * - reading ECR data follows catalog visibility (the ECR routes load the entity
 *   with the caller's credentials before they authorize);
 * - ECR writes (starting a build among them) and catalog entity deletion go to the entity's owners and the
 *   platform team;
 * - the ECR audit (reading it and starting a run) and claiming repositories
 *   are for the platform team only;
 * - everything else is allowed to signed-in users, as Backstage's own plugins
 *   recommend for a start.
 * Anything that is not a user (a service calling on its own behalf, or no
 * credentials at all) is only allowed what reading needs.
 */
export class EcrDemoPermissionPolicy implements PermissionPolicy {
  constructor(private readonly userInfo: UserInfoService) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    const claims = await this.claimsOf(user?.credentials);

    if (platformTeamPermissions.some(p => isPermission(permission, p))) {
      return decide(claims.includes(PLATFORM_TEAM_REF));
    }

    if (isPermission(permission, ecrImagesReadPermission)) {
      return decide(user !== undefined);
    }

    if (ownerOrPlatformPermissions.some(p => isPermission(permission, p))) {
      if (claims.length === 0) {
        return decide(false);
      }
      if (claims.includes(PLATFORM_TEAM_REF)) {
        return decide(true);
      }
      if (isResourcePermission(permission, RESOURCE_TYPE_CATALOG_ENTITY)) {
        return createCatalogConditionalDecision(
          permission,
          catalogConditions.isEntityOwner({ claims }),
        );
      }
      return decide(false);
    }

    if (permission.name.startsWith('ecr.')) {
      // An ECR permission this policy does not know: deny by default.
      return decide(false);
    }

    return decide(user !== undefined);
  }

  private async claimsOf(
    credentials: BackstageCredentials | undefined,
  ): Promise<string[]> {
    if (!credentials || !isUserCredentials(credentials)) {
      return [];
    }
    const info = await this.userInfo.getUserInfo(credentials);
    return info.ownershipEntityRefs;
  }
}

function isUserCredentials(
  credentials: BackstageCredentials,
): credentials is BackstageCredentials<BackstageUserPrincipal> {
  return (credentials.principal as { type?: string }).type === 'user';
}

function decide(allowed: boolean): PolicyDecision {
  return { result: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
}
