import {
  BatchGetImageCommand,
  DeleteRepositoryPolicyCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  GetRepositoryPolicyCommand,
  InitiateLayerUploadCommand,
  InvalidParameterException,
  RepositoryNotFoundException,
  RepositoryPolicyNotFoundException,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import {
  ACCESS_KEYS,
  accessModelSeed,
  BASE_IMAGES_ROLE_ARN,
  NOBODY_ARN,
  PUSH_ACTIONS,
  pushImage,
  SHARED_ACCOUNT,
  SHARED_REPOSITORY,
  STRANGER_ROLE_ARN,
} from '../__testUtils__/accessModel';
import {
  ACCOUNT,
  clients,
  errorOf,
  KEYS,
  REGION,
  useEmulator,
} from '../__testUtils__/emulator';

const emulator = useEmulator({ seed: accessModelSeed() });
const ecrAs = (keys = KEYS.root) => clients(emulator().url, keys).ecr;

const policy = (...statements: object[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

afterEach(() => emulator().reset());

describe('SetRepositoryPolicy, GetRepositoryPolicy, DeleteRepositoryPolicy', () => {
  const PULL = policy({
    Sid: 'AllowPull',
    Effect: 'Allow',
    Principal: '*',
    Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
  });

  it('sets a policy, answers it in the form ECR prints policies, and deletes it', async () => {
    const ecr = ecrAs();
    const set = await ecr.send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'payments-api',
        policyText: PULL,
      }),
    );
    // ECR re-prints the document: two-space indent, `"key" : value`, arrays on one line.
    const printed =
      '{\n  "Version" : "2012-10-17",\n  "Statement" : [ {\n    "Sid" : "AllowPull",\n' +
      '    "Effect" : "Allow",\n    "Principal" : "*",\n' +
      '    "Action" : [ "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer" ]\n  } ]\n}';
    expect(set).toMatchObject({
      registryId: ACCOUNT,
      repositoryName: 'payments-api',
      policyText: printed,
    });
    const got = await ecr.send(
      new GetRepositoryPolicyCommand({ repositoryName: 'payments-api' }),
    );
    expect(got.policyText).toBe(printed);

    const deleted = await ecr.send(
      new DeleteRepositoryPolicyCommand({ repositoryName: 'payments-api' }),
    );
    expect(deleted).toMatchObject({
      registryId: ACCOUNT,
      repositoryName: 'payments-api',
      policyText: printed,
    });
    const error = await errorOf(
      ecr.send(
        new GetRepositoryPolicyCommand({ repositoryName: 'payments-api' }),
      ),
    );
    expect(error).toBeInstanceOf(RepositoryPolicyNotFoundException);
  });

  it('replaces a policy that is already there', async () => {
    const ecr = ecrAs();
    await ecr.send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'legacy-batch-jobs',
        policyText: PULL,
      }),
    );
    const { policyText } = await ecr.send(
      new GetRepositoryPolicyCommand({ repositoryName: 'legacy-batch-jobs' }),
    );
    expect(JSON.parse(policyText!).Statement[0].Sid).toBe('AllowPull');
  });

  it('answers RepositoryPolicyNotFoundException when deleting a policy that is not there', async () => {
    const error = await errorOf(
      ecrAs().send(
        new DeleteRepositoryPolicyCommand({ repositoryName: 'payments-api' }),
      ),
    );
    expect(error).toBeInstanceOf(RepositoryPolicyNotFoundException);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe(
      `Repository policy does not exist for the repository with name 'payments-api' in the registry with id '${ACCOUNT}'`,
    );
  });

  it('answers RepositoryNotFoundException for a missing repository', async () => {
    for (const command of [
      new SetRepositoryPolicyCommand({
        repositoryName: 'missing',
        policyText: PULL,
      }),
      new DeleteRepositoryPolicyCommand({ repositoryName: 'missing' }),
    ]) {
      const error = await errorOf(ecrAs().send(command as any));
      expect(error).toBeInstanceOf(RepositoryNotFoundException);
    }
  });

  it.each([
    ['text that is not JSON', '{"Version": '],
    ['an empty text', ''],
    [
      'a statement without a Principal',
      policy({ Effect: 'Allow', Action: 'ecr:BatchGetImage' }),
    ],
    [
      'a statement with a Resource (the repository is implied)',
      policy({
        Effect: 'Allow',
        Principal: '*',
        Action: 'ecr:BatchGetImage',
        Resource: '*',
      }),
    ],
    [
      'a principal that is no account, user or role',
      policy({
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::123412341234:*' },
        Action: 'ecr:BatchGetImage',
      }),
    ],
    [
      'an unknown Effect',
      policy({ Effect: 'Permit', Principal: '*', Action: 'ecr:BatchGetImage' }),
    ],
  ])('refuses %s with InvalidParameterException', async (_, policyText) => {
    const error = await errorOf(
      ecrAs().send(
        new SetRepositoryPolicyCommand({
          repositoryName: 'payments-api',
          policyText,
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe(
      "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'",
    );
  });

  it('refuses a role the account does not have with Principal not found', async () => {
    const error = await errorOf(
      ecrAs().send(
        new SetRepositoryPolicyCommand({
          repositoryName: 'payments-api',
          policyText: policy({
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/no-such-role` },
            Action: 'ecr:BatchGetImage',
          }),
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toBe(
      "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Principal not found'",
    );
  });

  it('accepts principals in accounts the emulator does not hold', async () => {
    const { policyText } = await ecrAs().send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'payments-api',
        policyText: policy({
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::999988887777:role/anything' },
          Action: 'ecr:BatchGetImage',
        }),
      }),
    );
    expect(policyText).toContain('arn:aws:iam::999988887777:role/anything');
  });

  it('refuses a policy text over 10,240 characters by the model constraint', async () => {
    const error = await errorOf(
      ecrAs().send(
        new SetRepositoryPolicyCommand({
          repositoryName: 'payments-api',
          policyText: policy({
            Sid: 'x'.repeat(10_300),
            Effect: 'Allow',
            Principal: '*',
            Action: 'ecr:BatchGetImage',
          }),
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toBe(
      "Invalid parameter at 'policyText' failed to satisfy constraint: 'Member must have length less than or equal to 10240'",
    );
  });

  it('needs force to set a policy that would lock the caller out of setting another', async () => {
    const lockout = policy({
      Sid: 'NobodyChangesThis',
      Effect: 'Deny',
      Principal: '*',
      Action: 'ecr:SetRepositoryPolicy',
    });
    const ecr = ecrAs();
    const refused = await errorOf(
      ecr.send(
        new SetRepositoryPolicyCommand({
          repositoryName: 'payments-api',
          policyText: lockout,
        }),
      ),
    );
    expect(refused).toBeInstanceOf(InvalidParameterException);
    expect(refused.message).toMatch(
      /^Invalid parameter at 'PolicyText' failed to satisfy constraint: 'The repository policy would prevent you/,
    );

    await ecr.send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'payments-api',
        policyText: lockout,
        force: true,
      }),
    );
    // Now even the account root is locked out; the deny applies to it too.
    const locked = await errorOf(
      ecr.send(
        new SetRepositoryPolicyCommand({
          repositoryName: 'payments-api',
          policyText: lockout,
          force: true,
        }),
      ),
    );
    expect(locked.name).toBe('AccessDeniedException');
    expect(locked.message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: ecr:SetRepositoryPolicy on resource: arn:aws:ecr:${REGION}:${ACCOUNT}:repository/payments-api with an explicit deny`,
    );
  });

  it('is denied to the backstage user, which has ecr:Get* but not ecr:SetRepositoryPolicy', async () => {
    const ecr = ecrAs(KEYS.backstage);
    const read = await ecr.send(
      new GetRepositoryPolicyCommand({ repositoryName: 'legacy-batch-jobs' }),
    );
    expect(read.policyText).toContain('AllowPullFromDataAccount');
    const error = await errorOf(
      ecr.send(
        new DeleteRepositoryPolicyCommand({
          repositoryName: 'legacy-batch-jobs',
        }),
      ),
    );
    expect(error.name).toBe('AccessDeniedException');
  });
});

describe('repository policies in authorization, within one account', () => {
  it('lets an explicit Deny in the repository policy beat an identity Allow', async () => {
    await ecrAs().send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'payments-api',
        policyText: policy({
          Sid: 'NoReadsByBackstage',
          Effect: 'Deny',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/backstage` },
          Action: 'ecr:DescribeImages',
        }),
      }),
    );
    const backstage = ecrAs(KEYS.backstage);
    const error = await errorOf(
      backstage.send(
        new DescribeImagesCommand({ repositoryName: 'payments-api' }),
      ),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:user/backstage is not authorized to perform: ecr:DescribeImages on resource: arn:aws:ecr:${REGION}:${ACCOUNT}:repository/payments-api with an explicit deny`,
    );
    // Other repositories, and other actions on this one, are unaffected.
    await backstage.send(
      new DescribeImagesCommand({ repositoryName: 'checkout-web' }),
    );
    await backstage.send(
      new DescribeRepositoriesCommand({ repositoryNames: ['payments-api'] }),
    );
  });

  it('denies the push path when the repository policy denies it, even to the account root', async () => {
    await pushImage(ecrAs(), 'search-indexer', 'before');
    await ecrAs().send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'search-indexer',
        policyText: policy({
          Effect: 'Deny',
          Principal: '*',
          Action: 'ecr:InitiateLayerUpload',
        }),
      }),
    );
    const error = await errorOf(
      pushImage(ecrAs(KEYS.root), 'search-indexer', 'v1'),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toContain(
      'ecr:InitiateLayerUpload on resource: arn:aws:ecr:eu-west-2:123412341234:repository/search-indexer with an explicit deny',
    );
  });

  it('lets a repository policy alone grant a user of the account that has no policies', async () => {
    const nobody = ecrAs(ACCESS_KEYS.nobody);
    const before = await errorOf(
      nobody.send(
        new DescribeImagesCommand({ repositoryName: 'payments-api' }),
      ),
    );
    expect(before.name).toBe('AccessDeniedException');
    await ecrAs().send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'payments-api',
        policyText: policy({
          Effect: 'Allow',
          Principal: { AWS: NOBODY_ARN },
          Action: ['ecr:DescribeImages', ...PUSH_ACTIONS],
        }),
      }),
    );
    const { imageDetails } = await nobody.send(
      new DescribeImagesCommand({ repositoryName: 'payments-api' }),
    );
    expect(imageDetails!.length).toBeGreaterThan(0);
    await pushImage(nobody, 'payments-api', 'granted-by-repository-policy');
  });

  it('does not let a repository policy naming the account grant without an identity policy', async () => {
    await ecrAs().send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'payments-api',
        policyText: policy({
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'ecr:DescribeImages',
        }),
      }),
    );
    const error = await errorOf(
      ecrAs(ACCESS_KEYS.nobody).send(
        new DescribeImagesCommand({ repositoryName: 'payments-api' }),
      ),
    );
    expect(error.name).toBe('AccessDeniedException');
  });
});

