/**
 * Annotations, permissions and API types shared by the Amazon ECR plugins.
 *
 * @packageDocumentation
 */
export * from './annotations';
export * from './arns';
export * from './entityAnnotations';
export * from './permissions';
export * from './api';
export * from './audit';
export * from './builds';
export * from './ownership';
