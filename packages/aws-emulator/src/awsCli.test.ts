import { execFile } from 'child_process';
import { existsSync, mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { KEYS, useEmulator } from './__testUtils__/emulator';

/**
 * The AWS CLI v2 (Debian's awscli package, /usr/bin/aws) against the emulator, running the
 * commands of the ECR setup guide. The project's test script installs awscli when missing;
 * here the suite only skips, saying why, when the binary is absent.
 */
const AWS = '/usr/bin/aws';
const haveCli = existsSync(AWS);
if (!haveCli) {
  // eslint-disable-next-line no-console
  console.warn(
    `Skipping the AWS CLI tests: ${AWS} is missing (apt-get install awscli).`,
  );
}
const describeCli = haveCli ? describe : describe.skip;

const emulator = useEmulator();
const home = mkdtempSync(join(tmpdir(), 'aws-cli-home-'));

function aws(
  args: string[],
  keys: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  } = KEYS.backstage,
) {
  return new Promise<{ code: number; stdout: string; stderr: string }>(
    resolve => {
      execFile(
        AWS,
        ['--endpoint-url', emulator().url, '--output', 'json', ...args],
        {
          env: {
            PATH: '/usr/bin:/bin',
            HOME: home,
            AWS_CONFIG_FILE: join(home, 'config'),
            AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
            AWS_ACCESS_KEY_ID: keys.accessKeyId,
            AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
            ...(keys.sessionToken && { AWS_SESSION_TOKEN: keys.sessionToken }),
            AWS_DEFAULT_REGION: 'eu-west-2',
            AWS_PAGER: '',
            AWS_EC2_METADATA_DISABLED: 'true',
          },
          timeout: 60_000,
        },
        (error, stdout, stderr) =>
          resolve({
            code: error ? Number(error.code ?? 1) : 0,
            stdout,
            stderr,
          }),
      );
    },
  );
}

