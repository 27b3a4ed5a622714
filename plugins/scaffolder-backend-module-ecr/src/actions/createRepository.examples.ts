import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Create a repository with the safe defaults: scan on push, immutable tags, AES256, untagged images expire after 14 days',
    example: yaml.stringify({
      steps: [
        {
          id: 'repository',
          action: 'ecr:repository:create',
          name: 'Create the ECR repository',
          input: {
            repositoryName: '${{ parameters.name }}',
            region: 'eu-west-2',
            entityRef: 'component:default/${{ parameters.name }}',
            owner: '${{ parameters.owner }}',
          },
        },
      ],
    }),
  },
  {
    description:
      'Create a repository in a named account, encrypted with a KMS key, keeping the last 30 images',
    example: yaml.stringify({
      steps: [
        {
          id: 'repository',
          action: 'ecr:repository:create',
          name: 'Create the ECR repository',
          input: {
            repositoryName: 'team-a/orders-api',
            region: 'eu-west-2',
            accountId: '123412341234',
            entityRef: 'component:default/orders-api',
            owner: 'group:default/team-a',
            encryption: 'KMS',
            kmsKey: 'arn:aws:kms:eu-west-2:123412341234:key/example',
            lifecyclePolicy: {
              rules: [
                {
                  rulePriority: 1,
                  description: 'Keep the last 30 images',
                  selection: {
                    tagStatus: 'any',
                    countType: 'imageCountMoreThan',
                    countNumber: 30,
                  },
                  action: { type: 'expire' },
                },
              ],
            },
          },
        },
      ],
    }),
  },
  {
    description:
      'Fail the task if the repository exists already, instead of reusing it',
    example: yaml.stringify({
      steps: [
        {
          id: 'repository',
          action: 'ecr:repository:create',
          name: 'Create a new ECR repository',
          input: {
            repositoryName: '${{ parameters.name }}',
            region: 'eu-west-2',
            entityRef: 'component:default/${{ parameters.name }}',
            owner: '${{ parameters.owner }}',
            ifExists: 'fail',
          },
        },
      ],
    }),
  },
];
