import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { ResourcePermission } from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Request } from 'express';
import { entityRouteRef } from './entityRouteRef';
import { requirePermission } from './requirePermission';

/** An entity the caller may see and holds the permission for. */
export interface AuthorizedEntity {
  entity: Entity;
  entityRef: string;
  credentials: BackstageCredentials;
}

/**
 * The scoping every entity route and action does, in the order of
 * docs/architecture.md, "Permissions and scoping": load the entity with the
 * caller's own credentials (not visible: 404), then authorize the permission
 * with the entity ref as resourceRef (denied: 403).
 */
export async function authorizeEntityRef(
  options: { catalog: CatalogService; permissions: PermissionsService },
  ref: CompoundEntityRef,
  credentials: BackstageCredentials,
  permission: ResourcePermission<'catalog-entity'>,
): Promise<AuthorizedEntity> {
  const entity = await options.catalog.getEntityByRef(ref, { credentials });
  if (!entity) {
    throw new NotFoundError(
      `No entity ${stringifyEntityRef(ref)} that you may see`,
    );
  }
  const entityRef = stringifyEntityRef(entity);
  await requirePermission(
    options.permissions,
    { permission, resourceRef: entityRef },
    credentials,
  );
  return { entity, entityRef, credentials };
}

/**
 * `authorizeEntityRef` for a route: the entity its `:namespace/:kind/:name`
 * names, the caller's credentials from the request.
 */
export function createEntityAuthorizer(options: {
  httpAuth: HttpAuthService;
  catalog: CatalogService;
  permissions: PermissionsService;
}) {
  const { httpAuth } = options;
  return async function authorizeEntity(
    req: Request,
    permission: ResourcePermission<'catalog-entity'>,
  ): Promise<AuthorizedEntity> {
    const ref = entityRouteRef(req.params);
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    return authorizeEntityRef(options, ref, credentials, permission);
  };
}
