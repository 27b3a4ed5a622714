import {
  EcrAnnotationsResult,
  RepositoryRef,
} from '@backstage-ecr/plugin-ecr-common';
import { Fact } from '../aws/call';

/**
 * Everything the setup checks look at, as plain data gathered from AWS. The
 * checks are pure functions of these facts; gathering and deciding stay apart
 * so that each check can be tested without any AWS endpoint, and the facts can
 * be cached as JSON.
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
}

/** One annotated repository. */
export interface RepositoryFacts extends RepositoryRef {
  /** DescribeRepositories: the settings, or null when the repository does not exist. */
  settings: Fact<RepositorySettingsFacts | null>;
  /** GetLifecyclePolicy; absent when the repository does not exist. */
  lifecyclePolicy?: Fact<{ exists: boolean }>;
  /** The first page of DescribeImages; absent when the repository does not exist. */
  images?: Fact<{ count: number; more: boolean; newestPushedAt?: string }>;
}

/** A repository's settings as DescribeRepositories reports them. */
export interface RepositorySettingsFacts {
  imageTagMutability?: string;
  scanOnPush?: boolean;
  encryptionType?: string;
  kmsKey?: string;
}

/** How the pushing role was looked for, and what was found. */
export interface PushRoleFacts {
  /** The CodeBuild project named by the annotation, when used to find the role. */
  codeBuildProject?: {
    arn: string;
    name: string;
    /** BatchGetProjects: whether it exists and its service role (an ARN or a name). */
    lookup: Fact<{ found: boolean; serviceRole?: string }>;
  };
  /** The role named by `ecr.backstage-ecr.io/push-role-arn`. */
  annotatedRoleArn?: string;
  /** Where the role to check came from. */
  source?: 'annotation' | 'codebuild';
  /** The role to check, as the annotation or the project names it. */
  candidateRoleArn?: string;
  /** GetRole on the candidate: whether it exists, and its full ARN. */
  role?: Fact<{ exists: boolean; arn?: string }>;
}

/** One simulated action on one resource. */
export interface PushDecision {
  action: string;
  resource: string;
  decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
}

/** A managed policy attached to the pushing role. */
export interface AttachedPolicy {
  arn: string;
  name: string;
  /**
   * The default version's document, read only for CodeBuild-managed
   * `CodeBuildBasePolicy-*` policies; null when it could not be parsed.
   */
  document?: Fact<PolicyDocumentFacts | null>;
}

/** An IAM policy document as AWS returns it (any statement shape). */
export interface PolicyDocumentFacts {
  Statement?: PolicyStatementFacts | PolicyStatementFacts[];
}

/** One statement, with the keys the checks need. */
export interface PolicyStatementFacts {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
}

/** GetCallerIdentity in one account. */
export interface CallerIdentityFacts {
  accountId: string;
  identity: Fact<{ arn: string; accountId: string }>;
}

/** The prefix of the policies CodeBuild creates and may rewrite. */
export const CODEBUILD_MANAGED_POLICY_PREFIX = 'CodeBuildBasePolicy-';
