import { registryHost, repositoryArn, repositoryUri } from './arn';

/**
 * The emulator's whole world, in memory: accounts with their IAM entities, ECR registries
 * (one per region) and CodeBuild projects, plus the access keys that identify callers.
 * Services read and change it; the seed loader builds it.
 */

export interface Tag {
  Key: string;
  Value: string;
}

export interface ImageScan {
  /** `basic` scans give `findings`, `enhanced` (Inspector) scans give `enhancedFindings`. */
  type: 'basic' | 'enhanced';
  status: string;
  description?: string;
  completedAt?: Date;
  vulnerabilitySourceUpdatedAt?: Date;
  severityCounts: Record<string, number>;
  /** In the wire shape of ImageScanFinding. */
  findings: Record<string, unknown>[];
  /** In the wire shape of EnhancedImageScanFinding. */
  enhancedFindings: Record<string, unknown>[];
}

export interface Image {
  digest: string;
  tags: string[];
  sizeBytes: number;
  pushedAt: Date;
  lastPulledAt?: Date;
  manifest: string;
  manifestMediaType: string;
  artifactMediaType?: string;
  scan?: ImageScan;
}

export interface LayerUpload {
  id: string;
  parts: Buffer[];
  /** Bytes received so far; the next part must start here. */
  received: number;
}

export interface Repository {
  name: string;
  arn: string;
  uri: string;
  registryId: string;
  region: string;
  createdAt: Date;
  imageTagMutability: 'MUTABLE' | 'IMMUTABLE';
  scanOnPush: boolean;
  encryption: { encryptionType: 'AES256' | 'KMS'; kmsKey?: string };
  tags: Tag[];
  lifecyclePolicy?: { text: string; lastEvaluatedAt?: Date };
  policyText?: string;
  /** Storage order: the order DescribeImages and ListImages page through. */
  images: Image[];
  byDigest: Map<string, Image>;
  byTag: Map<string, Image>;
  /** Layer blobs known to the repository: uploaded ones and those of seeded images. */
  layers: Map<string, { size: number; mediaType?: string }>;
  uploads: Map<string, LayerUpload>;
}

export interface CodeBuildProject {
  name: string;
  arn: string;
  /** The project in the wire shape of CodeBuild's Project (dates as Date). */
  record: Record<string, unknown>;
  /** The project's builds, oldest first. */
  builds: Build[];
  /** The number the last build got; the next one gets one more. */
  lastBuildNumber: number;
}

/** One phase of a build, in the wire shape of CodeBuild's BuildPhase (dates as Date). */
export interface BuildPhase {
  phaseType: string;
  phaseStatus?: string;
  startTime: Date;
  endTime?: Date;
  durationInSeconds?: number;
  contexts?: Array<{ statusCode: string; message: string }>;
}

export interface Build {
  id: string;
  /** The part of the id after `<project>:`, also the log stream's name. */
  uuid: string;
  arn: string;
  buildNumber: number;
  projectName: string;
  region: string;
  accountId: string;
  sourceVersion: string;
  resolvedSourceVersion: string;
  startTime: Date;
  endTime?: Date;
  currentPhase: string;
  buildStatus: string;
  phases: BuildPhase[];
  serviceRole: string;
  initiator: string;
  environmentVariables: Array<{ name: string; value: string; type: string }>;
  exportedEnvironmentVariables: Array<{ name: string; value: string }>;
  logGroupName: string;
  logStreamName: string;
  /** The project's source location when the build started (where the agent checks it out). */
  sourceLocation?: string;
}

export interface LogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

export interface LogStream {
  name: string;
  createdAt: Date;
  events: LogEvent[];
}

export interface LogGroup {
  name: string;
  createdAt: Date;
  streams: Map<string, LogStream>;
}

export interface Registry {
  region: string;
  repositories: Map<string, Repository>;
  projects: Map<string, CodeBuildProject>;
  /** CodeBuild builds by id. */
  builds: Map<string, Build>;
  /** CloudWatch Logs log groups by name. */
  logGroups: Map<string, LogGroup>;
}

export interface PolicyVersion {
  id: string;
  document: string;
  createdAt: Date;
}

export interface ManagedPolicy {
  arn: string;
  name: string;
  path: string;
  id: string;
  description?: string;
  createdAt: Date;
  updatedAt: Date;
  defaultVersionId: string;
  versions: PolicyVersion[];
  awsManaged: boolean;
  tags: Tag[];
}

