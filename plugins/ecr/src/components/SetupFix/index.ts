export { SetupFix } from './SetupFix';
export { FixAll } from './FixAll';
