/**
 * Scaffolder actions for Amazon ECR: `ecr:repository:create` and
 * `ecr:push-access:grant`.
 *
 * @packageDocumentation
 */
export { scaffolderModuleEcr as default } from './module';
export { createEcrRepositoryCreateAction } from './actions/createRepository';
export { createEcrPushAccessGrantAction } from './actions/grantPushAccess';
export type { InitiatorServices } from './actions/initiator';
