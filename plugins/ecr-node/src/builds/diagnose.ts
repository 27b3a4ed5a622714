import { BuildDiagnosis } from '@backstage-ecr/plugin-ecr-common';

/** The longest log line a diagnosis quotes; longer ones are cut. */
const MAX_MESSAGE_LENGTH = 1000;

/**
 * The log lines that say why a build's push failed, each with the setup check
 * whose fix would have avoided it (DESIGN §6a). The AWS CLI and the SDKs name
 * the exception; `docker push` words the same refusals its own way, so both
 * are matched.
 */
const PATTERNS: Array<{
  checkId: 'push-permissions' | 'repository-exists' | 'tag-immutability';
  pattern: RegExp;
}> = [
  // "… is not authorized to perform: ecr:GetAuthorizationToken on resource: *"
  {
    checkId: 'push-permissions',
    pattern: /not authorized to perform:?\s+ecr:[A-Za-z]+/,
  },
  { checkId: 'repository-exists', pattern: /RepositoryNotFoundException/ },
  // docker push: "name unknown: The repository with name 'x' does not exist …"
  {
    checkId: 'repository-exists',
    pattern: /name unknown: The repository with name .* does not exist/,
  },
  { checkId: 'tag-immutability', pattern: /ImageTagAlreadyExistsException/ },
  // docker push: "tag invalid: The image tag 'x' already exists in the 'y'
  // repository and cannot be overwritten because the repository is immutable."
  {
    checkId: 'tag-immutability',
    pattern: /tag invalid: The image tag .* already exists .* immutable/,
  },
];

/**
 * The first line of a build's log that names a known cause, matched to its
 * check; undefined when no line does. `roleBelongs` is false when the build's
 * role is known not to belong to the entity: a refused push is then the
 * role's ownership to fix (`push-role-owner`), not its policy.
 */
export function diagnoseLog(
  lines: Iterable<string>,
  options: { roleBelongs?: boolean } = {},
): BuildDiagnosis | undefined {
  for (const raw of lines) {
    const line = raw.trim();
    const match = PATTERNS.find(p => p.pattern.test(line));
    if (match) {
      const checkId =
        match.checkId === 'push-permissions' && options.roleBelongs === false
          ? 'push-role-owner'
          : match.checkId;
      return {
        checkId,
        message:
          line.length > MAX_MESSAGE_LENGTH
            ? `${line.slice(0, MAX_MESSAGE_LENGTH - 1)}…`
            : line,
      };
    }
  }
  return undefined;
}

/**
 * The digests `docker push` reports pushing: it ends each pushed tag with
 * `<tag>: digest: sha256:<64 hex> size: <bytes>`. Distinct, in log order.
 */
export function pushedDigests(lines: Iterable<string>): string[] {
  const found = new Set<string>();
  for (const line of lines) {
    for (const match of line.matchAll(
      /\bdigest: (sha256:[0-9a-f]{64}) size: \d+/g,
    )) {
      found.add(match[1]);
    }
  }
  return [...found];
}
