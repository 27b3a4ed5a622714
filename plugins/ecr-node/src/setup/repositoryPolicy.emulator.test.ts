import {
  DeleteRepositoryPolicyCommand,
  ECRClient,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import {
  IAMClient,
  PutRolePermissionsBoundaryCommand,
} from '@aws-sdk/client-iam';
import {
  DEMO_SEED_PATH,
  Emulator,
  readSeedFile,
  startEmulator,
} from '@backstage-ecr/aws-emulator';
import {
  EcrAnnotations,
  OwnershipSubject,
  parseCodeBuildProjectArn,
  parseRepositoryArn,
  SetupCheck,
} from '@backstage-ecr/plugin-ecr-common';
import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { AwsClients } from '../aws/clients';
import { readEcrConfig } from '../config';
import { DefaultEcrService } from '../service/DefaultEcrService';
import { failedFacts } from './gatherSetupFacts';
import { SetupFacts } from './facts';

// push-permissions against the demo seed, through the real SDK: the
// repository policy (read with GetRepositoryPolicy and judged by Backstage,
// since IAM's simulator cannot match a repository policy naming a role), the
// permissions boundary and the cross-account pair of the demo.

const DEMO = '123412341234';
const SHARED = '210987654321';
const REGION = 'eu-west-2';
const ROOT = {
  accessKeyId: 'AKIAEMULATORROOT',
  secretAccessKey: 'emulator-root-secret',
};
const SHARED_ROOT = {
  accessKeyId: 'AKIAEMULATORSHAREDROOT',
  secretAccessKey: 'emulator-shared-root-secret',
};
const PAYMENTS_ROLE = `arn:aws:iam::${DEMO}:role/service-role/codebuild-payments-api-service-role`;
const BASE_IMAGES_ROLE = `arn:aws:iam::${DEMO}:role/service-role/codebuild-base-images-service-role`;

function parsed<T>(
  r: { ok: true; value: T } | { ok: false; error: string },
): T {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

const PAYMENTS: EcrAnnotations = {
  repositories: [
    parsed(
      parseRepositoryArn(
        `arn:aws:ecr:${REGION}:${DEMO}:repository/payments-api`,
      ),
    ),
  ],
  codeBuildProject: parsed(
    parseCodeBuildProjectArn(
      `arn:aws:codebuild:${REGION}:${DEMO}:project/codebuild-payments-api`,
    ),
  ),
};
const PAYMENTS_SUBJECT: OwnershipSubject = {
  entityRef: 'component:default/payments-api',
  ownerRef: 'group:default/team-b',
};
const BASE_IMAGES: EcrAnnotations = {
  repositories: [
    parsed(
      parseRepositoryArn(
        `arn:aws:ecr:${REGION}:${SHARED}:repository/shared-base-images`,
      ),
    ),
  ],
  codeBuildProject: parsed(
    parseCodeBuildProjectArn(
      `arn:aws:codebuild:${REGION}:${DEMO}:project/codebuild-base-images`,
    ),
  ),
};
const BASE_IMAGES_SUBJECT: OwnershipSubject = {
  entityRef: 'component:default/base-images',
  ownerRef: 'group:default/platform-team',
};

/**
 * The demo seed plus two managed policies no role has yet, to be set as a
 * permissions boundary: one that denies ecr:PutImage, one that allows reads.
 */
function seedWithBoundaries() {
  const seed = readSeedFile(DEMO_SEED_PATH);
  const account = seed.accounts.find(a => a.id === DEMO)!;
  account.managedPolicies = [
    ...(account.managedPolicies ?? []),
    {
      name: 'no-put-image-boundary',
      path: '/',
      document: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { Effect: 'Deny', Action: 'ecr:PutImage', Resource: '*' },
        ],
      },
    },
    {
      name: 'read-only-boundary',
      path: '/',
      document: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'ecr:Get*', Resource: '*' }],
      },
    },
  ];
  return seed;
}

/** Sets a seeded policy as the permissions boundary of payments-api's role. */
async function setBoundary(emulator: Emulator, policyName: string) {
  const iam = new IAMClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: ROOT,
  });
  await iam.send(
    new PutRolePermissionsBoundaryCommand({
      RoleName: 'codebuild-payments-api-service-role',
      PermissionsBoundary: `arn:aws:iam::${DEMO}:policy/${policyName}`,
    }),
  );
  iam.destroy();
}

