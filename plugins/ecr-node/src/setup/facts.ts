import {
  EcrAnnotationsResult,
  OwnershipSubject,
  OwnershipTagKeys,
  RepositoryRef,
  UnboundReadPolicy,
} from '@backstage-ecr/plugin-ecr-common';
import { Fact } from '../aws/call';

/**
 * Everything the setup checks look at, as plain data gathered from AWS. The
 * checks are pure functions of these facts; gathering and deciding stay apart
 * so that each check can be tested without any AWS endpoint, and the facts can
 * be cached as JSON.
 *
 * @public
 */
export interface SetupFacts {
  /** The entity's annotations as read; nothing else is gathered when they do not parse. */
  annotations: EcrAnnotationsResult;
  repositories: RepositoryFacts[];
  pushRole: PushRoleFacts;
  /** The role's simulated push permissions; absent when no role is known. */
  pushPermissions?: Fact<PushDecision[]>;
  /** The role's attached managed policies; absent when no role is known. */
  attachedPolicies?: Fact<AttachedPolicy[]>;
  /** Who Backstage is in each account it used. */
  callerIdentities: CallerIdentityFacts[];
  /** Whom the facts were gathered for, and how ownership is judged. */
  ownership?: OwnershipFacts;
}

/**
 * The entity the facts are for, and the rules its resources are judged by.
 *
 * @public
 */
export interface OwnershipFacts extends OwnershipTagKeys {
  subject: OwnershipSubject;
  unbound: UnboundReadPolicy;
  /** `ecr.iam.allowedRoleArnPatterns`: the only roles Backstage inspects. */
  allowedRoleArnPatterns: string[];
}

/**
 * A resource's tags, or null when it does not exist.
 *
 * @public
 */
export type ResourceTags = Record<string, string> | null;

/**
 * One annotated repository.
 *
 * @public
 */
export interface RepositoryFacts extends RepositoryRef {
  /** ListTagsForResource: who the repository belongs to; null when it does not exist. */
  tags?: Fact<ResourceTags>;
  /**
   * Why nothing else was read of this repository: it belongs to someone else,
   * or who it belongs to is unknown, or unbound repositories are not read.
   */
  withheld?: string;
  /** DescribeRepositories: the settings, or null when the repository does not exist. */
  settings: Fact<RepositorySettingsFacts | null>;
  /** GetLifecyclePolicy; absent when the repository does not exist. */
  lifecyclePolicy?: Fact<{ exists: boolean }>;
  /** The first page of DescribeImages; absent when the repository does not exist. */
  images?: Fact<{ count: number; more: boolean; newestPushedAt?: string }>;
  /**
   * GetRepositoryPolicy: the repository's policy, or null when it has none.
   * Read only when the repository exists and the entity may read it.
   */
  repositoryPolicy?: Fact<PolicyDocumentFacts | null>;
}

/**
 * A repository's settings as DescribeRepositories reports them.
 *
 * @public
 */
export interface RepositorySettingsFacts {
  imageTagMutability?: string;
  scanOnPush?: boolean;
  encryptionType?: string;
  kmsKey?: string;
}

/**
 * How the pushing role was looked for, and what was found.
 *
 * @public
 */
export interface PushRoleFacts {
  /** The CodeBuild project named by the annotation, when used to find the role. */
  codeBuildProject?: {
    arn: string;
    name: string;
    /** BatchGetProjects: whether it exists, its service role (an ARN or a name) and tags. */
    lookup: Fact<{
      found: boolean;
      serviceRole?: string;
      tags?: Record<string, string>;
    }>;
  };
  /** The role named by `ecr.backstage-ecr.io/push-role-arn`. */
  annotatedRoleArn?: string;
  /** Where the role to check came from. */
  source?: 'annotation' | 'codebuild';
  /** The role to check, as the annotation or the project names it. */
  candidateRoleArn?: string;
  /** GetRole on the candidate: whether it exists, its full ARN and tags. */
  role?: Fact<{ exists: boolean; arn?: string; tags?: Record<string, string> }>;
  /**
   * Why the role's permissions and policies were not read: it is outside
   * `ecr.iam.allowedRoleArnPatterns`, or it does not belong to the entity.
   * Set before GetRole (no `role` fact) when the patterns already exclude it.
   */
  withheld?: string;
}

/**
 * One simulated action on one resource.
 *
 * @public
 */
export interface PushDecision {
  action: string;
  resource: string;
  decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  /** EvalDecisionDetails, by policy type, when IAM gave any. */
  details?: Record<string, string>;
  /** PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary; absent without a boundary. */
  allowedByPermissionsBoundary?: boolean;
  /** OrganizationsDecisionDetail.AllowedByOrganizations; absent without SCPs. */
  allowedByOrganizations?: boolean;
}

/**
 * A managed policy attached to the pushing role.
 *
 * @public
 */
export interface AttachedPolicy {
  arn: string;
  name: string;
  /**
   * The default version's document, read only for CodeBuild-managed
   * `CodeBuildBasePolicy-*` policies; null when it could not be parsed.
   */
  document?: Fact<PolicyDocumentFacts | null>;
}

/**
 * An IAM policy document as AWS returns it (any statement shape).
 *
 * @public
 */
export interface PolicyDocumentFacts {
  Statement?: PolicyStatementFacts | PolicyStatementFacts[];
}

/**
 * One statement, with the keys the checks need.
 *
 * @public
 */
export interface PolicyStatementFacts {
  Sid?: string;
  Effect?: string;
  /** Resource policies only: whom the statement is about. */
  Principal?: PolicyPrincipalFacts;
  NotPrincipal?: PolicyPrincipalFacts;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, unknown>;
}

/**
 * A statement's `Principal`: `"*"`, or principals by type (`AWS`, `Service`, …).
 *
 * @public
 */
export type PolicyPrincipalFacts = string | Record<string, string | string[]>;

/**
 * GetCallerIdentity in one account.
 *
 * @public
 */
export interface CallerIdentityFacts {
  accountId: string;
  identity: Fact<{ arn: string; accountId: string }>;
}

/** The prefix of the policies CodeBuild creates and may rewrite. */
export const CODEBUILD_MANAGED_POLICY_PREFIX = 'CodeBuildBasePolicy-';
