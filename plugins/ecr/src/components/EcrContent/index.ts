export { EcrContent, ErrorAlert } from './EcrContent';
