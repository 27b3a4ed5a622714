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
import {
  AuditLatestBuild,
  AuditReport,
  AuditRun,
  ClaimResponse,
} from '@backstage-ecr/plugin-ecr-common';
import { ecrApiRef } from '../../api/EcrApi';
import { AuditPage } from './AuditPage';
import { mockEcrApi } from '../../__testUtils__/fixtures';
import { FreshPermissionCache } from '../../__testUtils__/permissions';

const run: AuditRun = {
  id: 'run-2',
  status: 'complete',
  trigger: 'manual',
  startedAt: '2026-11-27T10:00:00.000Z',
  finishedAt: '2026-11-27T10:00:05.000Z',
  summary: {
    services: 3,
    passing: 1,
    failingByCheck: { 'push-permissions': 2, 'repository-exists': 1 },
    warningByCheck: { 'scan-on-push': 1 },
    unclaimedRepositories: 2,
  },
};

const INVENTORY_REPO =
  'arn:aws:ecr:eu-west-2:123412341234:repository/inventory-service';
const INVENTORY_ROLE =
  'arn:aws:iam::123412341234:role/service-role/codebuild-inventory-service-service-role';
const PAYMENTS_REPO =
  'arn:aws:ecr:eu-west-2:123412341234:repository/payments-api';
const LEGACY_REPO =
  'arn:aws:ecr:eu-west-2:123412341234:repository/legacy-batch-jobs';

const report: AuditReport = {
  run,
  entities: [
    {
      entityRef: 'component:default/proof-of-concept',
      owner: 'group:default/team-a',
      repositoryArns: [
        'arn:aws:ecr:eu-west-2:123412341234:repository/proof-of-concept-repo',
      ],
      checks: [
        { id: 'repository-exists', status: 'pass', detail: 'exists' },
        {
          id: 'push-permissions',
          status: 'fail',
          detail: 'missing ecr:PutImage',
        },
        { id: 'scan-on-push', status: 'warn', detail: 'off' },
      ],
      bindings: [
        {
          kind: 'repository',
          arn: 'arn:aws:ecr:eu-west-2:123412341234:repository/proof-of-concept-repo',
          state: 'entity',
          boundTo: 'component:default/proof-of-concept',
        },
      ],
    },
    {
      entityRef: 'component:default/inventory-service',
      owner: 'group:default/team-a',
      repositoryArns: [INVENTORY_REPO],
      checks: [
        { id: 'repository-exists', status: 'fail', detail: 'missing' },
        { id: 'push-permissions', status: 'fail', detail: 'missing all' },
        { id: 'repository-owner', status: 'fail', detail: 'It is unbound' },
      ],
      bindings: [
        { kind: 'repository', arn: INVENTORY_REPO, state: 'unbound' },
        { kind: 'role', arn: INVENTORY_ROLE, state: 'unbound' },
      ],
    },
    {
      entityRef: 'component:default/payments-api',
      owner: 'group:default/team-b',
      repositoryArns: [PAYMENTS_REPO],
      checks: [
        { id: 'repository-exists', status: 'pass', detail: 'exists' },
        { id: 'push-permissions', status: 'pass', detail: 'all allowed' },
      ],
      bindings: [
        {
          kind: 'repository',
          arn: PAYMENTS_REPO,
          state: 'elsewhere',
          boundTo: 'group:default/team-c',
        },
      ],
    },
  ],
  ownership: {
    sharedRepositories: [
      {
        arn: PAYMENTS_REPO,
        entityRefs: [
          'component:default/payments-api',
          'component:default/payments-worker',
        ],
      },
    ],
    foreignClaims: [
      {
        entityRef: 'component:default/payments-api',
        kind: 'repository',
        arn: PAYMENTS_REPO,
        boundTo: 'group:default/team-c',
      },
    ],
    orphanBindings: [
      { arn: LEGACY_REPO, boundTo: 'component:default/legacy-batch-jobs' },
    ],
  },
  unclaimed: [
    {
      arn: LEGACY_REPO,
      name: 'legacy-batch-jobs',
      region: 'eu-west-2',
      accountId: '123412341234',
      boundTo: 'component:default/legacy-batch-jobs',
      orphaned: true,
    },
    {
      arn: 'arn:aws:ecr:eu-west-2:123412341234:repository/old-frontend-2019',
      name: 'old-frontend-2019',
      region: 'eu-west-2',
      accountId: '123412341234',
    },
  ],
};

