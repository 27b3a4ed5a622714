import {
  parseRepositoryArn,
  RepositoryRef,
} from '@backstage-ecr/plugin-ecr-common';
import { Fact, FailedFact } from '../../aws/call';
import { OwnershipFacts, RepositoryFacts, SetupFacts } from '../../setup/facts';

export const REPO_ARN =
  'arn:aws:ecr:eu-west-2:123412341234:repository/payments-api';
export const ROLE_ARN =
  'arn:aws:iam::123412341234:role/service-role/codebuild-payments-api-service-role';
export const PROJECT_ARN =
  'arn:aws:codebuild:eu-west-2:123412341234:project/codebuild-payments-api';

/** The entity the passing facts are for, and its owner. */
export const ENTITY_REF = 'component:default/payments-api';
export const OWNER_REF = 'group:default/team-b';
/** Another team, whose resources the entity must not act on. */
export const OTHER_ENTITY_REF = 'component:default/checkout-web';
export const OTHER_OWNER_REF = 'group:default/team-a';
export const ENTITY_REF_TAG = 'backstage.io/entity-ref';
export const OWNER_TAG = 'backstage.io/owner';
export const ROLE_PATTERNS = ['arn:aws:iam::*:role/service-role/codebuild-*'];

/** How the passing facts' entity judges its resources (the defaults of `ecr.ownership`). */
export function ownership(
  overrides: Partial<OwnershipFacts> = {},
): OwnershipFacts {
  return {
    subject: { entityRef: ENTITY_REF, ownerRef: OWNER_REF },
    entityRefTag: ENTITY_REF_TAG,
    ownerTag: OWNER_TAG,
    unbound: 'read-only',
    allowedRoleArnPatterns: ROLE_PATTERNS,
    ...overrides,
  };
}

export function ok<T>(value: T): Fact<T> {
  return { ok: true, value };
}

/** AWS refused Backstage's identity `action`, as IAM answers a refusal. */
export function deniedFact<T>(action: string): Fact<T> {
  return {
    ok: false,
    kind: 'denied',
    operation: action,
    deniedAction: action,
    awsCode: 'AccessDenied',
    httpStatus: 403,
    transient: false,
  };
}

/** How each kind of failure of `operation` reaches the facts. */
export const FAILURES = {
  /** IAM failing on its side. */
  serviceFailure: (operation: string): FailedFact => ({
    ok: false,
    kind: 'unavailable',
    reason: 'server',
    operation,
    awsCode: 'ServiceFailureException',
    httpStatus: 500,
    transient: true,
  }),
  /** An endpoint answering an HTML 500 page the SDK could not read. */
  html500: (operation: string): FailedFact => ({
    ok: false,
    kind: 'unavailable',
    reason: 'server',
    operation,
    awsCode: 'SyntaxError',
    httpStatus: 500,
    transient: true,
  }),
  /** An endpoint that says it does not implement the operation. */
  notImplemented: (operation: string): FailedFact => ({
    ok: false,
    kind: 'unavailable',
    reason: 'not-implemented',
    operation,
    awsCode: 'UnknownError',
    httpStatus: 501,
    transient: false,
  }),
  throttled: (operation: string): FailedFact => ({
    ok: false,
    kind: 'throttled',
    operation,
    awsCode: 'ThrottlingException',
    httpStatus: 400,
    transient: true,
  }),
  unreachable: (operation: string): FailedFact => ({
    ok: false,
    kind: 'unreachable',
    operation,
    awsCode: 'ECONNREFUSED',
    transient: true,
  }),
};

export function repoRef(arn = REPO_ARN): RepositoryRef {
  const parsed = parseRepositoryArn(arn);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

export function goodRepository(arn = REPO_ARN): RepositoryFacts {
  return {
    ...repoRef(arn),
    tags: ok({ [ENTITY_REF_TAG]: ENTITY_REF }),
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

/**
 * The facts of a fully set-up service (the demo's payments-api): its
 * repository tagged with the entity, its CodeBuild project with its owner, and
 * the project's untagged service role belonging through the project.
 */
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
        lookup: ok({
          found: true,
          serviceRole: ROLE_ARN,
          tags: { [OWNER_TAG]: OWNER_REF },
        }),
      },
      source: 'codebuild',
      candidateRoleArn: ROLE_ARN,
      role: ok({ exists: true, arn: ROLE_ARN, tags: {} }),
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
    ownership: ownership(),
  };
}
