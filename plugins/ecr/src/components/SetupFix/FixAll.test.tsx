import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ecrRepositoryConfigurePermission,
  SetupCheck,
} from '@backstage-ecr/plugin-ecr-common';
import { ecrApiRef } from '../../api/EcrApi';
import { FixAll, pendingFixSteps } from './FixAll';
import {
  mockEcrApi,
  REPO_ARN,
  repositoryOwnerCheck,
  ROLE_ARN,
} from '../../__testUtils__/fixtures';

let testNumber = 0;
let entityRef = { kind: 'Component', namespace: 'default', name: 'all-0' };
beforeEach(() => {
  testNumber += 1;
  entityRef = {
    kind: 'Component',
    namespace: 'default',
    name: `all-${testNumber}`,
  };
});

const check = (id: string, status: SetupCheck['status']): SetupCheck => ({
  id,
  status,
  title: id,
  detail: `${id} is ${status}`,
});

const CHECKS: SetupCheck[] = [
  check('repository-exists', 'pass'),
  check('scan-on-push', 'warn'),
  check('tag-immutability', 'warn'),
  check('lifecycle-policy', 'pass'),
  check('push-permissions', 'fail'),
];

const policyDocument = {
  Version: '2012-10-17' as const,
  Statement: [
    {
      Effect: 'Allow' as const,
      Action: ['ecr:PutImage'],
      Resource: REPO_ARN,
    },
  ],
};

/** An API whose calls are recorded, in order, as `name:dryRun`. */
function recordingApi(options: { failGrant?: boolean } = {}) {
  const calls: string[] = [];
  const api = mockEcrApi({
    configureRepository: jest.fn(async ({}, { dryRun, settings }) => {
      calls.push(`configure:${dryRun}`);
      return {
        dryRun,
        changed: !dryRun,
        repositoryArn: REPO_ARN,
        changes: (settings ?? []).map(setting => ({
          setting,
          current: setting === 'scanOnPush' ? 'false' : 'MUTABLE',
          desired: setting === 'scanOnPush' ? 'true' : 'IMMUTABLE',
          action: 'change' as const,
        })),
      };
    }),
    grantPushAccess: jest.fn(async ({}, { dryRun }) => {
      calls.push(`grant:${dryRun}`);
      if (!dryRun && options.failGrant) {
        throw new Error('AWS refused iam:PutRolePolicy');
      }
      return {
        dryRun,
        changed: true,
        roleArn: ROLE_ARN,
        policyName: 'backstage-ecr-push-proof-of-concept-repo-0123456789',
        policyDocument,
      };
    }),
  });
  return { api, calls };
}

async function renderFixAll(
  api: ReturnType<typeof mockEcrApi>,
  checks: SetupCheck[] = CHECKS,
  permissionApi = mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
) {
  const onApplied = jest.fn();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [ecrApiRef, api],
        [permissionApiRef, permissionApi],
      ]}
    >
      <FixAll entityRef={entityRef} checks={checks} onApplied={onApplied} />
    </TestApiProvider>,
  );
  return { onApplied };
}

describe('pendingFixSteps', () => {
  const all = {
    createRepository: true,
    configureRepository: true,
    grantPushAccess: true,
  };

  it('orders the repository, its settings, then push access', () => {
    expect(
      pendingFixSteps(
        [
          check('repository-exists', 'fail'),
          check('scan-on-push', 'warn'),
          check('lifecycle-policy', 'warn'),
          check('push-permissions', 'fail'),
        ],
        all,
      ),
    ).toEqual([
      { kind: 'createRepository', checkId: 'repository-exists' },
      {
        kind: 'configureRepository',
        checkId: 'scan-on-push',
        settings: ['scanOnPush', 'lifecyclePolicy'],
      },
      { kind: 'grantPushAccess', checkId: 'push-permissions' },
    ]);
  });

  it('leaves out what the user may not do, and what does not belong to the entity', () => {
    expect(
      pendingFixSteps(CHECKS, { ...all, configureRepository: false }),
    ).toEqual([{ kind: 'grantPushAccess', checkId: 'push-permissions' }]);
    expect(
      pendingFixSteps(
        [...CHECKS, repositoryOwnerCheck.elsewhere as SetupCheck],
        all,
      ),
    ).toEqual([]);
  });
});

