import { PolicyDocument } from '@backstage-ecr/plugin-ecr-common';

/** What pushing an image needs on the repository itself (DESIGN §6). */
export const REPOSITORY_PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:CompleteLayerUpload',
  'ecr:InitiateLayerUpload',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
] as const;

/** `docker login` needs a token, which ECR only grants on `*`. */
export const AUTHORIZATION_TOKEN_ACTION = 'ecr:GetAuthorizationToken';

/** Every action a pushing role needs. */
export const PUSH_ACTIONS = [
  ...REPOSITORY_PUSH_ACTIONS,
  AUTHORIZATION_TOKEN_ACTION,
] as const;

/** The inline policy name for a repository (DESIGN §7). */
export function pushPolicyName(repositoryName: string): string {
  return `backstage-ecr-push-${repositoryName.replace(/\//g, '-')}`;
}

/**
 * The least-privilege push policy for one repository: the five layer and push
 * actions on the repository ARN, and GetAuthorizationToken on `*` (DESIGN §7).
 */
export function pushPolicyDocument(repositoryArn: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PushImages',
        Effect: 'Allow',
        Action: [...REPOSITORY_PUSH_ACTIONS],
        Resource: repositoryArn,
      },
      {
        Sid: 'GetAuthorizationToken',
        Effect: 'Allow',
        Action: AUTHORIZATION_TOKEN_ACTION,
        Resource: '*',
      },
    ],
  };
}
