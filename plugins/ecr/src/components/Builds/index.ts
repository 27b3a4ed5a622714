export {
  BuildsSection,
  BuildStatusChip,
  buildStatusLabel,
} from './BuildsSection';
export { useBuilds } from './useBuilds';
export type { BuildsState } from './useBuilds';
