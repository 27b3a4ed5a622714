import { createHash } from 'crypto';

/**
 * Opaque pagination tokens. A token carries the offset of the next page and a fingerprint of
 * the request it belongs to, so a token replayed with different parameters is refused the way
 * AWS refuses it, instead of silently paging through something else.
 */

export interface PageRequest {
  token?: string;
  max?: number;
  defaultMax: number;
  /** Whatever identifies the listing: operation, repository, filters. */
  scope: string;
}

export interface Page<T> {
  items: T[];
  next?: string;
}

function fingerprint(scope: string): string {
  return createHash('sha256').update(scope).digest('base64url').slice(0, 12);
}

export function encodeToken(offset: number, scope: string): string {
  return Buffer.from(
    JSON.stringify({ o: offset, s: fingerprint(scope) }),
  ).toString('base64url');
}

/** Returns the offset a token points at, or undefined when it is not one of ours for `scope`. */
export function decodeToken(token: string, scope: string): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (
      typeof parsed?.o === 'number' &&
      Number.isInteger(parsed.o) &&
      parsed.o >= 0 &&
      parsed.s === fingerprint(scope)
    ) {
      return parsed.o;
    }
  } catch {
    // fall through: not a token we issued
  }
  return undefined;
}

export function paginate<T>(
  items: T[],
  request: PageRequest,
  invalidToken: () => Error,
): Page<T> {
  let offset = 0;
  if (request.token !== undefined) {
    const decoded = decodeToken(request.token, request.scope);
    if (decoded === undefined) throw invalidToken();
    offset = decoded;
  }
  const size = request.max ?? request.defaultMax;
  const end = offset + size;
  return {
    items: items.slice(offset, end),
    next: end < items.length ? encodeToken(end, request.scope) : undefined,
  };
}
