import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { AuditReport, AuditRun } from '@backstage-ecr/plugin-ecr-common';
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
    },
    {
      entityRef: 'component:default/inventory-service',
      owner: 'group:default/team-a',
      repositoryArns: [
        'arn:aws:ecr:eu-west-2:123412341234:repository/inventory-service',
      ],
      checks: [
        { id: 'repository-exists', status: 'fail', detail: 'missing' },
        { id: 'push-permissions', status: 'fail', detail: 'missing all' },
      ],
    },
    {
      entityRef: 'component:default/payments-api',
      owner: 'group:default/team-b',
      repositoryArns: [
        'arn:aws:ecr:eu-west-2:123412341234:repository/payments-api',
      ],
      checks: [
        { id: 'repository-exists', status: 'pass', detail: 'exists' },
        { id: 'push-permissions', status: 'pass', detail: 'all allowed' },
      ],
    },
  ],
  unclaimed: [
    {
      arn: 'arn:aws:ecr:eu-west-2:123412341234:repository/legacy-batch-jobs',
      name: 'legacy-batch-jobs',
      region: 'eu-west-2',
      accountId: '123412341234',
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

async function renderPage(
  authorize: AuthorizeResult.ALLOW | AuthorizeResult.DENY,
  api = mockEcrApi(),
) {
  api.getAudit.mockResolvedValue(report);
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

  it('lists unclaimed repositories', async () => {
    await renderPage(AuthorizeResult.ALLOW);
    expect(await screen.findByText('legacy-batch-jobs')).toBeInTheDocument();
    expect(screen.getByText('old-frontend-2019')).toBeInTheDocument();
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
});
