import { SetupCheck, SetupCheckId } from '@backstage-ecr/plugin-ecr-common';

/** The checks that say whether the entity's AWS resources belong to it. */
export const OWNER_CHECK_IDS = ['repository-owner', 'push-role-owner'] as const;
export type OwnerCheckId = (typeof OWNER_CHECK_IDS)[number];

export function isOwnerCheck(id: string): id is OwnerCheckId {
  return (OWNER_CHECK_IDS as readonly string[]).includes(id);
}

/** How an owner check stands, as far as a claim is concerned. */
export interface OwnerCheckState {
  /** The check fails (or warns) on a resource that does not belong to the entity. */
  failing: boolean;
  /** A resource it names has no binding tag, so a claim would bind it. */
  unbound: boolean;
  /** A resource it names is bound to another entity or owner. */
  elsewhere: boolean;
}

/**
 * Reads an owner check from the bindings it carries (each resource and who
 * AWS says it belongs to). An answer without them (an older backend) is read
 * from the detail's words instead: "… is unbound: …" or "… belongs to X (tag
 * …), not to this entity".
 */
export function ownerCheckState(check: SetupCheck): OwnerCheckState {
  const failing = check.status === 'fail' || check.status === 'warn';
  if (check.bindings) {
    return {
      failing,
      unbound: failing && check.bindings.some(b => b.state === 'unbound'),
      elsewhere: failing && check.bindings.some(b => b.state === 'elsewhere'),
    };
  }
  return {
    failing,
    unbound: failing && /\bis unbound\b/i.test(check.detail),
    elsewhere: failing && /\bnot to this entity\b/i.test(check.detail),
  };
}

/**
 * The owner checks a write fix depends on: the backend refuses to create or
 * grant for a repository or role that does not belong to the entity.
 */
const FIX_DEPENDS_ON: Partial<Record<SetupCheckId, OwnerCheckId[]>> = {
  'repository-exists': ['repository-owner'],
  'push-permissions': ['repository-owner', 'push-role-owner'],
  'scan-on-push': ['repository-owner'],
  'tag-immutability': ['repository-owner'],
  'lifecycle-policy': ['repository-owner'],
};

/** The failing owner check that keeps a write fix from being offered, if any. */
export function blockingOwnerCheck(
  id: SetupCheckId,
  checks: SetupCheck[] = [],
): SetupCheck | undefined {
  return (FIX_DEPENDS_ON[id] ?? [])
    .map(ownerId => checks.find(c => c.id === ownerId))
    .find(c => c && ownerCheckState(c).failing);
}