const olderRun: AuditRun = {
  ...run,
  id: 'run-1',
  startedAt: '2026-11-26T10:00:00.000Z',
  summary: { ...run.summary!, failingByCheck: { 'push-permissions': 3 } },
};

type Authorize =
  | AuthorizeResult.ALLOW
  | AuthorizeResult.DENY
  | ((
      request: EvaluatePermissionRequest,
    ) => AuthorizeResult.ALLOW | AuthorizeResult.DENY);

/** Allows every permission except those named. */
const allExcept =
  (...names: string[]) =>
  (request: EvaluatePermissionRequest) =>
    names.includes(request.permission.name)
      ? AuthorizeResult.DENY
      : AuthorizeResult.ALLOW;

async function renderPage(
  authorize: Authorize,
  api = mockEcrApi(),
  answer: AuditReport = report,
) {
  api.getAudit.mockResolvedValue(answer);
  if (!api.getAuditHistory.getMockImplementation()) {
    api.getAuditHistory.mockResolvedValue({ runs: [run, olderRun] });
  }
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [ecrApiRef, api],
        [permissionApiRef, mockApis.permission({ authorize })],
      ]}
    >
      <FreshPermissionCache>
        <AuditPage />
      </FreshPermissionCache>
    </TestApiProvider>,
  );
  return api;
}

function entityRow(name: string): HTMLElement {
  const table = screen.getAllByRole('grid')[0];
  return within(table)
    .getAllByRole('row')
    .find(row =>
      within(row).queryAllByRole('rowheader')[0]?.textContent?.includes(name),
    )!;
}

function claimOf(dryRun: boolean): ClaimResponse {
  const tags = {
    'backstage.io/entity-ref': 'component:default/inventory-service',
    'backstage.io/owner': 'group:default/team-a',
  };
  return {
    dryRun,
    entityRef: 'component:default/inventory-service',
    changed: !dryRun,
    resources: [
      { kind: 'repository', arn: INVENTORY_REPO, outcome: 'bound', tags },
      { kind: 'role', arn: INVENTORY_ROLE, outcome: 'bound', tags },
    ],
  };
}

function entityNames(): string[] {
  const table = screen.getAllByRole('grid')[0];
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map(row => within(row).getAllByRole('rowheader')[0].textContent ?? '');
}