describe('FixAll', () => {
  it('shows nothing when nothing is pending', async () => {
    await renderFixAll(mockEcrApi(), [check('scan-on-push', 'pass')]);
    await new Promise(r => setTimeout(r, 50));
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it('previews every pending change with its dry run, then applies them in order, reporting each', async () => {
    const { api, calls } = recordingApi();
    const { onApplied } = await renderFixAll(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Fix all' }),
    );
    const settings = await screen.findByTestId('fix-step-configureRepository');
    expect(
      within(settings).getByText('Scan on push: false → true'),
    ).toBeInTheDocument();
    expect(
      within(settings).getByText('Tag mutability: MUTABLE → IMMUTABLE'),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(
        'backstage-ecr-push-proof-of-concept-repo-0123456789',
      ),
    ).toBeInTheDocument();
    expect(calls).toEqual(['configure:true', 'grant:true']);
    expect(api.configureRepository).toHaveBeenCalledWith(entityRef, {
      dryRun: true,
      settings: ['scanOnPush', 'tagImmutability'],
    });

    await userEvent.click(screen.getByRole('button', { name: 'Apply all' }));
    await waitFor(() => expect(onApplied).toHaveBeenCalledTimes(1));
    expect(calls).toEqual([
      'configure:true',
      'grant:true',
      'configure:false',
      'grant:false',
    ]);
    expect(
      screen.getByTestId('fix-step-outcome-configureRepository'),
    ).toHaveTextContent('Done.');
    expect(
      screen.getByTestId('fix-step-outcome-grantPushAccess'),
    ).toHaveTextContent('Done.');
    // Done: nothing is left to apply.
    expect(
      screen.queryByRole('button', { name: 'Apply all' }),
    ).not.toBeInTheDocument();
  });

  it('stops at a failing step and shows the failure; the steps before it stay made', async () => {
    const { api, calls } = recordingApi({ failGrant: true });
    const { onApplied } = await renderFixAll(api, [
      check('repository-exists', 'fail'),
      ...CHECKS.slice(1),
    ]);
    const create = api.createRepository as jest.Mock;
    create.mockImplementation(async ({}, { dryRun }) => {
      calls.push(`create:${dryRun}`);
      return {
        dryRun,
        created: !dryRun,
        alreadyExisted: false,
        repositoryArn: REPO_ARN,
        repositoryUri: 'uri',
        settings: {
          repositoryName: 'proof-of-concept-repo',
          region: 'eu-west-2',
          accountId: '123412341234',
          imageTagMutability: 'IMMUTABLE',
          scanOnPush: true,
          encryptionType: 'AES256',
          tags: {},
        },
      };
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Fix all' }),
    );
    await screen.findByTestId('fix-step-grantPushAccess');
    await userEvent.click(screen.getByRole('button', { name: 'Apply all' }));
    expect(
      await screen.findByText('Failed: AWS refused iam:PutRolePolicy'),
    ).toBeInTheDocument();
    expect(calls).toEqual([
      'create:true',
      'configure:true',
      'grant:true',
      'create:false',
      'configure:false',
      'grant:false',
    ]);
    expect(
      screen.getByTestId('fix-step-outcome-createRepository'),
    ).toHaveTextContent('Done.');
    expect(
      screen.getByTestId('fix-step-outcome-configureRepository'),
    ).toHaveTextContent('Done.');
    // What was made is shown on the page once the dialog closes.
    expect(onApplied).toHaveBeenCalledTimes(1);
  });

  it('reports the later steps as not made when an earlier one fails', async () => {
    const { api, calls } = recordingApi();
    (api.configureRepository as jest.Mock).mockImplementation(
      async ({}, { dryRun }) => {
        calls.push(`configure:${dryRun}`);
        if (!dryRun) throw new Error('AWS refused ecr:PutImageTagMutability');
        return {
          dryRun,
          changed: false,
          repositoryArn: REPO_ARN,
          changes: [],
        };
      },
    );
    const { onApplied } = await renderFixAll(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Fix all' }),
    );
    await screen.findByTestId('fix-step-grantPushAccess');
    await userEvent.click(screen.getByRole('button', { name: 'Apply all' }));
    expect(
      await screen.findByText('Failed: AWS refused ecr:PutImageTagMutability'),
    ).toBeInTheDocument();
    expect(
      screen.getByTestId('fix-step-outcome-grantPushAccess'),
    ).toHaveTextContent('Not made: an earlier change failed.');
    expect(calls).not.toContain('grant:false');
    expect(onApplied).not.toHaveBeenCalled();
  });

  it('leaves out a step the policy does not allow', async () => {
    const { api, calls } = recordingApi();
    await renderFixAll(
      api,
      CHECKS,
      mockApis.permission({
        authorize: request =>
          request.permission.name === ecrRepositoryConfigurePermission.name
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      }),
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Fix all' }),
    );
    await screen.findByTestId('fix-step-grantPushAccess');
    expect(
      screen.queryByTestId('fix-step-configureRepository'),
    ).not.toBeInTheDocument();
    expect(calls).toEqual(['grant:true']);
  });
});
