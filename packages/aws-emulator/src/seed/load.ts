import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { parse as parseYaml } from 'yaml';
import {
  policyArn,
  projectArn,
  registryHost,
  roleArn,
  uniqueId,
  userArn,
} from '../arn';
import { AwsError } from '../errors';
import {
  BUILDSPEC,
  buildSessionArn,
  buildSessionName,
  cliErrorLine,
  completeBuild,
  imageTagOf,
  newBuild,
  pushTarget,
} from '../services/builds';
import { parsePolicy, PolicyKind } from '../iam/policy';
import {
  Account,
  addImage,
  CodeBuildProject,
  EmulatorState,
  emptyState,
  Image,
  ImageScan,
  ManagedPolicy,
  newAccount,
  newRepository,
  registryOf,
  Repository,
  Tag,
} from '../state';
import {
  checkRepositoryPolicy,
  formatRepositoryPolicy,
  RepositoryPolicyError,
} from '../ecrPolicy';
import { generateImages } from './generate';
import {
  basicFinding,
  countSeverities,
  DOCKER_CONFIG,
  DOCKER_MANIFEST,
  enhancedFinding,
  registerLayers,
  synthesizeManifest,
} from './images';
import {
  RELATIVE_TIME,
  Seed,
  SeedAccount,
  SeedBuild,
  SeedDocument,
  SeedError,
  SeedImage,
  SeedManagedPolicy,
  SeedTime,
  validateSeed,
} from './schema';

/** Reads and validates a seed file (YAML, or JSON, which is YAML too). */
export function readSeedFile(path: string): Seed {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SeedError(
      `cannot read seed file ${path}: ${(e as Error).message}`,
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new SeedError(`${path}: ${(e as Error).message}`);
  }
  return validateSeed(raw);
}

const UNITS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** ISO-8601 times, `now`, or times relative to start-up such as `-3d` (three days ago). */
export function resolveTime(
  value: SeedTime | undefined,
  now: Date,
): Date | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date) return value;
  if (value === 'now') return now;
  const relative = RELATIVE_TIME.exec(value);
  if (relative) {
    return new Date(now.getTime() - Number(relative[1]) * UNITS[relative[2]]);
  }
  return new Date(value);
}

/** Documents are kept as JSON text; objects from YAML are pretty-printed as IAM shows them. */
function documentText(
  doc: SeedDocument,
  kind: PolicyKind | 'lifecycle',
  path: string,
): string {
  const text = typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2);
  if (kind !== 'lifecycle') {
    try {
      parsePolicy(text, kind);
    } catch (e) {
      throw new SeedError(
        `${path}: not a valid ${kind} policy: ${(e as Error).message}`,
      );
    }
  }
  return text;
}

/**
 * A seeded repository policy, held to SetRepositoryPolicy's checks (principals are not looked
 * up: the seed may name entities it creates later) and kept in the form ECR answers.
 */
function repositoryPolicyText(doc: SeedDocument, path: string): string {
  const text = documentText(doc, 'resource', path);
  try {
    checkRepositoryPolicy(text);
  } catch (e) {
    if (e instanceof RepositoryPolicyError) {
      throw new SeedError(`${path}: ECR would refuse it: ${e.message}`);
    }
    throw e;
  }
  return formatRepositoryPolicy(text);
}

/** What a service accepts as tags; seeded tags are held to the same rules as tagging calls. */
interface TagRules {
  keyMax: number;
  valueMax: number;
  /** The characters the service's model allows in keys and values. */
  pattern?: RegExp;
  /** IAM users and roles: keys differing only in case are the same key. */
  caseInsensitiveKeys?: boolean;
}

const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const IAM_TAGS: TagRules = {
  keyMax: 128,
  valueMax: 256,
  pattern: TAG_CHARACTERS,
  caseInsensitiveKeys: true,
};
const IAM_POLICY_TAGS: TagRules = { ...IAM_TAGS, caseInsensitiveKeys: false };
const ECR_TAGS: TagRules = { keyMax: 128, valueMax: 256 };
const CODEBUILD_TAGS: TagRules = {
  keyMax: 127,
  valueMax: 255,
  pattern: TAG_CHARACTERS,
};
/** Every service here allows 50 tags per resource. */
const TAGS_PER_RESOURCE = 50;

