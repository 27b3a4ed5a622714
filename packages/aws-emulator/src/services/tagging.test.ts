import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import {
  ACCOUNT,
  Credentials,
  errorOf,
  KEYS,
  REGION,
  useEmulator,
} from '../__testUtils__/emulator';

const emulator = useEmulator();
const tagging = (credentials: Credentials = KEYS.backstage, region = REGION) =>
  new ResourceGroupsTaggingAPIClient({
    endpoint: emulator().url,
    region,
    credentials,
    maxAttempts: 1,
  });
const repo = (name: string) =>
  `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;

describe('GetResources', () => {
  it('finds the demo repository tagged app=ledger-service, with all its tags', async () => {
    const out = await tagging().send(
      new GetResourcesCommand({
        ResourceTypeFilters: ['ecr:repository'],
        TagFilters: [{ Key: 'app', Values: ['ledger-service'] }],
      }),
    );
    expect(out.ResourceTagMappingList).toEqual([
      {
        ResourceARN: repo('ledger-service'),
        Tags: expect.arrayContaining([
          { Key: 'app', Value: 'ledger-service' },
          { Key: 'backstage.io/owner', Value: 'group:default/team-a' },
        ]),
      },
    ]);
    expect(out.PaginationToken).toBeFalsy();
  });

  it('ANDs the filters and ORs the values of one filter', async () => {
    const owner = 'backstage.io/owner';
    const both = await tagging().send(
      new GetResourcesCommand({
        ResourceTypeFilters: ['ecr:repository'],
        TagFilters: [
          { Key: owner, Values: ['group:default/team-a'] },
          { Key: 'app', Values: ['nothing-else', 'ledger-service'] },
        ],
      }),
    );
    expect(both.ResourceTagMappingList!.map(r => r.ResourceARN)).toEqual([
      repo('ledger-service'),
    ]);
    const none = await tagging().send(
      new GetResourcesCommand({
        ResourceTypeFilters: ['ecr:repository'],
        TagFilters: [
          { Key: owner, Values: ['group:default/team-b'] },
          { Key: 'app', Values: ['ledger-service'] },
        ],
      }),
    );
    expect(none.ResourceTagMappingList).toEqual([]);
  });

  it('filters by resource type: CodeBuild projects apart from repositories', async () => {
    const out = await tagging().send(
      new GetResourcesCommand({
        ResourceTypeFilters: ['codebuild:project'],
        TagFilters: [
          {
            Key: 'backstage.io/entity-ref',
            Values: ['component:default/payments-api'],
          },
        ],
      }),
    );
    expect(out.ResourceTagMappingList!.map(r => r.ResourceARN)).toEqual([
      `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/codebuild-payments-api`,
    ]);
  });

  it('pages with PaginationToken until every match is answered once', async () => {
    const filter = {
      ResourceTypeFilters: ['ecr:repository'],
      TagFilters: [{ Key: 'backstage.io/owner' }],
    };
    const all = await tagging().send(new GetResourcesCommand(filter));
    const expected = all.ResourceTagMappingList!.map(r => r.ResourceARN);
    expect(expected.length).toBeGreaterThan(2);

    const paged: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await tagging().send(
        new GetResourcesCommand({
          ...filter,
          ResourcesPerPage: 2,
          PaginationToken: token,
        }),
      );
      pages += 1;
      expect(page.ResourceTagMappingList!.length).toBeLessThanOrEqual(2);
      paged.push(...page.ResourceTagMappingList!.map(r => r.ResourceARN!));
      token = page.PaginationToken || undefined;
    } while (token);
    expect(paged).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 2));
  });

  it('refuses a token of another listing', async () => {
    const first = await tagging().send(
      new GetResourcesCommand({
        TagFilters: [{ Key: 'backstage.io/owner' }],
        ResourcesPerPage: 1,
      }),
    );
    expect(first.PaginationToken).toBeTruthy();
    const error = await errorOf(
      tagging().send(
        new GetResourcesCommand({
          TagFilters: [{ Key: 'app' }],
          PaginationToken: first.PaginationToken,
        }),
      ),
    );
    expect(error.name).toBe('InvalidParameterException');
  });

  it('answers an empty list in a region with nothing tagged', async () => {
    const out = await tagging(KEYS.backstage, 'us-east-1').send(
      new GetResourcesCommand({ TagFilters: [{ Key: 'app' }] }),
    );
    expect(out.ResourceTagMappingList).toEqual([]);
  });

  it('authorizes tag:GetResources: a caller without it is denied with AWS text', async () => {
    const error = await errorOf(
      tagging(KEYS.readonly).send(new GetResourcesCommand({})),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toContain('tag:GetResources');
  });
});
