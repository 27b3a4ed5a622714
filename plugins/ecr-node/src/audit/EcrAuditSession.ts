import {
  EcrAnnotationsResult,
  OwnershipSubject,
  RepositoryRef,
} from '@backstage-ecr/plugin-ecr-common';
import { Fact, gatherFact } from '../aws/call';
import { AwsClients } from '../aws/clients';
import { EcrConfig } from '../config';
import { ResourceTags, SetupFacts } from '../setup/facts';
import {
  gatherSetupFactsFrom,
  ownershipFacts,
} from '../setup/gatherSetupFacts';
import { AuditFactSource, ListedRepository } from './AuditFactSource';
import { ThrottleBackoff } from './retryThrottled';

/**
 * How an audit session treats throttling that outlasts the SDK's retries.
 *
 * @public
 */
export type AuditSessionOptions = ThrottleBackoff;

/**
 * The AWS side of one audit run. Every AWS answer is shared by all the
 * entities of the run, so start one session per run: its answers are never
 * older than the run.
 *
 * @public
 */
export interface EcrAuditSession {
  /**
   * The same facts as `EcrService.getSetupFacts`, from the run's shared
   * answers. Throttling is backed off first; a call that still fails is a
   * failed fact of every entity that needs it, so that the run completes.
   */
  getSetupFacts(
    annotations: EcrAnnotationsResult,
    subject: OwnershipSubject,
  ): Promise<SetupFacts>;
  /** A repository's tags (shared with the facts), or null when it does not exist. */
  getRepositoryTags(repository: RepositoryRef): Promise<Fact<ResourceTags>>;
  /** Every repository of one account and region (the same listing the facts use). */
  listRepositories(
    accountId: string,
    region: string,
  ): Promise<Fact<ListedRepository[]>>;
}

/** An {@link EcrAuditSession} on the SDK clients. */
export function createAuditSession(
  clients: AwsClients,
  config: Pick<EcrConfig, 'ownership' | 'allowedRoleArnPatterns'>,
  options: AuditSessionOptions = {},
): EcrAuditSession {
  const source = new AuditFactSource(clients, options);
  return {
    getSetupFacts: (annotations, subject) =>
      gatherSetupFactsFrom(
        source,
        annotations,
        ownershipFacts(config, subject),
      ),
    getRepositoryTags: repository =>
      gatherFact('ecr:ListTagsForResource', repository.arn, () =>
        source.listRepositoryTags(repository),
      ),
    listRepositories: (accountId, region) =>
      gatherFact(
        'ecr:DescribeRepositories',
        `arn:aws:ecr:${region}:${accountId}:repository/*`,
        () => source.listRepositories(accountId, region),
      ),
  };
}
