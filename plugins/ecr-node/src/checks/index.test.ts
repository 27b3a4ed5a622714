import { SETUP_CHECK_IDS } from '@backstage-ecr/plugin-ecr-common';
import { evaluateSetupChecks } from './index';
import {
  deniedFact,
  ENTITY_REF_TAG,
  goodRepository,
  ok,
  OTHER_ENTITY_REF,
  passingFacts,
} from './__testUtils__/facts';

const OTHER_REPO_ARN =
  'arn:aws:ecr:eu-west-2:123412341234:repository/checkout-web';
const WITHHELD = `Repository checkout-web belongs to ${OTHER_ENTITY_REF} (tag ${ENTITY_REF_TAG}), not to this entity`;
const PER_REPOSITORY = [
  'repository-exists',
  'scan-on-push',
  'tag-immutability',
  'lifecycle-policy',
  'encryption',
  'images-present',
  'push-permissions',
];

/** Another team's repository, withheld; its settings as good as can be. */
function withheldRepository() {
  return {
    ...goodRepository(OTHER_REPO_ARN),
    tags: ok({ [ENTITY_REF_TAG]: OTHER_ENTITY_REF }),
    withheld: WITHHELD,
  };
}

describe('evaluateSetupChecks', () => {
  it('answers every check id of docs/architecture.md, "Setup checks", in order, all passing for a good setup', () => {
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

  it('passes no per-repository check of a withheld repository, saying why it was not checked', () => {
    const facts = passingFacts();
    facts.repositories = [withheldRepository()];
    const byId = Object.fromEntries(
      evaluateSetupChecks(facts).map(c => [c.id, c]),
    );
    for (const id of PER_REPOSITORY) {
      expect({ id, check: byId[id] }).toMatchObject({
        id,
        check: {
          status: 'unknown',
          detail: `Not checked: ${WITHHELD}.`,
          remedy: 'See "The repositories belong to this entity".',
        },
      });
    }
    expect(byId['repository-owner']).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(`belongs to ${OTHER_ENTITY_REF}`),
    });
  });

  it('checks the entity’s own repositories beside a withheld one, and passes none of those checks outright', () => {
    const facts = passingFacts();
    facts.repositories = [goodRepository(), withheldRepository()];
    const checks = evaluateSetupChecks(facts);
    for (const check of checks.filter(c => PER_REPOSITORY.includes(c.id))) {
      expect({ id: check.id, status: check.status }).toEqual({
        id: check.id,
        status: 'unknown',
      });
      expect(check.detail).toContain(`Not checked: ${WITHHELD}.`);
      // The withheld repository's own (good) settings are never reported.
      expect(check.detail).not.toMatch(/^checkout-web: /m);
    }
    const scan = checks.find(c => c.id === 'scan-on-push')!;
    expect(scan.detail.split('\n')[0]).toMatch(/scan/i);
  });

  it('produces JSON-safe results', () => {
    const checks = evaluateSetupChecks(passingFacts());
    expect(JSON.parse(JSON.stringify(checks))).toEqual(checks);
  });
});
