import {
  BatchGetProjectsCommand,
  InvalidInputException,
} from '@aws-sdk/client-codebuild';
import { signRequest } from '../auth/sigv4';
import {
  clients,
  errorOf,
  KEYS,
  REGION,
  useEmulator,
} from '../__testUtils__/emulator';

const emulator = useEmulator();
const codebuild = () => clients(emulator().url).codebuild;

describe('BatchGetProjects', () => {
  it('answers a project with its service role ARN', async () => {
    const { projects } = await codebuild().send(
      new BatchGetProjectsCommand({
        names: ['codebuild-proof-of-concept-snapshot'],
      }),
    );
    expect(projects).toHaveLength(1);
    expect(projects![0]).toMatchObject({
      name: 'codebuild-proof-of-concept-snapshot',
      arn: 'arn:aws:codebuild:eu-west-2:123412341234:project/codebuild-proof-of-concept-snapshot',
      serviceRole:
        'arn:aws:iam::123412341234:role/service-role/codebuild-proof-of-concept-snapshot-service-role',
      source: { type: 'CODECOMMIT' },
    });
    expect(projects![0].created).toBeInstanceOf(Date);
  });

  it('finds projects by ARN and reports unknown ones as not found', async () => {
    const { projects, projectsNotFound } = await codebuild().send(
      new BatchGetProjectsCommand({
        names: [
          'arn:aws:codebuild:eu-west-2:123412341234:project/codebuild-payments-api',
          'codebuild-notifications-worker',
        ],
      }),
    );
    expect(projects!.map(p => p.name)).toEqual(['codebuild-payments-api']);
    expect(projectsNotFound).toEqual(['codebuild-notifications-worker']);
  });

  it("answers a project's tags in CodeBuild's shape (lower-case key and value)", async () => {
    const { projects } = await codebuild().send(
      new BatchGetProjectsCommand({
        names: ['codebuild-payments-api', 'codebuild-orders-api'],
      }),
    );
    expect(projects!.map(p => [p.name, p.tags])).toEqual([
      [
        'codebuild-payments-api',
        [
          {
            key: 'backstage.io/entity-ref',
            value: 'component:default/payments-api',
          },
        ],
      ],
      [
        'codebuild-orders-api',
        [{ key: 'backstage.io/owner', value: 'group:default/team-a' }],
      ],
    ]);
  });

  it('sends the tags on the wire as [{key, value}]', async () => {
    // The SDK maps members by name (a wrongly cased member would just go missing there), so
    // this reads the JSON body of a request signed by hand.
    const body = JSON.stringify({ names: ['codebuild-checkout-web'] });
    const url = new URL(emulator().url);
    const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    const headers: Record<string, string> = {
      host: url.host,
      'x-amz-date': date,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'CodeBuild_20161006.BatchGetProjects',
    };
    headers.authorization = signRequest(
      {
        method: 'POST',
        path: '/',
        query: '',
        headers: Object.entries(headers),
        body: Buffer.from(body),
      },
      KEYS.backstage,
      REGION,
      'codebuild',
      date,
    );
    const response = await fetch(`${emulator().url}/`, {
      method: 'POST',
      headers,
      body,
    });
    expect(response.status).toBe(200);
    const answer = await response.json();
    expect(answer.projects[0].tags).toEqual([
      { key: 'backstage.io/owner', value: 'group:default/team-a' },
    ]);
  });

  it('refuses an empty list of names as the model does', async () => {
    const error = await errorOf(
      codebuild().send(new BatchGetProjectsCommand({ names: [] })),
    );
    expect(error).toBeInstanceOf(InvalidInputException);
    expect(error.message).toContain(
      'Member must have length greater than or equal to 1',
    );
  });

  it('denies a principal without codebuild:BatchGetProjects', async () => {
    const readonly = clients(emulator().url, KEYS.readonly).codebuild;
    const error = await errorOf(
      readonly.send(
        new BatchGetProjectsCommand({ names: ['codebuild-payments-api'] }),
      ),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(
      'User: arn:aws:iam::123412341234:user/backstage-readonly is not authorized to perform: codebuild:BatchGetProjects on resource: arn:aws:codebuild:eu-west-2:123412341234:project/codebuild-payments-api',
    );
  });
});
