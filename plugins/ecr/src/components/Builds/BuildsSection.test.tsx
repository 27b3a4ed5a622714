import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  AuthorizeResult,
  EvaluatePermissionRequest,
} from '@backstage/plugin-permission-common';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { Entity } from '@backstage/catalog-model';
import {
  BuildSummary,
  SetupStatus,
  StartBuildResponse,
} from '@backstage-ecr/plugin-ecr-common';
import { ecrApiRef, EcrApi } from '../../api/EcrApi';
import { EcrContent } from '../EcrContent';
import { BuildsSection } from './BuildsSection';
import { useBuilds } from './useBuilds';
import {
  build,
  buildsResponse,
  digestOf,
  entity,
  mockEcrApi,
  PROJECT_ARN,
  PROJECT_NAME,
  ROLE_ARN,
  setupStatus,
} from '../../__testUtils__/fixtures';
import { FreshPermissionCache } from '../../__testUtils__/permissions';

const entityWithProject: Entity = {
  ...entity,
  metadata: {
    ...entity.metadata,
    annotations: {
      ...entity.metadata.annotations,
      'aws.amazon.com/aws-codebuild-project-arn': PROJECT_ARN,
      'backstage.io/source-location':
        'url:https://github.com/acme/proof-of-concept/tree/main/',
    },
  },
};

function withSourceLocation(location: string): Entity {
  return {
    ...entityWithProject,
    metadata: {
      ...entityWithProject.metadata,
      annotations: {
        ...entityWithProject.metadata.annotations,
        'backstage.io/source-location': location,
      },
    },
  };
}

type Authorize =
  | AuthorizeResult.ALLOW
  | AuthorizeResult.DENY
  | ((
      request: EvaluatePermissionRequest,
    ) => AuthorizeResult.ALLOW | AuthorizeResult.DENY);

function providers(api: EcrApi, authorize: Authorize, children: JSX.Element) {
  return (
    <TestApiProvider
      apis={[
        [ecrApiRef, api],
        [permissionApiRef, mockApis.permission({ authorize })],
      ]}
    >
      <FreshPermissionCache>{children}</FreshPermissionCache>
    </TestApiProvider>
  );
}

async function renderTab(
  api: EcrApi,
  forEntity: Entity = entityWithProject,
  authorize: Authorize = AuthorizeResult.DENY,
) {
  return renderInTestApp(
    providers(
      api,
      authorize,
      <EntityProvider entity={forEntity}>
        <EcrContent />
      </EntityProvider>,
    ),
  );
}

const denyBuildStart = (request: EvaluatePermissionRequest) =>
  request.permission.name === 'ecr.build.start'
    ? AuthorizeResult.DENY
    : AuthorizeResult.ALLOW;

/** Lets the permission decisions arrive before asserting a button's absence. */
const settle = (ms = 100) => new Promise(r => setTimeout(r, ms));

const PUSH_DENIED =
  'denied: User: arn:aws:sts::123412341234:assumed-role/codebuild-proof-of-concept-snapshot-service-role/AWSCodeBuild-1 is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:eu-west-2:123412341234:repository/proof-of-concept-repo';

const failedOnPush = build(12, {
  status: 'FAILED',
  currentPhase: 'COMPLETED',
  failedPhase: 'POST_BUILD',
  durationSeconds: 75,
  diagnosis: { checkId: 'push-permissions', message: PUSH_DENIED },
});

function buildsList() {
  return screen.findByRole('list', { name: `Builds of ${PROJECT_NAME}` });
}

function buildItem(list: HTMLElement, buildNumber: number): HTMLElement {
  const item = within(list)
    .getAllByRole('listitem')
    .find(li => within(li).queryByText(`#${buildNumber}`));
  if (!item) throw new Error(`no build #${buildNumber}`);
  return item;
}

function checkItem(id: string): HTMLElement {
  const list = screen.getByRole('list', { name: 'Setup checks' });
  return within(list)
    .getAllByRole('listitem')
    .find(item => item.getAttribute('data-check-id') === id)!;
}

