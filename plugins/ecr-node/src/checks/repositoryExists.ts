import { SetupCheck } from '@backstage-ecr/plugin-ecr-common';
import { SetupFacts } from '../setup/facts';
import { describeFailure, FailedFact, sentence } from '../aws/call';
import { factUnknown, result } from './checkResult';

/** `repository-exists`: every annotated repository exists. */
export function checkRepositoryExists(facts: SetupFacts): SetupCheck {
  const existing: string[] = [];
  const missing = facts.repositories.filter(
    r => r.settings.ok && r.settings.value === null,
  );
  const failed: Array<{ name: string; fact: FailedFact }> = [];
  for (const r of facts.repositories) {
    if (!r.settings.ok) failed.push({ name: r.name, fact: r.settings });
    else if (r.settings.value !== null) existing.push(r.name);
  }
  if (missing.length) {
    return result(
      'repository-exists',
      'fail',
      `${missing
        .map(
          r =>
            `${r.name} does not exist in account ${r.accountId}, region ${r.region}`,
        )
        .join('; ')}.${
        existing.length ? ` ${existing.join(', ')} exist.` : ''
      }`,
      {
        remedy: `Create the repository with safe defaults (scan on push, immutable tags, encryption):\n\n${missing
          .map(
            r =>
              `aws ecr create-repository --region ${r.region} --repository-name ${r.name} --image-scanning-configuration scanOnPush=true --image-tag-mutability IMMUTABLE --encryption-configuration encryptionType=AES256`,
          )
          .join('\n')}`,
      },
    );
  }
  if (failed.length) {
    return factUnknown(
      'repository-exists',
      failed.map(f => f.fact),
      `${sentence(
        failed.map(f => describeFailure(f.fact, f.name)).join('; '),
      )}, so Backstage cannot tell whether ${
        failed.length === 1 ? 'the repository exists' : 'they exist'
      }.${
        existing.length
          ? ` ${existing.join(', ')} ${
              existing.length === 1 ? 'exists' : 'exist'
            }.`
          : ''
      }`,
    );
  }
  return result(
    'repository-exists',
    'pass',
    `${existing.join(', ')} ${existing.length === 1 ? 'exists' : 'exist'}.`,
  );
}
