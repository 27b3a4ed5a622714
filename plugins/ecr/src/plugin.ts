import {
  createApiFactory,
  createPlugin,
  createRoutableExtension,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { ecrApiRef } from './api/EcrApi';
import { EcrClient } from './api/EcrClient';

/** @public */
export const rootRouteRef = createRouteRef({ id: 'ecr' });
/** @public */
export const auditRouteRef = createRouteRef({ id: 'ecr-audit' });

/** The ECR plugin for apps on the legacy frontend system. @public */
export const ecrPlugin = createPlugin({
  id: 'ecr',
  apis: [
    createApiFactory({
      api: ecrApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new EcrClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef, audit: auditRouteRef },
});

/** The ECR entity tab, for `EntityLayout.Route`. @public */
export const EntityEcrContent: () => JSX.Element = ecrPlugin.provide(
  createRoutableExtension({
    name: 'EntityEcrContent',
    component: () =>
      import('./components/EntityEcrTab').then(m => m.EntityEcrTab),
    mountPoint: rootRouteRef,
  }),
);

/** The platform audit page, for a `<Route path="/ecr-audit">`. @public */
export const EcrAuditPage: () => JSX.Element = ecrPlugin.provide(
  createRoutableExtension({
    name: 'EcrAuditPage',
    component: () => import('./components/AuditPage').then(m => m.AuditPage),
    mountPoint: auditRouteRef,
  }),
);
