import {
  DEMO_SEED_PATH,
  Emulator,
  readSeedFile,
  startEmulator,
} from '@backstage-ecr/aws-emulator';
import {
  AwsClients,
  DefaultEcrService,
  readEcrConfig,
} from '@backstage-ecr/plugin-ecr-node';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';

export const ACCOUNT = '123412341234';

/** The configuration the demo uses, pointed at an emulator. */
export function ecrConfigData(
  emulator: Emulator,
  overrides: { allowedAccounts?: string[] } = {},
): JsonObject {
  const keys = {
    accessKeyId: 'AKIAEMULATORBACKSTAGE',
    secretAccessKey: 'emulator-backstage-secret',
  };
  return {
    aws: { mainAccount: keys, accounts: [{ accountId: ACCOUNT, ...keys }] },
    ecr: {
      allowedAccounts: overrides.allowedAccounts ?? [ACCOUNT],
      endpoint: emulator.url,
      maxAttempts: 2,
      iam: {
        allowedRoleArnPatterns: [
          'arn:aws:iam::*:role/service-role/codebuild-*',
        ],
      },
    },
  };
}

/** The demo seed, plus an admin role outside the role patterns. */
export async function startActionsEmulator(): Promise<Emulator> {
  const seed = readSeedFile(DEMO_SEED_PATH);
  seed.accounts[0].roles = [
    ...seed.accounts[0].roles!,
    { name: 'Admin', path: '/' },
  ];
  return startEmulator({ port: 0, seed });
}

/** The ECR service the module gets from ecrServiceRef, on real SDK clients. */
export function ecrServiceFor(
  emulator: Emulator,
  overrides: { allowedAccounts?: string[] } = {},
) {
  const config = new ConfigReader(ecrConfigData(emulator, overrides));
  const ecrConfig = readEcrConfig(config);
  const clients = new AwsClients(
    DefaultAwsCredentialsManager.fromConfig(config),
    { endpoint: ecrConfig.endpoint, maxAttempts: ecrConfig.maxAttempts },
  );
  return { ecr: new DefaultEcrService(clients, ecrConfig), clients };
}

/** Writes the emulator answered. */
export function writeCalls(emulator: Emulator): Record<string, number> {
  return Object.fromEntries(
    Object.entries(emulator.calls()).filter(
      ([op]) => !/:(Describe|Get|List|BatchGet|Simulate)/.test(op),
    ),
  );
}

export function repositoryIn(emulator: Emulator, name: string) {
  return emulator.state.accounts
    .get(ACCOUNT)!
    .registries.get('eu-west-2')
    ?.repositories.get(name);
}

export function roleIn(emulator: Emulator, name: string) {
  return emulator.state.accounts.get(ACCOUNT)!.roles.get(name)!;
}

/**
 * A checkpoint store like the scaffolder's: a re-run of the task (task
 * recovery) replays what an earlier run recorded under the same key.
 */
export function checkpointStore() {
  const saved = new Map<string, unknown>();
  return {
    saved,
    async checkpoint<T>(opts: { key: string; fn: () => Promise<T> | T }) {
      if (saved.has(opts.key)) return saved.get(opts.key) as T;
      const value = await opts.fn();
      saved.set(opts.key, value);
      return value;
    },
  };
}
