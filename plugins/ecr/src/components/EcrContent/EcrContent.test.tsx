import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { ecrApiRef, EcrApi } from '../../api/EcrApi';
import { EcrContent } from './EcrContent';
import {
  entity,
  guideImages,
  image,
  imagesResponse,
  mockEcrApi,
  REPO_URI,
  setupStatus,
} from '../../__testUtils__/fixtures';

async function renderTab(
  api: EcrApi,
  forEntity: Entity = entity,
  authorize:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.DENY,
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [ecrApiRef, api],
        [permissionApiRef, mockApis.permission({ authorize })],
      ]}
    >
      <EntityProvider entity={forEntity}>
        <EcrContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

async function responseError(status: number, message: string, code: string) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: code, message },
        response: { statusCode: status },
      }),
      {
        status,
        statusText: code,
        headers: { 'content-type': 'application/json' },
      },
    ) as any,
  );
}

describe('EcrContent', () => {
  it('shows the missing-annotation empty state with an example annotation', async () => {
    const api = mockEcrApi();
    await renderTab(api, { ...entity, metadata: { name: 'plain' } });
    expect(await screen.findByText(/Missing Annotation/i)).toBeInTheDocument();
    expect(
      screen.getAllByText(/aws.amazon.com\/amazon-ecr-arn/).length,
    ).toBeGreaterThan(0);
    expect(api.getImages).not.toHaveBeenCalled();
  });

  it('shows a loading state while the images load', async () => {
    const api = mockEcrApi({ getImages: jest.fn(() => new Promise(() => {})) });
    await renderTab(api);
    expect(screen.getByLabelText('Loading images')).toBeInTheDocument();
  });

  it('lists the images newest first with tags, size in binary units and scan chips', async () => {
    await renderTab(mockEcrApi());
    const table = await screen.findByRole('grid');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(
      rows.map(row => within(row).getAllByRole('rowheader')[0].textContent),
    ).toEqual(['fcd3f42, latest', 'a1b2c3d', '<untagged>']);
    expect(within(rows[0]).getByText('150 MiB')).toBeInTheDocument();
    expect(within(rows[1]).getByText('1.5 KiB')).toBeInTheDocument();
    expect(within(rows[0]).getByText('CRITICAL 1')).toBeInTheDocument();
    expect(within(rows[0]).getByText('HIGH 2')).toBeInTheDocument();
    expect(within(rows[2]).getByText('Not scanned')).toBeInTheDocument();
    expect(within(rows[2]).getByText('Never')).toBeInTheDocument();
  });

  it('offers the guide’s login, pull and run commands for the newest tag', async () => {
    await renderTab(mockEcrApi());
    expect(
      await screen.findByText(
        'aws ecr get-login-password --region eu-west-2 | docker login --username AWS --password-stdin 123412341234.dkr.ecr.eu-west-2.amazonaws.com',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(`docker pull ${REPO_URI}:fcd3f42`),
    ).toBeInTheDocument();
    expect(
      screen.getByText(`docker run -p 80:8080 ${REPO_URI}:fcd3f42`),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Open in the AWS console' }),
    ).toHaveAttribute(
      'href',
      'https://eu-west-2.console.aws.amazon.com/ecr/repositories/private/123412341234/proof-of-concept-repo?region=eu-west-2',
    );
  });

  it('uses the container port the backend reports', async () => {
    await renderTab(
      mockEcrApi({
        getImages: jest.fn(async () =>
          imagesResponse(guideImages, { containerPort: 3000 }),
        ),
      }),
    );
    expect(
      await screen.findByText(`docker run -p 80:3000 ${REPO_URI}:fcd3f42`),
    ).toBeInTheDocument();
  });

  it('shows how to push a first image when the repository is empty', async () => {
    await renderTab(
      mockEcrApi({ getImages: jest.fn(async () => imagesResponse([])) }),
    );
    expect(await screen.findByText(/No images yet/)).toBeInTheDocument();
    expect(
      screen.getByText(new RegExp(`docker push ${REPO_URI}:latest`)),
    ).toBeInTheDocument();
  });

  it('says when the annotated repository does not exist', async () => {
    const response = imagesResponse([]);
    response.repositories[0].exists = false;
    await renderTab(mockEcrApi({ getImages: jest.fn(async () => response) }));
    expect(
      await screen.findByText('This repository does not exist yet'),
    ).toBeInTheDocument();
  });

  it('says so clearly when permission is denied', async () => {
    const error = await responseError(403, 'Access denied', 'NotAllowedError');
    await renderTab(
      mockEcrApi({
        getImages: jest.fn(async () => {
          throw error;
        }),
      }),
    );
    expect(await screen.findByText('Permission denied')).toBeInTheDocument();
    expect(
      screen.getByText(/do not have permission to see the images/),
    ).toBeInTheDocument();
  });

  it('shows the backend’s message for an AWS error and retries', async () => {
    const error = await responseError(
      502,
      'AWS denied ecr:DescribeImages (AccessDeniedException)',
      'AwsAccessDeniedError',
    );
    const getImages = jest
      .fn()
      .mockRejectedValueOnce(error)
      .mockResolvedValueOnce(imagesResponse(guideImages));
    await renderTab(mockEcrApi({ getImages }));
    expect(
      await screen.findByText(
        'AWS denied ecr:DescribeImages (AccessDeniedException)',
      ),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('fcd3f42, latest')).toBeInTheDocument();
    expect(getImages).toHaveBeenCalledTimes(2);
  });

  it('marks an answer served from cache while AWS is unreachable', async () => {
    await renderTab(
      mockEcrApi({
        getImages: jest.fn(async () =>
          imagesResponse(guideImages, { stale: true }),
        ),
      }),
    );
    expect(await screen.findByText('Showing earlier data')).toBeInTheDocument();
  });

  it('marks setup results served from cache while AWS is unreachable', async () => {
    await renderTab(
      mockEcrApi({
        getSetup: jest.fn(async () => ({ ...setupStatus, stale: true })),
      }),
    );
    expect(
      await screen.findByText('Showing earlier results'),
    ).toBeInTheDocument();
  });

  it('shows the setup checklist with a summary', async () => {
    await renderTab(mockEcrApi());
    expect(
      await screen.findByText('3 of 5 need attention'),
    ).toBeInTheDocument();
    const list = screen.getByRole('list', { name: 'Setup checks' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map(item => item.getAttribute('data-status'))).toEqual([
      'pass',
      'pass',
      'warn',
      'fail',
      'unknown',
    ]);
    expect(
      within(items[3]).getByText(/What to do: Attach the push policy/),
    ).toBeInTheDocument();
    expect(
      within(items[4]).getByText(
        /Backstage needs IAM permission for: sts:GetCallerIdentity/,
      ),
    ).toBeInTheDocument();
  });

  it('offers the push-access fix only where the permission policy allows it', async () => {
    // A name of its own: usePermission caches decisions per resource.
    const owned = {
      ...entity,
      metadata: { ...entity.metadata, name: 'owned' },
    };
    await renderTab(mockEcrApi(), owned, AuthorizeResult.ALLOW);
    expect(
      await screen.findByRole('button', { name: 'Grant push access' }),
    ).toBeInTheDocument();
  });

  it('shows no fix button without permission', async () => {
    await renderTab(mockEcrApi(), entity, AuthorizeResult.DENY);
    await screen.findByText('3 of 5 need attention');
    expect(
      screen.queryByRole('button', { name: 'Grant push access' }),
    ).not.toBeInTheDocument();
  });

  it('opens an image’s findings', async () => {
    const api = mockEcrApi();
    await renderTab(api);
    await userEvent.click(
      (
        await screen.findAllByRole('button', { name: 'Findings' })
      )[0],
    );
    expect(await screen.findByText('CVE-2026-0002')).toBeInTheDocument();
    expect(api.getFindings).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'proof-of-concept' },
      {
        repositoryArn: expect.stringContaining('proof-of-concept-repo'),
        digest: guideImages[0].digest,
      },
    );
  });

  it('pages through many images without rendering them all', async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => image(10_000 - i));
    await renderTab(
      mockEcrApi({ getImages: jest.fn(async () => imagesResponse(many)) }),
    );
    const table = await screen.findByRole('grid');
    expect(within(table).getAllByRole('row')).toHaveLength(21);
    expect(within(table).getByText('v10000')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: /next/i }));
    await waitFor(() =>
      expect(within(table).getByText('v9980')).toBeInTheDocument(),
    );
    expect(within(table).queryByText('v10000')).not.toBeInTheDocument();
  });
});
