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

  it('runs aws sts get-caller-identity', async () => {
    const result = await aws(['sts', 'get-caller-identity']);
    expect(JSON.parse(result.stdout).Arn).toBe(
      'arn:aws:iam::123412341234:user/backstage',
    );
  });
});
