import { SetupCheck } from '@backstage-ecr/plugin-ecr-common';
import { SetupFacts } from '../setup/facts';
import { perRepository } from './checkResult';

/** `encryption`: ECR reports how the images are encrypted at rest (AES256 or KMS). */
export function checkEncryption(facts: SetupFacts): SetupCheck {
  return perRepository('encryption', facts, repository => {
    const settings = repository.settings.ok ? repository.settings.value : null;
    const type = settings?.encryptionType;
    if (type === 'AES256') {
      return {
        status: 'pass',
        detail: 'Encrypted with AES-256 (Amazon S3-managed keys).',
      };
    }
    if (type?.startsWith('KMS')) {
      return {
        status: 'pass',
        detail: `Encrypted with AWS KMS (${type}${
          settings?.kmsKey ? `, key ${settings.kmsKey}` : ''
        }).`,
      };
    }
    return {
      status: 'warn',
      detail: type
        ? `ECR reports an encryption type it does not document: ${type}.`
        : 'ECR reports no encryption configuration for this repository.',
      remedy:
        'Encryption is chosen when a repository is created and cannot be changed: create a new repository with --encryption-configuration encryptionType=AES256 (or KMS) and move the images to it.',
    };
  });
}