describe('push-permissions judges the repository policy as AWS would', () => {
  let emulator: Emulator;
  let clients: AwsClients;
  let service: DefaultEcrService;
  const admin = (keys: typeof ROOT) => ({
    endpoint: emulator.url,
    region: REGION,
    credentials: keys,
  });

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: seedWithBoundaries() });
    // Backstage in both accounts of the demo, each with its own key.
    const config = new ConfigReader({
      aws: {
        accounts: [
          {
            accountId: DEMO,
            accessKeyId: 'AKIAEMULATORBACKSTAGE',
            secretAccessKey: 'emulator-backstage-secret',
          },
          {
            accountId: SHARED,
            accessKeyId: 'AKIAEMULATORSHARED',
            secretAccessKey: 'emulator-shared-secret',
          },
        ],
      },
      ecr: {
        allowedAccounts: [DEMO, SHARED],
        endpoint: emulator.url,
        maxAttempts: 1,
        iam: {
          allowedRoleArnPatterns: [
            'arn:aws:iam::*:role/service-role/codebuild-*',
          ],
        },
      },
    });
    const ecrConfig = readEcrConfig(config);
    clients = new AwsClients(DefaultAwsCredentialsManager.fromConfig(config), {
      endpoint: ecrConfig.endpoint,
      maxAttempts: ecrConfig.maxAttempts,
    });
    service = new DefaultEcrService(clients, ecrConfig);
  });

  afterAll(async () => {
    clients.destroy();
    await emulator.stop();
  });

  afterEach(() => {
    emulator.setFaults({ errorRate: 0, operations: [] });
    emulator.reset();
  });

  const gather = async (
    value: EcrAnnotations,
    subject: OwnershipSubject,
  ): Promise<{ facts: SetupFacts; checks: Record<string, SetupCheck> }> => {
    const facts = await service.getSetupFacts({ ok: true, value }, subject);
    const checks = service.evaluateSetupChecks(facts);
    return { facts, checks: Object.fromEntries(checks.map(c => [c.id, c])) };
  };

  it('passes payments-api, whose role’s own policy allows the push and which has no repository policy', async () => {
    const { facts, checks } = await gather(PAYMENTS, PAYMENTS_SUBJECT);
    expect(facts.repositories[0].repositoryPolicy).toEqual({
      ok: true,
      value: null,
    });
    expect(checks['push-permissions'].status).toBe('pass');
  });

  it('fails naming the statement when the repository policy denies, although the role’s own policy allows', async () => {
    const ecr = new ECRClient(admin(ROOT));
    await ecr.send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'payments-api',
        policyText: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'NoPushFromBuilds',
              Effect: 'Deny',
              Principal: { AWS: PAYMENTS_ROLE },
              Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload'],
            },
          ],
        }),
      }),
    );
    ecr.destroy();
    const { facts, checks } = await gather(PAYMENTS, PAYMENTS_SUBJECT);
    // The role's identity side still allows every push action.
    const simulated = facts.pushPermissions?.ok
      ? facts.pushPermissions.value
      : [];
    expect(simulated.every(d => d.decision === 'allowed')).toBe(true);
    const check = checks['push-permissions'];
    expect(check.status).toBe('fail');
    expect(check.missingActions).toEqual([
      'ecr:InitiateLayerUpload',
      'ecr:PutImage',
    ]);
    expect(check.detail).toContain(
      'The repository policy of payments-api denies ecr:InitiateLayerUpload, ecr:PutImage (statement "NoPushFromBuilds")',
    );
    expect(check.remedy).toContain(
      'Change statement "NoPushFromBuilds" of the repository policy of payments-api',
    );
    // No inline policy on the role helps against a Deny.
    expect(check.remedy).not.toContain('put-role-policy');
  });

  it('passes the demo’s cross-account pair, and fails naming the repository policy once its statement is gone', async () => {
    const before = await gather(BASE_IMAGES, BASE_IMAGES_SUBJECT);
    expect(before.checks['push-permissions']).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining(
        `The repository policy of account ${SHARED} lets it push to shared-base-images (AllowPushFromBaseImagesBuild).`,
      ),
    });

    const ecr = new ECRClient(admin(SHARED_ROOT));
    await ecr.send(
      new DeleteRepositoryPolicyCommand({
        repositoryName: 'shared-base-images',
      }),
    );
    ecr.destroy();
    const { checks } = await gather(BASE_IMAGES, BASE_IMAGES_SUBJECT);
    const check = checks['push-permissions'];
    expect(check.status).toBe('fail');
    expect(check.missingActions).toEqual([
      'ecr:BatchCheckLayerAvailability',
      'ecr:CompleteLayerUpload',
      'ecr:InitiateLayerUpload',
      'ecr:PutImage',
      'ecr:UploadLayerPart',
    ]);
    expect(check.detail).toContain(
      `The repository policy of account ${SHARED} does not allow ${BASE_IMAGES_ROLE} ecr:BatchCheckLayerAvailability, ecr:CompleteLayerUpload, ecr:InitiateLayerUpload, ecr:PutImage, ecr:UploadLayerPart on shared-base-images (the repository has no policy)`,
    );
    expect(check.remedy).toContain(
      `aws ecr set-repository-policy --registry-id ${SHARED} --region ${REGION} --repository-name shared-base-images --policy-text '`,
    );
    const statement = JSON.parse(
      check.remedy!.slice(
        check.remedy!.indexOf('{'),
        check.remedy!.indexOf('\n}\n') + 2,
      ),
    );
    expect(statement).toEqual({
      Sid: 'AllowPushFromCodebuildBaseImagesServiceRole',
      Effect: 'Allow',
      Principal: { AWS: BASE_IMAGES_ROLE },
      Action: [
        'ecr:BatchCheckLayerAvailability',
        'ecr:CompleteLayerUpload',
        'ecr:InitiateLayerUpload',
        'ecr:PutImage',
        'ecr:UploadLayerPart',
      ],
    });
    // The policy the remedy sets is one ECR accepts, and it lets the role in again.
    const policyText = /--policy-text '(.*)'$/m.exec(check.remedy!)![1];
    const shared = new ECRClient(admin(SHARED_ROOT));
    await shared.send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'shared-base-images',
        policyText,
      }),
    );
    shared.destroy();
    const after = await gather(BASE_IMAGES, BASE_IMAGES_SUBJECT);
    expect(after.checks['push-permissions'].status).toBe('pass');
  });

  it('names a permissions boundary that denies ecr:PutImage as the reason', async () => {
    await setBoundary(emulator, 'no-put-image-boundary');
    const { facts, checks } = await gather(PAYMENTS, PAYMENTS_SUBJECT);
    const putImage = facts.pushPermissions?.ok
      ? facts.pushPermissions.value.find(d => d.action === 'ecr:PutImage')
      : undefined;
    expect(putImage).toMatchObject({
      decision: 'explicitDeny',
      allowedByPermissionsBoundary: false,
    });
    const check = checks['push-permissions'];
    expect(check.status).toBe('fail');
    expect(check.missingActions).toEqual(['ecr:PutImage']);
    expect(check.detail).toContain(
      'A permissions boundary on the role denies ecr:PutImage on payments-api',
    );
    expect(check.remedy).toContain(
      'Change the permissions boundary of codebuild-payments-api-service-role to allow ecr:PutImage',
    );
    expect(check.remedy).not.toContain('put-role-policy');
  });

  it('is unknown naming ecr:GetRepositoryPolicy when it fails, and the rest is unchanged', async () => {
    const unbroken = await gather(PAYMENTS, PAYMENTS_SUBJECT);
    emulator.setFaults({
      errorRate: 1,
      operations: ['ecr:GetRepositoryPolicy'],
    });
    const { facts, checks } = await gather(PAYMENTS, PAYMENTS_SUBJECT);
    expect(failedFacts(facts).map(f => f.operation)).toEqual([
      'ecr:GetRepositoryPolicy',
    ]);
    expect(checks['push-permissions']).toMatchObject({
      status: 'unknown',
      detail: expect.stringMatching(
        /^AWS failed ecr:GetRepositoryPolicy on payments-api \(HTTP 500, ServerException\), so Backstage cannot tell whether the repository policy lets .* push to payments-api/,
      ),
      remedy: 'AWS failed; try again shortly.',
    });
    const others = (all: Record<string, SetupCheck>) =>
      Object.values(all).filter(c => c.id !== 'push-permissions');
    expect(others(checks)).toEqual(others(unbroken.checks));
  });

  it('fails with what is known when the role’s own side already lacks actions, noting the unread repository policy', async () => {
    emulator.setFaults({
      errorRate: 1,
      operations: ['ecr:GetRepositoryPolicy'],
    });
    await setBoundary(emulator, 'read-only-boundary');
    const { checks } = await gather(PAYMENTS, PAYMENTS_SUBJECT);
    const check = checks['push-permissions'];
    expect(check.status).toBe('fail');
    expect(check.detail).toContain(
      'AWS failed ecr:GetRepositoryPolicy on payments-api (HTTP 500, ServerException), so its repository policy is not taken into account.',
    );
  });
});
