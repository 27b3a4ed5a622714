import {
  DEMO_SEED_PATH,
  Emulator,
  readSeedFile,
  startEmulator,
} from '@backstage-ecr/aws-emulator';
import {
  CodeBuildProjectRef,
  parseCodeBuildProjectArn,
  parseRepositoryArn,
  parseRoleArn,
  RepositoryRef,
  RoleRef,
} from '@backstage-ecr/plugin-ecr-common';
import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { AwsClients } from '../../aws/clients';
import { readEcrConfig } from '../../config';
import { DefaultEcrService } from '../../service/DefaultEcrService';

export const ACCOUNT = '123412341234';
export const ROLE_PATTERNS = ['arn:aws:iam::*:role/service-role/codebuild-*'];

/** Demo keys of a user that may also delete repositories (for the rollback). */
export const DELETER_KEYS = {
  accessKeyId: 'AKIAEMULATORDELETER',
  secretAccessKey: 'emulator-deleter-secret',
};

/**
 * The demo seed, plus what the write tests need beyond it: a user that may
 * also delete repositories, an admin role outside the role patterns and a
 * CodeBuild project that runs as it, and one whose role CodeBuild names bare.
 */
export async function startWritesEmulator(): Promise<Emulator> {
  const seed = readSeedFile(DEMO_SEED_PATH);
  const account = seed.accounts[0];
  const backstage = account.users!.find(u => u.name === 'backstage')!;
  account.users = [
    ...account.users!,
    {
      name: 'backstage-with-delete',
      accessKeys: [
        { id: DELETER_KEYS.accessKeyId, secret: DELETER_KEYS.secretAccessKey },
      ],
      inlinePolicies: {
        ...backstage.inlinePolicies,
        rollback: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'ecr:DeleteRepository',
              Resource: `arn:aws:ecr:*:${ACCOUNT}:repository/*`,
            },
          ],
        },
      },
    },
  ];
  const trustCodeBuild = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'codebuild.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
    ],
  };
  account.roles = [
    ...account.roles!,
    { name: 'Admin', path: '/', trustPolicy: trustCodeBuild },
  ];
  account.codebuildProjects = [
    ...account.codebuildProjects!,
    {
      name: 'codebuild-runs-as-admin',
      serviceRole: `arn:aws:iam::${ACCOUNT}:role/Admin`,
    },
    {
      name: 'codebuild-bare-role-name',
      serviceRole: 'codebuild-orders-api-service-role',
    },
  ];
  return startEmulator({ port: 0, seed });
}

/** The ECR service on real SDK clients, pointed at the emulator. */
export function serviceFor(
  emulator: Emulator,
  options: {
    keys?: { accessKeyId: string; secretAccessKey: string };
    allowedRoleArnPatterns?: string[];
  } = {},
) {
  const keys = options.keys ?? {
    accessKeyId: 'AKIAEMULATORBACKSTAGE',
    secretAccessKey: 'emulator-backstage-secret',
  };
  const config = new ConfigReader({
    aws: { accounts: [{ accountId: ACCOUNT, ...keys }] },
    ecr: {
      allowedAccounts: [ACCOUNT],
      endpoint: emulator.url,
      maxAttempts: 2,
      iam: {
        allowedRoleArnPatterns: options.allowedRoleArnPatterns ?? ROLE_PATTERNS,
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

function parsed<T>(
  result: { ok: true; value: T } | { ok: false; error: string },
): T {
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

export const refs = {
  repository: (name: string): RepositoryRef =>
    parsed(
      parseRepositoryArn(`arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/${name}`),
    ),
  role: (pathAndName: string): RoleRef =>
    parsed(parseRoleArn(`arn:aws:iam::${ACCOUNT}:role/${pathAndName}`)),
  project: (name: string): CodeBuildProjectRef =>
    parsed(
      parseCodeBuildProjectArn(
        `arn:aws:codebuild:eu-west-2:${ACCOUNT}:project/${name}`,
      ),
    ),
};

/** Writes the emulator answered (any call whose name is not a read). */
export function writeCalls(emulator: Emulator): Record<string, number> {
  return Object.fromEntries(
    Object.entries(emulator.calls()).filter(
      ([operation]) =>
        !/:(Describe|Get|List|BatchGet|Simulate)/.test(operation),
    ),
  );
}

/** A repository as the emulator holds it, or undefined. */
export function repositoryIn(emulator: Emulator, name: string) {
  return emulator.state.accounts
    .get(ACCOUNT)!
    .registries.get('eu-west-2')
    ?.repositories.get(name);
}

/** A role as the emulator holds it. */
export function roleIn(emulator: Emulator, name: string) {
  return emulator.state.accounts.get(ACCOUNT)!.roles.get(name)!;
}

/** A customer-managed policy as the emulator holds it, by name. */
export function managedPolicyIn(emulator: Emulator, name: string) {
  return [...emulator.state.accounts.get(ACCOUNT)!.policies.values()].find(
    p => p.name === name,
  )!;
}
