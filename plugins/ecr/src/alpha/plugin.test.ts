import {
  coreExtensionData,
  createTranslationMessages,
  translationApiRef,
} from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
} from '@backstage/frontend-test-utils';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import ecrPlugin from './plugin';
import { ecrAuditPage } from './pages';
import { ecrEntityContent } from './entityContents';
import { auditRouteRef } from './routes';
import { ecrTranslationRef } from '../translation';
import { translationApiWithOverrides } from '../__testUtils__/translations';

// Every app has a translation API; the page and tab resolve their titles with it.
const apis = [mockApis.translation()] as const;

describe('ecr alpha plugin', () => {
  it('exposes the audit route', () => {
    expect(ecrPlugin.routes.audit).toBe(auditRouteRef);
  });

  it('mounts the audit page at /ecr-audit with a route ref, so the navigation lists it', () => {
    const tester = createExtensionTester(ecrAuditPage, { apis });
    expect(tester.get(coreExtensionData.routePath)).toBe('/ecr-audit');
    expect(tester.get(coreExtensionData.routeRef)).toBe(auditRouteRef);
  });

  it('titles the audit page and its navigation entry with a translatable message', () => {
    const tester = createExtensionTester(ecrAuditPage, { apis });
    expect(tester.get(coreExtensionData.title)).toBe('ECR audit');
    expect(tester.get(coreExtensionData.titleTranslation)).toMatchObject({
      ref: ecrTranslationRef,
      key: 'auditPage.title',
    });
  });

  it('titles the entity tab with a translatable message', () => {
    const tester = createExtensionTester(ecrEntityContent, { apis });
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('ECR');
    expect(tester.get(coreExtensionData.titleTranslation)).toMatchObject({
      ref: ecrTranslationRef,
      key: 'entityContent.title',
    });
  });

  it('says an app’s wording for the audit page title', () => {
    const reworded = translationApiWithOverrides(
      createTranslationMessages({
        ref: ecrTranslationRef,
        messages: { 'auditPage.title': 'Registry audit' },
      }),
    );
    const tester = createExtensionTester(ecrAuditPage, {
      apis: [[translationApiRef, reworded]],
    });
    expect(tester.get(coreExtensionData.title)).toBe('Registry audit');
  });
});
