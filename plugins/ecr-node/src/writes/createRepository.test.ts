import { Emulator } from '@backstage-ecr/aws-emulator';
import { AwsClients } from '../aws/clients';
import { AwsServiceError, AwsThrottledError } from '../aws/errors';
import { DefaultEcrService } from '../service/DefaultEcrService';
import {
  DEFAULT_LIFECYCLE_POLICY_TEXT,
  SETUP_STATE_TAG,
} from './repositorySettings';
import {
  DELETER_KEYS,
  ENTITY_REF_TAG,
  OWNER_TAG,
  refs,
  repositoryIn,
  repositoryTags,
  serviceFor,
  startWritesEmulator,
  SUBJECTS,
  TEAM_A,
  TEAM_B,
  writeCalls,
} from './__testUtils__/writesEmulator';

const SUBJECT = SUBJECTS.inventoryService;
const ENTITY = SUBJECT.entityRef;
const INVENTORY = refs.repository('inventory-service');
const tagsOf = (name: string, emulator: Emulator) =>
  repositoryTags(emulator, name);

describe('createRepository', () => {
  let emulator: Emulator;
  let clients: AwsClients[];
  let service: DefaultEcrService;
  let withDelete: DefaultEcrService;

  beforeAll(async () => {
    emulator = await startWritesEmulator();
    const plain = serviceFor(emulator);
    const deleter = serviceFor(emulator, { keys: DELETER_KEYS });
    service = plain.service;
    withDelete = deleter.service;
    clients = [plain.clients, deleter.clients];
  });

  afterAll(async () => {
    clients.forEach(c => c.destroy());
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.reset();
    emulator.setFaults({ errorNext: 0, throttleNext: 0, operations: [] });
    emulator.resetCalls();
  });

  it('answers a dry run with the exact settings, reading DescribeRepositories only', async () => {
    const answer = await service.createRepository({
      repository: INVENTORY,
      subject: SUBJECT,
      dryRun: true,
    });
    expect(answer).toEqual({
      dryRun: true,
      created: false,
      alreadyExisted: false,
      repositoryArn:
        'arn:aws:ecr:eu-west-2:123412341234:repository/inventory-service',
      repositoryUri:
        '123412341234.dkr.ecr.eu-west-2.amazonaws.com/inventory-service',
      settings: {
        repositoryName: 'inventory-service',
        region: 'eu-west-2',
        accountId: '123412341234',
        imageTagMutability: 'IMMUTABLE',
        scanOnPush: true,
        encryptionType: 'AES256',
        lifecyclePolicyText: DEFAULT_LIFECYCLE_POLICY_TEXT,
        tags: {
          [ENTITY_REF_TAG]: ENTITY,
          [OWNER_TAG]: TEAM_A,
          [SETUP_STATE_TAG]: 'complete',
        },
      },
    });
    expect(JSON.parse(answer.settings.lifecyclePolicyText!).rules[0]).toEqual(
      expect.objectContaining({
        selection: {
          tagStatus: 'untagged',
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: 14,
        },
        action: { type: 'expire' },
      }),
    );
    expect(emulator.calls()).toEqual({ 'ecr:DescribeRepositories': 1 });
    expect(repositoryIn(emulator, 'inventory-service')).toBeUndefined();
  });

  it('creates the repository with the safe defaults, bound to the entity and its owner', async () => {
    const dryRun = await service.createRepository({
      repository: INVENTORY,
      subject: SUBJECT,
      dryRun: true,
    });
    const answer = await service.createRepository({
      repository: INVENTORY,
      subject: SUBJECT,
    });
    expect(answer).toEqual({
      ...dryRun,
      dryRun: false,
      created: true,
    });
    const created = repositoryIn(emulator, 'inventory-service')!;
    expect(created).toMatchObject({
      imageTagMutability: 'IMMUTABLE',
      scanOnPush: true,
      encryption: { encryptionType: 'AES256' },
      lifecyclePolicy: { text: DEFAULT_LIFECYCLE_POLICY_TEXT },
    });
    expect(tagsOf('inventory-service', emulator)).toEqual({
      [ENTITY_REF_TAG]: ENTITY,
      [OWNER_TAG]: TEAM_A,
      [SETUP_STATE_TAG]: 'complete',
    });
    expect(writeCalls(emulator)).toEqual({
      'ecr:CreateRepository': 1,
      'ecr:PutLifecyclePolicy': 1,
      'ecr:TagResource': 1,
    });
  });

  it('answers an existing repository unchanged, and writes nothing', async () => {
    const answer = await service.createRepository({
      repository: refs.repository('proof-of-concept-repo'),
      subject: SUBJECTS.proofOfConcept,
    });
    expect(answer).toMatchObject({
      dryRun: false,
      created: false,
      alreadyExisted: true,
      settings: {
        imageTagMutability: 'MUTABLE',
        scanOnPush: false,
        encryptionType: 'AES256',
        tags: { [ENTITY_REF_TAG]: SUBJECTS.proofOfConcept.entityRef },
      },
    });
    expect(answer.settings.lifecyclePolicyText).toBeUndefined();
    expect(writeCalls(emulator)).toEqual({});
  });

  it('reuses the repository it created when run again, as task recovery does', async () => {
    const first = await service.createRepository({
      repository: INVENTORY,
      subject: SUBJECT,
    });
    emulator.resetCalls();
    const again = await service.createRepository({
      repository: INVENTORY,
      subject: SUBJECT,
    });
    expect(again).toEqual({ ...first, created: false, alreadyExisted: true });
    expect(writeCalls(emulator)).toEqual({});
  });

  it('refuses an existing repository with 409 when asked to fail', async () => {
    await expect(
      service.createRepository({
        repository: refs.repository('payments-api'),
        subject: SUBJECTS.paymentsApi,
        ifExists: 'fail',
      }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message:
        'Repository payments-api exists already in account 123412341234, region eu-west-2 (ifExists: fail)',
    });
    expect(writeCalls(emulator)).toEqual({});
  });

  it('applies the overrides: KMS key, mutability, scanning, lifecycle policy and tags', async () => {
    const lifecyclePolicyText = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          description: 'Keep the last 10 images',
          selection: {
            tagStatus: 'any',
            countType: 'imageCountMoreThan',
            countNumber: 10,
          },
          action: { type: 'expire' },
        },
      ],
    });
    const kmsKey = 'arn:aws:kms:eu-west-2:123412341234:key/demo';
    const answer = await service.createRepository({
      repository: refs.repository('team-a/orders-api'),
      subject: SUBJECTS.ordersApi,
      settings: {
        imageTagMutability: 'MUTABLE',
        scanOnPush: false,
        encryptionType: 'KMS',
        kmsKey,
        lifecyclePolicyText,
        tags: { team: 'team-a' },
      },
    });
    expect(answer.settings).toEqual({
      repositoryName: 'team-a/orders-api',
      region: 'eu-west-2',
      accountId: '123412341234',
      imageTagMutability: 'MUTABLE',
      scanOnPush: false,
      encryptionType: 'KMS',
      kmsKey,
      lifecyclePolicyText,
      tags: {
        team: 'team-a',
        [ENTITY_REF_TAG]: SUBJECTS.ordersApi.entityRef,
        [OWNER_TAG]: TEAM_A,
        [SETUP_STATE_TAG]: 'complete',
      },
    });
    expect(repositoryIn(emulator, 'team-a/orders-api')).toMatchObject({
      encryption: { encryptionType: 'KMS', kmsKey },
      lifecyclePolicy: { text: lifecyclePolicyText },
    });
  });

  it.each([
    [
      { encryptionType: 'AES256' as const, kmsKey: 'alias/x' },
      'kmsKey can only be given with encryption KMS; AES256 uses keys ECR manages',
    ],
    [
      { lifecyclePolicyText: '{rules' },
      'The lifecycle policy is not valid JSON',
    ],
    [
      { lifecyclePolicyText: '{"rules":[]}' },
      'The lifecycle policy must be an object with a non-empty "rules" list',
    ],
    [
      { tags: { 'aws:owner': 'x' } },
      '"aws:owner" is not a valid tag key: 1 to 128 letters, digits, spaces and _ . : / = + - @, not starting with aws:',
    ],
  ])('refuses bad settings %j with a clear 400', async (settings, message) => {
    const error = await service
      .createRepository({ repository: INVENTORY, subject: SUBJECT, settings })
      .catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(message);
    expect(emulator.calls()).toEqual({});
  });

  it('refuses a repository in an account outside ecr.allowedAccounts', async () => {
    await expect(
      service.createRepository({
        repository: {
          ...INVENTORY,
          accountId: '999999999999',
          arn: 'arn:aws:ecr:eu-west-2:999999999999:repository/inventory-service',
        },
        subject: SUBJECT,
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message:
        'Repository arn:aws:ecr:eu-west-2:999999999999:repository/inventory-service is in account 999999999999, which is not one of the accounts this Backstage may use (ecr.allowedAccounts: 123412341234)',
    });
    expect(emulator.calls()).toEqual({});
  });

  describe('ownership: a repository is reused only when it belongs to the entity', () => {
    it('refuses (403) an existing repository bound to another entity, and changes nothing', async () => {
      const before = repositoryTags(emulator, 'payments-api');
      for (const dryRun of [true, false]) {
        const error = await service
          .createRepository({
            repository: refs.repository('payments-api'),
            subject: SUBJECTS.proofOfConcept,
            dryRun,
          })
          .catch(e => e);
        expect(error.name).toBe('NotAllowedError');
        expect(error.message).toContain(
          'belongs to component:default/payments-api (tag backstage.io/entity-ref), not to this entity',
        );
      }
      expect(writeCalls(emulator)).toEqual({});
      expect(repositoryTags(emulator, 'payments-api')).toEqual(before);
      expect(repositoryIn(emulator, 'payments-api')).toMatchObject({
        imageTagMutability: 'IMMUTABLE',
      });
    });

    it('refuses (403) an existing repository whose owner tag names another team', async () => {
      const error = await service
        .createRepository({
          repository: refs.repository('notifications-worker'),
          subject: SUBJECTS.proofOfConcept,
        })
        .catch(e => e);
      expect(error.name).toBe('NotAllowedError');
      expect(error.message).toContain(
        `belongs to ${TEAM_B} (tag backstage.io/owner)`,
      );
      expect(writeCalls(emulator)).toEqual({});
    });

    it('refuses (403) an existing unbound repository, saying how to bind it', async () => {
      const error = await service
        .createRepository({
          repository: refs.repository('checkout-web'),
          subject: SUBJECTS.checkoutWeb,
        })
        .catch(e => e);
      expect(error.name).toBe('NotAllowedError');
      expect(error.message).toContain('is unbound');
      expect(error.message).toContain('Claim');
      expect(error.message).toContain(
        `${ENTITY_REF_TAG}=component:default/checkout-web`,
      );
      expect(writeCalls(emulator)).toEqual({});
      expect(repositoryTags(emulator, 'checkout-web')).toEqual({});
    });

    it('reuses an existing repository bound to the entity’s owner', async () => {
      await expect(
        service.createRepository({
          repository: refs.repository('notifications-worker'),
          subject: SUBJECTS.paymentsApi,
        }),
      ).resolves.toMatchObject({ created: false, alreadyExisted: true });
      expect(writeCalls(emulator)).toEqual({});
    });

    it('binds a new repository to its entity and owner, whatever the extra tags say', async () => {
      await service.createRepository({
        repository: INVENTORY,
        subject: SUBJECT,
        settings: {
          tags: {
            [ENTITY_REF_TAG]: SUBJECTS.paymentsApi.entityRef,
            [OWNER_TAG]: TEAM_B,
          },
        },
      });
      expect(tagsOf('inventory-service', emulator)).toEqual({
        [ENTITY_REF_TAG]: ENTITY,
        [OWNER_TAG]: TEAM_A,
        [SETUP_STATE_TAG]: 'complete',
      });
    });

    it('lets no extra tag bind a new repository of an entity without an owner to another team', async () => {
      // Were the owner tag taken from the extra tags, team B would reuse (and
      // push its images into) a repository this entity prepared for it.
      const ownerless = { entityRef: 'component:default/inventory-service' };
      await service.createRepository({
        repository: INVENTORY,
        subject: ownerless,
        settings: { tags: { [OWNER_TAG]: TEAM_B, 'cost-centre': 'shop' } },
      });
      expect(tagsOf('inventory-service', emulator)).toEqual({
        [ENTITY_REF_TAG]: ownerless.entityRef,
        'cost-centre': 'shop',
        [SETUP_STATE_TAG]: 'complete',
      });
      emulator.resetCalls();
      await expect(
        service.createRepository({
          repository: INVENTORY,
          subject: SUBJECTS.paymentsApi,
        }),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
      expect(writeCalls(emulator)).toEqual({});
    });

    it('binds with the configured tag keys, and judges existing repositories by them', async () => {
      const custom = serviceFor(emulator, {
        ownership: {
          entityRefTag: 'example.com/entity',
          ownerTag: 'example.com/team',
        },
      });
      try {
        await custom.service.createRepository({
          repository: INVENTORY,
          subject: SUBJECT,
        });
        expect(tagsOf('inventory-service', emulator)).toEqual({
          'example.com/entity': ENTITY,
          'example.com/team': TEAM_A,
          [SETUP_STATE_TAG]: 'complete',
        });
        // Tagged under the default keys only: unbound, as these keys see it.
        await expect(
          custom.service.createRepository({
            repository: refs.repository('proof-of-concept-repo'),
            subject: SUBJECTS.proofOfConcept,
          }),
        ).rejects.toMatchObject({
          name: 'NotAllowedError',
          message: expect.stringContaining('is unbound'),
        });
      } finally {
        custom.clients.destroy();
      }
    });

    it('refuses (403) a repository in a region outside ecr.regions, asking AWS nothing', async () => {
      const limited = serviceFor(emulator, { regions: ['eu-west-2'] });
      try {
        const error = await limited.service
          .createRepository({
            repository: refs.repository('inventory-service', 'us-east-1'),
            subject: SUBJECT,
          })
          .catch(e => e);
        expect(error.name).toBe('NotAllowedError');
        expect(error.message).toContain(
          'is in region us-east-1, where Backstage may not make changes',
        );
        expect(emulator.calls()).toEqual({});
      } finally {
        limited.clients.destroy();
      }
    });
  });

  describe('a failure part-way leaves nothing half-done', () => {
    it('deletes the repository it created when the lifecycle policy fails', async () => {
      emulator.setFaults({
        errorNext: 2,
        operations: ['ecr:PutLifecyclePolicy'],
      });
      const error = await withDelete
        .createRepository({ repository: INVENTORY, subject: SUBJECT })
        .catch(e => e);
      expect(error).toBeInstanceOf(AwsServiceError);
      expect(error.statusCode).toBe(502);
      expect(error.message).toBe(
        'AWS failed ecr:PutLifecyclePolicy on arn:aws:ecr:eu-west-2:123412341234:repository/inventory-service (HTTP 500, ServerException); the repository this request had created was deleted again, so nothing is left half-done; try again',
      );
      expect(repositoryIn(emulator, 'inventory-service')).toBeUndefined();
      expect(writeCalls(emulator)).toEqual({
        'ecr:CreateRepository': 1,
        'ecr:PutLifecyclePolicy': 2,
        'ecr:DeleteRepository': 1,
      });
    });

    it('answers throttling part-way with 503, after the same rollback', async () => {
      emulator.setFaults({ throttleNext: 2, operations: ['ecr:TagResource'] });
      const error = await withDelete
        .createRepository({ repository: INVENTORY, subject: SUBJECT })
        .catch(e => e);
      expect(error).toBeInstanceOf(AwsThrottledError);
      expect(error.statusCode).toBe(503);
      expect(repositoryIn(emulator, 'inventory-service')).toBeUndefined();
    });

    it('finishes a repository it could not delete on the next run', async () => {
      emulator.setFaults({
        errorNext: 2,
        operations: ['ecr:PutLifecyclePolicy'],
      });
      const error = await service
        .createRepository({ repository: INVENTORY, subject: SUBJECT })
        .catch(e => e);
      expect(error.statusCode).toBe(502);
      expect(error.message).toContain(
        'the repository was created, and Backstage could not delete it again (ecr:DeleteRepository: AccessDeniedException); it is tagged ecr.backstage-ecr.io/setup=incomplete, and running the request again finishes it',
      );
      expect(tagsOf('inventory-service', emulator)[SETUP_STATE_TAG]).toBe(
        'incomplete',
      );

      // A dry run says it would finish it; ifExists: fail does not refuse it.
      await expect(
        service.createRepository({
          repository: INVENTORY,
          subject: SUBJECT,
          dryRun: true,
          ifExists: 'fail',
        }),
      ).resolves.toMatchObject({
        created: false,
        alreadyExisted: false,
        settings: { lifecyclePolicyText: DEFAULT_LIFECYCLE_POLICY_TEXT },
      });
      emulator.resetCalls();
      const finished = await service.createRepository({
        repository: INVENTORY,
        subject: SUBJECT,
        ifExists: 'fail',
      });
      expect(finished).toMatchObject({ created: true, alreadyExisted: false });
      expect(writeCalls(emulator)).toEqual({
        'ecr:PutLifecyclePolicy': 1,
        'ecr:TagResource': 1,
      });
      expect(repositoryIn(emulator, 'inventory-service')).toMatchObject({
        imageTagMutability: 'IMMUTABLE',
        scanOnPush: true,
        lifecyclePolicy: { text: DEFAULT_LIFECYCLE_POLICY_TEXT },
      });
      expect(tagsOf('inventory-service', emulator)[SETUP_STATE_TAG]).toBe(
        'complete',
      );
    });
  });
});
