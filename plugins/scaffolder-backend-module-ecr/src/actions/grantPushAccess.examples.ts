import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Grant the service role of a CodeBuild project push access to the repository an earlier step created',
    example: yaml.stringify({
      steps: [
        {
          id: 'push-access',
          action: 'ecr:push-access:grant',
          name: 'Grant the build role push access',
          input: {
            repositoryArn: '${{ steps.repository.output.repositoryArn }}',
            entityRef: 'component:default/${{ parameters.name }}',
            owner: '${{ parameters.owner }}',
            codeBuildProjectArn:
              'arn:aws:codebuild:eu-west-2:123412341234:project/${{ parameters.name }}',
          },
        },
      ],
    }),
  },
  {
    description: 'Grant a role named by its ARN push access to a repository',
    example: yaml.stringify({
      steps: [
        {
          id: 'push-access',
          action: 'ecr:push-access:grant',
          name: 'Grant the pipeline role push access',
          input: {
            repositoryArn:
              'arn:aws:ecr:eu-west-2:123412341234:repository/orders-api',
            entityRef: 'component:default/orders-api',
            owner: 'group:default/team-a',
            roleArn:
              'arn:aws:iam::123412341234:role/service-role/codebuild-orders-api-service-role',
          },
        },
      ],
    }),
  },
];
