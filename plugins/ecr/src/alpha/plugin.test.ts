import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import ecrPlugin from './plugin';
import { ecrAuditPage } from './pages';
import { auditRouteRef } from './routes';

describe('ecr alpha plugin', () => {
  it('exposes the audit route', () => {
    expect(ecrPlugin.routes.audit).toBe(auditRouteRef);
  });

  it('mounts the audit page at /ecr-audit with a route ref, so the navigation lists it', () => {
    const tester = createExtensionTester(ecrAuditPage);
    expect(tester.get(coreExtensionData.routePath)).toBe('/ecr-audit');
    expect(tester.get(coreExtensionData.routeRef)).toBe(auditRouteRef);
  });
});
