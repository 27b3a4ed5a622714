export { ClaimDialog, ClaimPreview, claimOutcomeLabel } from './ClaimDialog';
