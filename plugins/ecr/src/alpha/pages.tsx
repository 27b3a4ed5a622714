import { PageBlueprint } from '@backstage/frontend-plugin-api';
import { RiShieldCheckLine } from '@remixicon/react';
import { auditRouteRef } from './routes';
import { ecrTranslationRef } from '../translation';

/**
 * The platform audit page, with its entry in the app's navigation; both say
 * the `auditPage.title` message.
 */
export const ecrAuditPage = PageBlueprint.make({
  params: {
    path: '/ecr-audit',
    routeRef: auditRouteRef,
    title: ecrTranslationRef('auditPage.title'),
    icon: <RiShieldCheckLine />,
    loader: () => import('../components/AuditPage').then(m => <m.AuditPage />),
  },
});