function tagList(
  tags: Record<string, string> | undefined,
  rules: TagRules,
  path: string,
): Tag[] {
  const entries = Object.entries(tags ?? {});
  if (entries.length > TAGS_PER_RESOURCE) {
    throw new SeedError(
      `${path}: at most ${TAGS_PER_RESOURCE} tags per resource`,
    );
  }
  const seen = new Set<string>();
  for (const [key, value] of entries) {
    // Lengths count characters (code points), as AWS counts them.
    const keyLength = [...key].length;
    if (keyLength < 1 || keyLength > rules.keyMax) {
      throw new SeedError(
        `${path}.${key}: a tag key has 1 to ${rules.keyMax} characters`,
      );
    }
    if ([...value].length > rules.valueMax) {
      throw new SeedError(
        `${path}.${key}: a tag value has at most ${rules.valueMax} characters`,
      );
    }
    if (
      rules.pattern &&
      !(rules.pattern.test(key) && rules.pattern.test(value))
    ) {
      throw new SeedError(
        `${path}.${key}: tags may only use letters, digits, spaces and _ . : / = + - @`,
      );
    }
    if (key.toLowerCase().startsWith('aws:')) {
      throw new SeedError(`${path}.${key}: the prefix aws: is reserved`);
    }
    const folded = rules.caseInsensitiveKeys ? key.toLowerCase() : key;
    if (seen.has(folded)) {
      throw new SeedError(
        `${path}.${key}: the same key in another case (keys are case-insensitive here)`,
      );
    }
    seen.add(folded);
  }
  return entries.map(([Key, Value]) => ({ Key, Value }));
}

function managedPolicy(
  seed: SeedManagedPolicy,
  owner: string,
  now: Date,
  path: string,
): ManagedPolicy {
  const iamPath = seed.path ?? '/';
  const arn = policyArn(owner, iamPath, seed.name);
  const createdAt = resolveTime(seed.createdAt, now) ?? now;
  let versions = (seed.versions ?? []).map((v, i) => ({
    id: v.id,
    document: documentText(
      v.document,
      'identity',
      `${path}.versions[${i}].document`,
    ),
    createdAt: resolveTime(v.createdAt, now) ?? createdAt,
  }));
  if (seed.document !== undefined) {
    versions = [
      {
        id: 'v1',
        document: documentText(seed.document, 'identity', `${path}.document`),
        createdAt,
      },
      ...versions.filter(v => v.id !== 'v1'),
    ];
  }
  if (versions.length === 0) {
    throw new SeedError(`${path}: needs a document or versions`);
  }
  const defaultVersionId =
    seed.defaultVersion ?? versions[versions.length - 1].id;
  if (!versions.some(v => v.id === defaultVersionId)) {
    throw new SeedError(
      `${path}.defaultVersion: no version ${defaultVersionId}`,
    );
  }
  return {
    arn,
    name: seed.name,
    path: iamPath,
    id: uniqueId('ANPA', arn),
    description: seed.description,
    createdAt,
    updatedAt: versions.reduce(
      (latest, v) => (v.createdAt > latest ? v.createdAt : latest),
      createdAt,
    ),
    defaultVersionId,
    versions,
    awsManaged: owner === 'aws',
    tags: tagList(seed.tags, IAM_POLICY_TAGS, `${path}.tags`),
  };
}

/** Managed policies are attached by ARN, or by name for the account's own and AWS's. */
function resolvePolicyRef(
  state: EmulatorState,
  account: Account,
  ref: string,
  path: string,
): string {
  if (ref.startsWith('arn:')) {
    if (!account.policies.has(ref) && !state.awsManagedPolicies.has(ref)) {
      throw new SeedError(`${path}: no managed policy ${ref} in the seed`);
    }
    return ref;
  }
  const own = [...account.policies.values()].find(p => p.name === ref);
  if (own) return own.arn;
  const aws = [...state.awsManagedPolicies.values()].find(p => p.name === ref);
  if (aws) return aws.arn;
  throw new SeedError(`${path}: no managed policy named ${ref} in the seed`);
}

