import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';

/** Authorizes one permission or throws NotAllowedError (HTTP 403). */
export async function requirePermission(
  permissions: PermissionsService,
  request:
    | { permission: BasicPermission; resourceRef?: never }
    | { permission: ResourcePermission; resourceRef: string },
  credentials: BackstageCredentials,
): Promise<void> {
  const [decision] = await permissions.authorize([request], { credentials });
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      `Permission ${request.permission.name} is not granted${
        request.resourceRef ? ` for ${request.resourceRef}` : ''
      }`,
    );
  }
}
