import { EcrContent } from './EcrContent';

/** The entity tab as both frontend systems mount it. */
export function EntityEcrTab() {
  return <EcrContent />;
}
