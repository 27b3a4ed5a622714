import {
  BackstageCredentials,
  BackstageUserPrincipal,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  normaliseRef,
  OwnershipSubject,
  ownershipSubjectOf,
} from '@backstage-ecr/plugin-ecr-common';
import {
  CompoundEntityRef,
  makeValidator,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';

/** Who a step acts for, and whether the catalog vouched for it. */
export interface Initiated {
  subject: OwnershipSubject;
  /**
   * False when the initiator's catalog has no such entity: then its owner is
   * only what the task's input says (see {@link refuseOtherOwner}).
   */
  catalogued: boolean;
}

/**
 * What the actions need to act as the task's initiator.
 *
 * @public
 */
export interface InitiatorServices {
  catalog: CatalogService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
}

/**
 * The entity a scaffolder step acts for, checked against the task's
 * initiator, as the ECR tab's fixes check the signed-in user:
 * - a task with no user behind it does nothing;
 * - when the catalog has the entity already, it is that entity, with its
 *   owner from the catalog (a template cannot name another team's service as
 *   its own);
 * - the initiator must hold the owner among their ownership claims, unless
 *   the permission policy allows `permission` on the entity anyway (e.g. the
 *   platform team).
 */
export async function actAsInitiator(
  services: InitiatorServices,
  getCredentials: () => Promise<BackstageCredentials>,
  input: { entityRef: string; owner: string },
  permission: ResourcePermission<'catalog-entity'>,
): Promise<Initiated> {
  const credentials = await getCredentials();
  if (!isUser(credentials)) {
    throw new NotAllowedError(
      'This action acts only for the user who started the task, and this task has no user behind it',
    );
  }
  const entityRef = checkedRef('entityRef', input.entityRef, 'component');
  const existing = await services.catalog.getEntityByRef(entityRef, {
    credentials,
  });
  const subject: OwnershipSubject = existing
    ? ownershipSubjectOf(existing)
    : {
        entityRef,
        ownerRef: checkedRef('owner', input.owner, 'group'),
      };
  const { ownershipEntityRefs } = await services.userInfo.getUserInfo(
    credentials,
  );
  const claims = ownershipEntityRefs.map(ref => ref.toLocaleLowerCase('en-US'));
  const initiated = { subject, catalogued: existing !== undefined };
  if (subject.ownerRef && claims.includes(subject.ownerRef)) return initiated;
  const [decision] = await services.permissions.authorize(
    [{ permission, resourceRef: entityRef }],
    { credentials },
  );
  if (decision.result === AuthorizeResult.ALLOW) return initiated;
  throw new NotAllowedError(
    `${credentials.principal.userEntityRef} may not act for ${entityRef}: ${
      existing
        ? `the catalog says it is owned by ${subject.ownerRef ?? 'nobody'}`
        : `it would be owned by ${subject.ownerRef}`
    }, which is not among your ownership claims, and ${
      permission.name
    } is not granted to you for it`,
  );
}

const validator = makeValidator();

/**
 * An input naming an entity, as the full lower-case ref the binding tags
 * carry; refused (400) unless its kind, namespace and name follow the
 * catalog's rules, so that nothing else is ever written as a tag.
 */
function checkedRef(input: string, value: string, defaultKind: string) {
  let ref: CompoundEntityRef | undefined;
  try {
    ref = parseEntityRef(value.trim(), {
      defaultKind,
      defaultNamespace: 'default',
    });
  } catch {
    ref = undefined;
  }
  if (
    !ref ||
    !validator.isValidKind(ref.kind) ||
    !validator.isValidNamespace(ref.namespace) ||
    !validator.isValidEntityName(ref.name)
  ) {
    throw new InputError(
      `${input} ${JSON.stringify(
        value.slice(0, 200),
      )} is not an entity ref, e.g. ${
        defaultKind === 'group'
          ? 'group:default/team-a'
          : 'component:default/orders-api'
      }`,
    );
  }
  return normaliseRef(stringifyEntityRef(ref));
}

function isUser(
  credentials: BackstageCredentials,
): credentials is BackstageCredentials<BackstageUserPrincipal> {
  return (
    (credentials.principal as { type?: string } | undefined)?.type === 'user'
  );
}

/**
 * For an entity the catalog does not have (or does not show the initiator),
 * the owner is only what the task's input says, and anyone may name the
 * entity: a repository's entity-ref tag naming it proves nothing about who
 * runs the task. So a repository whose owner tag names someone other than
 * that owner is theirs, and is not handed to the task (403), even though the
 * AWS layer would count it as the entity's by its entity-ref tag.
 */
export function refuseOtherOwner(
  tags: Readonly<Record<string, string>> | null,
  what: string,
  initiated: Initiated,
  keys: { ownerTag: string },
): void {
  const { subject, catalogued } = initiated;
  const tagged = tags?.[keys.ownerTag]?.trim();
  if (catalogued || !tagged) return;
  const taggedOwner = normaliseRef(tagged, { defaultKind: 'group' });
  if (taggedOwner === subject.ownerRef) return;
  throw new NotAllowedError(
    `${what} belongs to ${taggedOwner} (tag ${keys.ownerTag}); ${
      subject.entityRef
    } is not in the catalog, so only this task's input says it is ${
      subject.ownerRef ?? 'anyone'
    }'s, and Backstage does not hand ${taggedOwner}'s repository over to it. If the entity is ${taggedOwner}'s, register it in the catalog; a member of ${taggedOwner} can then act for it.`,
  );
}
