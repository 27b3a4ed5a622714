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
import { ResponseError } from '@backstage/errors';
import { ecrApiRef, EcrApi } from '../../api/EcrApi';
import { EcrContent } from './EcrContent';
import {
  claimResponse,
  entity,
  guideImages,
  image,
  imagesResponse,
  mockEcrApi,
  pushRoleOwnerCheck,
  REPO_ARN,
  REPO_URI,
  repositoryOwnerCheck,
  setupStatus,
  setupWithOwners,
} from '../../__testUtils__/fixtures';
import { FreshPermissionCache } from '../../__testUtils__/permissions';

async function renderTab(
  api: EcrApi,
  forEntity: Entity = entity,
  authorize:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY
    | ((
        request: EvaluatePermissionRequest,
      ) => AuthorizeResult.ALLOW | AuthorizeResult.DENY) = AuthorizeResult.DENY,
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [ecrApiRef, api],
        [permissionApiRef, mockApis.permission({ authorize })],
      ]}
    >
      <FreshPermissionCache>
        <EntityProvider entity={forEntity}>
          <EcrContent />
        </EntityProvider>
      </FreshPermissionCache>
    </TestApiProvider>,
  );
}

/** Allows every permission but ecr.repository.claim. */
const allButClaim = (request: EvaluatePermissionRequest) =>
  request.permission.name === 'ecr.repository.claim'
    ? AuthorizeResult.DENY
    : AuthorizeResult.ALLOW;

function checkItem(id: string): HTMLElement {
  const list = screen.getByRole('list', { name: 'Setup checks' });
  return within(list)
    .getAllByRole('listitem')
    .find(item => item.getAttribute('data-check-id') === id)!;
}

/** Lets the permission decisions arrive before asserting a button's absence. */
const settle = () => new Promise(r => setTimeout(r, 100));

