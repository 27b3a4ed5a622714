import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';

/**
 * Who an AWS resource belongs to is a property AWS holds: the resource's own
 * tags. An entity's annotations only say which resources it claims; a claim is
 * honoured when the resource's tags name the entity, or the entity's owner.
 */

/**
 * The tag keys that bind an AWS resource to a catalog entity or its owner.
 *
 * @public
 */
export interface OwnershipTagKeys {
  /** Names the entity, as a full ref: `component:default/payments-api`. */
  entityRefTag: string;
  /** Names the owner, as a full ref: `group:default/team-b`. */
  ownerTag: string;
}

/**
 * The tag keys used unless `ecr.ownership.*` says otherwise.
 *
 * @public
 */
export const DEFAULT_OWNERSHIP_TAG_KEYS: OwnershipTagKeys = {
  entityRefTag: 'backstage.io/entity-ref',
  ownerTag: 'backstage.io/owner',
};

/**
 * What happens to reads of a repository with neither tag: shown with the
 * `repository-owner` check failing and no fix offered (`read-only`), shown
 * (`allow`), or refused (`deny`).
 *
 * @public
 */
export type UnboundReadPolicy = 'read-only' | 'allow' | 'deny';

/** @public */
export const UNBOUND_READ_POLICIES: readonly UnboundReadPolicy[] = [
  'read-only',
  'allow',
  'deny',
];

/**
 * The entity a request acts for, as ownership sees it.
 *
 * @public
 */
export interface OwnershipSubject {
  /** The entity's full ref, lower-case: `component:default/payments-api`. */
  entityRef: string;
  /** The full ref of the entity's `spec.owner`, when it has one. */
  ownerRef?: string;
}

/**
 * How a resource's tags relate to an entity.
 *
 * @public
 */
export type Binding =
  /** The entity-ref tag names the entity. */
  | { state: 'entity'; boundTo: string }
  /** The owner tag names the entity's owner. */
  | { state: 'owner'; boundTo: string }
  /** Neither tag is set. */
  | { state: 'unbound' }
  /** A tag names another entity or owner. */
  | { state: 'elsewhere'; boundTo: string; tag: string };

/**
 * True when the binding lets the entity act on the resource.
 *
 * @public
 */
export function belongs(binding: Binding): boolean {
  return binding.state === 'entity' || binding.state === 'owner';
}

/**
 * A ref as compared: full, lower-case; a value that is no ref is kept as written.
 *
 * @public
 */
export function normaliseRef(
  value: string,
  defaults: { defaultKind?: string; defaultNamespace?: string } = {},
): string {
  const trimmed = value.trim();
  try {
    return stringifyEntityRef(
      parseEntityRef(trimmed, {
        defaultNamespace: 'default',
        ...defaults,
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return trimmed.toLocaleLowerCase('en-US');
  }
}

/**
 * The entity's ref and its owner's, as tags would name them.
 *
 * @public
 */
export function ownershipSubjectOf(entity: Entity): OwnershipSubject {
  const entityRef = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
  const owner = entity.spec?.owner;
  return {
    entityRef,
    ...(typeof owner === 'string' &&
      owner.trim() && {
        ownerRef: normaliseRef(owner, {
          defaultKind: 'group',
          defaultNamespace: entity.metadata.namespace ?? 'default',
        }),
      }),
  };
}

/**
 * Judges a resource's tags against an entity: the entity-ref tag naming the
 * entity, or the owner tag naming its owner, bind the resource to it; a tag
 * naming anyone else binds it elsewhere; no tag leaves it unbound.
 *
 * @public
 */
export function judgeBinding(
  tags: Readonly<Record<string, string>>,
  subject: OwnershipSubject,
  keys: OwnershipTagKeys = DEFAULT_OWNERSHIP_TAG_KEYS,
): Binding {
  const entityTag = tags[keys.entityRefTag]?.trim();
  const ownerTag = tags[keys.ownerTag]?.trim();
  if (entityTag && normaliseRef(entityTag) === subject.entityRef) {
    return { state: 'entity', boundTo: subject.entityRef };
  }
  if (
    ownerTag &&
    subject.ownerRef &&
    normaliseRef(ownerTag, { defaultKind: 'group' }) === subject.ownerRef
  ) {
    return { state: 'owner', boundTo: subject.ownerRef };
  }
  if (entityTag) {
    return {
      state: 'elsewhere',
      boundTo: normaliseRef(entityTag),
      tag: keys.entityRefTag,
    };
  }
  if (ownerTag) {
    return {
      state: 'elsewhere',
      boundTo: normaliseRef(ownerTag, { defaultKind: 'group' }),
      tag: keys.ownerTag,
    };
  }
  return { state: 'unbound' };
}

/**
 * The tags that bind a resource to the entity (and its owner, when it has one).
 *
 * @public
 */
export function bindingTags(
  subject: OwnershipSubject,
  keys: OwnershipTagKeys = DEFAULT_OWNERSHIP_TAG_KEYS,
): Record<string, string> {
  return {
    [keys.entityRefTag]: subject.entityRef,
    ...(subject.ownerRef && { [keys.ownerTag]: subject.ownerRef }),
  };
}

/**
 * One sentence on a binding, for check details and refusals.
 *
 * @public
 */
export function describeBinding(
  what: string,
  binding: Binding,
  keys: OwnershipTagKeys = DEFAULT_OWNERSHIP_TAG_KEYS,
): string {
  switch (binding.state) {
    case 'entity':
      return `${what} belongs to ${binding.boundTo} (tag ${keys.entityRefTag})`;
    case 'owner':
      return `${what} belongs to ${binding.boundTo}, the entity's owner (tag ${keys.ownerTag})`;
    case 'unbound':
      return `${what} is unbound: it has neither a ${keys.entityRefTag} nor a ${keys.ownerTag} tag`;
    default:
      return `${what} belongs to ${binding.boundTo} (tag ${binding.tag}), not to this entity`;
  }
}
