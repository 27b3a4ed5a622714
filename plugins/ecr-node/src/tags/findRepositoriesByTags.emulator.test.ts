import {
  DEMO_SEED_PATH,
  Emulator,
  readSeedFile,
  startEmulator,
} from '@backstage-ecr/aws-emulator';
import {
  EcrAnnotations,
  readEcrAnnotations,
} from '@backstage-ecr/plugin-ecr-common';
import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { AwsClients } from '../aws/clients';
import { readEcrConfig } from '../config';
import { DefaultEcrService } from '../service/DefaultEcrService';
import { findRepositoriesByTags } from './findRepositoriesByTags';

// aws.amazon.com/amazon-ecr-tags against the emulator, through the real SDK:
// GetResources in every allowed account and region, page after page, and the
// found repositories judged by their own tags like any other.

const DEMO = '123412341234';
const SHARED = '210987654321';
const EU = 'eu-west-2';
const US = 'us-east-1';
const OWNER = 'backstage.io/owner';
const BULK = 57;

const arn = (account: string, region: string, name: string) =>
  `arn:aws:ecr:${region}:${account}:repository/${name}`;

/** The demo seed plus ledger-service's repositories elsewhere and many tagged alike. */
function seed() {
  const s = readSeedFile(DEMO_SEED_PATH);
  const demo = s.accounts.find(a => a.id === DEMO)!;
  const shared = s.accounts.find(a => a.id === SHARED)!;
  demo.repositories = [
    ...(demo.repositories ?? []),
    {
      name: 'ledger-service-replica',
      region: US,
      tags: { app: 'ledger-service', [OWNER]: 'group:default/team-a' },
    },
    // The same tag, another service: the second key keeps it out.
    {
      name: 'ledger-service-legacy',
      tags: { app: 'ledger-service', stage: 'retired' },
    },
    ...Array.from({ length: BULK }, (_, i) => ({
      name: `bulk-${String(i).padStart(2, '0')}`,
      tags: { batch: 'bulk' },
    })),
  ];
  shared.repositories = [
    ...(shared.repositories ?? []),
    {
      name: 'ledger-service-shared',
      tags: { app: 'ledger-service', [OWNER]: 'group:default/team-b' },
    },
  ];
  return s;
}

