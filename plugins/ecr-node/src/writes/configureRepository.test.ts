import { PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { Emulator } from '@backstage-ecr/aws-emulator';
import { AwsClients } from '../aws/clients';
import { DefaultEcrService } from '../service/DefaultEcrService';
import { NotOwnedError } from './ownership';
import { DEFAULT_LIFECYCLE_POLICY_TEXT } from './repositorySettings';
import {
  ACCOUNT,
  refs,
  repositoryIn,
  serviceFor,
  startWritesEmulator,
  SUBJECTS,
  writeCalls,
} from './__testUtils__/writesEmulator';

const SUBJECT = SUBJECTS.proofOfConcept;
const REPOSITORY = refs.repository('proof-of-concept-repo');
const OTHER_POLICY = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      description: 'keep the last 30 images',
      selection: {
        tagStatus: 'any',
        countType: 'imageCountMoreThan',
        countNumber: 30,
      },
      action: { type: 'expire' },
    },
  ],
});

describe('configureRepository', () => {
  let emulator: Emulator;
  let clients: AwsClients;
  let service: DefaultEcrService;

  beforeAll(async () => {
    emulator = await startWritesEmulator();
    ({ service, clients } = serviceFor(emulator));
  });

  afterAll(async () => {
    clients.destroy();
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.reset();
    emulator.resetCalls();
  });

  const seeded = () => repositoryIn(emulator, 'proof-of-concept-repo')!;

  async function putOtherPolicy() {
    await clients.ecr(ACCOUNT, 'eu-west-2').send(
      new PutLifecyclePolicyCommand({
        registryId: ACCOUNT,
        repositoryName: REPOSITORY.name,
        lifecyclePolicyText: OTHER_POLICY,
      }),
    );
    emulator.resetCalls();
  }

  it('answers a dry run with each change, the value found and the new one, and changes nothing', async () => {
    const answer = await service.configureRepository({
      repository: REPOSITORY,
      subject: SUBJECT,
      dryRun: true,
    });
    expect(answer).toEqual({
      dryRun: true,
      changed: false,
      repositoryArn: REPOSITORY.arn,
      changes: [
        {
          setting: 'scanOnPush',
          current: 'false',
          desired: 'true',
          action: 'change',
        },
        {
          setting: 'tagImmutability',
          current: 'MUTABLE',
          desired: 'IMMUTABLE',
          action: 'change',
        },
        {
          setting: 'lifecyclePolicy',
          current: null,
          desired: DEFAULT_LIFECYCLE_POLICY_TEXT,
          action: 'change',
        },
      ],
    });
    expect(writeCalls(emulator)).toEqual({});
    expect(seeded()).toMatchObject({
      scanOnPush: false,
      imageTagMutability: 'MUTABLE',
    });
    expect(seeded().lifecyclePolicy).toBeUndefined();
  });

  it('turns on scan on push alone when only it is selected', async () => {
    const answer = await service.configureRepository({
      repository: REPOSITORY,
      subject: SUBJECT,
      settings: ['scanOnPush'],
    });
    expect(answer.changed).toBe(true);
    expect(answer.changes.map(c => [c.setting, c.action])).toEqual([
      ['scanOnPush', 'change'],
    ]);
    expect(writeCalls(emulator)).toEqual({
      'ecr:PutImageScanningConfiguration': 1,
    });
    expect(seeded()).toMatchObject({
      scanOnPush: true,
      imageTagMutability: 'MUTABLE',
    });
  });

  it('sets IMMUTABLE tags alone when only it is selected', async () => {
    await service.configureRepository({
      repository: REPOSITORY,
      subject: SUBJECT,
      settings: ['tagImmutability'],
    });
    expect(writeCalls(emulator)).toEqual({ 'ecr:PutImageTagMutability': 1 });
    expect(seeded()).toMatchObject({
      scanOnPush: false,
      imageTagMutability: 'IMMUTABLE',
    });
  });

  it('puts the default lifecycle policy, the one repositories are created with', async () => {
    await service.configureRepository({
      repository: REPOSITORY,
      subject: SUBJECT,
      settings: ['lifecyclePolicy'],
    });
    expect(writeCalls(emulator)).toEqual({ 'ecr:PutLifecyclePolicy': 1 });
    expect(seeded().lifecyclePolicy?.text).toBe(DEFAULT_LIFECYCLE_POLICY_TEXT);
  });

  it('is idempotent: a second run changes nothing and says so', async () => {
    await service.configureRepository({
      repository: REPOSITORY,
      subject: SUBJECT,
    });
    emulator.resetCalls();
    const again = await service.configureRepository({
      repository: REPOSITORY,
      subject: SUBJECT,
    });
    expect(again.changed).toBe(false);
    expect(again.changes.map(c => c.action)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    expect(writeCalls(emulator)).toEqual({});
  });

  it('keeps an existing, different lifecycle policy unless asked to replace it', async () => {
    await putOtherPolicy();
    const kept = await service.configureRepository({
      repository: REPOSITORY,
      subject: SUBJECT,
      settings: ['lifecyclePolicy'],
    });
    expect(kept).toEqual({
      dryRun: false,
      changed: false,
      repositoryArn: REPOSITORY.arn,
      changes: [
        {
          setting: 'lifecyclePolicy',
          current: OTHER_POLICY,
          desired: DEFAULT_LIFECYCLE_POLICY_TEXT,
          action: 'kept',
        },
      ],
    });
    expect(writeCalls(emulator)).toEqual({});
    expect(seeded().lifecyclePolicy?.text).toBe(OTHER_POLICY);

    const preview = await service.configureRepository({
      repository: REPOSITORY,
      subject: SUBJECT,
      settings: ['lifecyclePolicy'],
      replaceLifecyclePolicy: true,
      dryRun: true,
    });
    expect(preview.changes).toEqual([
      {
        setting: 'lifecyclePolicy',
        current: OTHER_POLICY,
        desired: DEFAULT_LIFECYCLE_POLICY_TEXT,
        action: 'change',
        overwritesExisting: true,
      },
    ]);
    expect(seeded().lifecyclePolicy?.text).toBe(OTHER_POLICY);

    const replaced = await service.configureRepository({
      repository: REPOSITORY,
      subject: SUBJECT,
      settings: ['lifecyclePolicy'],
      replaceLifecyclePolicy: true,
    });
    expect(replaced.changed).toBe(true);
    expect(seeded().lifecyclePolicy?.text).toBe(DEFAULT_LIFECYCLE_POLICY_TEXT);
  });

  it('refuses (403) a repository bound elsewhere, writing nothing', async () => {
    const error = await service
      .configureRepository({
        repository: refs.repository('payments-api'),
        subject: SUBJECT,
      })
      .catch(e => e);
    expect(error).toBeInstanceOf(NotOwnedError);
    expect(error.resource).toMatchObject({
      kind: 'repository',
      arn: refs.repository('payments-api').arn,
    });
    expect(writeCalls(emulator)).toEqual({});
  });

  it('refuses (403) an unbound repository, writing nothing', async () => {
    const error = await service
      .configureRepository({
        repository: refs.repository('checkout-web'),
        subject: SUBJECTS.checkoutWeb,
      })
      .catch(e => e);
    expect(error).toBeInstanceOf(NotOwnedError);
    expect(error.message).toMatch(/unbound/i);
    expect(writeCalls(emulator)).toEqual({});
  });

  it('refuses (409) a repository that does not exist', async () => {
    await expect(
      service.configureRepository({
        repository: refs.repository('inventory-service'),
        subject: SUBJECTS.inventoryService,
      }),
    ).rejects.toMatchObject({ name: 'ConflictError' });
  });

  it('refuses (403) a region outside ecr.regions, asking AWS nothing', async () => {
    const limited = serviceFor(emulator, { regions: ['eu-west-1'] });
    try {
      await expect(
        limited.service.configureRepository({
          repository: REPOSITORY,
          subject: SUBJECT,
        }),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
      expect(emulator.calls()).toEqual({});
    } finally {
      limited.clients.destroy();
    }
  });
});
