import {
  judgeBinding,
  OwnershipSubject,
  RepositoryRef,
} from '@backstage-ecr/plugin-ecr-common';
import { EcrConfig, readRefusal } from '@backstage-ecr/plugin-ecr-node';
import { NotAllowedError } from '@backstage/errors';
import { CachedEcrReader } from '../services/CachedEcrReader';

/**
 * Refuses (403) a read of a repository that AWS says belongs to someone else,
 * or that is unbound while `ecr.ownership.unbound` is `deny`, naming who it
 * belongs to. A repository that does not exist passes: it is answered as
 * missing.
 */
export async function requireReadable(
  reader: CachedEcrReader,
  config: Pick<EcrConfig, 'ownership'>,
  repositories: RepositoryRef[],
  subject: OwnershipSubject,
): Promise<void> {
  const fetched = await Promise.all(
    repositories.map(r => reader.getRepositoryTags(r)),
  );
  const refusals = repositories.flatMap((repository, i) => {
    const tags = fetched[i].value;
    if (tags === null) return [];
    const refusal = readRefusal(
      `Repository ${repository.arn}`,
      judgeBinding(tags, subject, config.ownership),
      config.ownership,
    );
    return refusal ? [refusal] : [];
  });
  if (refusals.length) {
    throw new NotAllowedError(
      `${refusals.join(
        '; ',
      )}. Backstage shows a repository only to the entity it belongs to; the entity's setup status says how to bind it.`,
    );
  }
}
