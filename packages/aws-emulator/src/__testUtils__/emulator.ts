import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { Emulator, EmulatorOptions, startEmulator } from '../index';

/** The demo seed's keys (examples/aws-emulator/demo.yaml). */
export const KEYS = {
  backstage: {
    accessKeyId: 'AKIAEMULATORBACKSTAGE',
    secretAccessKey: 'emulator-backstage-secret',
  },
  readonly: {
    accessKeyId: 'AKIAEMULATORREADONLY',
    secretAccessKey: 'emulator-readonly-secret',
  },
  root: {
    accessKeyId: 'AKIAEMULATORROOT',
    secretAccessKey: 'emulator-root-secret',
  },
  codebuildSession: {
    accessKeyId: 'ASIAEMULATORCODEBUILD',
    secretAccessKey: 'emulator-codebuild-secret',
    sessionToken: 'emulator-codebuild-session-token',
  },
};

export const ACCOUNT = '123412341234';
export const REGION = 'eu-west-2';

export type Credentials = {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
};

/** Real SDK clients pointed at an emulator, as the plugins configure them. */
export function clients(
  url: string,
  credentials: Credentials = KEYS.backstage,
  region = REGION,
) {
  const config = { endpoint: url, region, credentials, maxAttempts: 1 };
  return {
    ecr: new ECRClient(config),
    iam: new IAMClient(config),
    sts: new STSClient(config),
    codebuild: new CodeBuildClient(config),
  };
}

/** Starts an emulator on a free port for one test file and stops it afterwards. */
export function useEmulator(options: EmulatorOptions = {}): () => Emulator {
  let emulator: Emulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, ...options });
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  return () => {
    if (!emulator) throw new Error('the emulator is not running');
    return emulator;
  };
}

/** Resolves to the error a promise rejects with (fails the test if it resolves). */
export async function errorOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}
