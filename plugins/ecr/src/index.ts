/**
 * Amazon ECR for Backstage: the entity tab with images, scan findings, pull
 * commands and setup status.
 *
 * @packageDocumentation
 */
export { ecrPlugin, EntityEcrContent, EcrAuditPage } from './plugin';
export { ecrApiRef, type EcrApi } from './api/EcrApi';
export { EcrClient } from './api/EcrClient';
export { isEcrAvailable } from '@backstage-ecr/plugin-ecr-common';
