import { createPermission } from '@backstage/plugin-permission-common';

const RESOURCE_TYPE_CATALOG_ENTITY = 'catalog-entity';

/**
 * Read an entity's images, scan findings and setup status.
 *
 * @public
 */
export const ecrImagesReadPermission = createPermission({
  name: 'ecr.images.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Create the repository an entity's annotation names.
 *
 * @public
 */
export const ecrRepositoryCreatePermission = createPermission({
  name: 'ecr.repository.create',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Attach the push policy to an entity's build role.
 *
 * @public
 */
export const ecrPushAccessGrantPermission = createPermission({
  name: 'ecr.push-access.grant',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Read the platform audit.
 *
 * @public
 */
export const ecrAuditReadPermission = createPermission({
  name: 'ecr.audit.read',
  attributes: { action: 'read' },
});

/**
 * Start a platform audit run: a sweep of AWS over every configured account.
 *
 * @public
 */
export const ecrAuditRunPermission = createPermission({
  name: 'ecr.audit.run',
  attributes: { action: 'update' },
});

/**
 * Bind an entity's unbound repositories (and its pushing role) to it by
 * tagging them; a resource bound to anyone else is never re-bound.
 *
 * @public
 */
export const ecrRepositoryClaimPermission = createPermission({
  name: 'ecr.repository.claim',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Starting a build of the entity's CodeBuild project (`POST …/builds`), only
 * of a project whose own tags bind it to the entity.
 *
 * @public
 */
export const ecrBuildStartPermission = createPermission({
  name: 'ecr.build.start',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Change the settings of a repository that belongs to the entity: scan on
 * push, tag immutability and the lifecycle policy (`POST …/repository/settings`).
 *
 * @public
 */
export const ecrRepositoryConfigurePermission = createPermission({
  name: 'ecr.repository.configure',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Every permission of the ECR plugins.
 *
 * @public
 */
export const ecrPermissions = [
  ecrImagesReadPermission,
  ecrRepositoryCreatePermission,
  ecrPushAccessGrantPermission,
  ecrAuditReadPermission,
  ecrAuditRunPermission,
  ecrRepositoryClaimPermission,
  ecrBuildStartPermission,
  ecrRepositoryConfigurePermission,
];