describeCli('the AWS CLI against the emulator', () => {
  jest.setTimeout(60_000);

  it('runs aws ecr describe-repositories', async () => {
    const result = await aws(['ecr', 'describe-repositories']);
    expect(result.code).toBe(0);
    const names = JSON.parse(result.stdout).repositories.map(
      (r: any) => r.repositoryName,
    );
    expect(names).toContain('proof-of-concept-repo');
  });

  it('runs aws resourcegroupstaggingapi get-resources with a tag filter', async () => {
    const result = await aws([
      'resourcegroupstaggingapi',
      'get-resources',
      '--region',
      'eu-west-2',
      '--resource-type-filters',
      'ecr:repository',
      '--tag-filters',
      'Key=app,Values=ledger-service',
    ]);
    expect(result.code).toBe(0);
    expect(
      JSON.parse(result.stdout).ResourceTagMappingList.map(
        (r: any) => r.ResourceARN,
      ),
    ).toEqual(['arn:aws:ecr:eu-west-2:123412341234:repository/ledger-service']);
  });

  it('runs aws ecr describe-images --repository-name proof-of-concept-repo', async () => {
    const result = await aws([
      'ecr',
      'describe-images',
      '--repository-name',
      'proof-of-concept-repo',
    ]);
    expect(result.code).toBe(0);
    const images = JSON.parse(result.stdout).imageDetails;
    expect(images.some((i: any) => i.imageTags?.includes('fcd3f42'))).toBe(
      true,
    );
  });

  it('runs aws ecr get-login-password --region eu-west-2', async () => {
    const result = await aws([
      'ecr',
      'get-login-password',
      '--region',
      'eu-west-2',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\S{20,}$/);
  });

  it("prints the guide's AccessDeniedException for the CodeBuild role session", async () => {
    const result = await aws(
      ['ecr', 'get-login-password'],
      KEYS.codebuildSession,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toBe(
      'An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation: User: arn:aws:sts::123412341234:assumed-role/codebuild-proof-of-concept-snapshot-service-role/AWSCodeBuild-4002c38e-ef97-2d1e-34aa-fc23a6cb4d6f is not authorized to perform: ecr:GetAuthorizationToken on resource: *',
    );
  });

  it('runs aws iam get-role-policy and decodes the document', async () => {
    const result = await aws([
      'iam',
      'get-role-policy',
      '--role-name',
      'codebuild-payments-api-service-role',
      '--policy-name',
      'backstage-ecr-push-payments-api',
    ]);
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.PolicyDocument.Statement[1].Action).toBe(
      'ecr:GetAuthorizationToken',
    );
  });

  it('runs aws iam simulate-principal-policy', async () => {
    const result = await aws([
      'iam',
      'simulate-principal-policy',
      '--policy-source-arn',
      'arn:aws:iam::123412341234:role/service-role/codebuild-proof-of-concept-snapshot-service-role',
      '--action-names',
      'ecr:GetAuthorizationToken',
      'logs:CreateLogStream',
    ]);
    expect(result.code).toBe(0);
    const decisions = JSON.parse(result.stdout).EvaluationResults.map(
      (r: any) => `${r.EvalActionName}=${r.EvalDecision}`,
    );
    expect(decisions).toEqual([
      'ecr:GetAuthorizationToken=implicitDeny',
      'logs:CreateLogStream=implicitDeny',
    ]);
  });

  describe('binding tags', () => {
    const ROLE = 'codebuild-payments-api-service-role';
    const REPO_ARN =
      'arn:aws:ecr:eu-west-2:123412341234:repository/payments-api';
    const json = (result: { stdout: string }) => JSON.parse(result.stdout);

    afterEach(() => emulator().reset());

    it('runs aws iam tag-role, list-role-tags (paged) and untag-role', async () => {
      const tagged = await aws([
        'iam',
        'tag-role',
        '--role-name',
        ROLE,
        '--tags',
        'Key=backstage.io/entity-ref,Value=component:default/payments-api',
        'Key=release,Value=',
      ]);
      expect(tagged).toMatchObject({ code: 0, stdout: '' });

      const first = await aws([
        'iam',
        'list-role-tags',
        '--role-name',
        ROLE,
        '--max-items',
        '2',
      ]);
      expect(first.code).toBe(0);
      expect(json(first)).toMatchObject({
        Tags: [
          { Key: 'backstage.io/owner', Value: 'group:default/team-b' },
          {
            Key: 'backstage.io/entity-ref',
            Value: 'component:default/payments-api',
          },
        ],
        IsTruncated: true,
      });
      const rest = await aws([
        'iam',
        'list-role-tags',
        '--role-name',
        ROLE,
        '--marker',
        json(first).Marker,
      ]);
      expect(json(rest)).toEqual({
        Tags: [{ Key: 'release', Value: '' }],
        IsTruncated: false,
      });

      const role = await aws(['iam', 'get-role', '--role-name', ROLE]);
      expect(json(role).Role.Tags).toHaveLength(3);

      const untagged = await aws(
        [
          'iam',
          'untag-role',
          '--role-name',
          ROLE,
          '--tag-keys',
          'release',
          'backstage.io/owner',
        ],
        KEYS.root,
      );
      expect(untagged.code).toBe(0);
      const left = await aws(['iam', 'list-role-tags', '--role-name', ROLE]);
      expect(json(left).Tags).toEqual([
        {
          Key: 'backstage.io/entity-ref',
          Value: 'component:default/payments-api',
        },
      ]);
    });

    it('prints NoSuchEntity for an unknown role', async () => {
      // As in AWS, authorization comes first: the root may tag any role of the account.
      const result = await aws(
        ['iam', 'tag-role', '--role-name', 'nobody', '--tags', 'Key=a,Value=b'],
        KEYS.root,
      );
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim()).toBe(
        'An error occurred (NoSuchEntity) when calling the TagRole operation: The role with name nobody cannot be found.',
      );
    });

    it('prints LimitExceeded past 50 tags per role', async () => {
      const tags = (from: number) =>
        JSON.stringify(
          Array.from({ length: 30 }, (_, i) => ({
            Key: `key-${from + i}`,
            Value: 'v',
          })),
        );
      const first = await aws([
        'iam',
        'tag-role',
        '--role-name',
        ROLE,
        '--tags',
        tags(1),
      ]);
      expect(first.code).toBe(0);
      const second = await aws([
        'iam',
        'tag-role',
        '--role-name',
        ROLE,
        '--tags',
        tags(31),
      ]);
      expect(second.code).not.toBe(0);
      expect(second.stderr.trim()).toBe(
        'An error occurred (LimitExceeded) when calling the TagRole operation: Cannot exceed quota for TagsPerRole: 50',
      );
    });

    it('prints AccessDenied for a principal without iam:TagRole', async () => {
      const result = await aws(
        [
          'iam',
          'tag-role',
          '--role-name',
          ROLE,
          '--tags',
          'Key=backstage.io/owner,Value=group:default/team-a',
        ],
        KEYS.readonly,
      );
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim()).toBe(
        `An error occurred (AccessDenied) when calling the TagRole operation: User: arn:aws:iam::123412341234:user/backstage-readonly is not authorized to perform: iam:TagRole on resource: arn:aws:iam::123412341234:role/service-role/${ROLE}`,
      );
    });

    it('runs aws ecr list-tags-for-resource (read-only user) and untag-resource', async () => {
      const listed = await aws(
        ['ecr', 'list-tags-for-resource', '--resource-arn', REPO_ARN],
        KEYS.readonly,
      );
      expect(listed.code).toBe(0);
      expect(json(listed).tags).toEqual([
        {
          Key: 'backstage.io/entity-ref',
          Value: 'component:default/payments-api',
        },
        { Key: 'backstage.io/owner', Value: 'group:default/team-b' },
      ]);
      const untagged = await aws(
        [
          'ecr',
          'untag-resource',
          '--resource-arn',
          REPO_ARN,
          '--tag-keys',
          'backstage.io/owner',
        ],
        KEYS.root,
      );
      expect(untagged.code).toBe(0);
      const left = await aws([
        'ecr',
        'list-tags-for-resource',
        '--resource-arn',
        REPO_ARN,
      ]);
      expect(json(left).tags).toHaveLength(1);
    });

    it('runs aws codebuild batch-get-projects and shows the tags', async () => {
      const result = await aws([
        'codebuild',
        'batch-get-projects',
        '--names',
        'codebuild-payments-api',
      ]);
      expect(result.code).toBe(0);
      expect(json(result).projects[0].tags).toEqual([
        {
          key: 'backstage.io/entity-ref',
          value: 'component:default/payments-api',
        },
      ]);
    });
  });

  describe('repository policies, permissions boundaries and cross-account simulation', () => {
    const SHARED_REPO =
      'arn:aws:ecr:eu-west-2:210987654321:repository/shared-base-images';
    const BACKSTAGE = 'arn:aws:iam::123412341234:user/backstage';
    const pullPolicy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AllowPull',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::210987654321:root' },
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        },
      ],
    });

    afterEach(() => emulator().reset());

    it('runs aws ecr set-repository-policy, get-repository-policy and delete-repository-policy', async () => {
      const set = await aws(
        [
          'ecr',
          'set-repository-policy',
          '--repository-name',
          'payments-api',
          '--policy-text',
          pullPolicy,
        ],
        KEYS.root,
      );
      expect(set.code).toBe(0);
      const printed = JSON.parse(set.stdout).policyText;
      expect(printed).toMatch(/^\{\n {2}"Version" : "2012-10-17",/);
      expect(JSON.parse(printed)).toEqual(JSON.parse(pullPolicy));

      const got = await aws([
        'ecr',
        'get-repository-policy',
        '--repository-name',
        'payments-api',
      ]);
      expect(JSON.parse(got.stdout)).toEqual({
        registryId: '123412341234',
        repositoryName: 'payments-api',
        policyText: printed,
      });

      const deleted = await aws(
        [
          'ecr',
          'delete-repository-policy',
          '--repository-name',
          'payments-api',
        ],
        KEYS.root,
      );
      expect(deleted.code).toBe(0);
      const again = await aws(
        [
          'ecr',
          'delete-repository-policy',
          '--repository-name',
          'payments-api',
        ],
        KEYS.root,
      );
      expect(again.code).not.toBe(0);
      expect(again.stderr.trim()).toBe(
        "An error occurred (RepositoryPolicyNotFoundException) when calling the DeleteRepositoryPolicy operation: Repository policy does not exist for the repository with name 'payments-api' in the registry with id '123412341234'",
      );
    });

    it('prints InvalidParameterException for a policy ECR refuses', async () => {
      const result = await aws(
        [
          'ecr',
          'set-repository-policy',
          '--repository-name',
          'payments-api',
          '--policy-text',
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:BatchGetImage"}]}',
        ],
        KEYS.root,
      );
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim()).toBe(
        "An error occurred (InvalidParameterException) when calling the SetRepositoryPolicy operation: Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'",
      );
    });

    it('runs aws iam put-role-permissions-boundary, get-role and delete-role-permissions-boundary', async () => {
      const role = 'codebuild-orders-api-service-role';
      const boundary =
        'arn:aws:iam::123412341234:policy/service-role/CodeBuildBasePolicy-inventory-service-eu-west-2';
      const put = await aws(
        [
          'iam',
          'put-role-permissions-boundary',
          '--role-name',
          role,
          '--permissions-boundary',
          boundary,
        ],
        KEYS.root,
      );
      expect(put.code).toBe(0);
      const got = await aws(['iam', 'get-role', '--role-name', role]);
      expect(JSON.parse(got.stdout).Role.PermissionsBoundary).toEqual({
        PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
        PermissionsBoundaryArn: boundary,
      });
      const deleted = await aws(
        ['iam', 'delete-role-permissions-boundary', '--role-name', role],
        KEYS.root,
      );
      expect(deleted.code).toBe(0);
      const after = await aws(['iam', 'get-role', '--role-name', role]);
      expect(JSON.parse(after.stdout).Role.PermissionsBoundary).toBeUndefined();
    });

    it('runs aws iam simulate-principal-policy with --resource-policy and --resource-owner across accounts', async () => {
      const pushGrant = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: BACKSTAGE },
            Action: 'ecr:PutImage',
          },
        ],
      });
      const pushAllowed = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'ecr:PutImage', Resource: '*' }],
      });
      const simulate = (extra: string[]) =>
        aws([
          'iam',
          'simulate-principal-policy',
          '--policy-source-arn',
          BACKSTAGE,
          '--action-names',
          'ecr:PutImage',
          '--resource-arns',
          SHARED_REPO,
          '--resource-policy',
          pushGrant,
          '--resource-owner',
          'arn:aws:iam::210987654321:root',
          ...extra,
        ]);
      const both = await simulate(['--policy-input-list', pushAllowed]);
      expect(both.code).toBe(0);
      expect(JSON.parse(both.stdout).EvaluationResults[0]).toMatchObject({
        EvalDecision: 'allowed',
        EvalDecisionDetails: {
          'IAM Policy': 'allowed',
          'Resource Policy': 'allowed',
        },
      });
      // The backstage user's own policies do not allow ecr:PutImage.
      const resourceOnly = await simulate([]);
      expect(
        JSON.parse(resourceOnly.stdout).EvaluationResults[0],
      ).toMatchObject({
        EvalDecision: 'implicitDeny',
        EvalDecisionDetails: {
          'IAM Policy': 'implicitDeny',
          'Resource Policy': 'allowed',
        },
      });
    });
  });

  describe('builds', () => {
    it('runs aws codebuild start-build, batch-get-builds and aws logs get-log-events', async () => {
      emulator().setBuildDuration(0);
      const project = 'codebuild-proof-of-concept-snapshot';
      const sourceVersion = 'b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7';
      const started = await aws(
        [
          'codebuild',
          'start-build',
          '--project-name',
          project,
          '--source-version',
          sourceVersion,
        ],
        KEYS.root,
      );
      expect(started.code).toBe(0);
      const build = JSON.parse(started.stdout).build;
      expect(build).toMatchObject({
        projectName: project,
        sourceVersion,
        buildStatus: 'IN_PROGRESS',
        logs: { groupName: `/aws/codebuild/${project}` },
      });
      const uuid = build.id.split(':')[1];
      expect(build.logs.streamName).toBe(uuid);

      let done: any;
      for (let i = 0; i < 20 && !done?.buildComplete; i++) {
        const got = await aws(
          ['codebuild', 'batch-get-builds', '--ids', build.id],
          KEYS.root,
        );
        expect(got.code).toBe(0);
        done = JSON.parse(got.stdout).builds[0];
      }
      expect(done.buildStatus).toBe('FAILED');
      expect(
        done.phases.find((p: any) => p.phaseStatus === 'FAILED').phaseType,
      ).toBe('PRE_BUILD');

      const logs = await aws(
        [
          'logs',
          'get-log-events',
          '--log-group-name',
          done.logs.groupName,
          '--log-stream-name',
          done.logs.streamName,
          '--start-from-head',
        ],
        KEYS.root,
      );
      expect(logs.code).toBe(0);
      const lines = JSON.parse(logs.stdout).events.map((e: any) =>
        e.message.trimEnd(),
      );
      expect(lines).toContain(
        `An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation: User: arn:aws:sts::123412341234:assumed-role/codebuild-proof-of-concept-snapshot-service-role/AWSCodeBuild-${uuid} is not authorized to perform: ecr:GetAuthorizationToken on resource: *`,
      );
    });

    it('reads a seeded build and its log with the CLI', async () => {
      const id = 'codebuild-payments-api:a3c5e7f9-2b4d-4e6f-9a1c-3e5f7b9d1f24';
      const got = await aws(
        ['codebuild', 'batch-get-builds', '--ids', id],
        KEYS.root,
      );
      expect(JSON.parse(got.stdout).builds[0]).toMatchObject({
        id,
        buildStatus: 'SUCCEEDED',
        sourceVersion: '5d2c9e1b7a4f0e8c3d6b9a2f5e1c8d4b7a0f3e69',
      });
      const logs = await aws(
        [
          'logs',
          'get-log-events',
          '--log-group-name',
          '/aws/codebuild/codebuild-payments-api',
          '--log-stream-name',
          'a3c5e7f9-2b4d-4e6f-9a1c-3e5f7b9d1f24',
          '--limit',
          '400',
        ],
        KEYS.root,
      );
      expect(logs.code).toBe(0);
      expect(logs.stdout).toContain(
        '5d2c9e1: digest: sha256:04ee3492b6c6a7c33f0df400ba1415596c27d499c87e582375063267741a5ebe size: ',
      );
    });
  });

  it('runs aws sts get-caller-identity', async () => {
    const result = await aws(['sts', 'get-caller-identity']);
    expect(JSON.parse(result.stdout).Arn).toBe(
      'arn:aws:iam::123412341234:user/backstage',
    );
  });
});
