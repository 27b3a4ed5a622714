import { paginateDescribeRepositories } from '@aws-sdk/client-ecr';
import {
  CodeBuildProjectRef,
  RepositoryRef,
  RoleRef,
} from '@backstage-ecr/plugin-ecr-common';
import { AwsClients } from '../aws/clients';
import { isAccessDenied } from '../aws/errors';
import {
  PolicyDocumentFacts,
  PushDecision,
  RepositorySettingsFacts,
  ResourceTags,
} from '../setup/facts';
import {
  AwsSetupFactSource,
  ImagesSample,
  ProjectLookup,
  RoleLookup,
  repositorySettings,
  SetupFactSource,
} from '../setup/factSource';
import { retryThrottled, ThrottleBackoff } from './retryThrottled';

/**
 * A repository as the listing of its account and region reports it.
 *
 * @public
 */
export interface ListedRepository {
  arn: string;
  name: string;
  region: string;
  accountId: string;
  createdAt?: string;
  settings: RepositorySettingsFacts;
}

/** The most repositories DescribeRepositories answers per page. */
const LISTING_PAGE_SIZE = 1000;

/**
 * The setup facts of a whole audit run: each AWS question is asked once per
 * run, however many entities ask it, and concurrent askers share the answer in
 * flight. Repository settings come from one DescribeRepositories listing per
 * account and region (which the unclaimed repositories need anyway) instead of
 * one call per repository; where Backstage may describe repositories but not
 * list them, it falls back to one call per repository. Throttling that outlasts
 * the SDK's retries is backed off and tried again; a failure that remains is
 * shared like an answer, and the gatherer makes it a failed fact.
 */
export class AuditFactSource implements SetupFactSource {
  private readonly answers = new Map<string, Promise<unknown>>();
  private readonly direct: SetupFactSource;

  constructor(
    private readonly clients: AwsClients,
    private readonly backoff: ThrottleBackoff = {},
  ) {
    this.direct = new AwsSetupFactSource(clients);
  }

  /** Every repository of one account and region, through every page. */
  listRepositories(
    accountId: string,
    region: string,
  ): Promise<ListedRepository[]> {
    return this.once(`listing/${accountId}/${region}`, async () => {
      const listed: ListedRepository[] = [];
      for await (const page of paginateDescribeRepositories(
        {
          client: this.clients.ecr(accountId, region),
          pageSize: LISTING_PAGE_SIZE,
        },
        { registryId: accountId },
      )) {
        for (const r of page.repositories ?? []) {
          if (!r.repositoryArn || !r.repositoryName) continue;
          listed.push({
            arn: r.repositoryArn,
            name: r.repositoryName,
            region,
            accountId: r.registryId ?? accountId,
            ...(r.createdAt && { createdAt: r.createdAt.toISOString() }),
            settings: repositorySettings(r),
          });
        }
      }
      return listed;
    });
  }

  async describeRepository(
    repository: RepositoryRef,
  ): Promise<RepositorySettingsFacts | null> {
    let byName: Map<string, ListedRepository>;
    try {
      byName = await this.remember(
        `listing-index/${repository.accountId}/${repository.region}`,
        async () =>
          new Map(
            (
              await this.listRepositories(
                repository.accountId,
                repository.region,
              )
            ).map(r => [r.name, r]),
          ),
      );
    } catch (error) {
      if (!isAccessDenied(error)) throw error;
      return this.once(`repository/${repository.arn}`, () =>
        this.direct.describeRepository(repository),
      );
    }
    return byName.get(repository.name)?.settings ?? null;
  }

  listRepositoryTags(repository: RepositoryRef): Promise<ResourceTags> {
    return this.once(`tags/${repository.arn}`, () =>
      this.direct.listRepositoryTags(repository),
    );
  }

  hasLifecyclePolicy(repository: RepositoryRef): Promise<boolean> {
    return this.once(`lifecycle/${repository.arn}`, () =>
      this.direct.hasLifecyclePolicy(repository),
    );
  }

  sampleImages(repository: RepositoryRef): Promise<ImagesSample> {
    return this.once(`images/${repository.arn}`, () =>
      this.direct.sampleImages(repository),
    );
  }

  getRepositoryPolicy(
    repository: RepositoryRef,
  ): Promise<PolicyDocumentFacts | null> {
    return this.once(`repository-policy/${repository.arn}`, () =>
      this.direct.getRepositoryPolicy(repository),
    );
  }

  getCodeBuildProject(project: CodeBuildProjectRef): Promise<ProjectLookup> {
    return this.once(`project/${project.arn}`, () =>
      this.direct.getCodeBuildProject(project),
    );
  }

  getRole(role: RoleRef): Promise<RoleLookup> {
    return this.once(`role/${role.arn}`, () => this.direct.getRole(role));
  }

  simulatePrincipalPolicy(
    role: RoleRef,
    actions: readonly string[],
    resource: string,
  ): Promise<PushDecision[]> {
    return this.once(
      `simulate/${role.arn}/${resource}/${[...actions].sort().join(',')}`,
      () => this.direct.simulatePrincipalPolicy(role, actions, resource),
    );
  }

  listAttachedRolePolicies(
    role: RoleRef,
  ): Promise<Array<{ arn: string; name: string }>> {
    return this.once(`attached/${role.arn}`, () =>
      this.direct.listAttachedRolePolicies(role),
    );
  }

  getDefaultPolicyVersion(
    role: RoleRef,
    policyArn: string,
  ): Promise<string | null> {
    return this.once(`policy/${policyArn}`, () =>
      this.direct.getDefaultPolicyVersion(role, policyArn),
    );
  }

  getPolicyVersionDocument(
    role: RoleRef,
    policyArn: string,
    versionId: string,
  ): Promise<PolicyDocumentFacts | null> {
    return this.once(`policy-version/${policyArn}/${versionId}`, () =>
      this.direct.getPolicyVersionDocument(role, policyArn, versionId),
    );
  }

  getCallerIdentity(
    accountId: string,
    region: string,
  ): Promise<{ arn: string; accountId: string }> {
    // Who Backstage is does not depend on the region.
    return this.once(`caller/${accountId}`, () =>
      this.direct.getCallerIdentity(accountId, region),
    );
  }

  /** One AWS question, asked once per run and backed off when throttled. */
  private once<T>(key: string, ask: () => Promise<T>): Promise<T> {
    return this.remember(key, () => retryThrottled(ask, this.backoff));
  }

  private remember<T>(key: string, make: () => Promise<T>): Promise<T> {
    let answer = this.answers.get(key) as Promise<T> | undefined;
    if (!answer) {
      answer = make();
      this.answers.set(key, answer);
    }
    return answer;
  }
}
