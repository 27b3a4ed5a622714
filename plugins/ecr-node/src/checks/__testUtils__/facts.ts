import {
  parseRepositoryArn,
  RepositoryRef,
} from '@backstage-ecr/plugin-ecr-common';
import { Fact } from '../../aws/call';
import { RepositoryFacts, SetupFacts } from '../../setup/facts';

export const REPO_ARN =
  'arn:aws:ecr:eu-west-2:123412341234:repository/payments-api';
export const ROLE_ARN =
  'arn:aws:iam::123412341234:role/service-role/codebuild-payments-api-service-role';
export const PROJECT_ARN =
  'arn:aws:codebuild:eu-west-2:123412341234:project/codebuild-payments-api';

export function ok<T>(value: T): Fact<T> {
  return { ok: true, value };
}

export function deniedFact<T>(action: string): Fact<T> {
  return { ok: false, deniedAction: action, awsCode: 'AccessDenied' };
}

export function repoRef(arn = REPO_ARN): RepositoryRef {
  const parsed = parseRepositoryArn(arn);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

export function goodRepository(arn = REPO_ARN): RepositoryFacts {
  return {
    ...repoRef(arn),
    settings: ok({
      imageTagMutability: 'IMMUTABLE',
      scanOnPush: true,
      encryptionType: 'AES256',
    }),
    lifecyclePolicy: ok({ exists: true }),
    images: ok({
      count: 3,
      more: false,
      newestPushedAt: '2024-05-01T10:00:00.000Z',
    }),
  };
}

export function allowedDecisions(repositoryArns: string[] = [REPO_ARN]) {
  return [
    ...repositoryArns.flatMap(resource =>
      [
        'ecr:BatchCheckLayerAvailability',
        'ecr:CompleteLayerUpload',
        'ecr:InitiateLayerUpload',
        'ecr:PutImage',
        'ecr:UploadLayerPart',
      ].map(action => ({ action, resource, decision: 'allowed' as const })),
    ),
    {
      action: 'ecr:GetAuthorizationToken',
      resource: '*',
      decision: 'allowed' as const,
    },
  ];
}

/** The facts of a fully set-up service (the demo's payments-api). */
export function passingFacts(): SetupFacts {
  const repository = repoRef();
  return {
    annotations: {
      ok: true,
      value: {
        repositories: [repository],
        codeBuildProject: {
          arn: PROJECT_ARN,
          partition: 'aws',
          region: 'eu-west-2',
          accountId: '123412341234',
          name: 'codebuild-payments-api',
        },
      },
    },
    repositories: [goodRepository()],
    pushRole: {
      codeBuildProject: {
        arn: PROJECT_ARN,
        name: 'codebuild-payments-api',
        lookup: ok({ found: true, serviceRole: ROLE_ARN }),
      },
      source: 'codebuild',
      candidateRoleArn: ROLE_ARN,
      role: ok({ exists: true, arn: ROLE_ARN }),
    },
    pushPermissions: ok(allowedDecisions()),
    attachedPolicies: ok([
      {
        arn: 'arn:aws:iam::123412341234:policy/service-role/CodeBuildBasePolicy-codebuild-payments-api-eu-west-2',
        name: 'CodeBuildBasePolicy-codebuild-payments-api-eu-west-2',
        document: ok({
          Statement: [
            {
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: '*',
            },
          ],
        }),
      },
    ]),
    callerIdentities: [
      {
        accountId: '123412341234',
        identity: ok({
          arn: 'arn:aws:iam::123412341234:user/backstage',
          accountId: '123412341234',
        }),
      },
    ],
  };
}
