import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
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
 * The scoping every entity route does, in the order of docs/architecture.md, "Permissions and scoping": load the
 * entity with the caller's own credentials (not visible: 404), then authorize
 * the permission with the entity ref as resourceRef (denied: 403).
 */
export function createEntityAuthorizer(options: {
  httpAuth: HttpAuthService;
  catalog: CatalogService;
  permissions: PermissionsService;
}) {
  const { httpAuth, catalog, permissions } = options;
  return async function authorizeEntity(
    req: Request,
    permission: ResourcePermission<'catalog-entity'>,
  ): Promise<AuthorizedEntity> {
    const ref = entityRouteRef(req.params);
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity) {
      throw new NotFoundError(
        `No entity ${stringifyEntityRef(ref)} that you may see`,
      );
    }
    const entityRef = stringifyEntityRef(entity);
    await requirePermission(
      permissions,
      { permission, resourceRef: entityRef },
      credentials,
    );
    return { entity, entityRef, credentials };
  };
}
