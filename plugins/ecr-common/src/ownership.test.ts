import {
  belongs,
  bindingTags,
  DEFAULT_OWNERSHIP_TAG_KEYS,
  describeBinding,
  judgeBinding,
  ownershipSubjectOf,
  OwnershipSubject,
} from './ownership';

const ENTITY_TAG = 'backstage.io/entity-ref';
const OWNER_TAG = 'backstage.io/owner';

/** payments-api, owned by team B. */
const PAYMENTS: OwnershipSubject = {
  entityRef: 'component:default/payments-api',
  ownerRef: 'group:default/team-b',
};

describe('judgeBinding', () => {
  it('binds a resource whose entity-ref tag names the entity', () => {
    expect(
      judgeBinding(
        { [ENTITY_TAG]: 'component:default/payments-api' },
        PAYMENTS,
      ),
    ).toEqual({ state: 'entity', boundTo: 'component:default/payments-api' });
  });

  it('binds a resource whose owner tag names the entity’s owner', () => {
    expect(
      judgeBinding({ [OWNER_TAG]: 'group:default/team-b' }, PAYMENTS),
    ).toEqual({ state: 'owner', boundTo: 'group:default/team-b' });
  });

  it('compares refs case-insensitively, and ignores surrounding spaces', () => {
    expect(
      judgeBinding(
        { [ENTITY_TAG]: ' Component:Default/Payments-API ' },
        PAYMENTS,
      ),
    ).toMatchObject({ state: 'entity' });
    expect(
      judgeBinding({ [OWNER_TAG]: 'GROUP:default/Team-B' }, PAYMENTS),
    ).toMatchObject({ state: 'owner' });
  });

  it('reads a bare owner name as a group in the default namespace', () => {
    expect(judgeBinding({ [OWNER_TAG]: 'team-b' }, PAYMENTS)).toEqual({
      state: 'owner',
      boundTo: 'group:default/team-b',
    });
    expect(judgeBinding({ [OWNER_TAG]: 'team-a' }, PAYMENTS)).toEqual({
      state: 'elsewhere',
      boundTo: 'group:default/team-a',
      tag: OWNER_TAG,
    });
  });

  it('does not take a bare entity name for the entity: it names no kind', () => {
    expect(judgeBinding({ [ENTITY_TAG]: 'payments-api' }, PAYMENTS)).toEqual({
      state: 'elsewhere',
      boundTo: 'payments-api',
      tag: ENTITY_TAG,
    });
  });

  it('binds a resource elsewhere when its entity-ref tag names another entity', () => {
    expect(
      judgeBinding(
        { [ENTITY_TAG]: 'component:default/checkout-web' },
        PAYMENTS,
      ),
    ).toEqual({
      state: 'elsewhere',
      boundTo: 'component:default/checkout-web',
      tag: ENTITY_TAG,
    });
  });

  it('does not mistake an entity of the same name in another kind or namespace for the entity', () => {
    for (const other of [
      'resource:default/payments-api',
      'component:finance/payments-api',
      'group:default/payments-api',
    ]) {
      expect(judgeBinding({ [ENTITY_TAG]: other }, PAYMENTS)).toMatchObject({
        state: 'elsewhere',
        boundTo: other,
      });
    }
  });

  it('binds a resource elsewhere when its owner tag names another owner', () => {
    expect(
      judgeBinding({ [OWNER_TAG]: 'group:default/team-a' }, PAYMENTS),
    ).toEqual({
      state: 'elsewhere',
      boundTo: 'group:default/team-a',
      tag: OWNER_TAG,
    });
  });

  it('names the entity-ref tag’s entity when both tags name someone else', () => {
    expect(
      judgeBinding(
        {
          [ENTITY_TAG]: 'component:default/checkout-web',
          [OWNER_TAG]: 'group:default/team-a',
        },
        PAYMENTS,
      ),
    ).toMatchObject({
      state: 'elsewhere',
      boundTo: 'component:default/checkout-web',
    });
  });

  it('lets the entity-ref tag naming the entity win over an owner tag naming another team', () => {
    expect(
      judgeBinding(
        {
          [ENTITY_TAG]: 'component:default/payments-api',
          [OWNER_TAG]: 'group:default/team-a',
        },
        PAYMENTS,
      ),
    ).toMatchObject({ state: 'entity' });
  });

  it('leaves a resource with neither tag (or only empty ones) unbound', () => {
    expect(judgeBinding({}, PAYMENTS)).toEqual({ state: 'unbound' });
    expect(judgeBinding({ team: 'team-b', owner: 'team-b' }, PAYMENTS)).toEqual(
      { state: 'unbound' },
    );
    expect(
      judgeBinding({ [ENTITY_TAG]: ' ', [OWNER_TAG]: '' }, PAYMENTS),
    ).toEqual({ state: 'unbound' });
  });

  it('binds nothing through the owner tag for an entity without an owner', () => {
    const ownerless: OwnershipSubject = {
      entityRef: 'component:default/payments-api',
    };
    expect(
      judgeBinding({ [OWNER_TAG]: 'group:default/team-b' }, ownerless),
    ).toMatchObject({ state: 'elsewhere' });
    // An empty owner ref matches no empty tag either.
    expect(
      judgeBinding({ [OWNER_TAG]: '' }, { ...ownerless, ownerRef: '' }),
    ).toEqual({ state: 'unbound' });
  });

  it('reads the configured tag keys, and only those', () => {
    const keys = {
      entityRefTag: 'example.com/entity',
      ownerTag: 'example.com/team',
    };
    expect(
      judgeBinding(
        { 'example.com/entity': 'component:default/payments-api' },
        PAYMENTS,
        keys,
      ),
    ).toMatchObject({ state: 'entity' });
    expect(
      judgeBinding(
        { 'example.com/team': 'group:default/team-b' },
        PAYMENTS,
        keys,
      ),
    ).toMatchObject({ state: 'owner' });
    expect(
      judgeBinding(
        { 'example.com/team': 'group:default/team-a' },
        PAYMENTS,
        keys,
      ),
    ).toEqual({
      state: 'elsewhere',
      boundTo: 'group:default/team-a',
      tag: 'example.com/team',
    });
    // The default keys mean nothing under other keys.
    expect(
      judgeBinding(
        {
          [ENTITY_TAG]: 'component:default/payments-api',
          [OWNER_TAG]: 'group:default/team-b',
        },
        PAYMENTS,
        keys,
      ),
    ).toEqual({ state: 'unbound' });
  });

  it('lets only entity and owner bindings act', () => {
    expect(belongs({ state: 'entity', boundTo: 'x' })).toBe(true);
    expect(belongs({ state: 'owner', boundTo: 'x' })).toBe(true);
    expect(belongs({ state: 'unbound' })).toBe(false);
    expect(belongs({ state: 'elsewhere', boundTo: 'x', tag: OWNER_TAG })).toBe(
      false,
    );
  });
});

