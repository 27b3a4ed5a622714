import {
  ApiBlueprint,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { ecrApiRef } from '../api/EcrApi';
import { EcrClient } from '../api/EcrClient';

export const ecrApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: ecrApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new EcrClient({ discoveryApi, fetchApi }),
    }),
});
