import {
  CompleteLayerUploadCommand,
  ECRClient,
  InitiateLayerUploadCommand,
  PutImageCommand,
  UploadLayerPartCommand,
} from '@aws-sdk/client-ecr';
import { createHash } from 'crypto';
import { DEMO_SEED_PATH } from '../index';
import { readSeedFile } from '../seed/load';
import { Seed, SeedAccount } from '../seed/schema';
import { ACCOUNT } from './emulator';

/** The demo seed's second account, which holds shared-base-images. */
export const SHARED_ACCOUNT = '210987654321';
export const SHARED_REPOSITORY = 'shared-base-images';
export const SHARED_REPOSITORY_ARN = `arn:aws:ecr:eu-west-2:${SHARED_ACCOUNT}:repository/${SHARED_REPOSITORY}`;

export const BASE_IMAGES_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/service-role/codebuild-base-images-service-role`;

export const PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:CompleteLayerUpload',
  'ecr:InitiateLayerUpload',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
];

/** Keys of the demo seed's second account and of the test additions below. */
export const ACCESS_KEYS = {
  /** Backstage's user in the shared account (demo seed). */
  sharedBackstage: {
    accessKeyId: 'AKIAEMULATORSHARED',
    secretAccessKey: 'emulator-shared-secret',
  },
  sharedRoot: {
    accessKeyId: 'AKIAEMULATORSHAREDROOT',
    secretAccessKey: 'emulator-shared-root-secret',
  },
  /** The codebuild-base-images build session (demo seed). */
  baseImagesBuild: {
    accessKeyId: 'ASIAEMULATORBASEIMAGES',
    secretAccessKey: 'emulator-base-images-secret',
    sessionToken: 'emulator-base-images-session-token',
  },
  /** Test seed: a role allowed the push by its own policy, not named by the repository's. */
  strangerBuild: {
    accessKeyId: 'ASIATESTSTRANGERBUILD',
    secretAccessKey: 'stranger-build-secret',
    sessionToken: 'stranger-build-token',
  },
  /** Test seed: a role allowed ecr:* whose permissions boundary allows only ECR reads. */
  boundedBuild: {
    accessKeyId: 'ASIATESTBOUNDEDBUILD0',
    secretAccessKey: 'bounded-build-secret',
    sessionToken: 'bounded-build-token',
  },
  /** Test seed: a user of the demo account with no policies at all. */
  nobody: {
    accessKeyId: 'AKIATESTNOBODY000000',
    secretAccessKey: 'nobody-secret',
  },
};

export const STRANGER_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/service-role/codebuild-stranger-role`;
export const BOUNDED_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/service-role/codebuild-bounded-role`;
export const READ_BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT}:policy/ecr-read-boundary`;
export const PUSHER_ARN = `arn:aws:iam::${ACCOUNT}:user/pusher`;
export const NOBODY_ARN = `arn:aws:iam::${ACCOUNT}:user/nobody`;

const CODEBUILD_TRUST = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'codebuild.amazonaws.com' },
      Action: 'sts:AssumeRole',
    },
  ],
};

const pushTo = (resource: string) => ({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: PUSH_ACTIONS, Resource: resource },
    { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
  ],
});

/**
 * The demo seed with what the access-model tests need and the demo must not show: in the
 * demo account a role whose own policy allows the cross-account push but which the
 * repository policy does not name, a role with a permissions boundary, a user `pusher` allowed
 * the cross-account push, and a user with no policies; the shared account is put in an
 * organization whose SCPs deny deleting repositories and changing tag mutability.
 */
export function accessModelSeed(): Seed {
  const seed = readSeedFile(DEMO_SEED_PATH);
  const demo = seed.accounts.find(a => a.id === ACCOUNT)!;
  const shared = seed.accounts.find(a => a.id === SHARED_ACCOUNT)!;
  addToDemo(demo);
  shared.organization = {
    scps: [
      {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'FullAWSAccess', Effect: 'Allow', Action: '*', Resource: '*' },
        ],
      },
      {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ProtectRepositories',
            Effect: 'Deny',
            Action: ['ecr:DeleteRepository', 'ecr:PutImageTagMutability'],
            Resource: '*',
          },
        ],
      },
    ],
  };
  return seed;
}

