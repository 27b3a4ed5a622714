import { PageBlueprint } from '@backstage/frontend-plugin-api';
import { RiShieldCheckLine } from '@remixicon/react';
import { auditRouteRef } from './routes';

/** The platform audit page, with its entry in the app's navigation. */
export const ecrAuditPage = PageBlueprint.make({
  params: {
    path: '/ecr-audit',
    routeRef: auditRouteRef,
    title: 'ECR audit',
    icon: <RiShieldCheckLine />,
    loader: () => import('../components/AuditPage').then(m => <m.AuditPage />),
  },
});
