import { Emulator } from '@backstage-ecr/aws-emulator';
import { pushPolicyName } from '@backstage-ecr/plugin-ecr-node';
import { mockCredentials, TestBackend } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import yaml from 'yaml';
import {
  ACCOUNT,
  startActionsEmulator,
  writeCalls,
} from './__testUtils__/emulatorEcr';
import { CATALOG_ENTITIES, TEAM_A, USERS } from './__testUtils__/initiators';
import {
  startScaffolderBackend,
  TEMPLATE_DIR,
} from './__testUtils__/scaffolderBackend';

const ORDERS_POLICY = pushPolicyName({
  arn: `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/orders-api`,
  name: 'orders-api',
});

// The demo's software template, run as the template editor's dry run does:
// through the scaffolder's own API, with the real actions on the emulator and
// the demo policy in the real permission backend.

function filesUnder(dir: string, prefix: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap(entry =>
      entry.isDirectory()
        ? filesUnder(path.join(dir, entry.name), `${prefix}${entry.name}/`)
        : [`${prefix}${entry.name}`],
    );
}

describe('the ecr-service template, dry-run through the scaffolder', () => {
  let emulator: Emulator;
  let server: TestBackend['server'];

  beforeAll(async () => {
    emulator = await startActionsEmulator();
    server = await startScaffolderBackend({
      emulator,
      entities: CATALOG_ENTITIES,
    });
  });

  afterAll(async () => {
    await emulator.stop();
  });

  it('lists both actions, with their schemas and examples, for the template editor', async () => {
    const res = await request(server)
      .get('/api/scaffolder/v2/actions')
      .set('Authorization', mockCredentials.user.header(USERS.guest));
    expect(res.status).toBe(200);
    const actions = Object.fromEntries(
      res.body.map((a: { id: string }) => [a.id, a]),
    );
    for (const id of ['ecr:repository:create', 'ecr:push-access:grant']) {
      expect(actions[id]).toMatchObject({
        description: expect.any(String),
        examples: expect.arrayContaining([
          expect.objectContaining({
            example: expect.stringContaining(`action: ${id}`),
          }),
        ]),
        schema: { input: { type: 'object' }, output: { type: 'object' } },
      });
    }
  });

  it('creates the repository, grants push access and writes the files, as a dry run that changes nothing', async () => {
    const template = yaml.parse(
      fs.readFileSync(path.join(TEMPLATE_DIR, 'template.yaml'), 'utf8'),
    );
    const directoryContents = filesUnder(TEMPLATE_DIR, '').map(file => ({
      path: file,
      base64Content: fs
        .readFileSync(path.join(TEMPLATE_DIR, file))
        .toString('base64'),
    }));
    emulator.resetCalls();

    const res = await request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', mockCredentials.user.header(USERS.guest))
      .send({
        template,
        values: {
          name: 'orders-api',
          description: 'Takes orders',
          owner: TEAM_A,
          containerPort: 3000,
          accountId: ACCOUNT,
          region: 'eu-west-2',
          codeBuildProject: 'codebuild-orders-api',
        },
        directoryContents,
      });

    expect(res.status).toBe(200);
    expect(res.body.steps.map((s: { id: string }) => s.id)).toEqual([
      'fetch',
      'repository',
      'push-access',
    ]);
    const log: string[] = res.body.log.map(
      (entry: { body: { message: string } }) => entry.body.message,
    );
    expect(log).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          `Dry run: would create arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/orders-api`,
        ),
        expect.stringContaining(
          `Dry run: would put inline policy ${ORDERS_POLICY} on arn:aws:iam::${ACCOUNT}:role/service-role/codebuild-orders-api-service-role`,
        ),
      ]),
    );
    const output = JSON.stringify(res.body.output);
    expect(output).toContain(
      `${ACCOUNT}.dkr.ecr.eu-west-2.amazonaws.com/orders-api`,
    );
    expect(output).toContain(
      `arn:aws:iam::${ACCOUNT}:role/service-role/codebuild-orders-api-service-role`,
    );
    expect(output).toContain(ORDERS_POLICY);

    const files = Object.fromEntries(
      res.body.directoryContents.map(
        (f: { path: string; base64Content: string }) => [
          f.path,
          Buffer.from(f.base64Content, 'base64').toString('utf8'),
        ],
      ),
    );
    const catalogInfo = yaml.parse(files['catalog-info.yaml']);
    expect(catalogInfo.metadata.annotations).toEqual({
      'aws.amazon.com/amazon-ecr-arn': `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/orders-api`,
      'aws.amazon.com/aws-codebuild-project-arn': `arn:aws:codebuild:eu-west-2:${ACCOUNT}:project/codebuild-orders-api`,
      'ecr.backstage-ecr.io/container-port': '3000',
    });
    expect(files['buildspec.yml']).toContain(
      'docker push $IMAGE_URI:$IMAGE_TAG',
    );

    // The dry run asked AWS, and changed nothing there.
    expect(emulator.calls()).toMatchObject({
      'ecr:DescribeRepositories': 1,
      'codebuild:BatchGetProjects': 1,
    });
    expect(writeCalls(emulator)).toEqual({});
    expect(
      emulator.state.accounts
        .get(ACCOUNT)!
        .registries.get('eu-west-2')!
        .repositories.has('orders-api'),
    ).toBe(false);
  });
});