function registerKey(
  state: EmulatorState,
  id: string,
  path: string,
  entry: Parameters<EmulatorState['accessKeys']['set']>[1],
) {
  if (state.accessKeys.has(id)) {
    throw new SeedError(`${path}: access key ${id} is used twice`);
  }
  state.accessKeys.set(id, entry);
}

function defaultScanDescription(
  status: string,
  type: string,
): string | undefined {
  if (status === 'FAILED') {
    return 'UnsupportedImageError: The operating system and/or package manager are not supported.';
  }
  if (status === 'ACTIVE' || (status === 'COMPLETE' && type === 'enhanced')) {
    return 'Continuous scan is selected for image.';
  }
  if (status === 'COMPLETE') return 'The scan was completed successfully.';
  return undefined;
}

function scanOf(
  seed: SeedImage,
  image: Image,
  account: string,
  region: string,
  repository: string,
  now: Date,
): ImageScan | undefined {
  const scan = seed.scan;
  if (!scan) return undefined;
  const type = scan.type ?? 'basic';
  const completedAt = resolveTime(scan.completedAt, now) ?? image.pushedAt;
  const status = scan.status ?? (type === 'enhanced' ? 'ACTIVE' : 'COMPLETE');
  const findings = scan.findings ?? [];
  const completed = status === 'COMPLETE' || status === 'ACTIVE';
  return {
    type,
    status,
    description: scan.description ?? defaultScanDescription(status, type),
    completedAt: completed ? completedAt : undefined,
    vulnerabilitySourceUpdatedAt: completed
      ? resolveTime(scan.vulnerabilitySourceUpdatedAt, now) ?? completedAt
      : undefined,
    severityCounts: scan.severityCounts ?? countSeverities(findings),
    findings: type === 'basic' ? findings.map(basicFinding) : [],
    enhancedFindings:
      type === 'enhanced'
        ? findings.map(f =>
            enhancedFinding(f, {
              account,
              region,
              repository,
              image,
              observedAt: completedAt,
            }),
          )
        : [],
  };
}

