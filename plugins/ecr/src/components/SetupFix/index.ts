export { SetupFix } from './SetupFix';
