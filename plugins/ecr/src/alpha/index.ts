export { default } from './plugin';
export { ecrTranslationRef } from '../translation';