describe('ownershipSubjectOf', () => {
  it('takes the entity’s full lower-case ref and its owner as a group ref in its namespace', () => {
    expect(
      ownershipSubjectOf({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'Payments-API', namespace: 'finance' },
        spec: { owner: 'Team-B' },
      }),
    ).toEqual({
      entityRef: 'component:finance/payments-api',
      ownerRef: 'group:finance/team-b',
    });
  });

  it('keeps an owner given as a full ref, and leaves out a missing one', () => {
    expect(
      ownershipSubjectOf({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'payments-api' },
        spec: { owner: 'user:default/jane' },
      }).ownerRef,
    ).toBe('user:default/jane');
    expect(
      ownershipSubjectOf({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'payments-api' },
      }),
    ).toEqual({ entityRef: 'component:default/payments-api' });
  });
});

describe('bindingTags and describeBinding', () => {
  it('writes the entity tag, and the owner tag when there is an owner', () => {
    expect(bindingTags(PAYMENTS)).toEqual({
      [ENTITY_TAG]: 'component:default/payments-api',
      [OWNER_TAG]: 'group:default/team-b',
    });
    expect(
      bindingTags(
        { entityRef: 'component:default/payments-api' },
        {
          entityRefTag: 'e',
          ownerTag: 'o',
        },
      ),
    ).toEqual({ e: 'component:default/payments-api' });
  });

  it('binds what it writes: the tags judge as the entity’s', () => {
    expect(belongs(judgeBinding(bindingTags(PAYMENTS), PAYMENTS))).toBe(true);
  });

  it('says who a resource belongs to, and by which tag', () => {
    expect(
      describeBinding(
        'Repository payments-api',
        judgeBinding({ [OWNER_TAG]: 'team-a' }, PAYMENTS),
        DEFAULT_OWNERSHIP_TAG_KEYS,
      ),
    ).toBe(
      'Repository payments-api belongs to group:default/team-a (tag backstage.io/owner), not to this entity',
    );
    expect(describeBinding('It', { state: 'unbound' })).toBe(
      'It is unbound: it has neither a backstage.io/entity-ref nor a backstage.io/owner tag',
    );
  });
});
