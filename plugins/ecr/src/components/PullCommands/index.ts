export { PullCommands, CommandLine } from './PullCommands';
