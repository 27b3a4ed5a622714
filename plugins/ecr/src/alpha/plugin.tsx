import { createFrontendPlugin } from '@backstage/frontend-plugin-api';
import { ecrApi } from './apis';
import { ecrEntityContent } from './entityContents';
import { ecrAuditPage } from './pages';

/** The ECR plugin for the new frontend system. @alpha */
export default createFrontendPlugin({
  pluginId: 'ecr',
  info: { packageJson: () => import('../../package.json') },
  extensions: [ecrApi, ecrEntityContent, ecrAuditPage],
});
