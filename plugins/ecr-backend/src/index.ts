/**
 * The Amazon ECR backend plugin for Backstage: catalog-scoped images, scan
 * findings and setup status.
 *
 * @packageDocumentation
 */
export { ecrPlugin as default } from './plugin';
