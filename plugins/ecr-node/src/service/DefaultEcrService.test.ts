import {
  DEMO_SEED_PATH,
  Emulator,
  readSeedFile,
  startEmulator,
} from '@backstage-ecr/aws-emulator';
import {
  ownershipSubjectOf,
  parseRepositoryArn,
  readEcrAnnotations,
  RepositoryRef,
} from '@backstage-ecr/plugin-ecr-common';
import { Entity } from '@backstage/catalog-model';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { ConfigReader } from '@backstage/config';
import { AwsClients } from '../aws/clients';
import { AwsAccessDeniedError, AwsThrottledError } from '../aws/errors';
import { readEcrConfig } from '../config';
import { DefaultEcrService } from './DefaultEcrService';

// The AWS layer against the emulator, through the real SDK clients.

const ACCOUNT = '123412341234';
const PAYMENTS = {
  entityRef: 'component:default/payments-api',
  ownerRef: 'group:default/team-b',
};

function repository(name: string): RepositoryRef {
  const parsed = parseRepositoryArn(
    `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/${name}`,
  );
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

function serviceFor(
  emulator: Emulator,
  keys = {
    accessKeyId: 'AKIAEMULATORBACKSTAGE',
    secretAccessKey: 'emulator-backstage-secret',
  },
) {
  const config = new ConfigReader({
    aws: { accounts: [{ accountId: ACCOUNT, ...keys }] },
    ecr: {
      allowedAccounts: [ACCOUNT],
      endpoint: emulator.url,
      maxAttempts: 2,
      iam: {
        allowedRoleArnPatterns: [
          'arn:aws:iam::*:role/service-role/codebuild-*',
        ],
      },
    },
  });
  const ecrConfig = readEcrConfig(config);
  const clients = new AwsClients(
    DefaultAwsCredentialsManager.fromConfig(config),
    { endpoint: ecrConfig.endpoint, maxAttempts: ecrConfig.maxAttempts },
  );
  return { service: new DefaultEcrService(clients, ecrConfig), clients };
}

describe('DefaultEcrService against the emulator', () => {
  let emulator: Emulator;
  let clients: AwsClients;
  let service: DefaultEcrService;

  beforeAll(async () => {
    // The demo seed, plus a user that may do nothing at all and one that may
    // only read repository tags; proof-of-concept's and payments-api's
    // resources bound as the demo catalog has them (whatever the seed says).
    const seed = readSeedFile(DEMO_SEED_PATH);
    const account = seed.accounts[0];
    account.users = [
      ...(account.users ?? []),
      {
        name: 'no-permissions',
        accessKeys: [{ id: 'AKIAEMULATORNOTHING', secret: 'nothing-secret' }],
      },
      {
        name: 'tags-only',
        accessKeys: [{ id: 'AKIAEMULATORTAGSONLY', secret: 'tags-secret' }],
        inlinePolicies: {
          'read-tags': {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'ecr:ListTagsForResource',
                Resource: '*',
              },
            ],
          },
        },
      },
    ];
    const tags: Record<string, Record<string, string>> = {
      'proof-of-concept-repo': {
        'backstage.io/entity-ref': 'component:default/proof-of-concept',
      },
      'codebuild-proof-of-concept-snapshot': {
        'backstage.io/owner': 'group:default/team-a',
      },
      'codebuild-proof-of-concept-snapshot-service-role': {},
      'payments-api': {
        'backstage.io/entity-ref': PAYMENTS.entityRef,
        'backstage.io/owner': PAYMENTS.ownerRef,
      },
    };
    for (const resource of [
      ...(account.repositories ?? []),
      ...(account.codebuildProjects ?? []),
      ...(account.roles ?? []),
    ]) {
      if (tags[resource.name]) resource.tags = tags[resource.name];
    }
    emulator = await startEmulator({
      port: 0,
      seed,
      generate: [{ repository: 'big-repo', images: 2345 }],
    });
    ({ service, clients } = serviceFor(emulator));
  });

  afterAll(async () => {
    clients.destroy();
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.setFaults({ throttleRate: 0, errorRate: 0 });
    emulator.resetCalls();
  });

  it('reads every image through every page, newest first', async () => {
    const answer = await service.getRepositoryImages(repository('big-repo'));
    expect(answer.exists).toBe(true);
    expect(answer.imageCount).toBe(2345);
    expect(answer.images).toHaveLength(2345);
    expect(emulator.calls()['ecr:DescribeImages']).toBe(3);
    const pushed = answer.images.map(i => Date.parse(i.pushedAt));
    expect([...pushed].sort((a, b) => b - a)).toEqual(pushed);
    expect(answer.uri).toBe(
      '123412341234.dkr.ecr.eu-west-2.amazonaws.com/big-repo',
    );
  });

  it('takes the scan summary from DescribeImages, without a call per image', async () => {
    const answer = await service.getRepositoryImages(
      repository('proof-of-concept-repo'),
    );
    expect(answer.images[0].tags).toEqual(['9b1e7c0', 'latest']);
    expect(answer.images[0].scan).toMatchObject({
      status: 'COMPLETE',
      severityCounts: { MEDIUM: 1, LOW: 1 },
    });
    expect(emulator.calls()).toEqual({ 'ecr:DescribeImages': 1 });
  });

  it('answers exists: false for a repository that is not there', async () => {
    await expect(
      service.getRepositoryImages(repository('inventory-service')),
    ).resolves.toMatchObject({ exists: false, images: [], imageCount: 0 });
  });

  it('reads findings, and says "not scanned" for an image never scanned', async () => {
    const findings = await service.getFindings(
      repository('proof-of-concept-repo'),
      'sha256:34a5077dc2003d7cdf31e1c92244fedb9487aa49f2122a9464a393a9ac4d8db5',
    );
    expect(findings).toMatchObject({ scanned: true, status: 'COMPLETE' });
    expect(findings.findings.map(f => f.severity)).toEqual([
      'CRITICAL',
      'HIGH',
      'HIGH',
      'MEDIUM',
      'LOW',
    ]);
    const notScanned = await service.getFindings(
      repository('proof-of-concept-repo'),
      'sha256:afef7aa003da20be23fa9a9ff20dbaa99fb414f26c2465de932be44f19b36577',
    );
    expect(notScanned).toMatchObject({
      scanned: false,
      status: 'NOT_SCANNED',
      findings: [],
    });
  });

  it('maps enhanced findings with package and fix', async () => {
    const findings = await service.getFindings(
      repository('payments-api'),
      'sha256:04ee3492b6c6a7c33f0df400ba1415596c27d499c87e582375063267741a5ebe',
    );
    expect(findings.findings[0]).toMatchObject({
      name: 'CVE-2024-2961',
      severity: 'HIGH',
      type: 'enhanced',
      packageName: 'glibc',
      packageVersion: '2.36-9+deb12u4',
      score: 7.3,
      uri: 'https://nvd.nist.gov/vuln/detail/CVE-2024-2961',
    });
  });

  it('gathers the facts of the setup guide service', async () => {
    const entity: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'proof-of-concept',
        annotations: {
          'aws.amazon.com/amazon-ecr-arn': `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/proof-of-concept-repo`,
          'aws.amazon.com/aws-codebuild-project-arn': `arn:aws:codebuild:eu-west-2:${ACCOUNT}:project/codebuild-proof-of-concept-snapshot`,
        },
      },
      spec: { owner: 'team-a' },
    };
    const facts = await service.getSetupFacts(
      readEcrAnnotations(entity, { allowedAccounts: [ACCOUNT] }),
      ownershipSubjectOf(entity),
    );
    const checks = Object.fromEntries(
      service.evaluateSetupChecks(facts).map(c => [c.id, c]),
    );
    expect(checks['push-permissions']).toMatchObject({
      status: 'fail',
      missingActions: [
        'ecr:BatchCheckLayerAvailability',
        'ecr:CompleteLayerUpload',
        'ecr:InitiateLayerUpload',
        'ecr:PutImage',
        'ecr:UploadLayerPart',
        'ecr:GetAuthorizationToken',
      ],
    });
    expect(checks['scan-on-push'].status).toBe('warn');
    expect(checks['tag-immutability'].status).toBe('warn');
    expect(checks['lifecycle-policy'].status).toBe('warn');
    expect(checks['push-role-found'].status).toBe('pass');
    expect(checks['codebuild-managed-policy'].status).toBe('pass');
    expect(checks['not-root-credentials'].status).toBe('pass');
    // The repository by its entity tag, the untagged role through its project.
    expect(checks['repository-owner'].status).toBe('pass');
    expect(checks['push-role-owner'].status).toBe('pass');
    expect(JSON.parse(JSON.stringify(facts))).toEqual(facts);
  });

  it('answers a repository’s tags, and null for one that does not exist', async () => {
    await expect(
      service.getRepositoryTags(repository('payments-api')),
    ).resolves.toEqual({
      'backstage.io/entity-ref': PAYMENTS.entityRef,
      'backstage.io/owner': PAYMENTS.ownerRef,
    });
    await expect(
      service.getRepositoryTags(repository('inventory-service')),
    ).resolves.toBeNull();
    expect(emulator.calls()).toEqual({ 'ecr:ListTagsForResource': 2 });
  });

  it('honours the SDK’s own AWS_ENDPOINT_URL when ecr.endpoint is unset', async () => {
    const saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = emulator.url;
    const config = new ConfigReader({
      aws: {
        accounts: [
          {
            accountId: ACCOUNT,
            accessKeyId: 'AKIAEMULATORBACKSTAGE',
            secretAccessKey: 'emulator-backstage-secret',
          },
        ],
      },
      ecr: { allowedAccounts: [ACCOUNT] },
    });
    const envClients = new AwsClients(
      DefaultAwsCredentialsManager.fromConfig(config),
    );
    try {
      const envService = new DefaultEcrService(
        envClients,
        readEcrConfig(config),
      );
      await expect(
        envService.getRepositoryImages(repository('payments-api')),
      ).resolves.toMatchObject({ exists: true, imageCount: 3 });
      expect(emulator.calls()['ecr:DescribeImages']).toBe(1);
    } finally {
      envClients.destroy();
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = saved;
    }
  });

  it('reports throttling that outlasts the retries as AwsThrottledError', async () => {
    emulator.setFaults({ throttleRate: 1 });
    await expect(
      service.getRepositoryImages(repository('payments-api')),
    ).rejects.toBeInstanceOf(AwsThrottledError);
    expect(emulator.calls()['ecr:DescribeImages']).toBe(2);
  });

  it('reports rejected credentials as a 502 that names no principal', async () => {
    const other = serviceFor(emulator, {
      accessKeyId: 'AKIAEMULATORROOT',
      secretAccessKey: 'wrong',
    });
    try {
      const error = await other.service
        .getRepositoryImages(repository('payments-api'))
        .catch(e => e);
      expect(error.statusCode).toBe(502);
      expect(error.message).toMatch(/AWS rejected the credentials/);
    } finally {
      other.clients.destroy();
    }
  });

  it('names the denied action and AWS code for AccessDenied, not the principal', async () => {
    const other = serviceFor(emulator, {
      accessKeyId: 'AKIAEMULATORNOTHING',
      secretAccessKey: 'nothing-secret',
    });
    try {
      const error = await other.service
        .getRepositoryImages(repository('payments-api'))
        .catch(e => e);
      expect(error).toBeInstanceOf(AwsAccessDeniedError);
      expect(error).toMatchObject({
        statusCode: 502,
        awsCode: 'AccessDeniedException',
        action: 'ecr:DescribeImages',
      });
      expect(error.message).toContain('ecr:DescribeImages');
      expect(error.message).toContain('AccessDeniedException');
      expect(error.message).not.toContain('no-permissions');
    } finally {
      other.clients.destroy();
    }
  });

  const PAYMENTS_ANNOTATIONS = {
    ok: true as const,
    value: {
      repositories: [repository('payments-api')],
      codeBuildProject: {
        arn: `arn:aws:codebuild:eu-west-2:${ACCOUNT}:project/codebuild-payments-api`,
        partition: 'aws',
        region: 'eu-west-2',
        accountId: ACCOUNT,
        name: 'codebuild-payments-api',
      },
    },
  };

  it('names the IAM action each check needs when Backstage may do nothing', async () => {
    const other = serviceFor(emulator, {
      accessKeyId: 'AKIAEMULATORNOTHING',
      secretAccessKey: 'nothing-secret',
    });
    try {
      const facts = await other.service.getSetupFacts(
        PAYMENTS_ANNOTATIONS,
        PAYMENTS,
      );
      const checks = other.service.evaluateSetupChecks(facts);
      // Who the repository belongs to comes first: until Backstage may read
      // its tags, nothing else of it is read, and the checks that look into
      // it say so. The checks of the pushing role name the project lookup:
      // without it no role is known.
      expect(
        Object.fromEntries(checks.map(c => [c.id, c.requiredActions])),
      ).toEqual({
        'annotation-valid': undefined,
        'repository-exists': undefined,
        'scan-on-push': undefined,
        'tag-immutability': undefined,
        'lifecycle-policy': undefined,
        encryption: undefined,
        'push-role-found': ['codebuild:BatchGetProjects'],
        'push-permissions': undefined,
        'codebuild-managed-policy': ['codebuild:BatchGetProjects'],
        // Like AWS, the emulator answers GetCallerIdentity whatever the policies.
        'not-root-credentials': undefined,
        'images-present': undefined,
        'repository-owner': ['ecr:ListTagsForResource'],
        'push-role-owner': ['codebuild:BatchGetProjects'],
      });
      const byId = Object.fromEntries(checks.map(c => [c.id, c]));
      expect(byId['repository-exists']).toMatchObject({
        status: 'unknown',
        detail:
          'Not checked: who payments-api belongs to is unknown: Backstage may not call ecr:ListTagsForResource (HTTP 400, AccessDeniedException).',
      });
      expect(emulator.calls()['ecr:DescribeRepositories']).toBeUndefined();
    } finally {
      other.clients.destroy();
    }
  });

  it('names the repository reads next, once Backstage may read who the repository belongs to', async () => {
    const other = serviceFor(emulator, {
      accessKeyId: 'AKIAEMULATORTAGSONLY',
      secretAccessKey: 'tags-secret',
    });
    try {
      const facts = await other.service.getSetupFacts(
        PAYMENTS_ANNOTATIONS,
        PAYMENTS,
      );
      const checks = other.service.evaluateSetupChecks(facts);
      expect(
        Object.fromEntries(checks.map(c => [c.id, c.requiredActions])),
      ).toMatchObject({
        'repository-exists': ['ecr:DescribeRepositories'],
        'scan-on-push': ['ecr:DescribeRepositories'],
        'tag-immutability': ['ecr:DescribeRepositories'],
        'lifecycle-policy': ['ecr:DescribeRepositories'],
        encryption: ['ecr:DescribeRepositories'],
        'images-present': ['ecr:DescribeRepositories'],
        'push-role-found': ['codebuild:BatchGetProjects'],
        'repository-owner': undefined,
      });
    } finally {
      other.clients.destroy();
    }
  });
});
