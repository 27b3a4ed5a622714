/**
 * The AWS layer of the Amazon ECR plugins for Backstage: ECR, IAM, STS and
 * CodeBuild access behind {@link ecrServiceRef}, the setup checks' facts, and
 * the extension point for extra setup checks.
 *
 * @packageDocumentation
 */
export { ecrServiceRef } from './service/ecrServiceRef';
export type { EcrService } from './service/EcrService';
export { createEcrService } from './service/createEcrService';
export type { CreateEcrServiceOptions } from './service/createEcrService';
export { ecrSetupChecksExtensionPoint } from './extensions';
export type {
  EcrSetupCheck,
  EcrSetupCheckResult,
  EcrSetupChecksExtensionPoint,
} from './extensions';
export type { EcrConfig, OwnershipConfig } from './config';
export type {
  DeniedFact,
  Fact,
  FailedFact,
  FailedFactBase,
  UnansweredFact,
} from './aws/call';
export { callAws, describeFailure } from './aws/call';
export {
  AwsAccessDeniedError,
  AwsCallError,
  AwsServiceError,
  AwsThrottledError,
  isTransientAwsError,
} from './aws/errors';
export type { AwsCallErrorDetails, AwsFailureReason } from './aws/errors';
export { IMAGE_DIGEST } from './findings/readImageFindings';
export type {
  AttachedPolicy,
  CallerIdentityFacts,
  OwnershipFacts,
  PolicyDocumentFacts,
  PolicyPrincipalFacts,
  PolicyStatementFacts,
  PushDecision,
  PushRoleFacts,
  RepositoryFacts,
  RepositorySettingsFacts,
  ResourceTags,
  SetupFacts,
} from './setup/facts';
export { pushPolicyName } from './setup/pushPolicy';
export { checkAnnotationValid, resourceBindings } from './checks';
export type {
  EcrAuditSession,
  AuditSessionOptions,
} from './audit/EcrAuditSession';
export type { ListedRepository } from './audit/AuditFactSource';
export type { ThrottleBackoff } from './audit/retryThrottled';
export { readRefusal, transientFailures } from './setup/gatherSetupFacts';
export type { CreateRepositoryRequest } from './writes/createRepository';
export type { GrantPushAccessRequest } from './writes/grantPushAccess';
export type { ConfigureRepositoryRequest } from './writes/configureRepository';
export type { ClaimRequest } from './writes/claim';
export { NotOwnedError } from './writes/ownership';
export type { OwnedResource } from './writes/ownership';
export type { RepositorySettingsOverrides } from './writes/repositorySettings';
export { roleArnMatches } from './writes/allowedTargets';
export type { BuildsReadOptions, ProjectBuilds } from './builds/readBuilds';
export type { StartBuildRequest } from './builds/startBuild';
export { checkSourceVersion } from './builds/startBuild';
