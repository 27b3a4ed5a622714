import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isEcrAvailable } from '@backstage-ecr/plugin-ecr-common';

/** The `ECR` tab, shown only for entities that name an ECR repository. */
export const ecrEntityContent = EntityContentBlueprint.make({
  params: {
    path: '/ecr',
    title: 'ECR',
    filter: isEcrAvailable,
    loader: () =>
      import('../components/EntityEcrTab').then(m => <m.EntityEcrTab />),
  },
});