export interface IamUser {
  name: string;
  path: string;
  arn: string;
  id: string;
  createdAt: Date;
  /** Inline policies by name, as JSON text. */
  inlinePolicies: Map<string, string>;
  attachedPolicies: string[];
  tags: Tag[];
}

export interface IamRole {
  name: string;
  path: string;
  arn: string;
  id: string;
  createdAt: Date;
  trustPolicy: string;
  description?: string;
  maxSessionDuration: number;
  inlinePolicies: Map<string, string>;
  attachedPolicies: string[];
  tags: Tag[];
  lastUsed?: { date: Date; region: string };
  /** The ARN of the managed policy set as the role's permissions boundary. */
  permissionsBoundary?: string;
}

export interface Account {
  id: string;
  alias?: string;
  regions: string[];
  users: Map<string, IamUser>;
  roles: Map<string, IamRole>;
  /** Customer-managed policies by ARN. */
  policies: Map<string, ManagedPolicy>;
  registries: Map<string, Registry>;
  /**
   * Set when the account is a member of an AWS Organization: the service control policies in
   * force for it (JSON text), which limit every principal of the account, the root user too.
   */
  organization?: { scps: string[] };
}

export type PrincipalRef =
  | { kind: 'root'; accountId: string }
  | { kind: 'user'; accountId: string; userName: string }
  | {
      kind: 'role-session';
      accountId: string;
      roleName: string;
      sessionName: string;
      /** Session policies given to AssumeRole (inline and managed), as JSON text. */
      sessionPolicies?: string[];
    };

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** Role sessions carry a token that must come with every request. */
  sessionToken?: string;
  expiresAt?: Date;
  principal: PrincipalRef;
}

export interface EmulatorState {
  accounts: Map<string, Account>;
  accessKeys: Map<string, AccessKey>;
  /** AWS-managed policies (`arn:aws:iam::aws:policy/…`), shared by every account. */
  awsManagedPolicies: Map<string, ManagedPolicy>;
  defaultAccountId: string;
  defaultRegion: string;
}

export function emptyState(): EmulatorState {
  return {
    accounts: new Map(),
    accessKeys: new Map(),
    awsManagedPolicies: new Map(),
    defaultAccountId: '000000000000',
    defaultRegion: 'us-east-1',
  };
}

export function newAccount(
  id: string,
  regions: string[],
  alias?: string,
): Account {
  return {
    id,
    alias,
    regions,
    users: new Map(),
    roles: new Map(),
    policies: new Map(),
    registries: new Map(),
  };
}

/** Every region exists; a region the seed never mentioned simply has nothing in it yet. */
export function registryOf(account: Account, region: string): Registry {
  let registry = account.registries.get(region);
  if (!registry) {
    registry = {
      region,
      repositories: new Map(),
      projects: new Map(),
      builds: new Map(),
      logGroups: new Map(),
    };
    account.registries.set(region, registry);
  }
  return registry;
}

export function newRepository(
  account: string,
  region: string,
  name: string,
  options: Partial<
    Pick<
      Repository,
      | 'createdAt'
      | 'imageTagMutability'
      | 'scanOnPush'
      | 'encryption'
      | 'tags'
      | 'lifecyclePolicy'
      | 'policyText'
    >
  > = {},
): Repository {
  return {
    name,
    arn: repositoryArn(region, account, name),
    uri: repositoryUri(region, account, name),
    registryId: account,
    region,
    createdAt: options.createdAt ?? new Date(),
    imageTagMutability: options.imageTagMutability ?? 'MUTABLE',
    scanOnPush: options.scanOnPush ?? false,
    encryption: options.encryption ?? { encryptionType: 'AES256' },
    tags: options.tags ?? [],
    lifecyclePolicy: options.lifecyclePolicy,
    policyText: options.policyText,
    images: [],
    byDigest: new Map(),
    byTag: new Map(),
    layers: new Map(),
    uploads: new Map(),
  };
}

/** Adds an image in storage order, indexing its digest and tags. */
export function addImage(repository: Repository, image: Image): void {
  repository.images.push(image);
  repository.byDigest.set(image.digest, image);
  for (const tag of image.tags) repository.byTag.set(tag, image);
}

export function removeImage(repository: Repository, image: Image): void {
  const index = repository.images.indexOf(image);
  if (index >= 0) repository.images.splice(index, 1);
  repository.byDigest.delete(image.digest);
  for (const tag of image.tags) {
    if (repository.byTag.get(tag) === image) repository.byTag.delete(tag);
  }
}

export function proxyEndpoint(region: string, account: string): string {
  return `https://${registryHost(region, account)}`;
}