describe('repositories found by aws.amazon.com/amazon-ecr-tags', () => {
  let emulator: Emulator;
  const made: AwsClients[] = [];

  const serviceWith = (demoKey: { id: string; secret: string }) => {
    const config = new ConfigReader({
      aws: {
        accounts: [
          {
            accountId: DEMO,
            accessKeyId: demoKey.id,
            secretAccessKey: demoKey.secret,
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
        regions: [EU, US],
        endpoint: emulator.url,
        maxAttempts: 1,
      },
    });
    const ecrConfig = readEcrConfig(config);
    const clients = new AwsClients(
      DefaultAwsCredentialsManager.fromConfig(config),
      { endpoint: ecrConfig.endpoint, maxAttempts: ecrConfig.maxAttempts },
    );
    made.push(clients);
    return { clients, service: new DefaultEcrService(clients, ecrConfig) };
  };
  const backstage = () =>
    serviceWith({
      id: 'AKIAEMULATORBACKSTAGE',
      secret: 'emulator-backstage-secret',
    });

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: seed() });
  });
  afterAll(async () => {
    for (const clients of made) clients.destroy();
    await emulator.stop();
  });
  beforeEach(() => emulator.resetCalls());

  const annotations = (values: Record<string, string>): EcrAnnotations => {
    const result = readEcrAnnotations(
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'ledger-service', annotations: values },
      },
      { allowedAccounts: [DEMO, SHARED] },
    );
    if (!result.ok) throw new Error(result.errors.join('; '));
    return result.value;
  };

  it('finds the tagged repositories of every allowed account and region', async () => {
    const { service } = backstage();
    const resolved = await service.resolveAnnotations(
      annotations({ 'aws.amazon.com/amazon-ecr-tags': 'app=ledger-service' }),
    );
    expect(resolved.repositories.map(r => r.arn)).toEqual([
      arn(DEMO, EU, 'ledger-service'),
      arn(DEMO, EU, 'ledger-service-legacy'),
      arn(SHARED, EU, 'ledger-service-shared'),
      arn(DEMO, US, 'ledger-service-replica'),
    ]);
    // One call per account and region: two accounts × two regions.
    expect(emulator.calls()['tagging:GetResources']).toBe(4);
  });

  it('requires every key=value pair', async () => {
    const { service } = backstage();
    const resolved = await service.resolveAnnotations(
      annotations({
        'aws.amazon.com/amazon-ecr-tags': `app=ledger-service,${OWNER}=group:default/team-a`,
      }),
    );
    expect(resolved.repositories.map(r => r.arn)).toEqual([
      arn(DEMO, EU, 'ledger-service'),
      arn(DEMO, US, 'ledger-service-replica'),
    ]);
  });

  it('adds them to the ARN annotation, each repository once, ARN ones first', async () => {
    const { service } = backstage();
    const resolved = await service.resolveAnnotations(
      annotations({
        'aws.amazon.com/amazon-ecr-arn': `${arn(
          DEMO,
          EU,
          'payments-api',
        )},${arn(DEMO, US, 'ledger-service-replica')}`,
        'aws.amazon.com/amazon-ecr-tags': `app=ledger-service,${OWNER}=group:default/team-a`,
      }),
    );
    expect(resolved.repositories.map(r => r.arn)).toEqual([
      arn(DEMO, EU, 'payments-api'),
      arn(DEMO, US, 'ledger-service-replica'),
      arn(DEMO, EU, 'ledger-service'),
    ]);
  });

  it('makes no AWS call for an entity named by ARN alone', async () => {
    const { service } = backstage();
    const given = annotations({
      'aws.amazon.com/amazon-ecr-arn': arn(DEMO, EU, 'payments-api'),
    });
    expect(await service.resolveAnnotations(given)).toBe(given);
    expect(emulator.calls()['tagging:GetResources']).toBeUndefined();
  });

  it('follows PaginationToken through every page', async () => {
    const { clients } = backstage();
    const found = await findRepositoriesByTags(
      clients,
      { allowedAccounts: [DEMO], regions: [EU] },
      [{ key: 'batch', value: 'bulk' }],
    );
    expect(found).toHaveLength(BULK);
    expect(found[0].arn).toBe(arn(DEMO, EU, 'bulk-00'));
    expect(found.at(-1)!.arn).toBe(arn(DEMO, EU, `bulk-${BULK - 1}`));
    // The emulator answers 50 a page, as AWS does by default.
    expect(emulator.calls()['tagging:GetResources']).toBe(2);
  });

  it('refuses more repositories than an entity may have', async () => {
    const { service } = backstage();
    await expect(
      service.resolveAnnotations(
        annotations({ 'aws.amazon.com/amazon-ecr-tags': 'batch=bulk' }),
      ),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/find 57 repositories.*at most 20/),
    });
  });

  it('judges a found repository by its own tags: bound to another team fails repository-owner', async () => {
    const { service } = backstage();
    const resolved = await service.resolveAnnotations(
      annotations({
        'aws.amazon.com/amazon-ecr-tags': `${OWNER}=group:default/team-b,app=ledger-service`,
      }),
    );
    expect(resolved.repositories.map(r => r.arn)).toEqual([
      arn(SHARED, EU, 'ledger-service-shared'),
    ]);
    const facts = await service.getSetupFacts(
      { ok: true, value: resolved },
      {
        entityRef: 'component:default/ledger-service',
        ownerRef: 'group:default/team-a',
      },
    );
    const owner = service
      .evaluateSetupChecks(facts)
      .find(c => c.id === 'repository-owner');
    expect(owner?.status).toBe('fail');
    expect(owner?.detail).toContain('group:default/team-b');
  });

  it('fails with the AWS code, naming tag:GetResources, when Backstage may not call it', async () => {
    const { service } = serviceWith({
      id: 'AKIAEMULATORREADONLY',
      secret: 'emulator-readonly-secret',
    });
    const error = await service
      .resolveAnnotations(
        annotations({ 'aws.amazon.com/amazon-ecr-tags': 'app=ledger-service' }),
      )
      .then(
        () => undefined,
        e => e,
      );
    expect(error).toMatchObject({
      name: 'AwsAccessDeniedError',
      statusCode: 502,
    });
    expect(error.message).toContain('tag:GetResources');
  });
});
