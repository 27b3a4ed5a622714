export { BuildsSection } from './BuildsSection';
export { BuildStatusChip, buildStatusLabel } from './BuildParts';
export { useBuilds } from './useBuilds';
export type { BuildsState } from './useBuilds';