function loadAccount(
  state: EmulatorState,
  seed: SeedAccount,
  index: number,
  now: Date,
) {
  const path = `seed.accounts[${index}]`;
  if (state.accounts.has(seed.id)) {
    throw new SeedError(`${path}.id: account ${seed.id} appears twice`);
  }
  const regions = seed.regions?.length ? seed.regions : [state.defaultRegion];
  const account = newAccount(seed.id, regions, seed.alias);
  state.accounts.set(seed.id, account);
  if (seed.organization) {
    account.organization = {
      scps: seed.organization.scps.map((doc, i) =>
        documentText(doc, 'identity', `${path}.organization.scps[${i}]`),
      ),
    };
  }
  for (const region of regions) registryOf(account, region);

  seed.rootAccessKeys?.forEach((key, i) =>
    registerKey(state, key.id, `${path}.rootAccessKeys[${i}]`, {
      accessKeyId: key.id,
      secretAccessKey: key.secret,
      principal: { kind: 'root', accountId: seed.id },
    }),
  );

  seed.managedPolicies?.forEach((p, i) => {
    const policy = managedPolicy(
      p,
      seed.id,
      now,
      `${path}.managedPolicies[${i}]`,
    );
    account.policies.set(policy.arn, policy);
  });

  seed.users?.forEach((u, i) => {
    const userPath = `${path}.users[${i}]`;
    const iamPath = u.path ?? '/';
    const arn = userArn(seed.id, iamPath, u.name);
    account.users.set(u.name, {
      name: u.name,
      path: iamPath,
      arn,
      id: uniqueId('AIDA', arn),
      createdAt: resolveTime(u.createdAt, now) ?? now,
      inlinePolicies: new Map(
        Object.entries(u.inlinePolicies ?? {}).map(([name, doc]) => [
          name,
          documentText(doc, 'identity', `${userPath}.inlinePolicies.${name}`),
        ]),
      ),
      attachedPolicies: (u.managedPolicies ?? []).map((ref, j) =>
        resolvePolicyRef(
          state,
          account,
          ref,
          `${userPath}.managedPolicies[${j}]`,
        ),
      ),
      tags: tagList(u.tags, IAM_TAGS, `${userPath}.tags`),
    });
    u.accessKeys?.forEach((key, j) =>
      registerKey(state, key.id, `${userPath}.accessKeys[${j}]`, {
        accessKeyId: key.id,
        secretAccessKey: key.secret,
        principal: { kind: 'user', accountId: seed.id, userName: u.name },
      }),
    );
  });

  seed.roles?.forEach((r, i) => {
    const rolePath = `${path}.roles[${i}]`;
    const iamPath = r.path ?? '/';
    const arn = roleArn(seed.id, iamPath, r.name);
    const trust = r.trustPolicy ?? {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${seed.id}:root` },
          Action: 'sts:AssumeRole',
        },
      ],
    };
    account.roles.set(r.name, {
      name: r.name,
      path: iamPath,
      arn,
      id: uniqueId('AROA', arn),
      createdAt: resolveTime(r.createdAt, now) ?? now,
      trustPolicy: documentText(trust, 'trust', `${rolePath}.trustPolicy`),
      description: r.description,
      maxSessionDuration: r.maxSessionDuration ?? 3600,
      inlinePolicies: new Map(
        Object.entries(r.inlinePolicies ?? {}).map(([name, doc]) => [
          name,
          documentText(doc, 'identity', `${rolePath}.inlinePolicies.${name}`),
        ]),
      ),
      attachedPolicies: (r.managedPolicies ?? []).map((ref, j) =>
        resolvePolicyRef(
          state,
          account,
          ref,
          `${rolePath}.managedPolicies[${j}]`,
        ),
      ),
      tags: tagList(r.tags, IAM_TAGS, `${rolePath}.tags`),
      permissionsBoundary: r.permissionsBoundary
        ? resolvePolicyRef(
            state,
            account,
            r.permissionsBoundary,
            `${rolePath}.permissionsBoundary`,
          )
        : undefined,
      lastUsed: r.lastUsed
        ? {
            date: resolveTime(r.lastUsed.date, now)!,
            region: r.lastUsed.region,
          }
        : undefined,
    });
    r.sessions?.forEach((s, j) =>
      registerKey(state, s.accessKeyId, `${rolePath}.sessions[${j}]`, {
        accessKeyId: s.accessKeyId,
        secretAccessKey: s.secret,
        sessionToken: s.sessionToken,
        principal: {
          kind: 'role-session',
          accountId: seed.id,
          roleName: r.name,
          sessionName: s.name,
        },
      }),
    );
  });

  seed.repositories?.forEach((r, i) => {
    const repoPath = `${path}.repositories[${i}]`;
    const region = r.region ?? regions[0];
    const registry = registryOf(account, region);
    if (registry.repositories.has(r.name)) {
      throw new SeedError(
        `${repoPath}.name: repository ${r.name} appears twice in ${region}`,
      );
    }
    if (r.kmsKey && r.encryption !== 'KMS') {
      throw new SeedError(`${repoPath}.kmsKey: only with encryption KMS`);
    }
    const repository = newRepository(seed.id, region, r.name, {
      createdAt: resolveTime(r.createdAt, now) ?? now,
      imageTagMutability: r.imageTagMutability,
      scanOnPush: r.scanOnPush,
      encryption:
        r.encryption === 'KMS'
          ? {
              encryptionType: 'KMS',
              kmsKey:
                r.kmsKey ??
                `arn:aws:kms:${region}:${seed.id}:key/${uniqueId(
                  '',
                  `${seed.id}/aws/ecr`,
                ).toLowerCase()}`,
            }
          : { encryptionType: 'AES256' },
      tags: tagList(r.tags, ECR_TAGS, `${repoPath}.tags`),
      lifecyclePolicy: r.lifecyclePolicy
        ? {
            text: documentText(
              r.lifecyclePolicy,
              'lifecycle',
              `${repoPath}.lifecyclePolicy`,
            ),
          }
        : undefined,
      policyText: r.repositoryPolicy
        ? repositoryPolicyText(
            r.repositoryPolicy,
            `${repoPath}.repositoryPolicy`,
          )
        : undefined,
    });
    registry.repositories.set(r.name, repository);
    r.images?.forEach((img, j) => {
      const imagePath = `${repoPath}.images[${j}]`;
      const mediaType = img.mediaType ?? DOCKER_MANIFEST;
      const sizeBytes = img.sizeBytes ?? 50_000_000 + j * 1_000_003;
      const synthesized = synthesizeManifest(
        `${r.name}#${j}`,
        sizeBytes,
        mediaType,
      );
      registerLayers(repository, synthesized);
      const digest = img.digest ?? synthesized.digest;
      if (repository.byDigest.has(digest)) {
        throw new SeedError(`${imagePath}.digest: ${digest} appears twice`);
      }
      for (const tag of img.tags ?? []) {
        if (repository.byTag.has(tag)) {
          throw new SeedError(
            `${imagePath}.tags: tag ${tag} is already on another image`,
          );
        }
      }
      const image: Image = {
        digest,
        tags: [...(img.tags ?? [])],
        sizeBytes,
        pushedAt: resolveTime(img.pushedAt, now) ?? now,
        lastPulledAt: resolveTime(img.lastPulledAt, now),
        manifest: synthesized.manifest,
        manifestMediaType: mediaType,
        artifactMediaType:
          img.artifactMediaType ?? synthesized.configMediaType ?? DOCKER_CONFIG,
      };
      image.scan = scanOf(img, image, seed.id, region, r.name, now);
      addImage(repository, image);
    });
  });

  seed.codebuildProjects?.forEach((p, i) => {
    const projectPath = `${path}.codebuildProjects[${i}]`;
    const region = p.region ?? regions[0];
    const registry = registryOf(account, region);
    const arn = projectArn(region, seed.id, p.name);
    const serviceRole = p.serviceRole.startsWith('arn:')
      ? p.serviceRole
      : account.roles.get(p.serviceRole)?.arn;
    if (!serviceRole) {
      throw new SeedError(
        `${projectPath}.serviceRole: no role named ${p.serviceRole}`,
      );
    }
    const created = resolveTime(p.createdAt, now) ?? now;
    const seededVariables = Object.entries(p.environmentVariables ?? {}).map(
      ([name, value]) => ({ name, value, type: 'PLAINTEXT' }),
    );
    const environment: Record<string, unknown> = p.environment ?? {
      type: 'LINUX_CONTAINER',
      image: 'aws/codebuild/amazonlinux2-x86_64-standard:5.0',
      computeType: 'BUILD_GENERAL1_SMALL',
      environmentVariables: [],
      privilegedMode: true,
      imagePullCredentialsType: 'CODEBUILD',
    };
    if (seededVariables.length > 0) {
      environment.environmentVariables = [
        ...((environment.environmentVariables as unknown[]) ?? []),
        ...seededVariables,
      ];
    }
    const project: CodeBuildProject = {
      name: p.name,
      arn,
      builds: [],
      lastBuildNumber: 0,
      record: {
        name: p.name,
        arn,
        description: p.description,
        source: p.source ?? {
          type: 'CODECOMMIT',
          location: `https://git-codecommit.${region}.amazonaws.com/v1/repos/${p.name.replace(
            /^codebuild-/,
            '',
          )}`,
          gitCloneDepth: 1,
          gitSubmodulesConfig: { fetchSubmodules: false },
          insecureSsl: false,
        },
        secondarySources: [],
        sourceVersion: 'refs/heads/main',
        secondarySourceVersions: [],
        artifacts: p.artifacts ?? { type: 'NO_ARTIFACTS' },
        secondaryArtifacts: [],
        cache: { type: 'NO_CACHE' },
        environment,
        serviceRole,
        timeoutInMinutes: 60,
        queuedTimeoutInMinutes: 480,
        encryptionKey: `arn:aws:kms:${region}:${seed.id}:alias/aws/s3`,
        // CodeBuild's Tag shape has lower-case members.
        tags: tagList(p.tags, CODEBUILD_TAGS, `${projectPath}.tags`).map(t => ({
          key: t.Key,
          value: t.Value,
        })),
        created,
        lastModified: created,
        badge: { badgeEnabled: false },
        logsConfig: {
          cloudWatchLogs: { status: 'ENABLED' },
          s3Logs: { status: 'DISABLED', encryptionDisabled: false },
        },
        projectVisibility: 'PRIVATE',
      },
    };
    registry.projects.set(p.name, project);
    loadBuilds(
      state,
      seed.id,
      region,
      project,
      p.builds ?? [],
      now,
      projectPath,
    );
  });

  seed.generate?.forEach((g, i) => {
    const region = g.region ?? regions[0];
    const registry = registryOf(account, region);
    let repository = registry.repositories.get(g.repository);
    if (!repository) {
      repository = newRepository(seed.id, region, g.repository, {
        createdAt: now,
      });
      registry.repositories.set(g.repository, repository);
    }
    addTags(
      repository,
      tagList(g.tags, ECR_TAGS, `${path}.generate[${i}].tags`),
      `${path}.generate[${i}].tags`,
    );
    generateImages(repository, {
      count: g.images,
      start: resolveTime(g.start, now) ?? new Date('2024-01-01T00:00:00Z'),
      intervalMinutes: g.intervalMinutes ?? 60,
      scanned: g.scanned ?? true,
    });
  });
}

