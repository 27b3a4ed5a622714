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
export type { EcrConfig } from './config';
export { AwsClients } from './aws/clients';
export type { AwsClientOptions } from './aws/clients';
export type { Fact } from './aws/call';
export { callAws, gatherFact } from './aws/call';
export {
  AwsAccessDeniedError,
  AwsServiceError,
  AwsThrottledError,
  toAwsError,
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
