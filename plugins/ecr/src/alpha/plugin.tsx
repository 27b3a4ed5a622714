import { createFrontendPlugin } from '@backstage/frontend-plugin-api';
import { ecrApi } from './apis';
import { ecrEntityContent } from './entityContents';
import { ecrAuditPage } from './pages';
import { auditRouteRef } from './routes';

/** The ECR plugin for the new frontend system. @alpha */
export default createFrontendPlugin({
  pluginId: 'ecr',
  info: { packageJson: () => import('../../package.json') },
  routes: { audit: auditRouteRef },
  extensions: [ecrApi, ecrEntityContent, ecrAuditPage],
});