describe('AuditPage', () => {
  it('denies clearly without ecr.audit.read, and asks nothing of the backend', async () => {
    const api = await renderPage(AuthorizeResult.DENY);
    expect(await screen.findByText('Permission denied')).toBeInTheDocument();
    expect(screen.getByText(/ecr.audit.read/)).toBeInTheDocument();
    expect(api.getAudit).not.toHaveBeenCalled();
  });

  it('shows summary tiles', async () => {
    await renderPage(AuthorizeResult.ALLOW);
    expect(await screen.findByTestId('tile-Services')).toHaveTextContent('3');
    expect(screen.getByTestId('tile-Passing')).toHaveTextContent('1');
    expect(screen.getByTestId('tile-Unclaimed repositories')).toHaveTextContent(
      '2',
    );
    expect(
      screen.getByTestId('tile-Failing push-permissions'),
    ).toHaveTextContent('2');
  });

  it('lists every entity with links to its ECR tab', async () => {
    await renderPage(AuthorizeResult.ALLOW);
    await screen.findByTestId('tile-Services');
    expect(entityNames()).toEqual([
      expect.stringContaining('proof-of-concept'),
      expect.stringContaining('inventory-service'),
      expect.stringContaining('payments-api'),
    ]);
    expect(
      screen.getByRole('link', { name: /proof-of-concept/ }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/proof-of-concept/ecr',
    );
  });

  it('filters by owner, check and status', async () => {
    await renderPage(AuthorizeResult.ALLOW);
    await screen.findByTestId('tile-Services');
    await userEvent.click(screen.getByRole('button', { name: /All checks/ }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'repository-exists' }),
    );
    await userEvent.click(screen.getByRole('button', { name: /Any status/ }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Failing' }),
    );
    await waitFor(() =>
      expect(entityNames()).toEqual([
        expect.stringContaining('inventory-service'),
      ]),
    );

    await userEvent.click(screen.getByRole('button', { name: /Failing/ }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Any status' }),
    );
    await userEvent.click(screen.getByRole('button', { name: /All owners/ }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'team-b' }),
    );
    await waitFor(() =>
      expect(entityNames()).toEqual([expect.stringContaining('payments-api')]),
    );
  });

  it('shows a check added through the extension point as a column and a filter', async () => {
    const withAdded: AuditReport = {
      ...report,
      run: {
        ...run,
        summary: {
          ...run.summary!,
          failingByCheck: {
            ...run.summary!.failingByCheck,
            'cost-center-tag': 1,
          },
        },
      },
      entities: report.entities.map((entity, i) => ({
        ...entity,
        checks: [
          ...entity.checks,
          {
            id: 'cost-center-tag',
            status: i === 0 ? 'fail' : 'pass',
            detail: i === 0 ? 'no cost-center tag' : 'tagged',
          },
        ],
      })),
    };
    await renderPage(AuthorizeResult.ALLOW, mockEcrApi(), withAdded);
    await screen.findByTestId('tile-Services');
    const table = screen.getAllByRole('grid')[0];
    expect(
      within(table).getByRole('columnheader', { name: 'cost-center-tag' }),
    ).toBeInTheDocument();
    expect(
      within(entityRow('proof-of-concept')).getByTitle(/no cost-center tag/),
    ).toHaveAttribute('data-status', 'fail');
    expect(
      screen.getByTestId('tile-Failing cost-center-tag'),
    ).toHaveTextContent('1');
    await userEvent.click(screen.getByRole('button', { name: /All checks/ }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'cost-center-tag' }),
    );
    await userEvent.click(screen.getByRole('button', { name: /Any status/ }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Failing' }),
    );
    await waitFor(() =>
      expect(entityNames()).toEqual([
        expect.stringContaining('proof-of-concept'),
      ]),
    );
  });

  it('lists unclaimed repositories', async () => {
    await renderPage(AuthorizeResult.ALLOW);
    const unclaimed = await screen.findByRole('region', {
      name: 'Unclaimed repositories',
    });
    expect(
      within(unclaimed).getByText('legacy-batch-jobs'),
    ).toBeInTheDocument();
    expect(
      within(unclaimed).getByText('old-frontend-2019'),
    ).toBeInTheDocument();
  });

  it('charts failing checks over runs', async () => {
    await renderPage(AuthorizeResult.ALLOW);
    const chart = await screen.findByRole('img', {
      name: 'Failing checks over the last 2 runs',
    });
    expect(chart.querySelectorAll('g[data-run]')).toHaveLength(2);
  });

  it('runs the audit now and shows the new result when it completes', async () => {
    const api = mockEcrApi();
    api.runAudit.mockResolvedValue({
      run: { ...run, id: 'run-3', status: 'running' },
    });
    api.getAuditHistory
      .mockResolvedValueOnce({ runs: [run, olderRun] })
      .mockResolvedValue({ runs: [{ ...run, id: 'run-3' }, run, olderRun] });
    await renderPage(AuthorizeResult.ALLOW, api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Run now' }),
    );
    await waitFor(() => expect(api.getAudit).toHaveBeenCalledTimes(2));
    expect(api.runAudit).toHaveBeenCalledTimes(1);
  });

  it('downloads the CSV', async () => {
    const api = mockEcrApi();
    api.getAuditCsv.mockResolvedValue('entity,check,status\n');
    const createObjectURL = jest.fn(() => 'blob:csv');
    Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
    await renderPage(AuthorizeResult.ALLOW, api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Download CSV' }),
    );
    await waitFor(() => expect(createObjectURL).toHaveBeenCalled());
    expect(api.getAuditCsv).toHaveBeenCalled();
  });

  it('shows the ownership flags', async () => {
    await renderPage(AuthorizeResult.ALLOW);
    const shared = await screen.findByRole('region', {
      name: 'Shared repositories',
    });
    expect(within(shared).getByText('payments-api')).toBeInTheDocument();
    expect(
      within(shared).getByRole('link', {
        name: 'component:default/payments-worker',
      }),
    ).toHaveAttribute('href', '/catalog/default/component/payments-worker/ecr');

    const foreign = screen.getByRole('region', {
      name: 'Entities naming resources bound elsewhere',
    });
    expect(
      within(foreign).getByText('repository payments-api'),
    ).toBeInTheDocument();
    expect(
      within(foreign).getByText('group:default/team-c'),
    ).toBeInTheDocument();

    const orphans = screen.getByRole('region', {
      name: 'Bindings naming missing entities',
    });
    expect(within(orphans).getByText('legacy-batch-jobs')).toBeInTheDocument();
    expect(
      within(orphans).getByText('component:default/legacy-batch-jobs'),
    ).toBeInTheDocument();
  });

  it('says when the run was stored before ownership was audited', async () => {
    const { ownership, ...older } = report;
    await renderPage(AuthorizeResult.ALLOW, mockEcrApi(), older);
    expect(
      await screen.findByText(/stored before ownership was audited/),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('region', { name: 'Shared repositories' }),
    ).not.toBeInTheDocument();
  });

  it('shows who each unclaimed repository is bound to, and orphans', async () => {
    await renderPage(AuthorizeResult.ALLOW);
    const unclaimed = await screen.findByRole('region', {
      name: 'Unclaimed repositories',
    });
    const rows = within(unclaimed).getAllByRole('row').slice(1);
    expect(
      within(rows[0]).getByText('component:default/legacy-batch-jobs'),
    ).toBeInTheDocument();
    expect(within(rows[0]).getByText(/orphaned/)).toBeInTheDocument();
    expect(within(rows[1]).getByText('unbound')).toBeInTheDocument();
    expect(within(rows[1]).queryByText(/orphaned/)).not.toBeInTheDocument();
  });

  it('shows each entity’s bindings, with Claim only where something is unbound', async () => {
    await renderPage(AuthorizeResult.ALLOW);
    await screen.findByTestId('tile-Services');
    const inventory = entityRow('inventory-service');
    expect(
      within(inventory).getByText('repository inventory-service: unbound'),
    ).toBeInTheDocument();
    expect(
      within(inventory).getByText(
        'role codebuild-inventory-service-service-role: unbound',
      ),
    ).toBeInTheDocument();
    expect(
      await within(inventory).findByRole('button', { name: /Claim/ }),
    ).toBeInTheDocument();

    const payments = entityRow('payments-api');
    expect(
      within(payments).getByText(
        'repository payments-api: bound to group:default/team-c',
      ),
    ).toBeInTheDocument();
    expect(
      within(entityRow('proof-of-concept')).getByText('✓ all bound'),
    ).toBeInTheDocument();
    expect(screen.getAllByRole('button', { name: /^Claim/ })).toHaveLength(1);
  });

  it('claims through the preview and says the audit shows it after the next run', async () => {
    const api = mockEcrApi({
      claim: jest.fn(async (_ref, { dryRun }) => claimOf(dryRun)),
    });
    api.runAudit.mockResolvedValue({ run: { ...run, id: 'run-3' } });
    await renderPage(AuthorizeResult.ALLOW, api);
    await screen.findByTestId('tile-Services');
    await userEvent.click(
      await within(entityRow('inventory-service')).findByRole('button', {
        name: 'Claim for component:default/inventory-service',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    const items = within(
      await within(dialog).findByRole('list', { name: 'Resources to claim' }),
    ).getAllByRole('listitem');
    expect(items.map(i => i.getAttribute('data-arn'))).toEqual([
      INVENTORY_REPO,
      INVENTORY_ROLE,
    ]);
    expect(
      within(items[1]).getByText(/backstage.io\/owner = group:default\/team-a/),
    ).toBeInTheDocument();
    expect(api.claim).toHaveBeenCalledWith(
      { kind: 'component', namespace: 'default', name: 'inventory-service' },
      { dryRun: true },
    );

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply' }),
    );
    const notice = await screen.findByTestId('claim-notice');
    expect(api.claim).toHaveBeenLastCalledWith(expect.anything(), {
      dryRun: false,
    });
    expect(notice).toHaveTextContent(
      'Claimed for component:default/inventory-service',
    );
    expect(notice).toHaveTextContent('2 resources tagged');
    expect(notice).toHaveTextContent('after its next run');

    await userEvent.click(
      within(notice).getByRole('button', { name: 'Run now' }),
    );
    await waitFor(() => expect(api.runAudit).toHaveBeenCalledTimes(1));
    await waitFor(() =>
      expect(screen.queryByTestId('claim-notice')).not.toBeInTheDocument(),
    );
  });

  it('offers no Claim without ecr.repository.claim on the entity', async () => {
    await renderPage(allExcept('ecr.repository.claim'));
    await screen.findByTestId('tile-Services');
    await screen.findByRole('button', { name: 'Run now' });
    await new Promise(r => setTimeout(r, 100));
    expect(
      screen.queryByRole('button', { name: /^Claim/ }),
    ).not.toBeInTheDocument();
  });

  it('gates Run now on ecr.audit.run, not on reading the audit', async () => {
    const api = mockEcrApi({
      claim: jest.fn(async (_ref, { dryRun }) => claimOf(dryRun)),
    });
    await renderPage(allExcept('ecr.audit.run'), api);
    await screen.findByTestId('tile-Services');
    await screen.findByRole('button', { name: 'Download CSV' });
    await userEvent.click(
      await screen.findByRole('button', { name: /^Claim/ }),
    );
    await userEvent.click(
      await within(await screen.findByRole('dialog')).findByRole('button', {
        name: 'Apply',
      }),
    );
    const notice = await screen.findByTestId('claim-notice');
    expect(notice).toHaveTextContent('after its next scheduled run');
    expect(screen.queryByRole('button', { name: 'Run now' })).toBeNull();
  });
});

describe('AuditPage: latest builds', () => {
  const PUSH_DENIED =
    'denied: ... is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:eu-west-2:123412341234:repository/proof-of-concept-repo';
  const latestBuilds: AuditLatestBuild[] = [
    {
      id: 'codebuild-proof-of-concept-snapshot:1',
      status: 'FAILED',
      diagnosis: { checkId: 'push-permissions', message: PUSH_DENIED },
    },
    {
      id: 'codebuild-inventory-service:1',
      status: 'FAILED',
      diagnosis: {
        checkId: 'repository-exists',
        message: 'RepositoryNotFoundException',
      },
    },
    { id: 'codebuild-payments-api:1', status: 'SUCCEEDED' },
  ];
  function withBuilds(summaryCount?: number): AuditReport {
    return {
      ...report,
      run: {
        ...run,
        summary: {
          ...run.summary!,
          ...(summaryCount === undefined
            ? {}
            : { latestBuildPushFailures: summaryCount }),
        },
      },
      entities: report.entities.map((entity, i) => ({
        ...entity,
        latestBuild: latestBuilds[i],
      })),
    };
  }

  it('shows each service’s latest build status, with why a failed one failed', async () => {
    await renderPage(AuthorizeResult.ALLOW, mockEcrApi(), withBuilds(1));
    await screen.findByTestId('tile-Services');
    const table = screen.getAllByRole('grid')[0];
    expect(
      within(table).getByRole('columnheader', { name: 'Latest build' }),
    ).toBeInTheDocument();
    const failed = within(entityRow('proof-of-concept')).getByTestId(
      'latest-build-status',
    );
    expect(failed).toHaveTextContent('Failed');
    expect(failed).toHaveAttribute('title', `push-permissions: ${PUSH_DENIED}`);
    expect(
      within(entityRow('payments-api')).getByTestId('latest-build-status'),
    ).toHaveTextContent('Succeeded');
  });

  it('counts the services whose latest build failed on a push permission', async () => {
    await renderPage(AuthorizeResult.ALLOW, mockEcrApi(), withBuilds(4));
    expect(
      await screen.findByTestId('tile-Latest build push failures'),
    ).toHaveTextContent('4');
    expect(
      screen.getByText('Latest build failed on a push permission'),
    ).toBeInTheDocument();
  });

  it('counts them from the entities when the run has no count', async () => {
    await renderPage(AuthorizeResult.ALLOW, mockEcrApi(), withBuilds());
    expect(
      await screen.findByTestId('tile-Latest build push failures'),
    ).toHaveTextContent('1');
  });

  it('shows neither the column nor the tile for a run without builds', async () => {
    await renderPage(AuthorizeResult.ALLOW);
    await screen.findByTestId('tile-Services');
    const table = screen.getAllByRole('grid')[0];
    expect(
      within(table).queryByRole('columnheader', { name: 'Latest build' }),
    ).toBeNull();
    expect(screen.queryByTestId('tile-Latest build push failures')).toBeNull();
  });
});
