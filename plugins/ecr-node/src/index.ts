/**
 * The AWS layer of the Amazon ECR plugins for Backstage: ECR, IAM, STS and
 * CodeBuild access behind {@link ecrServiceRef}, and the setup checks as pure
 * functions of gathered facts.
 *
 * @packageDocumentation
 */
export { ecrServiceRef } from './service/ecrServiceRef';
export type { EcrService } from './service/EcrService';
export { DefaultEcrService } from './service/DefaultEcrService';
export { readEcrConfig, DEFAULT_CACHE_TTL_SECONDS } from './config';
export type { EcrConfig, OwnershipConfig } from './config';
export { AwsClients } from './aws/clients';
export type { AwsClientOptions } from './aws/clients';
export type { DeniedFact, Fact, FailedFact, UnansweredFact } from './aws/call';
export {
  callAws,
  describeFailure,
  failureRemedy,
  gatherFact,
} from './aws/call';
export {
  AwsAccessDeniedError,
  AwsServiceError,
  AwsThrottledError,
  classifyAwsError,
  isTransientAwsError,
  toAwsError,
} from './aws/errors';
export type {
  AwsCallErrorDetails,
  AwsFailure,
  AwsFailureKind,
  AwsFailureReason,
} from './aws/errors';
export { IMAGE_DIGEST } from './findings/readImageFindings';
export * from './setup/facts';
export {
  AUTHORIZATION_TOKEN_ACTION,
  PUSH_ACTIONS,
  REPOSITORY_PUSH_ACTIONS,
  pushPolicyDocument,
  pushPolicyName,
} from './setup/pushPolicy';
export * from './checks';
export { createAuditSession } from './audit/EcrAuditSession';
export type {
  AuditSessionOptions,
  EcrAuditSession,
} from './audit/EcrAuditSession';
export type { ListedRepository } from './audit/AuditFactSource';
export type { ThrottleBackoff } from './audit/retryThrottled';
export {
  failedFacts,
  gatherSetupFactsFrom,
  ownershipFacts,
  readRefusal,
  transientFailures,
} from './setup/gatherSetupFacts';
export { AwsSetupFactSource } from './setup/factSource';
export type { ImagesSample, SetupFactSource } from './setup/factSource';
export type { CreateRepositoryRequest } from './writes/createRepository';
export type { GrantPushAccessRequest } from './writes/grantPushAccess';
export type { ClaimRequest } from './writes/claim';
export { NotOwnedError } from './writes/ownership';
export type { RepositorySettingsOverrides } from './writes/repositorySettings';
export {
  DEFAULT_LIFECYCLE_POLICY_TEXT,
  ENTITY_REF_TAG,
  SETUP_STATE_TAG,
} from './writes/repositorySettings';
export { roleArnMatches } from './writes/allowedTargets';
