export { SetupChecklist, setupSummary } from './SetupChecklist';
