import {
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';

/** The people who start tasks in these tests. */
export const USERS = {
  /** A member of team-a, as in the demo. */
  guest: 'user:default/guest',
  /** A member of team-b. */
  bob: 'user:default/bob',
  /** A member of platform-team, which the demo policy lets act for anyone. */
  alice: 'user:default/alice',
} as const;

export const TEAM_A = 'group:default/team-a';
export const TEAM_B = 'group:default/team-b';
export const PLATFORM_TEAM = 'group:default/platform-team';

const MEMBER_OF: Record<string, string> = {
  [USERS.guest]: 'team-a',
  [USERS.bob]: 'team-b',
  [USERS.alice]: 'platform-team',
};

/** The ownership claims of a user, as the catalog would resolve them. */
export function claimsOf(userEntityRef: string): string[] {
  const team = MEMBER_OF[userEntityRef];
  return team ? [userEntityRef, `group:default/${team}`] : [userEntityRef];
}

/** The users, their groups, and payments-api, owned by team-b. */
export const CATALOG_ENTITIES: Entity[] = [
  ...Object.entries(MEMBER_OF).map(([ref, team]) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: ref.split('/')[1], namespace: 'default' },
    spec: { memberOf: [team] },
  })),
  ...['team-a', 'team-b', 'platform-team'].map(name => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type: 'team', children: [] },
  })),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments-api', namespace: 'default' },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-b' },
  },
];

/** Ownership claims of the users above, as the catalog would resolve them. */
export function userInfoService(): UserInfoService {
  return {
    async getUserInfo(credentials: BackstageCredentials) {
      const principal = credentials.principal as {
        type?: string;
        userEntityRef?: string;
      };
      if (principal.type !== 'user' || !principal.userEntityRef) {
        throw new Error(`no user info for a ${principal.type} principal`);
      }
      return {
        userEntityRef: principal.userEntityRef,
        ownershipEntityRefs: claimsOf(principal.userEntityRef),
      };
    },
  };
}

/** The same, as the backend's coreServices.userInfo. */
export const userInfoFactory = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => userInfoService(),
});

/**
 * The services the actions act as the initiator with: the catalog above, the
 * users' claims, and a permission policy that allows ecr.repository.create
 * and ecr.push-access.grant to platform-team only (the owners are let in by
 * their claims before the policy is asked).
 */
export function initiatorServices() {
  const permissions = mockServices.permissions.mock();
  permissions.authorize.mockImplementation(async (requests, options) => {
    const principal = options.credentials.principal as {
      userEntityRef?: string;
    };
    const claims = principal.userEntityRef
      ? claimsOf(principal.userEntityRef)
      : [];
    const result = claims.includes(PLATFORM_TEAM)
      ? AuthorizeResult.ALLOW
      : AuthorizeResult.DENY;
    return requests.map(() => ({ result }));
  });
  return {
    catalog: catalogServiceMock({ entities: CATALOG_ENTITIES }),
    userInfo: userInfoService(),
    permissions,
  };
}

/** getInitiatorCredentials of a task started by `userEntityRef`. */
export function startedBy(userEntityRef: string) {
  return () => Promise.resolve(mockCredentials.user(userEntityRef));
}

/** getInitiatorCredentials of a task started by a backend service, with no user. */
export function startedByService() {
  return () => Promise.resolve(mockCredentials.service('plugin:catalog'));
}
