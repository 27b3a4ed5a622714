import { SetupCheck } from '@backstage-ecr/plugin-ecr-common';
import { SetupFacts } from '../setup/facts';
import { allowRemedy, result } from './checkResult';

/** `repository-exists`: every annotated repository exists. */
export function checkRepositoryExists(facts: SetupFacts): SetupCheck {
  const existing: string[] = [];
  const missing = facts.repositories.filter(
    r => r.settings.ok && r.settings.value === null,
  );
  const denied: string[] = [];
  for (const r of facts.repositories) {
    if (!r.settings.ok) denied.push(r.settings.deniedAction);
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
  if (denied.length) {
    return result(
      'repository-exists',
      'unknown',
      `Backstage may not call ${[...new Set(denied)].join(
        ', ',
      )}, so it cannot tell whether the repository exists.`,
      {
        requiredActions: [...new Set(denied)].sort(),
        remedy: allowRemedy(denied),
      },
    );
  }
  return result(
    'repository-exists',
    'pass',
    `${existing.join(', ')} ${existing.length === 1 ? 'exists' : 'exist'}.`,
  );
}
