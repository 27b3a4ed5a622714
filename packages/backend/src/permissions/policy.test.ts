import { mockCredentials } from '@backstage/backend-test-utils';
import { BackstageUserInfo } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  createPermission,
  Permission,
} from '@backstage/plugin-permission-common';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
} from '@backstage/plugin-catalog-common/alpha';
import { templateParameterReadPermission } from '@backstage/plugin-scaffolder-common/alpha';
import {
  ecrAuditReadPermission,
  ecrAuditRunPermission,
  ecrBuildStartPermission,
  ecrImagesReadPermission,
  ecrPermissions,
  ecrPushAccessGrantPermission,
  ecrRepositoryClaimPermission,
  ecrRepositoryConfigurePermission,
  ecrRepositoryCreatePermission,
} from '@backstage-ecr/plugin-ecr-common';
import { EcrDemoPermissionPolicy } from './policy';

const memberships: Record<string, string[]> = {
  'user:default/guest': ['user:default/guest', 'group:default/team-a'],
  'user:default/alice': ['user:default/alice', 'group:default/platform-team'],
};

const userInfo = {
  async getUserInfo(credentials: any): Promise<BackstageUserInfo> {
    const userEntityRef = credentials.principal.userEntityRef;
    return {
      userEntityRef,
      ownershipEntityRefs: memberships[userEntityRef] ?? [userEntityRef],
    };
  },
};

const policy = new EcrDemoPermissionPolicy(userInfo);

const imagesRead = ecrImagesReadPermission;
const repositoryCreate = ecrRepositoryCreatePermission;
const pushAccessGrant = ecrPushAccessGrantPermission;
const auditRead = ecrAuditReadPermission;
const auditRun = ecrAuditRunPermission;
const repositoryClaim = ecrRepositoryClaimPermission;
const buildStart = ecrBuildStartPermission;
const repositoryConfigure = ecrRepositoryConfigurePermission;

function ask(permission: Permission, userEntityRef?: string) {
  const credentials = userEntityRef
    ? mockCredentials.user(userEntityRef)
    : undefined;
  return policy.handle(
    { permission },
    credentials
      ? {
          credentials,
          info: { userEntityRef: userEntityRef!, ownershipEntityRefs: [] },
        }
      : undefined,
  );
}

describe('EcrDemoPermissionPolicy', () => {
  it('uses the permission names of docs/architecture.md, "Permissions and scoping"', () => {
    expect(ecrPermissions.map(p => p.name).sort()).toEqual([
      'ecr.audit.read',
      'ecr.audit.run',
      'ecr.build.start',
      'ecr.images.read',
      'ecr.push-access.grant',
      'ecr.repository.claim',
      'ecr.repository.configure',
      'ecr.repository.create',
    ]);
  });

  it('lets every signed-in user read images of the entities they can see', async () => {
    await expect(ask(imagesRead, 'user:default/guest')).resolves.toEqual({
      result: AuthorizeResult.ALLOW,
    });
    await expect(ask(imagesRead, 'user:default/nobody')).resolves.toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('denies reading images without a user', async () => {
    await expect(ask(imagesRead)).resolves.toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it.each([repositoryCreate, pushAccessGrant, buildStart, repositoryConfigure])(
    'makes $name conditional on owning the entity for a team member',
    async permission => {
      await expect(ask(permission, 'user:default/guest')).resolves.toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: {
          rule: 'IS_ENTITY_OWNER',
          resourceType: 'catalog-entity',
          params: {
            claims: ['user:default/guest', 'group:default/team-a'],
          },
        },
      });
    },
  );

  it.each([repositoryCreate, pushAccessGrant, buildStart, repositoryConfigure])(
    'allows $name to platform-team members on any entity',
    async permission => {
      await expect(ask(permission, 'user:default/alice')).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
    },
  );

  it.each([repositoryCreate, pushAccessGrant, buildStart, repositoryConfigure])(
    'denies $name without a user',
    async permission => {
      await expect(ask(permission)).resolves.toEqual({
        result: AuthorizeResult.DENY,
      });
    },
  );

  it.each([auditRead, auditRun, repositoryClaim])(
    'gives $name to platform-team members only, not even to owners',
    async permission => {
      await expect(ask(permission, 'user:default/alice')).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
      // guest is in team-a, which owns entities: claiming is still not theirs.
      await expect(ask(permission, 'user:default/guest')).resolves.toEqual({
        result: AuthorizeResult.DENY,
      });
      await expect(ask(permission, 'user:default/nobody')).resolves.toEqual({
        result: AuthorizeResult.DENY,
      });
      await expect(ask(permission)).resolves.toEqual({
        result: AuthorizeResult.DENY,
      });
    },
  );

  it('denies an ECR permission it does not know', async () => {
    const unknown = createPermission({
      name: 'ecr.repository.delete',
      attributes: { action: 'delete' },
    });
    await expect(ask(unknown, 'user:default/alice')).resolves.toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it('restricts catalog entity deletion to owners and the platform team', async () => {
    await expect(
      ask(catalogEntityDeletePermission, 'user:default/guest'),
    ).resolves.toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      conditions: { rule: 'IS_ENTITY_OWNER' },
    });
    await expect(
      ask(catalogEntityDeletePermission, 'user:default/alice'),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('allows other plugins’ permissions to signed-in users', async () => {
    await expect(
      ask(catalogEntityReadPermission, 'user:default/guest'),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    await expect(
      ask(templateParameterReadPermission, 'user:default/guest'),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    await expect(ask(catalogEntityReadPermission)).resolves.toEqual({
      result: AuthorizeResult.DENY,
    });
  });
});
