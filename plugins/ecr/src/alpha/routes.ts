import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The audit page; pages need a route ref to appear in the app's navigation. */
export const auditRouteRef = createRouteRef();