/** The builds a project ran before the emulator started, with their logs. */
function loadBuilds(
  state: EmulatorState,
  accountId: string,
  region: string,
  project: CodeBuildProject,
  builds: SeedBuild[],
  now: Date,
  path: string,
): void {
  const ordered = builds
    .map((b, i) => ({ b, i, start: resolveTime(b.startTime, now)! }))
    .sort((x, y) => x.start.getTime() - y.start.getTime());
  for (const { b, i, start } of ordered) {
    const buildPath = `${path}.builds[${i}]`;
    const uuid =
      b.id ?? uuidFrom(`${accountId}/${region}/${project.name}/${i}`);
    if (project.builds.some(other => other.uuid === uuid)) {
      throw new SeedError(`${buildPath}.id: ${uuid} appears twice`);
    }
    const build = newBuild(state, {
      project,
      accountId,
      region,
      sourceVersion: b.sourceVersion,
      initiator: '',
      startTime: start,
      uuid,
    });
    build.initiator =
      b.initiator ??
      `${build.serviceRole.split('/').pop()}/${buildSessionName(build)}`;
    const end = new Date(start.getTime() + (b.durationSeconds ?? 120) * 1000);
    const target = pushTarget(build);
    const uri = `${registryHost(target.region, target.accountId)}/${
      target.repositoryName ?? ''
    }`;
    if (b.status === 'SUCCEEDED') {
      const targetAccount = state.accounts.get(target.accountId);
      const repository =
        target.repositoryName && targetAccount
          ? registryOf(targetAccount, target.region).repositories.get(
              target.repositoryName,
            )
          : undefined;
      if (!repository) {
        throw new SeedError(
          `${buildPath}: a SUCCEEDED build needs the project's IMAGE_REPO_NAME repository (seeded before it)`,
        );
      }
      const tag = imageTagOf(build);
      const image = repository.byTag.get(tag);
      if (!image) {
        throw new SeedError(
          `${buildPath}.sourceVersion: no image tagged ${tag} in ${repository.name}`,
        );
      }
      const manifest = JSON.parse(image.manifest);
      const blobs = [manifest.config, ...(manifest.layers ?? [])]
        .filter(Boolean)
        .map((blob: { digest: string }) => ({
          digest: blob.digest,
          existed: false,
        }));
      completeBuild(
        state,
        build,
        {
          status: 'SUCCEEDED',
          image: {
            uri,
            tag,
            digest: image.digest,
            manifestSize: Buffer.byteLength(image.manifest),
            blobs,
          },
        },
        end,
      );
      continue;
    }
    if (!b.error) {
      throw new SeedError(`${buildPath}.error: a FAILED build needs one`);
    }
    const resource =
      b.error.operation === 'GetAuthorizationToken'
        ? '*'
        : `arn:aws:ecr:${target.region}:${target.accountId}:repository/${
            target.repositoryName ?? ''
          }`;
    const message =
      b.error.message ??
      (b.error.code === 'AccessDeniedException'
        ? `User: ${buildSessionArn(build)} is not authorized to perform: ecr:${
            b.error.operation
          } on resource: ${resource}`
        : undefined);
    if (!message) {
      throw new SeedError(
        `${buildPath}.error.message: needed for ${b.error.code}`,
      );
    }
    const line = cliErrorLine(
      b.error.operation,
      new AwsError(b.error.code, message),
    );
    completeBuild(
      state,
      build,
      {
        status: 'FAILED',
        loginSucceeded: b.error.phase !== 'PRE_BUILD',
        failure:
          b.error.phase === 'PRE_BUILD'
            ? {
                phase: 'PRE_BUILD',
                command: BUILDSPEC.preBuild[1],
                output: ['', line],
                exitStatus: 255,
              }
            : {
                phase: 'POST_BUILD',
                command: BUILDSPEC.postBuild[1],
                output: [`The push refers to repository [${uri}]`, line],
                exitStatus: 1,
              },
      },
      end,
    );
  }
}

