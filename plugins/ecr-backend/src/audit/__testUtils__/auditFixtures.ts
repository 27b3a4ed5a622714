import { readFileSync } from 'fs';
import { resolve } from 'path';
import { DEMO_SEED_PATH, Emulator } from '@backstage-ecr/aws-emulator';
import { isEcrAvailable } from '@backstage-ecr/plugin-ecr-common';
import { createEcrService, EcrService } from '@backstage-ecr/plugin-ecr-node';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { parseAllDocuments } from 'yaml';
import { ACCOUNT, KEYS, SHARED_ACCOUNT } from '../../__testUtils__/testBackend';

/** The demo catalog (examples/entities.yaml), as the demo app loads it. */
export function demoCatalogEntities(): Entity[] {
  const file = resolve(DEMO_SEED_PATH, '../../entities.yaml');
  return parseAllDocuments(readFileSync(file, 'utf8')).map(doc => {
    const entity = doc.toJS() as Entity;
    return {
      ...entity,
      metadata: { namespace: 'default', ...entity.metadata },
    };
  });
}

/** The demo catalog's components with an ECR annotation. */
export function demoEcrComponents(): Entity[] {
  return demoCatalogEntities().filter(
    e => e.kind === 'Component' && isEcrAvailable(e),
  );
}

function component(
  name: string,
  annotations: Record<string, string>,
  owner: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', lifecycle: 'production', owner },
  };
}

/** Entities at the edges: bad annotations, another account, a shared repository. */
export const EDGE_ENTITIES: Entity[] = [
  component(
    'bad-annotations',
    {
      'aws.amazon.com/amazon-ecr-arn': 'proof-of-concept-repo',
      'ecr.backstage-ecr.io/container-port': 'eighty',
    },
    'team-a',
  ),
  component(
    'foreign-account',
    {
      'aws.amazon.com/amazon-ecr-arn':
        'arn:aws:ecr:eu-west-2:999999999999:repository/payments-api',
    },
    'user:default/mallory',
  ),
  // Claims old-frontend-2019 although its port annotation does not parse.
  component(
    'frontend-archive',
    {
      'aws.amazon.com/amazon-ecr-arn': `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/old-frontend-2019`,
      'ecr.backstage-ecr.io/container-port': 'eighty',
    },
    'other-namespace/team-c',
  ),
];

/** The ECR AWS layer against the emulator. */
export function ecrServiceFor(
  emulator: Emulator,
  keys = KEYS.backstage,
): { ecr: EcrService; clients: { destroy(): void } } {
  const config = new ConfigReader({
    aws: {
      accounts: [
        { accountId: ACCOUNT, ...keys },
        // As the demo: the shared account of base-images.
        { accountId: SHARED_ACCOUNT, ...KEYS.shared },
      ],
    },
    ecr: {
      allowedAccounts: [ACCOUNT, SHARED_ACCOUNT],
      regions: ['eu-west-2'],
      endpoint: emulator.url,
      maxAttempts: 2,
      // As the demo: the build roles Backstage may inspect.
      iam: {
        allowedRoleArnPatterns: [
          'arn:aws:iam::*:role/service-role/codebuild-*',
        ],
      },
    },
  });
  const { service, close } = createEcrService({ config });
  return { ecr: service, clients: { destroy: close } };
}
