import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { SetupCheck } from '@backstage-ecr/plugin-ecr-common';
import { ecrApiRef, EcrApi } from '../api/EcrApi';
import { AuditPage } from './AuditPage';
import { SetupFix } from './SetupFix';
import { mockEcrApi } from '../__testUtils__/fixtures';
import { FreshPermissionCache } from '../__testUtils__/permissions';

// Some messages carry an element (a bold name, a code span, a link) as a
// value: the sentence reads as it did before it was a message, and the
// element is still an element.

const entityRef = {
  kind: 'Component',
  namespace: 'default',
  name: 'element-messages',
};

async function render(element: JSX.Element, api: EcrApi = mockEcrApi()) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [ecrApiRef, api],
        [
          permissionApiRef,
          mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
        ],
      ]}
    >
      <FreshPermissionCache>{element}</FreshPermissionCache>
    </TestApiProvider>,
  );
}

function failing(id: SetupCheck['id']): SetupCheck {
  return { id, status: 'fail', title: id, detail: 'failing' };
}

describe('messages with elements in them', () => {
  it('names the repository to create in bold, in the sentence it had', async () => {
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
          tags: {},
        },
      })),
    });
    await render(
      <SetupFix
        entityRef={entityRef}
        check={failing('repository-exists')}
        onApplied={jest.fn()}
      />,
      api,
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Create repository' }),
    );
    const name = await screen.findByText('inventory-service');
    expect(name.tagName).toBe('STRONG');
    expect(name.parentElement).toHaveTextContent(
      /^Backstage will create inventory-service in account 123412341234, region eu-west-2, with these settings:$/,
    );
  });

  it('shows the role and policy name as code after their labels', async () => {
    const api = mockEcrApi({
      grantPushAccess: jest.fn(async ({}, { dryRun }) => ({
        dryRun,
        changed: true,
        roleArn: 'arn:aws:iam::123412341234:role/builder',
        policyName: 'backstage-ecr-push',
        policyDocument: { Version: '2012-10-17' as const, Statement: [] },
      })),
    });
    await render(
      <SetupFix
        entityRef={entityRef}
        check={failing('push-permissions')}
        onApplied={jest.fn()}
      />,
      api,
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Grant push access' }),
    );
    const role = await screen.findByText(
      'arn:aws:iam::123412341234:role/builder',
    );
    expect(role.tagName).toBe('CODE');
    expect(role.parentElement).toHaveTextContent(
      /^Role: arn:aws:iam::123412341234:role\/builder$/,
    );
    const policy = screen.getByText('backstage-ecr-push');
    expect(policy.tagName).toBe('CODE');
    expect(policy.parentElement).toHaveTextContent(
      /^Policy name: backstage-ecr-push$/,
    );
  });

  it('links the catalog from the audit page’s introduction', async () => {
    await render(<AuditPage />);
    const link = await screen.findByRole('link', { name: 'the catalog' });
    expect(link).toHaveAttribute('href', '/catalog');
    expect(link.parentElement).toHaveTextContent(
      /^Every service that names an ECR repository, checked against the setup it needs\. See also the catalog\.$/,
    );
  });
});
