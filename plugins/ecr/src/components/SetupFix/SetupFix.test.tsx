import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { SetupCheck } from '@backstage-ecr/plugin-ecr-common';
import { ecrApiRef } from '../../api/EcrApi';
import { SetupFix } from './SetupFix';
import { blockingOwnerCheck, ownerCheckState } from './ownership';
import {
  mockEcrApi,
  pushRoleOwnerCheck,
  REPO_ARN,
  repositoryOwnerCheck,
  ROLE_ARN,
} from '../../__testUtils__/fixtures';

// usePermission caches decisions per permission and resource across renders,
// so each test asks about an entity of its own.
let testNumber = 0;
let entityRef = { kind: 'Component', namespace: 'default', name: 'svc-0' };
beforeEach(() => {
  testNumber += 1;
  entityRef = {
    kind: 'Component',
    namespace: 'default',
    name: `svc-${testNumber}`,
  };
});
const pushCheck: SetupCheck = {
  id: 'push-permissions',
  status: 'fail',
  title: 'The build role can push',
  detail: 'missing ecr:PutImage',
};
const policyDocument = {
  Version: '2012-10-17' as const,
  Statement: [
    {
      Effect: 'Allow' as const,
      Action: ['ecr:PutImage'],
      Resource:
        'arn:aws:ecr:eu-west-2:123412341234:repository/proof-of-concept-repo',
    },
  ],
};

async function renderFix(
  check: SetupCheck,
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY,
  api = mockEcrApi(),
  checks?: SetupCheck[],
) {
  const onApplied = jest.fn();
  const permissionApi = mockApis.permission({ authorize: result });
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [ecrApiRef, api],
        [permissionApiRef, permissionApi],
      ]}
    >
      <SetupFix
        entityRef={entityRef}
        check={check}
        checks={checks}
        onApplied={onApplied}
      />
    </TestApiProvider>,
  );
  return { onApplied, api };
}

