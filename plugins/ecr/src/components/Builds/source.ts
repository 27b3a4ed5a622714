import { BuildSummary } from '@backstage-ecr/plugin-ecr-common';

/** The catalog's annotation naming where an entity's source lives. */
export const SOURCE_LOCATION_ANNOTATION = 'backstage.io/source-location';

/** A commit id, as CodeBuild reports a built commit (not a branch or a tag). */
const COMMIT = /^[0-9a-f]{7,40}$/i;

/** The first seven hex digits of a commit, as git shows them; other versions as they are. */
export function shortSourceVersion(version: string): string {
  return COMMIT.test(version) ? version.slice(0, 7) : version;
}

/**
 * The page of one commit in the repository that `sourceLocation` (the
 * `backstage.io/source-location` annotation: `url:https://github.com/org/repo/tree/main/`)
 * names, for GitHub, GitLab and Bitbucket (cloud and server); undefined for
 * any other host, or when `version` is not a commit id (a branch, a tag).
 */
export function commitUrl(
  sourceLocation: string | undefined,
  version: string | undefined,
): string | undefined {
  if (!sourceLocation || !version || !COMMIT.test(version)) return undefined;
  const target = sourceLocation.replace(/^url:/, '');
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const host = url.hostname.toLowerCase();
  const segments = url.pathname
    .split('/')
    .filter(Boolean)
    .map(segment => segment.replace(/\.git$/, ''));
  const base = `${url.protocol}//${url.host}`;
  const sha = encodeURIComponent(version);

  if (host.includes('github')) {
    if (segments.length < 2) return undefined;
    return `${base}/${segments[0]}/${segments[1]}/commit/${sha}`;
  }
  if (host.includes('gitlab')) {
    // Groups nest: the project's path runs up to GitLab's `/-/` separator.
    const end = segments.indexOf('-');
    const project = end === -1 ? segments : segments.slice(0, end);
    if (project.length < 2) return undefined;
    return `${base}/${project.join('/')}/-/commit/${sha}`;
  }
  if (host.includes('bitbucket')) {
    // Bitbucket Server: /projects/KEY/repos/NAME/browse
    if (segments[0] === 'projects' && segments[2] === 'repos' && segments[3]) {
      return `${base}/projects/${segments[1]}/repos/${segments[3]}/commits/${sha}`;
    }
    if (segments.length < 2) return undefined;
    return `${base}/${segments[0]}/${segments[1]}/commits/${sha}`;
  }
  return undefined;
}

/** "#12", or the end of the build's id where CodeBuild gave no number. */
export function buildLabel(build: Pick<BuildSummary, 'id' | 'buildNumber'>) {
  if (build.buildNumber !== undefined) return `#${build.buildNumber}`;
  const uuid = build.id.split(':').pop() ?? build.id;
  return uuid.slice(0, 8);
}

/** The build that pushed an image: the one whose digests include it. */
export function buildOfImage(
  builds: BuildSummary[] | undefined,
  digest: string,
): BuildSummary | undefined {
  return builds?.find(build => build.imageDigests.includes(digest));
}

/** A build that has not ended. */
export function isRunning(build: Pick<BuildSummary, 'status'>): boolean {
  return build.status === 'IN_PROGRESS';
}
