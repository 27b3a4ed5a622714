import { RepositoryRef } from '@backstage-ecr/plugin-ecr-common';

const DNS_SUFFIX: Record<string, string> = {
  aws: 'amazonaws.com',
  'aws-cn': 'amazonaws.com.cn',
  'aws-us-gov': 'amazonaws.com',
};

/** `ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME`, what docker pull and push use. */
export function repositoryUri(repository: RepositoryRef): string {
  const suffix = DNS_SUFFIX[repository.partition] ?? DNS_SUFFIX.aws;
  return `${repository.accountId}.dkr.ecr.${repository.region}.${suffix}/${repository.name}`;
}
