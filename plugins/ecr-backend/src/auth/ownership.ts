import {
  judgeBinding,
  OwnershipSubject,
  RepositoryRef,
} from '@backstage-ecr/plugin-ecr-common';
import {
  EcrConfig,
  NotOwnedError,
  readRefusal,
} from '@backstage-ecr/plugin-ecr-node';
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
    const binding = judgeBinding(tags, subject, config.ownership);
    const refusal = readRefusal(
      `Repository ${repository.arn}`,
      binding,
      config.ownership,
    );
    return refusal ? [{ repository, binding, refusal }] : [];
  });
  if (refusals.length) {
    const [first] = refusals;
    throw new NotOwnedError(
      `${refusals
        .map(r => r.refusal)
        .join(
          '; ',
        )}. Backstage shows a repository only to the entity it belongs to; the entity's setup status says how to bind it.`,
      {
        kind: 'repository',
        arn: first.repository.arn,
        state: first.binding.state,
        ...('boundTo' in first.binding && { boundTo: first.binding.boundTo }),
      },
    );
  }
}
