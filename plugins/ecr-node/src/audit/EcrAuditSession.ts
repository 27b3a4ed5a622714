import { EcrAnnotationsResult } from '@backstage-ecr/plugin-ecr-common';
import { Fact, gatherFact } from '../aws/call';
import { AwsClients } from '../aws/clients';
import { SetupFacts } from '../setup/facts';
import { gatherSetupFactsFrom } from '../setup/gatherSetupFacts';
import { AuditFactSource, ListedRepository } from './AuditFactSource';
import { ThrottleBackoff } from './retryThrottled';

/** How an audit session treats throttling that outlasts the SDK's retries. */
export type AuditSessionOptions = ThrottleBackoff;

/**
 * The AWS side of one audit run. Every AWS answer is shared by all the
 * entities of the run, so start one session per run: its answers are never
 * older than the run.
 */
export interface EcrAuditSession {
  /** The same facts as `EcrService.getSetupFacts`, from the run's shared answers. */
  getSetupFacts(annotations: EcrAnnotationsResult): Promise<SetupFacts>;
  /** Every repository of one account and region (the same listing the facts use). */
  listRepositories(
    accountId: string,
    region: string,
  ): Promise<Fact<ListedRepository[]>>;
}

/** An {@link EcrAuditSession} on the SDK clients. */
export function createAuditSession(
  clients: AwsClients,
  options: AuditSessionOptions = {},
): EcrAuditSession {
  const source = new AuditFactSource(clients, options);
  return {
    getSetupFacts: annotations => gatherSetupFactsFrom(source, annotations),
    listRepositories: (accountId, region) =>
      gatherFact(
        'ecr:DescribeRepositories',
        `arn:aws:ecr:${region}:${accountId}:repository/*`,
        () => source.listRepositories(accountId, region),
      ),
  };
}
