import { SETUP_CHECK_IDS } from '@backstage-ecr/plugin-ecr-common';
import { evaluateSetupChecks } from './index';
import { deniedFact, passingFacts } from './__testUtils__/facts';

describe('evaluateSetupChecks', () => {
  it('answers every check id of DESIGN §6, in order, all passing for a good setup', () => {
    const checks = evaluateSetupChecks(passingFacts());
    expect(checks.map(c => c.id)).toEqual([...SETUP_CHECK_IDS]);
    expect(checks.filter(c => c.status !== 'pass')).toEqual([]);
    for (const check of checks) {
      expect(check.title).toBeTruthy();
      expect(check.detail).toBeTruthy();
    }
  });

  it('fails annotation-valid and skips the rest when the annotations do not parse', () => {
    const facts = passingFacts();
    facts.annotations = { ok: false, errors: ['bad'] };
    const checks = evaluateSetupChecks(facts);
    expect(checks[0]).toMatchObject({ id: 'annotation-valid', status: 'fail' });
    expect(checks.slice(1).map(c => c.status)).toEqual(
      Array(SETUP_CHECK_IDS.length - 1).fill('unknown'),
    );
  });

  it('keeps answering the other checks when one AWS call is denied', () => {
    const facts = passingFacts();
    facts.pushPermissions = deniedFact('iam:SimulatePrincipalPolicy');
    const checks = evaluateSetupChecks(facts);
    const byId = Object.fromEntries(checks.map(c => [c.id, c]));
    expect(byId['push-permissions'].status).toBe('unknown');
    expect(checks.filter(c => c.status !== 'pass').map(c => c.id)).toEqual([
      'push-permissions',
    ]);
  });

  it('produces JSON-safe results', () => {
    const checks = evaluateSetupChecks(passingFacts());
    expect(JSON.parse(JSON.stringify(checks))).toEqual(checks);
  });
});
