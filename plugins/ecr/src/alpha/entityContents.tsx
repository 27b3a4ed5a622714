import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isEcrAvailable } from '@backstage-ecr/plugin-ecr-common';
import { ecrTranslationRef } from '../translation';

/**
 * The `ECR` tab, shown only for entities that name an ECR repository; its
 * title is the `entityContent.title` message.
 */
export const ecrEntityContent = EntityContentBlueprint.make({
  params: {
    path: '/ecr',
    title: ecrTranslationRef('entityContent.title'),
    filter: isEcrAvailable,
    loader: () =>
      import('../components/EntityEcrTab').then(m => <m.EntityEcrTab />),
  },
});