describe('SetupFix', () => {
  it('shows no button to someone the policy does not allow', async () => {
    await renderFix(pushCheck, AuthorizeResult.DENY);
    await new Promise(r => setTimeout(r, 50));
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it('shows no button on a check that passes', async () => {
    await renderFix({ ...pushCheck, status: 'pass' }, AuthorizeResult.ALLOW);
    await new Promise(r => setTimeout(r, 50));
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it('previews the policy with a dry run, then applies it', async () => {
    const api = mockEcrApi({
      grantPushAccess: jest.fn(async ({}, { dryRun }) => ({
        dryRun,
        changed: true,
        roleArn:
          'arn:aws:iam::123412341234:role/service-role/codebuild-proof-of-concept-snapshot-service-role',
        policyName: 'backstage-ecr-push-proof-of-concept-repo',
        policyDocument,
      })),
    });
    const { onApplied } = await renderFix(
      pushCheck,
      AuthorizeResult.ALLOW,
      api,
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Grant push access' }),
    );
    expect(
      await screen.findByText('backstage-ecr-push-proof-of-concept-repo'),
    ).toBeInTheDocument();
    expect(screen.getByText(/"ecr:PutImage"/)).toBeInTheDocument();
    expect(api.grantPushAccess).toHaveBeenCalledWith(entityRef, {
      dryRun: true,
    });
    expect(api.grantPushAccess).not.toHaveBeenCalledWith(entityRef, {
      dryRun: false,
    });

    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(onApplied).toHaveBeenCalled());
    expect(api.grantPushAccess).toHaveBeenCalledWith(entityRef, {
      dryRun: false,
    });
  });

  it('previews the repository settings before creating it', async () => {
    const api = mockEcrApi({
      createRepository: jest.fn(async ({}, { dryRun }) => ({
        dryRun,
        created: !dryRun,
        alreadyExisted: false,
        repositoryArn:
          'arn:aws:ecr:eu-west-2:123412341234:repository/inventory-service',
        repositoryUri:
          '123412341234.dkr.ecr.eu-west-2.amazonaws.com/inventory-service',
        settings: {
          repositoryName: 'inventory-service',
          region: 'eu-west-2',
          accountId: '123412341234',
          imageTagMutability: 'IMMUTABLE' as const,
          scanOnPush: true,
          encryptionType: 'AES256' as const,
          tags: {
            'backstage.io/entity-ref': 'component:default/inventory-service',
          },
        },
      })),
    });
    await renderFix(
      { ...pushCheck, id: 'repository-exists', title: 'Repository exists' },
      AuthorizeResult.ALLOW,
      api,
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Create repository' }),
    );
    expect(await screen.findByText(/"IMMUTABLE"/)).toBeInTheDocument();
    expect(screen.getByText('inventory-service')).toBeInTheDocument();
  });

  it('keeps the dialog open and says why when applying fails', async () => {
    const api = mockEcrApi({
      grantPushAccess: jest.fn(async ({}, { dryRun }) => {
        if (!dryRun)
          throw new Error('role is outside ecr.iam.allowedRoleArnPatterns');
        return {
          dryRun,
          changed: true,
          roleArn: 'arn:aws:iam::123412341234:role/x',
          policyName: 'backstage-ecr-push-x',
          policyDocument,
        };
      }),
    });
    const { onApplied } = await renderFix(
      pushCheck,
      AuthorizeResult.ALLOW,
      api,
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Grant push access' }),
    );
    await screen.findByText('backstage-ecr-push-x');
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    expect(
      await screen.findByText('role is outside ecr.iam.allowedRoleArnPatterns'),
    ).toBeInTheDocument();
    expect(onApplied).not.toHaveBeenCalled();
  });

  describe('repository settings', () => {
    const configured = (
      setting: 'scanOnPush' | 'tagImmutability' | 'lifecyclePolicy',
      current: string | null,
      desired: string,
    ) =>
      jest.fn(async ({}, { dryRun }) => ({
        dryRun,
        changed: !dryRun,
        repositoryArn: REPO_ARN,
        changes: [{ setting, current, desired, action: 'change' as const }],
      }));

    it.each([
      [
        'scan-on-push',
        'Turn on scan on push',
        'scanOnPush',
        'false',
        'true',
        'Scan on push: false → true',
      ],
      [
        'tag-immutability',
        'Make tags immutable',
        'tagImmutability',
        'MUTABLE',
        'IMMUTABLE',
        'Tag mutability: MUTABLE → IMMUTABLE',
      ],
      [
        'lifecycle-policy',
        'Add lifecycle policy',
        'lifecyclePolicy',
        null,
        '{"rules":[{"rulePriority":1}]}',
        /Lifecycle policy: none → the default policy/,
      ],
    ] as const)(
      'on a warning %s, previews only that setting with a dry run, then applies it',
      async (id, button, setting, current, desired, shown) => {
        const api = mockEcrApi({
          configureRepository: configured(setting, current, desired),
        });
        const { onApplied } = await renderFix(
          { id, status: 'warn', title: id, detail: 'not set' },
          AuthorizeResult.ALLOW,
          api,
        );
        await userEvent.click(
          await screen.findByRole('button', { name: button }),
        );
        expect(await screen.findByText(shown)).toBeInTheDocument();
        expect(api.configureRepository).toHaveBeenCalledWith(entityRef, {
          dryRun: true,
          settings: [setting],
        });
        expect(api.configureRepository).toHaveBeenCalledTimes(1);
        await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
        await waitFor(() => expect(onApplied).toHaveBeenCalled());
        expect(api.configureRepository).toHaveBeenLastCalledWith(entityRef, {
          dryRun: false,
          settings: [setting],
        });
      },
    );

    it('offers no settings fix to someone the policy does not allow', async () => {
      await renderFix(
        { id: 'scan-on-push', status: 'warn', title: 'Scan', detail: 'off' },
        AuthorizeResult.DENY,
      );
      await new Promise(r => setTimeout(r, 50));
      expect(screen.queryByRole('button')).not.toBeInTheDocument();
    });

    it('offers no settings fix while the repository is not the entity’s', async () => {
      await renderFix(
        {
          id: 'tag-immutability',
          status: 'warn',
          title: 'Tags',
          detail: 'MUTABLE',
        },
        AuthorizeResult.ALLOW,
        mockEcrApi(),
        [repositoryOwnerCheck.elsewhere as SetupCheck],
      );
      expect(await screen.findByTestId('fix-unavailable')).toBeInTheDocument();
      expect(screen.queryByRole('button')).not.toBeInTheDocument();
    });

    it('says so in the preview when a lifecycle policy of the repository’s own is kept', async () => {
      const api = mockEcrApi({
        configureRepository: jest.fn(async ({}, { dryRun }) => ({
          dryRun,
          changed: false,
          repositoryArn: REPO_ARN,
          changes: [
            {
              setting: 'lifecyclePolicy' as const,
              current: '{"rules":[{"rulePriority":7}]}',
              desired: '{"rules":[{"rulePriority":1}]}',
              action: 'kept' as const,
            },
          ],
        })),
      });
      await renderFix(
        {
          id: 'lifecycle-policy',
          status: 'warn',
          title: 'Lifecycle',
          detail: 'x',
        },
        AuthorizeResult.ALLOW,
        api,
      );
      await userEvent.click(
        await screen.findByRole('button', { name: 'Add lifecycle policy' }),
      );
      expect(
        await screen.findByText(/Backstage keeps it and does not replace it/),
      ).toBeInTheDocument();
      expect(screen.getByText('Nothing would change.')).toBeInTheDocument();
      expect(screen.getByText(/"rulePriority": 7/)).toBeInTheDocument();
    });
  });

  it('previews a claim that refuses a resource bound elsewhere', async () => {
    const api = mockEcrApi({
      claim: jest.fn(async ({}, { dryRun }) => ({
        dryRun,
        entityRef: 'component:default/svc',
        changed: false,
        resources: [
          {
            kind: 'repository' as const,
            arn: REPO_ARN,
            outcome: 'bound' as const,
            tags: { 'backstage.io/entity-ref': 'component:default/svc' },
          },
          {
            kind: 'role' as const,
            arn: ROLE_ARN,
            outcome: 'refused' as const,
            boundTo: 'group:default/team-b',
            reason:
              'It belongs to group:default/team-b (tag backstage.io/owner); Backstage never re-binds a resource bound to someone else.',
          },
        ],
      })),
    });
    await renderFix(repositoryOwnerCheck.unbound, AuthorizeResult.ALLOW, api);
    await userEvent.click(await screen.findByRole('button', { name: 'Claim' }));
    expect(
      await screen.findByText(/Backstage will tag 1 resource as/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'Pushing role: Refused: it belongs to group:default/team-b',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText(/never re-binds/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Apply' })).toBeEnabled();
  });

  it('offers nothing to apply when a claim would tag nothing', async () => {
    const api = mockEcrApi({
      claim: jest.fn(async ({}, { dryRun }) => ({
        dryRun,
        entityRef: 'component:default/svc',
        changed: false,
        resources: [
          {
            kind: 'repository' as const,
            arn: REPO_ARN,
            outcome: 'already' as const,
            boundTo: 'component:default/svc',
          },
        ],
      })),
    });
    await renderFix(pushRoleOwnerCheck.unbound, AuthorizeResult.ALLOW, api);
    await userEvent.click(await screen.findByRole('button', { name: 'Claim' }));
    expect(await screen.findByText(/Nothing would change/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Apply' })).toBeDisabled();
  });

  it('shows no claim on an owner check that passes', async () => {
    await renderFix(repositoryOwnerCheck.pass, AuthorizeResult.ALLOW);
    await new Promise(r => setTimeout(r, 50));
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
    expect(screen.queryByTestId('fix-unavailable')).not.toBeInTheDocument();
  });

  it('says why a repository bound elsewhere cannot be claimed', async () => {
    await renderFix(repositoryOwnerCheck.elsewhere, AuthorizeResult.ALLOW);
    expect(
      await screen.findByText(/the repository belongs to someone else/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it('holds push access back while the role is not the entity’s', async () => {
    await renderFix(pushCheck, AuthorizeResult.ALLOW, mockEcrApi(), [
      pushCheck,
      repositoryOwnerCheck.pass,
      pushRoleOwnerCheck.elsewhere,
    ]);
    expect(
      await screen.findByText(/until the pushing role belongs/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });
});

describe('ownerCheckState', () => {
  it('reads the bindings the check carries, whatever its words', () => {
    const reworded = { ...repositoryOwnerCheck.unbound, detail: 'Reworded.' };
    expect(
      ownerCheckState({
        ...reworded,
        bindings: [{ kind: 'repository', arn: 'a', state: 'unbound' }],
      }),
    ).toEqual({ failing: true, unbound: true, elsewhere: false });
    expect(
      ownerCheckState({
        ...reworded,
        bindings: [
          {
            kind: 'repository',
            arn: 'a',
            state: 'elsewhere',
            boundTo: 'group:default/team-b',
          },
          { kind: 'repository', arn: 'b', state: 'entity' },
        ],
      }),
    ).toEqual({ failing: true, unbound: false, elsewhere: true });
    // The words say unbound, the bindings do not: the bindings win.
    expect(
      ownerCheckState({
        ...repositoryOwnerCheck.unbound,
        bindings: [{ kind: 'repository', arn: 'a', state: 'unknown' }],
      }).unbound,
    ).toBe(false);
  });

  it('reads unbound and bound-elsewhere resources from the check detail of an answer without bindings', () => {
    expect(ownerCheckState(repositoryOwnerCheck.unbound)).toEqual({
      failing: true,
      unbound: true,
      elsewhere: false,
    });
    expect(ownerCheckState(repositoryOwnerCheck.elsewhere)).toEqual({
      failing: true,
      unbound: false,
      elsewhere: true,
    });
    expect(ownerCheckState(pushRoleOwnerCheck.pass).failing).toBe(false);
    // Several repositories: one unbound, one bound elsewhere.
    expect(
      ownerCheckState({
        ...repositoryOwnerCheck.unbound,
        detail: `a: ${repositoryOwnerCheck.unbound.detail}\nb: ${repositoryOwnerCheck.elsewhere.detail}`,
      }),
    ).toEqual({ failing: true, unbound: true, elsewhere: true });
    // Unbound allowed by ecr.ownership.unbound: a warning, still claimable.
    expect(
      ownerCheckState({ ...repositoryOwnerCheck.unbound, status: 'warn' })
        .unbound,
    ).toBe(true);
    // Not checked: no claim.
    expect(
      ownerCheckState({
        ...pushRoleOwnerCheck.unbound,
        status: 'unknown',
        detail: 'Not checked: the role is unbound',
      }).unbound,
    ).toBe(false);
  });

  it('names the owner check that holds a write fix back', () => {
    const checks = [repositoryOwnerCheck.pass, pushRoleOwnerCheck.unbound];
    expect(blockingOwnerCheck('repository-exists', checks)).toBeUndefined();
    expect(blockingOwnerCheck('push-permissions', checks)?.id).toBe(
      'push-role-owner',
    );
    expect(blockingOwnerCheck('push-permissions')).toBeUndefined();
  });
});