/** A stable uuid-shaped id for a seeded build that names none. */
function uuidFrom(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(
    13,
    16,
  )}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Extra large repositories requested on the command line (`--generate-images`). */
export interface ExtraGeneration {
  repository: string;
  images: number;
  /**
   * Tags of the repository, e.g. `{ 'backstage.io/entity-ref': 'component:default/bench-1000' }`
   * for the entity that claims it; none leaves it unbound.
   */
  tags?: Record<string, string>;
}

/** Adds tags to a repository that may already have some (a generated one that was seeded). */
function addTags(repository: Repository, tags: Tag[], path: string): void {
  const merged = new Map(repository.tags.map(t => [t.Key, t.Value]));
  for (const tag of tags) merged.set(tag.Key, tag.Value);
  if (merged.size > TAGS_PER_RESOURCE) {
    throw new SeedError(
      `${path}: at most ${TAGS_PER_RESOURCE} tags per resource`,
    );
  }
  repository.tags = [...merged].map(([Key, Value]) => ({ Key, Value }));
}

/**
 * Builds the emulator's state from a seed: a path to a YAML file, or a seed object.
 * Relative times in the seed are taken relative to `now`.
 */
export function loadSeed(
  source: string | Seed,
  options: { now?: Date; generate?: ExtraGeneration[] } = {},
): EmulatorState {
  const now = options.now ?? new Date();
  const seed =
    typeof source === 'string' ? readSeedFile(source) : validateSeed(source);
  const state = emptyState();
  const first = seed.accounts[0];
  state.defaultAccountId = seed.defaults?.account ?? first.id;
  const defaultAccount =
    seed.accounts.find(a => a.id === state.defaultAccountId) ?? first;
  state.defaultRegion =
    seed.defaults?.region ?? defaultAccount.regions?.[0] ?? 'us-east-1';

  seed.awsManagedPolicies?.forEach((p, i) => {
    const policy = managedPolicy(
      p,
      'aws',
      now,
      `seed.awsManagedPolicies[${i}]`,
    );
    state.awsManagedPolicies.set(policy.arn, policy);
  });
  seed.accounts.forEach((account, i) => loadAccount(state, account, i, now));

  const target = state.accounts.get(state.defaultAccountId);
  if (!target) {
    throw new SeedError(
      `seed.defaults.account: no account ${state.defaultAccountId}`,
    );
  }
  for (const extra of options.generate ?? []) {
    const registry = registryOf(target, state.defaultRegion);
    let repository = registry.repositories.get(extra.repository);
    if (!repository) {
      repository = newRepository(
        target.id,
        state.defaultRegion,
        extra.repository,
        {
          createdAt: now,
        },
      );
      registry.repositories.set(extra.repository, repository);
    }
    const tagsPath = `generate[${extra.repository}].tags`;
    addTags(repository, tagList(extra.tags, ECR_TAGS, tagsPath), tagsPath);
    generateImages(repository, {
      count: extra.images,
      start: new Date('2024-01-01T00:00:00Z'),
      intervalMinutes: 60,
      scanned: true,
    });
  }
  return state;
}
