import { screen } from '@testing-library/react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  createTranslationMessages,
  TranslationApi,
  translationApiRef,
} from '@backstage/frontend-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { ecrApiRef } from '../../api/EcrApi';
import { ecrTranslationRef } from '../../translation';
import { EcrContent } from './EcrContent';
import { entity, mockEcrApi } from '../../__testUtils__/fixtures';
import { FreshPermissionCache } from '../../__testUtils__/permissions';
import { translationApiWithOverrides } from '../../__testUtils__/translations';

async function renderTab(translationApi: TranslationApi) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [ecrApiRef, mockEcrApi()],
        [
          permissionApiRef,
          mockApis.permission({ authorize: AuthorizeResult.DENY }),
        ],
        [translationApiRef, translationApi],
      ]}
    >
      <FreshPermissionCache>
        <EntityProvider entity={entity}>
          <EcrContent />
        </EntityProvider>
      </FreshPermissionCache>
    </TestApiProvider>,
  );
}

describe('EcrContent wording', () => {
  it('says an overridden message instead of the default', async () => {
    await renderTab(
      translationApiWithOverrides(
        createTranslationMessages({
          ref: ecrTranslationRef,
          messages: { 'entityTab.setup.title': 'Repository health' },
        }),
      ),
    );
    expect(
      await screen.findByRole('heading', { name: 'Repository health' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('heading', { name: 'Setup status' }),
    ).not.toBeInTheDocument();
    // Messages not overridden keep their defaults.
    expect(
      await screen.findByRole('button', { name: 'Check again' }),
    ).toBeInTheDocument();
  });

  it('fills an overridden message’s values, in the plural form the count picks', async () => {
    await renderTab(
      translationApiWithOverrides(
        createTranslationMessages({
          ref: ecrTranslationRef,
          messages: {
            'repository.imageCount_other': '{{count}} container images',
            'pullCommands.pullNewestTag': 'Fetch {{tag}}, the newest tag',
          },
        }),
      ),
    );
    expect(
      await screen.findByText('Fetch fcd3f42, the newest tag'),
    ).toBeVisible();
    expect(
      screen.getByText('3 container images · eu-west-2 · account 123412341234'),
    ).toBeVisible();
  });

  it('says the defaults through the plain test app translation API', async () => {
    await renderTab(mockApis.translation());
    expect(
      await screen.findByRole('heading', { name: 'Setup status' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('Pull the newest tag (fcd3f42)'),
    ).toBeVisible();
  });
});
