import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { ecrApiRef } from '../../api/EcrApi';
import { FindingsDialog } from './FindingsDialog';
import {
  findings,
  guideImages,
  imagesResponse,
  mockEcrApi,
} from '../../__testUtils__/fixtures';

const entityRef = {
  kind: 'Component',
  namespace: 'default',
  name: 'proof-of-concept',
};

async function renderDialog(api = mockEcrApi()) {
  const repository = imagesResponse(guideImages).repositories[0];
  await renderInTestApp(
    <TestApiProvider apis={[[ecrApiRef, api]]}>
      <FindingsDialog
        entityRef={entityRef}
        repository={repository}
        image={guideImages[0]}
        onClose={() => {}}
      />
    </TestApiProvider>,
  );
}

function vulnerabilityNames(): string[] {
  const table = screen.getByRole('grid');
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map(row => within(row).getAllByRole('rowheader')[0].textContent ?? '');
}

describe('FindingsDialog', () => {
  it('lists findings most severe first with package, version and fix', async () => {
    await renderDialog();
    await screen.findByText('CVE-2026-0002');
    expect(vulnerabilityNames()).toEqual([
      'CVE-2026-0002',
      'CVE-2026-0001',
      'CVE-2026-0003',
    ]);
    expect(screen.getByText('openssl')).toBeInTheDocument();
    expect(screen.getByText('3.0.9')).toBeInTheDocument();
    expect(screen.getByText('No fix yet')).toBeInTheDocument();
  });

  it('filters findings by severity', async () => {
    await renderDialog();
    await screen.findByText('CVE-2026-0002');
    await userEvent.click(
      screen.getByRole('button', { name: /All severities/ }),
    );
    await userEvent.click(
      await screen.findByRole('option', { name: 'CRITICAL (1)' }),
    );
    await waitFor(() =>
      expect(vulnerabilityNames()).toEqual(['CVE-2026-0002']),
    );
  });

  it('marks findings served from an earlier read while AWS fails', async () => {
    await renderDialog(
      mockEcrApi({
        getFindings: jest.fn(async () => ({ ...findings, stale: true })),
      }),
    );
    expect(
      await screen.findByText('Showing earlier findings'),
    ).toBeInTheDocument();
    // The earlier findings are still shown under the warning.
    expect(vulnerabilityNames()).toHaveLength(3);
  });

  it('shows no warning on fresh findings', async () => {
    await renderDialog();
    await screen.findByText('CVE-2026-0002');
    expect(screen.queryByText('Showing earlier findings')).toBeNull();
  });

  it('says clearly when the image was never scanned', async () => {
    await renderDialog(
      mockEcrApi({
        getFindings: jest.fn(async () => ({
          ...findings,
          scanned: false,
          status: 'NOT_SCANNED',
          findings: [],
          severityCounts: {},
        })),
      }),
    );
    expect(
      await screen.findByText('This image has not been scanned'),
    ).toBeInTheDocument();
  });
});
