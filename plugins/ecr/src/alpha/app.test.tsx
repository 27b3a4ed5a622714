import { screen, within } from '@testing-library/react';
import { renderTestApp, mockApis } from '@backstage/frontend-test-utils';
import {
  createTranslationMessages,
  TranslationApi,
  translationApiRef,
} from '@backstage/frontend-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ecrAuditPage } from './pages';
import { ecrApiRef } from '../api/EcrApi';
import { ecrTranslationRef } from '../translation';
import { mockEcrApi } from '../__testUtils__/fixtures';
import { translationApiWithOverrides } from '../__testUtils__/translations';

/** The audit page in a whole test app: its navigation, header and content. */
function renderAuditPage(translationApi?: TranslationApi) {
  renderTestApp({
    extensions: [ecrAuditPage],
    initialRouteEntries: ['/ecr-audit'],
    apis: [
      [ecrApiRef, mockEcrApi()],
      [
        permissionApiRef,
        mockApis.permission({ authorize: AuthorizeResult.DENY }),
      ],
      ...(translationApi
        ? ([[translationApiRef, translationApi]] as const)
        : []),
    ],
  });
}

describe('the audit page in an app', () => {
  it('is listed in the navigation and headed with its title message', async () => {
    renderAuditPage();
    const nav = screen.getByRole('navigation', { name: 'sidebar nav' });
    expect(
      await within(nav).findByRole('link', { name: 'ECR audit' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('ECR audit', { selector: 'h1' }),
    ).toBeInTheDocument();
    expect(await screen.findByText('Permission denied')).toBeInTheDocument();
  });

  it('says the app’s wording in the navigation, the header and the page', async () => {
    renderAuditPage(
      translationApiWithOverrides(
        createTranslationMessages({
          ref: ecrTranslationRef,
          messages: {
            'auditPage.title': 'Registry audit',
            'common.permissionDenied': 'Not for you',
          },
        }),
      ),
    );
    const nav = screen.getByRole('navigation', { name: 'sidebar nav' });
    expect(
      await within(nav).findByRole('link', { name: 'Registry audit' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('Registry audit', { selector: 'h1' }),
    ).toBeInTheDocument();
    expect(await screen.findByText('Not for you')).toBeInTheDocument();
    expect(screen.queryByText('ECR audit')).not.toBeInTheDocument();
  });
});