describe('repository policies across accounts: shared-base-images', () => {
  it('lets the base-images build push cross-account: its policy and the repository policy both allow', async () => {
    const build = ecrAs(ACCESS_KEYS.baseImagesBuild);
    const { authorizationData } = await build.send(
      new GetAuthorizationTokenCommand({ registryIds: [SHARED_ACCOUNT] }),
    );
    expect(authorizationData![0].proxyEndpoint).toBe(
      `https://${SHARED_ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`,
    );
    const digest = await pushImage(
      build,
      SHARED_REPOSITORY,
      'node-24',
      SHARED_ACCOUNT,
    );
    // Backstage's user in the shared account sees the image.
    const { imageDetails } = await ecrAs(ACCESS_KEYS.sharedBackstage).send(
      new DescribeImagesCommand({
        repositoryName: SHARED_REPOSITORY,
        imageIds: [{ imageTag: 'node-24' }],
      }),
    );
    expect(imageDetails![0].imageDigest).toBe(digest);
    expect(imageDetails![0].registryId).toBe(SHARED_ACCOUNT);
  });

  it('denies the build reads of the shared repository: neither side grants them', async () => {
    const error = await errorOf(
      ecrAs(ACCESS_KEYS.baseImagesBuild).send(
        new DescribeImagesCommand({
          registryId: SHARED_ACCOUNT,
          repositoryName: SHARED_REPOSITORY,
        }),
      ),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/codebuild-base-images-service-role/AWSCodeBuild-9c41e2d7-5a0b-4f3e-8d21-6e7f0a1b2c3d is not authorized to perform: ecr:DescribeImages on resource: arn:aws:ecr:${REGION}:${SHARED_ACCOUNT}:repository/${SHARED_REPOSITORY}`,
    );
  });

  it('denies a role whose own policy allows the push but whom the repository policy does not name', async () => {
    const error = await errorOf(
      pushImage(
        ecrAs(ACCESS_KEYS.strangerBuild),
        SHARED_REPOSITORY,
        'stranger',
        SHARED_ACCOUNT,
      ),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toContain(
      `ecr:InitiateLayerUpload on resource: arn:aws:ecr:${REGION}:${SHARED_ACCOUNT}:repository/${SHARED_REPOSITORY}`,
    );
  });

  it('denies a role the repository policy names but whose own policy does not allow the push', async () => {
    await ecrAs(ACCESS_KEYS.sharedRoot).send(
      new SetRepositoryPolicyCommand({
        repositoryName: SHARED_REPOSITORY,
        policyText: policy({
          Effect: 'Allow',
          Principal: {
            AWS: [BASE_IMAGES_ROLE_ARN, `arn:aws:iam::${ACCOUNT}:root`],
          },
          Action: [...PUSH_ACTIONS, 'ecr:DescribeImages'],
        }),
      }),
    );
    // The guide's build role has no ECR permission of its own.
    const guide = ecrAs(KEYS.codebuildSession);
    const error = await errorOf(
      pushImage(guide, SHARED_REPOSITORY, 'guide', SHARED_ACCOUNT),
    );
    expect(error.name).toBe('AccessDeniedException');
  });

  it('stops the cross-account push once the repository policy is deleted', async () => {
    await ecrAs(ACCESS_KEYS.sharedRoot).send(
      new DeleteRepositoryPolicyCommand({ repositoryName: SHARED_REPOSITORY }),
    );
    const error = await errorOf(
      pushImage(
        ecrAs(ACCESS_KEYS.baseImagesBuild),
        SHARED_REPOSITORY,
        'after-delete',
        SHARED_ACCOUNT,
      ),
    );
    expect(error.name).toBe('AccessDeniedException');
  });

  it('lets an explicit Deny in the repository policy stop a cross-account caller both sides allowed', async () => {
    await ecrAs(ACCESS_KEYS.sharedRoot).send(
      new SetRepositoryPolicyCommand({
        repositoryName: SHARED_REPOSITORY,
        policyText: policy(
          {
            Sid: 'AllowPushFromBaseImagesBuild',
            Effect: 'Allow',
            Principal: { AWS: BASE_IMAGES_ROLE_ARN },
            Action: PUSH_ACTIONS,
          },
          {
            Sid: 'ReleaseFreeze',
            Effect: 'Deny',
            Principal: '*',
            Action: 'ecr:PutImage',
          },
        ),
      }),
    );
    const error = await errorOf(
      pushImage(
        ecrAs(ACCESS_KEYS.baseImagesBuild),
        SHARED_REPOSITORY,
        'frozen',
        SHARED_ACCOUNT,
      ),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toContain('ecr:PutImage');
    expect(error.message).toContain('with an explicit deny');
  });

  it('does not let the demo account change the shared repository policy', async () => {
    const error = await errorOf(
      ecrAs(KEYS.root).send(
        new SetRepositoryPolicyCommand({
          registryId: SHARED_ACCOUNT,
          repositoryName: SHARED_REPOSITORY,
          policyText: policy({
            Effect: 'Allow',
            Principal: { AWS: STRANGER_ROLE_ARN },
            Action: PUSH_ACTIONS,
          }),
        }),
      ),
    );
    expect(error.name).toBe('AccessDeniedException');
  });

  it('keeps the legacy pull grant to the shared account working', async () => {
    // legacy-batch-jobs (demo account) lets the shared account pull; its Backstage user may.
    const { images } = await ecrAs(ACCESS_KEYS.sharedBackstage).send(
      new BatchGetImageCommand({
        registryId: ACCOUNT,
        repositoryName: 'legacy-batch-jobs',
        imageIds: [{ imageTag: '2021.11' }],
      }),
    );
    expect(images).toHaveLength(1);
    // …but not list it: the repository policy does not grant ecr:DescribeImages.
    const error = await errorOf(
      ecrAs(ACCESS_KEYS.sharedBackstage).send(
        new DescribeImagesCommand({
          registryId: ACCOUNT,
          repositoryName: 'legacy-batch-jobs',
        }),
      ),
    );
    expect(error.name).toBe('AccessDeniedException');
  });
});

describe('the initiate step alone', () => {
  it('answers RepositoryNotFoundException cross-account only after authorization passes', async () => {
    // Authorization comes first: an unknown repository in another account is denied.
    const error = await errorOf(
      ecrAs(ACCESS_KEYS.baseImagesBuild).send(
        new InitiateLayerUploadCommand({
          registryId: SHARED_ACCOUNT,
          repositoryName: 'missing',
        }),
      ),
    );
    expect(error.name).toBe('AccessDeniedException');
  });
});
