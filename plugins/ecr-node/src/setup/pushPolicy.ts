import { createHash } from 'crypto';
import { PolicyDocument } from '@backstage-ecr/plugin-ecr-common';

/** What pushing an image needs on the repository itself (docs/architecture.md, "Setup checks"). */
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

const POLICY_NAME_PREFIX = 'backstage-ecr-push-';
/** IAM's limit on an inline policy name. */
const MAX_POLICY_NAME_LENGTH = 128;
/** Hex digits of the ARN's SHA-256 that make the name unique. */
const HASH_LENGTH = 10;

/**
 * The inline policy name for a repository:
 * `backstage-ecr-push-<name, / as ->-<hash>`. The readable part alone is not
 * unique (`payments/api` and `payments-api` read the same, as do repositories
 * of one name in two regions or accounts), so the name ends with the first hex
 * digits of the SHA-256 of the repository ARN: granting one repository never
 * overwrites the policy of another on the same role. The readable part is cut
 * to keep the name within IAM's 128 characters and `[\w+=,.@-]`; the hash is
 * never cut.
 *
 * @public
 */
export function pushPolicyName(repository: {
  arn: string;
  name: string;
}): string {
  const hash = createHash('sha256')
    .update(repository.arn)
    .digest('hex')
    .slice(0, HASH_LENGTH);
  const room =
    MAX_POLICY_NAME_LENGTH - POLICY_NAME_PREFIX.length - 1 - HASH_LENGTH;
  const readable = repository.name.replace(/[^\w+=,.@-]/g, '-').slice(0, room);
  return `${POLICY_NAME_PREFIX}${readable}-${hash}`;
}

/**
 * The name earlier versions gave the push policy, before it carried the hash:
 * read (never written) so that a grant made by them is recognised.
 */
export function legacyPushPolicyName(repositoryName: string): string {
  return `${POLICY_NAME_PREFIX}${repositoryName.replace(/\//g, '-')}`;
}

/**
 * The least-privilege push policy for one repository: the five layer and push
 * actions on the repository ARN, and GetAuthorizationToken on `*` (docs/architecture.md, "Writes").
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