async function responseError(
  status: number,
  message: string,
  code: string,
  extra: Record<string, unknown> = {},
) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: code, message, ...extra },
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

  it('Check again asks the backend to read AWS again and says when the checks were read', async () => {
    const getSetup = jest
      .fn()
      .mockResolvedValueOnce({
        ...setupStatus,
        checkedAt: '2026-11-29T10:00:00.000Z',
      })
      .mockResolvedValueOnce({
        ...setupStatus,
        checkedAt: new Date().toISOString(),
      });
    await renderTab(mockEcrApi({ getSetup }));
    const checkedAt = await screen.findByTestId('setup-checked-at');
    await waitFor(() => expect(checkedAt).toHaveTextContent(/^Checked /));
    // The first view may be answered from the backend's cache.
    expect(getSetup).toHaveBeenLastCalledWith(
      expect.objectContaining({ name: entity.metadata.name }),
      undefined,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Check again' }));
    await waitFor(() => expect(getSetup).toHaveBeenCalledTimes(2));
    expect(getSetup).toHaveBeenLastCalledWith(
      expect.objectContaining({ name: entity.metadata.name }),
      { refresh: true },
    );
    await waitFor(() =>
      expect(screen.getByTestId('setup-checked-at')).toHaveTextContent(
        /Checked (just now|\d+ seconds? ago)/,
      ),
    );
  });

  it('says so clearly when permission is denied, with the backend’s reason', async () => {
    const error = await responseError(
      403,
      'Permission ecr.images.read is not granted for component:default/proof-of-concept',
      'NotAllowedError',
    );
    await renderTab(
      mockEcrApi({
        getImages: jest.fn(async () => {
          throw error;
        }),
      }),
    );
    expect(await screen.findByText('Permission denied')).toBeInTheDocument();
    expect(
      screen.getByText(/ecr.images.read is not granted/),
    ).toBeInTheDocument();
  });

  it('keeps the checklist when the images are refused because the repository is bound elsewhere', async () => {
    const reason = `Repository ${REPO_ARN} belongs to group:default/team-b (tag backstage.io/owner), not to this entity. Backstage shows a repository only to the entity it belongs to; the entity's setup status says how to bind it.`;
    const error = await responseError(403, reason, 'NotAllowedError', {
      resource: {
        kind: 'repository',
        arn: REPO_ARN,
        state: 'elsewhere',
        boundTo: 'group:default/team-b',
      },
    });
    const status = setupWithOwners(
      repositoryOwnerCheck.elsewhere,
      pushRoleOwnerCheck.pass,
    );
    status.checks = status.checks.map(check =>
      check.id === 'scan-on-push'
        ? {
            ...check,
            status: 'unknown',
            detail: `Not checked: Repository proof-of-concept-repo belongs to group:default/team-b (tag backstage.io/owner), not to this entity.`,
          }
        : check,
    );
    await renderTab(
      mockEcrApi({
        getImages: jest.fn(async () => {
          throw error;
        }),
        getSetup: jest.fn(async () => status),
      }),
      entity,
      AuthorizeResult.ALLOW,
    );
    expect(await screen.findByText(reason)).toBeInTheDocument();
    // Told apart from a missing permission by the binding in the answer.
    expect(
      screen.getByText('A repository of this entity belongs to someone else'),
    ).toBeInTheDocument();
    expect(screen.queryByText('Permission denied')).not.toBeInTheDocument();
    await screen.findByRole('list', { name: 'Setup checks' });
    const owner = checkItem('repository-owner');
    expect(owner).toHaveAttribute('data-status', 'fail');
    expect(
      within(owner).getByText('The repositories belong to this entity'),
    ).toBeInTheDocument();
    expect(checkItem('scan-on-push')).toHaveAttribute('data-status', 'unknown');
    await settle();
    expect(
      within(owner).queryByRole('button', { name: 'Claim' }),
    ).not.toBeInTheDocument();
    expect(
      within(owner).getByText(/belongs to someone else/),
    ).toBeInTheDocument();
    // Nor is push access offered for a repository that is not the entity's.
    expect(
      screen.queryByRole('button', { name: 'Grant push access' }),
    ).not.toBeInTheDocument();
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

  it('shows the owner checks with the titles the backend gives', async () => {
    await renderTab(
      mockEcrApi({
        getSetup: jest.fn(async () =>
          setupWithOwners(repositoryOwnerCheck.pass, pushRoleOwnerCheck.pass),
        ),
      }),
    );
    await screen.findByText('3 of 7 need attention');
    expect(checkItem('repository-owner')).toHaveAttribute(
      'data-status',
      'pass',
    );
    expect(
      within(checkItem('push-role-owner')).getByText(
        'The pushing role belongs to this entity',
      ),
    ).toBeInTheDocument();
  });

  it('offers Claim on an unbound repository, previews the tags and refreshes after applying', async () => {
    const getSetup = jest
      .fn()
      .mockResolvedValueOnce(
        setupWithOwners(repositoryOwnerCheck.unbound, pushRoleOwnerCheck.pass),
      )
      .mockResolvedValue(
        setupWithOwners(repositoryOwnerCheck.pass, pushRoleOwnerCheck.pass),
      );
    const claim = jest.fn(async (_ref: unknown, { dryRun }) =>
      claimResponse(dryRun),
    );
    const api = mockEcrApi({ getSetup, claim });
    await renderTab(api, entity, AuthorizeResult.ALLOW);

    await screen.findByRole('list', { name: 'Setup checks' });
    const owner = checkItem('repository-owner');
    await userEvent.click(
      await within(owner).findByRole('button', { name: 'Claim' }),
    );
    const dialog = await screen.findByRole('dialog');
    const resources = await within(dialog).findByRole('list', {
      name: 'Resources to claim',
    });
    const items = within(resources).getAllByRole('listitem');
    expect(items.map(i => i.getAttribute('data-outcome'))).toEqual([
      'bound',
      'already',
    ]);
    expect(within(items[0]).getByText(REPO_ARN)).toBeInTheDocument();
    expect(within(items[0]).getByText(/Will be tagged/)).toBeInTheDocument();
    expect(
      within(items[0]).getByText(
        /backstage.io\/entity-ref = component:default\/proof-of-concept/,
      ),
    ).toBeInTheDocument();
    expect(
      within(items[1]).getByText(/Already belongs to group:default\/team-a/),
    ).toBeInTheDocument();
    expect(claim).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'proof-of-concept' },
      { dryRun: true },
    );
    expect(claim).not.toHaveBeenCalledWith(expect.anything(), {
      dryRun: false,
    });

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply' }),
    );
    await waitFor(() =>
      expect(checkItem('repository-owner')).toHaveAttribute(
        'data-status',
        'pass',
      ),
    );
    expect(claim).toHaveBeenCalledWith(expect.anything(), { dryRun: false });
    expect(getSetup).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('offers Claim on an unbound pushing role', async () => {
    await renderTab(
      mockEcrApi({
        getSetup: jest.fn(async () =>
          setupWithOwners(
            repositoryOwnerCheck.pass,
            pushRoleOwnerCheck.unbound,
          ),
        ),
      }),
      entity,
      AuthorizeResult.ALLOW,
    );
    await screen.findByRole('list', { name: 'Setup checks' });
    expect(
      await within(checkItem('push-role-owner')).findByRole('button', {
        name: 'Claim',
      }),
    ).toBeInTheDocument();
    expect(
      within(checkItem('push-permissions')).queryByRole('button', {
        name: 'Grant push access',
      }),
    ).not.toBeInTheDocument();
    expect(
      within(checkItem('push-permissions')).getByText(
        /until the pushing role belongs to this entity/,
      ),
    ).toBeInTheDocument();
  });

  it('says who may claim, without a button, to someone not allowed ecr.repository.claim', async () => {
    await renderTab(
      mockEcrApi({
        getSetup: jest.fn(async () =>
          setupWithOwners(
            repositoryOwnerCheck.unbound,
            pushRoleOwnerCheck.pass,
          ),
        ),
      }),
      entity,
      allButClaim,
    );
    await screen.findByRole('list', { name: 'Setup checks' });
    const owner = checkItem('repository-owner');
    expect(
      await within(owner).findByText(
        /only the platform team can bind resources to an entity/i,
      ),
    ).toBeInTheDocument();
    expect(
      within(owner).queryByRole('button', { name: 'Claim' }),
    ).not.toBeInTheDocument();
  });

  it('offers neither Create repository nor Grant push access while the repository is not the entity’s', async () => {
    const status = setupWithOwners(
      repositoryOwnerCheck.unbound,
      pushRoleOwnerCheck.pass,
    );
    status.checks = status.checks.map(check =>
      check.id === 'repository-exists'
        ? { ...check, status: 'fail', detail: 'missing' }
        : check,
    );
    await renderTab(
      mockEcrApi({ getSetup: jest.fn(async () => status) }),
      entity,
      allButClaim,
    );
    await screen.findByRole('list', { name: 'Setup checks' });
    await within(checkItem('repository-owner')).findByText(
      /only the platform team/i,
    );
    await settle();
    expect(screen.queryByRole('button', { name: 'Create repository' })).toBe(
      null,
    );
    expect(screen.queryByRole('button', { name: 'Grant push access' })).toBe(
      null,
    );
    expect(
      within(checkItem('repository-exists')).getByText(
        /until the repository belongs to this entity/,
      ),
    ).toBeInTheDocument();
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
