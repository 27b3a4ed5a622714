export { checkAnchor, SetupChecklist, setupSummary } from './SetupChecklist';