describe('the Builds section', () => {
  it('is not shown when the entity names no CodeBuild project', async () => {
    const api = mockEcrApi();
    await renderTab(api, entity);
    await screen.findByRole('grid');
    await screen.findByRole('list', { name: 'Setup checks' });
    expect(api.getBuilds).toHaveBeenCalled();
    expect(screen.queryByRole('heading', { name: 'Builds' })).toBeNull();
    expect(screen.queryByRole('columnheader', { name: 'Build' })).toBeNull();
    expect(screen.queryByTestId('latest-build')).toBeNull();
  });

  it('lists the builds newest first with status, number, duration, commit, initiator and links', async () => {
    const newest = build(13, {
      status: 'IN_PROGRESS',
      currentPhase: 'BUILD',
      endTime: undefined,
      durationSeconds: undefined,
    });
    const api = mockEcrApi({
      getBuilds: jest.fn(async () =>
        buildsResponse([newest, failedOnPush, build(11)]),
      ),
    });
    await renderTab(api);
    expect(
      await screen.findByRole('heading', { name: 'Builds' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(`CodeBuild project ${PROJECT_NAME}`),
    ).toBeInTheDocument();
    const list = await buildsList();
    const items = within(list).getAllByRole('listitem');
    expect(items.map(item => item.getAttribute('data-build-id'))).toEqual([
      newest.id,
      failedOnPush.id,
      build(11).id,
    ]);

    const running = buildItem(list, 13);
    expect(within(running).getByText('In progress')).toBeInTheDocument();
    expect(within(running).getByText('in BUILD')).toBeInTheDocument();

    const failed = buildItem(list, 12);
    expect(within(failed).getByText('Failed')).toBeInTheDocument();
    expect(
      within(failed).getByText('failed in POST_BUILD'),
    ).toBeInTheDocument();
    expect(within(failed).getByText('1 min 15 s')).toBeInTheDocument();
    expect(within(failed).getByText(/^started /)).toBeInTheDocument();

    const succeeded = buildItem(list, 11);
    expect(within(succeeded).getByText('Succeeded')).toBeInTheDocument();
    expect(within(succeeded).getByText('3 min 12 s')).toBeInTheDocument();
    expect(
      within(succeeded).getByText('by GitHub-Hookshot/abc123'),
    ).toBeInTheDocument();
    expect(
      within(succeeded).getByRole('link', {
        name: 'Commit 1111111 in the source repository',
      }),
    ).toHaveAttribute(
      'href',
      `https://github.com/acme/proof-of-concept/commit/${'1'.repeat(40)}`,
    );
    expect(
      within(succeeded).getByRole('link', {
        name: 'Build #11 in the CodeBuild console',
      }),
    ).toHaveAttribute('href', build(11).consoleUrl);
    expect(
      within(succeeded).getByRole('link', {
        name: 'Log of build #11 in CloudWatch',
      }),
    ).toHaveAttribute('href', build(11).logUrl);
  });

  it.each([
    [
      'GitLab',
      'url:https://gitlab.com/acme/platform/proof-of-concept/-/tree/main',
      `https://gitlab.com/acme/platform/proof-of-concept/-/commit/${'1'.repeat(
        40,
      )}`,
    ],
    [
      'Bitbucket',
      'url:https://bitbucket.org/acme/proof-of-concept/src/main/',
      `https://bitbucket.org/acme/proof-of-concept/commits/${'1'.repeat(40)}`,
    ],
  ])('links the commit on %s', async (_host, location, expected) => {
    const api = mockEcrApi({
      getBuilds: jest.fn(async () => buildsResponse([build(11)])),
    });
    await renderTab(api, withSourceLocation(location));
    const list = await buildsList();
    expect(
      within(list).getByRole('link', {
        name: 'Commit 1111111 in the source repository',
      }),
    ).toHaveAttribute('href', expected);
  });

  it('shows the commit without a link when the source is on another host', async () => {
    const api = mockEcrApi({
      getBuilds: jest.fn(async () => buildsResponse([build(11)])),
    });
    await renderTab(
      api,
      withSourceLocation('url:https://git.example.com/acme/proof-of-concept'),
    );
    const list = await buildsList();
    expect(within(list).getByText('1111111')).toBeInTheDocument();
    expect(
      within(list).queryByRole('link', {
        name: 'Commit 1111111 in the source repository',
      }),
    ).toBeNull();
  });

  it('shows a failed build’s log line and, in place, the grant push access fix', async () => {
    const api = mockEcrApi({
      getBuilds: jest.fn(async () => buildsResponse([failedOnPush, build(11)])),
      grantPushAccess: jest.fn(async ({}, { dryRun }) => ({
        dryRun,
        changed: true,
        roleArn: ROLE_ARN,
        policyName: 'backstage-ecr-push-proof-of-concept-repo',
        policyDocument: {
          Version: '2012-10-17' as const,
          Statement: [
            {
              Effect: 'Allow' as const,
              Action: ['ecr:InitiateLayerUpload'],
              Resource: '*',
            },
          ],
        },
      })),
    });
    await renderTab(api, entityWithProject, AuthorizeResult.ALLOW);
    const failed = buildItem(await buildsList(), 12);
    expect(
      within(failed).getByRole('figure', {
        name: 'The first error in the log of build #12:',
      }),
    ).toHaveTextContent(PUSH_DENIED);
    expect(
      within(failed).getByText(
        'The setup check “The build role can push” looks for this.',
      ),
    ).toBeInTheDocument();
    expect(
      within(failed).getByRole('link', {
        name: 'the check in the setup status',
      }),
    ).toHaveAttribute('href', '#ecr-check-push-permissions');
    expect(checkItem('push-permissions')).toHaveAttribute(
      'id',
      'ecr-check-push-permissions',
    );
    await userEvent.click(
      within(failed).getByRole('link', {
        name: 'the check in the setup status',
      }),
    );
    expect(checkItem('push-permissions')).toHaveFocus();

    await userEvent.click(
      await within(failed).findByRole('button', { name: 'Grant push access' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText('Grant the build role push access'),
    ).toBeInTheDocument();
    expect(await within(dialog).findByText(ROLE_ARN)).toBeInTheDocument();
    expect(api.grantPushAccess).toHaveBeenCalledWith(expect.anything(), {
      dryRun: true,
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply' }),
    );
    await waitFor(() =>
      expect(api.grantPushAccess).toHaveBeenCalledWith(expect.anything(), {
        dryRun: false,
      }),
    );
    // Applied: the checks are read again.
    await waitFor(() => expect(api.getSetup).toHaveBeenCalledTimes(2));
  });

  it('offers no grant to someone the policy does not allow, and still points to the check', async () => {
    const api = mockEcrApi({
      getBuilds: jest.fn(async () => buildsResponse([failedOnPush])),
    });
    await renderTab(api, entityWithProject, AuthorizeResult.DENY);
    const failed = buildItem(await buildsList(), 12);
    await settle();
    expect(within(failed).queryByRole('button')).toBeNull();
    expect(
      within(failed).getByRole('link', {
        name: 'the check in the setup status',
      }),
    ).toBeInTheDocument();
  });

  it('says a check passes now instead of offering its fix', async () => {
    const passing: SetupStatus = {
      ...setupStatus,
      checks: setupStatus.checks.map(check =>
        check.id === 'push-permissions'
          ? { ...check, status: 'pass', detail: 'all allowed' }
          : check,
      ),
    };
    const api = mockEcrApi({
      getSetup: jest.fn(async () => passing),
      getBuilds: jest.fn(async () => buildsResponse([failedOnPush])),
    });
    await renderTab(api, entityWithProject, AuthorizeResult.ALLOW);
    const failed = buildItem(await buildsList(), 12);
    expect(
      await within(failed).findByText(
        'That check passes now: run the build again.',
      ),
    ).toBeInTheDocument();
    await settle();
    expect(
      within(failed).queryByRole('button', { name: 'Grant push access' }),
    ).toBeNull();
  });

  it('offers create repository for a build that found no repository', async () => {
    const missing: SetupStatus = {
      ...setupStatus,
      checks: setupStatus.checks.map(check =>
        check.id === 'repository-exists'
          ? { ...check, status: 'fail', detail: 'missing' }
          : check,
      ),
    };
    const api = mockEcrApi({
      getSetup: jest.fn(async () => missing),
      getBuilds: jest.fn(async () =>
        buildsResponse([
          build(5, {
            status: 'FAILED',
            failedPhase: 'POST_BUILD',
            diagnosis: {
              checkId: 'repository-exists',
              message:
                'RepositoryNotFoundException: The repository with name proof-of-concept-repo does not exist',
            },
          }),
        ]),
      ),
    });
    await renderTab(api, entityWithProject, AuthorizeResult.ALLOW);
    const failed = buildItem(await buildsList(), 5);
    expect(
      await within(failed).findByRole('button', { name: 'Create repository' }),
    ).toBeInTheDocument();
  });

  it('points to the checklist for a check with no fix (tag immutability)', async () => {
    const api = mockEcrApi({
      getBuilds: jest.fn(async () =>
        buildsResponse([
          build(4, {
            status: 'FAILED',
            failedPhase: 'POST_BUILD',
            diagnosis: {
              checkId: 'tag-immutability',
              message:
                "ImageTagAlreadyExistsException: The image tag 'latest' already exists",
            },
          }),
        ]),
      ),
    });
    await renderTab(api, entityWithProject, AuthorizeResult.ALLOW);
    const failed = buildItem(await buildsList(), 4);
    expect(
      within(failed).getByText(/Backstage has no fix for it;/),
    ).toHaveTextContent(
      'Backstage has no fix for it; the check in the setup status says what to do.',
    );
    expect(
      within(failed).getByRole('link', {
        name: 'the check in the setup status',
      }),
    ).toHaveAttribute('href', '#ecr-check-tag-immutability');
    await settle();
    expect(within(failed).queryByRole('button')).toBeNull();
  });

  it('says when the logs could not be read, naming the missing action', async () => {
    const reason =
      'AccessDeniedException: Backstage may not call logs:GetLogEvents on /aws/codebuild/codebuild-proof-of-concept-snapshot.';
    const api = mockEcrApi({
      getBuilds: jest.fn(async () =>
        buildsResponse(
          [build(12, { status: 'FAILED', failedPhase: 'POST_BUILD' })],
          { logsUnreadable: reason },
        ),
      ),
    });
    await renderTab(api);
    expect(
      await screen.findByText('The build logs could not be read'),
    ).toBeInTheDocument();
    expect(screen.getByText(new RegExp(reason))).toBeInTheDocument();
    const failed = buildItem(await buildsList(), 12);
    expect(
      within(failed).getByText('failed in POST_BUILD'),
    ).toBeInTheDocument();
    expect(within(failed).queryByTestId('build-diagnosis')).toBeNull();
  });

  it('marks builds served from the cache while AWS is unreachable', async () => {
    const api = mockEcrApi({
      getBuilds: jest.fn(async () =>
        buildsResponse([build(7)], {
          stale: true,
          fetchedAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
        }),
      ),
    });
    await renderTab(api);
    expect(
      await screen.findByText('Showing earlier builds'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'AWS could not be reached just now; these builds were read 3 hours ago.',
      ),
    ).toBeInTheDocument();
  });

  it('says the builds could not be read for an entity that names a project', async () => {
    const api = mockEcrApi({
      getBuilds: jest.fn(async () => {
        throw new Error('CodeBuild answered AccessDeniedException');
      }),
    });
    await renderTab(api);
    expect(
      await screen.findByText('Could not load the builds'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('CodeBuild answered AccessDeniedException'),
    ).toBeInTheDocument();
  });

  it('links each image to the build that pushed it and to its commit', async () => {
    const pusher = build(9, { imageDigests: [digestOf(3), digestOf(2)] });
    const api = mockEcrApi({
      getBuilds: jest.fn(async () => buildsResponse([build(10), pusher])),
    });
    await renderTab(api);
    const table = await screen.findByRole('grid');
    expect(
      await within(table).findByRole('columnheader', { name: 'Build' }),
    ).toBeInTheDocument();
    const rows = within(table).getAllByRole('row').slice(1);
    expect(
      within(rows[0]).getByRole('link', {
        name: 'Build #9, which pushed fcd3f42, in the CodeBuild console',
      }),
    ).toHaveAttribute('href', pusher.consoleUrl);
    expect(
      within(rows[0]).getByRole('link', {
        name: 'Commit 9999999 of fcd3f42 in the source repository',
      }),
    ).toHaveAttribute(
      'href',
      `https://github.com/acme/proof-of-concept/commit/${'9'.repeat(40)}`,
    );
    expect(
      within(rows[1]).getByRole('link', {
        name: 'Build #9, which pushed a1b2c3d, in the CodeBuild console',
      }),
    ).toBeInTheDocument();
    // The untagged image was pushed by no build of the project.
    expect(within(rows[2]).queryByRole('link', { name: /^Build / })).toBeNull();
    expect(
      within(rows[2]).getByTitle('No build of this project pushed it.'),
    ).toBeInTheDocument();
  });

  it('mentions the latest build’s outcome on the images-present and push-permissions checks', async () => {
    const withImagesCheck: SetupStatus = {
      ...setupStatus,
      checks: [
        ...setupStatus.checks,
        {
          id: 'images-present',
          status: 'pass',
          title: 'Images have been pushed',
          detail: '3 images.',
        },
      ],
    };
    const api = mockEcrApi({
      getSetup: jest.fn(async () => withImagesCheck),
      getBuilds: jest.fn(async () => buildsResponse([failedOnPush, build(7)])),
    });
    await renderTab(api);
    await buildsList();
    const expected = `Latest build #12 failed in POST_BUILD: ${PUSH_DENIED}`;
    await waitFor(() =>
      expect(
        within(checkItem('push-permissions')).getByTestId('latest-build'),
      ).toHaveTextContent(expected),
    );
    expect(
      within(checkItem('images-present')).getByTestId('latest-build'),
    ).toHaveTextContent(expected);
    expect(
      within(checkItem('scan-on-push')).queryByTestId('latest-build'),
    ).toBeNull();
  });

  it('says the latest build succeeded', async () => {
    const api = mockEcrApi({
      getBuilds: jest.fn(async () => buildsResponse([build(7)])),
    });
    await renderTab(api);
    await buildsList();
    await waitFor(() =>
      expect(
        within(checkItem('push-permissions')).getByTestId('latest-build'),
      ).toHaveTextContent(/^Latest build #7 succeeded .+\.$/),
    );
  });

  it('offers no Run build again without ecr.build.start, and says why', async () => {
    const api = mockEcrApi({
      getBuilds: jest.fn(async () => buildsResponse([build(7)])),
    });
    await renderTab(api, entityWithProject, denyBuildStart);
    await buildsList();
    expect(
      await screen.findByText(
        'Only those allowed ecr.build.start on this entity can run its build again.',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Run build again' }),
    ).toBeNull();
  });
});

describe('Run build again', () => {
  const entityRef = {
    kind: 'component',
    namespace: 'default',
    name: 'proof-of-concept',
  };
  const previous = build(7);
  const started: BuildSummary = build(8, {
    status: 'IN_PROGRESS',
    currentPhase: 'SUBMITTED',
    endTime: undefined,
    durationSeconds: undefined,
    sourceVersion: previous.sourceVersion,
    initiator: 'user:default/jane',
  });

  /** An API whose builds run for `inProgressPolls` reads after the start. */
  function buildApi(inProgressPolls: number) {
    let startedYet = false;
    let polls = 0;
    return mockEcrApi({
      getBuilds: jest.fn(async () => {
        if (!startedYet) return buildsResponse([previous]);
        polls += 1;
        const current =
          polls <= inProgressPolls
            ? { ...started, currentPhase: 'BUILD' }
            : {
                ...started,
                status: 'SUCCEEDED' as const,
                currentPhase: 'COMPLETED',
                durationSeconds: 95,
                imageDigests: [digestOf(4)],
              };
        return buildsResponse([current, previous]);
      }),
      startBuild: jest.fn(
        async (
          _entity,
          { dryRun, sourceVersion },
        ): Promise<StartBuildResponse> => {
          if (dryRun) return { dryRun, projectArn: PROJECT_ARN, sourceVersion };
          startedYet = true;
          return {
            dryRun,
            projectArn: PROJECT_ARN,
            sourceVersion,
            build: started,
          };
        },
      ),
    });
  }

  function Harness(props: { onBuildEnded: () => void }) {
    const builds = useBuilds(entityRef, {
      pollIntervalMs: 20,
      onBuildEnded: props.onBuildEnded,
    });
    return (
      <BuildsSection
        entityRef={entityRef}
        builds={builds}
        sourceLocation="url:https://github.com/acme/proof-of-concept"
        onFixApplied={() => {}}
        expectsProject
      />
    );
  }

  async function startFromPreview(api: EcrApi, onBuildEnded = jest.fn()) {
    const rendered = await renderInTestApp(
      providers(
        api,
        AuthorizeResult.ALLOW,
        <Harness onBuildEnded={onBuildEnded} />,
      ),
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Run build again' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Run the build again')).toBeInTheDocument();
    expect(await within(dialog).findByText(PROJECT_ARN)).toBeInTheDocument();
    expect(within(dialog).getByText(PROJECT_NAME)).toBeInTheDocument();
    expect(
      within(dialog).getByRole('link', {
        name: 'Commit 7777777 in the source repository',
      }),
    ).toHaveAttribute(
      'href',
      `https://github.com/acme/proof-of-concept/commit/${previous.sourceVersion}`,
    );
    expect(api.startBuild).toHaveBeenCalledTimes(1);
    expect(api.startBuild).toHaveBeenLastCalledWith(entityRef, {
      dryRun: true,
      sourceVersion: previous.sourceVersion,
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply' }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.startBuild).toHaveBeenLastCalledWith(entityRef, {
      dryRun: false,
      sourceVersion: previous.sourceVersion,
    });
    return { ...rendered, onBuildEnded };
  }

  it('previews the build, starts it and follows it until it ends', async () => {
    const api = buildApi(3);
    const { onBuildEnded } = await startFromPreview(api);

    const list = await buildsList();
    const item = buildItem(list, 8);
    expect(within(item).getByText('In progress')).toBeInTheDocument();
    expect(
      screen.getByText(
        'Build #8 is running; this list follows it until it ends.',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Run build again' }),
    ).toBeDisabled();

    await waitFor(() =>
      expect(
        within(buildItem(list, 8)).getByText('Succeeded'),
      ).toBeInTheDocument(),
    );
    expect(
      within(buildItem(list, 8)).getByText('1 min 35 s'),
    ).toBeInTheDocument();
    expect(onBuildEnded).toHaveBeenCalledTimes(1);
    // Three reads while it ran, one that saw it end; the first read came before.
    expect(api.getBuilds).toHaveBeenCalledTimes(5);
    expect(screen.queryByText(/is running; this list follows it/)).toBeNull();
    expect(
      screen.getByRole('button', { name: 'Run build again' }),
    ).toBeEnabled();

    await settle(150);
    expect(api.getBuilds).toHaveBeenCalledTimes(5);
  });

  it('follows a build it finds running, without holding back Run build again', async () => {
    let reads = 0;
    const api = mockEcrApi({
      getBuilds: jest.fn(async () => {
        reads += 1;
        const current =
          reads <= 2
            ? { ...started, currentPhase: 'BUILD' }
            : { ...started, status: 'FAILED' as const, failedPhase: 'BUILD' };
        return buildsResponse([current, previous]);
      }),
    });
    const onBuildEnded = jest.fn();
    await renderInTestApp(
      providers(
        api,
        AuthorizeResult.ALLOW,
        <Harness onBuildEnded={onBuildEnded} />,
      ),
    );
    const list = await buildsList();
    expect(
      within(buildItem(list, 8)).getByText('In progress'),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('button', { name: 'Run build again' }),
    ).toBeEnabled();
    await waitFor(() =>
      expect(
        within(buildItem(list, 8)).getByText('Failed'),
      ).toBeInTheDocument(),
    );
    expect(
      within(buildItem(list, 8)).getByText('failed in BUILD'),
    ).toBeInTheDocument();
    expect(onBuildEnded).toHaveBeenCalledTimes(1);
    await settle(150);
    expect(api.getBuilds).toHaveBeenCalledTimes(3);
  });

  it('keeps following the build when a read fails, and says so meanwhile', async () => {
    let reads = 0;
    const api = mockEcrApi({
      getBuilds: jest.fn(async () => {
        reads += 1;
        if (reads === 2) throw new Error('ThrottlingException: Rate exceeded');
        const current =
          reads <= 3 ? started : { ...started, status: 'SUCCEEDED' as const };
        return buildsResponse([current, previous]);
      }),
    });
    const onBuildEnded = jest.fn();
    await renderInTestApp(
      providers(
        api,
        AuthorizeResult.ALLOW,
        <Harness onBuildEnded={onBuildEnded} />,
      ),
    );
    expect(
      await screen.findByText('ThrottlingException: Rate exceeded'),
    ).toBeInTheDocument();
    const list = await buildsList();
    await waitFor(() =>
      expect(
        within(buildItem(list, 8)).getByText('Succeeded'),
      ).toBeInTheDocument(),
    );
    expect(screen.queryByText('ThrottlingException: Rate exceeded')).toBeNull();
    expect(onBuildEnded).toHaveBeenCalledTimes(1);
  });

  it('stops following the build when the tab is left', async () => {
    const api = buildApi(1000);
    const { unmount, onBuildEnded } = await startFromPreview(api);
    await waitFor(() =>
      expect(api.getBuilds.mock.calls.length).toBeGreaterThanOrEqual(3),
    );
    unmount();
    const calls = api.getBuilds.mock.calls.length;
    await settle(150);
    expect(api.getBuilds).toHaveBeenCalledTimes(calls);
    expect(onBuildEnded).not.toHaveBeenCalled();
  });
});