function addToDemo(demo: SeedAccount) {
  demo.managedPolicies = [
    ...(demo.managedPolicies ?? []),
    {
      name: 'ecr-read-boundary',
      description: 'The most a bounded build role may do: read ECR',
      document: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: [
              'ecr:Describe*',
              'ecr:List*',
              'ecr:Get*',
              'ecr:BatchGetImage',
            ],
            Resource: '*',
          },
        ],
      },
    },
  ];
  demo.roles = [
    ...(demo.roles ?? []),
    {
      name: 'codebuild-stranger-role',
      path: '/service-role/',
      trustPolicy: CODEBUILD_TRUST,
      inlinePolicies: {
        'push-shared-base-images': pushTo(
          `arn:aws:ecr:eu-west-2:210987654321:repository/${SHARED_REPOSITORY}`,
        ),
      },
      sessions: [
        {
          name: 'AWSCodeBuild-stranger',
          accessKeyId: ACCESS_KEYS.strangerBuild.accessKeyId,
          secret: ACCESS_KEYS.strangerBuild.secretAccessKey,
          sessionToken: ACCESS_KEYS.strangerBuild.sessionToken,
        },
      ],
    },
    {
      name: 'codebuild-bounded-role',
      path: '/service-role/',
      trustPolicy: CODEBUILD_TRUST,
      inlinePolicies: {
        'ecr-everything': {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }],
        },
      },
      permissionsBoundary: 'ecr-read-boundary',
      sessions: [
        {
          name: 'AWSCodeBuild-bounded',
          accessKeyId: ACCESS_KEYS.boundedBuild.accessKeyId,
          secret: ACCESS_KEYS.boundedBuild.secretAccessKey,
          sessionToken: ACCESS_KEYS.boundedBuild.sessionToken,
        },
      ],
    },
  ];
  demo.users = [
    ...(demo.users ?? []),
    {
      name: 'pusher',
      inlinePolicies: {
        'push-shared-base-images': pushTo(
          `arn:aws:ecr:eu-west-2:210987654321:repository/${SHARED_REPOSITORY}`,
        ),
      },
    },
    {
      name: 'nobody',
      accessKeys: [
        {
          id: ACCESS_KEYS.nobody.accessKeyId,
          secret: ACCESS_KEYS.nobody.secretAccessKey,
        },
      ],
    },
  ];
}

export const sha256 = (data: Buffer | string) =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`;

/**
 * Pushes an image as `docker push` does through the ECR API: each blob with
 * InitiateLayerUpload, UploadLayerPart and CompleteLayerUpload, then PutImage. The
 * registry is the caller's own unless `registryId` names another account.
 */
export async function pushImage(
  client: ECRClient,
  repositoryName: string,
  tag: string,
  registryId?: string,
): Promise<string> {
  const config = Buffer.from(
    `{"architecture":"amd64","os":"linux","tag":"${tag}"}`,
  );
  const layer = Buffer.from(`layer of ${tag}`);
  for (const blob of [config, layer]) {
    const { uploadId } = await client.send(
      new InitiateLayerUploadCommand({ registryId, repositoryName }),
    );
    await client.send(
      new UploadLayerPartCommand({
        registryId,
        repositoryName,
        uploadId,
        partFirstByte: 0,
        partLastByte: blob.length - 1,
        layerPartBlob: blob,
      }),
    );
    await client.send(
      new CompleteLayerUploadCommand({
        registryId,
        repositoryName,
        uploadId,
        layerDigests: [sha256(blob)],
      }),
    );
  }
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: config.length,
      digest: sha256(config),
    },
    layers: [
      {
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        size: layer.length,
        digest: sha256(layer),
      },
    ],
  });
  const { image } = await client.send(
    new PutImageCommand({
      registryId,
      repositoryName,
      imageManifest: manifest,
      imageTag: tag,
    }),
  );
  return image!.imageId!.imageDigest!;
}
