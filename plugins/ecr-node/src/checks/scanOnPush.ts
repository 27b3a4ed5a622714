import { SetupCheck } from '@backstage-ecr/plugin-ecr-common';
import { SetupFacts } from '../setup/facts';
import { perRepository } from './checkResult';

/** `scan-on-push`: images are scanned for vulnerabilities as they are pushed (warn if not). */
export function checkScanOnPush(facts: SetupFacts): SetupCheck {
  return perRepository('scan-on-push', facts, (repository, settings) =>
    settings.scanOnPush
      ? { status: 'pass', detail: 'Scan on push is on.' }
      : {
          status: 'warn',
          detail:
            'Scan on push is off: new images are not checked for known vulnerabilities.',
          remedy: `Turn scanning on push on:\n\naws ecr put-image-scanning-configuration --region ${repository.region} --repository-name ${repository.name} --image-scanning-configuration scanOnPush=true`,
        },
  );
}
