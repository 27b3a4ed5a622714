import { roleNameFromArn, SetupCheck } from '@backstage-ecr/plugin-ecr-common';
import { PushDecision, SetupFacts } from '../setup/facts';
import {
  AUTHORIZATION_TOKEN_ACTION,
  PUSH_ACTIONS,
  pushPolicyDocument,
  pushPolicyName,
  REPOSITORY_PUSH_ACTIONS,
} from '../setup/pushPolicy';
import { describeFailure, sentence } from '../aws/call';
import {
  CHECK_TITLES,
  factUnknown,
  projectLookupFailure,
  result,
  roleUnknownDetail,
} from './checkResult';

function isAllowed(
  decisions: PushDecision[],
  action: string,
  resource: string,
): boolean {
  return decisions.some(
    d =>
      d.action.toLowerCase() === action.toLowerCase() &&
      d.resource === resource &&
      d.decision === 'allowed',
  );
}

/**
 * `push-permissions`: IAM's policy simulator says the pushing role may run
 * every push action on each repository ARN, and GetAuthorizationToken on `*`.
 * Each missing action is named.
 */
export function checkPushPermissions(facts: SetupFacts): SetupCheck {
  const role = facts.pushRole.role;
  const roleArn = role?.ok ? role.value.arn : facts.pushRole.candidateRoleArn;
  const simulation = facts.pushPermissions;
  if (!simulation && facts.pushRole.withheld) {
    if (role && !role.ok) {
      return factUnknown(
        'push-permissions',
        role,
        `Not checked: ${facts.pushRole.withheld}, and its permissions are read only once it is known to belong to this entity.`,
      );
    }
    return result(
      'push-permissions',
      'unknown',
      `Not checked: ${facts.pushRole.withheld} (see "${CHECK_TITLES['push-role-owner']}").`,
    );
  }
  const lookupFailed = projectLookupFailure(facts);
  if (!simulation && lookupFailed) {
    return factUnknown(
      'push-permissions',
      lookupFailed,
      roleUnknownDetail(lookupFailed),
    );
  }
  if (!simulation || !roleArn) {
    return result(
      'push-permissions',
      'unknown',
      `No pushing role is known, so its permissions cannot be checked (see "${CHECK_TITLES['push-role-found']}").`,
    );
  }
  if (!simulation.ok) {
    return factUnknown(
      'push-permissions',
      simulation,
      `${sentence(
        describeFailure(simulation),
      )}, so Backstage cannot check what ${roleArn} may do.`,
    );
  }
  const decisions = simulation.value;
  const missingByRepository = facts.repositories
    .map(repository => ({
      repository,
      missing: REPOSITORY_PUSH_ACTIONS.filter(
        action => !isAllowed(decisions, action, repository.arn),
      ) as string[],
    }))
    .filter(entry => entry.missing.length > 0);
  const tokenMissing = !isAllowed(decisions, AUTHORIZATION_TOKEN_ACTION, '*');
  const missingActions = PUSH_ACTIONS.filter(
    action =>
      (action === AUTHORIZATION_TOKEN_ACTION && tokenMissing) ||
      missingByRepository.some(entry => entry.missing.includes(action)),
  ) as string[];

  if (!missingActions.length) {
    return result(
      'push-permissions',
      'pass',
      `${roleArn} may run ${REPOSITORY_PUSH_ACTIONS.join(
        ', ',
      )} on ${facts.repositories
        .map(r => r.arn)
        .join(', ')} and ${AUTHORIZATION_TOKEN_ACTION} on *.`,
    );
  }

  const lines = missingByRepository.map(
    entry => `on ${entry.repository.arn}: ${entry.missing.join(', ')}`,
  );
  if (tokenMissing) lines.push(`on *: ${AUTHORIZATION_TOKEN_ACTION}`);
  const roleName = roleNameFromArn(roleArn) ?? roleArn;
  // Every repository the role cannot fully push to gets its own inline
  // policy; when only the token is missing, the first repository's policy
  // (which grants it too) is enough.
  const needPolicies = missingByRepository.length
    ? missingByRepository.map(entry => entry.repository)
    : facts.repositories.slice(0, 1);
  const policies = needPolicies
    .map(repository => {
      const document = JSON.stringify(
        pushPolicyDocument(repository.arn),
        null,
        2,
      );
      const policyName = pushPolicyName(repository);
      return `Policy ${policyName}:\n\n${document}\n\naws iam put-role-policy --role-name ${roleName} --policy-name ${policyName} --policy-document '${JSON.stringify(
        pushPolicyDocument(repository.arn),
      )}'`;
    })
    .join('\n\n');
  return result(
    'push-permissions',
    'fail',
    `${roleArn} lacks ${missingActions.length} of the ${
      PUSH_ACTIONS.length
    } push actions, so builds will fail to push (for example with "is not authorized to perform: ${
      missingActions[0]
    }"). Missing ${lines.join('; ')}.`,
    {
      missingActions,
      remedy: `Add an inline policy to the role that grants exactly the push actions (do not edit the CodeBuild-managed CodeBuildBasePolicy-* policy: CodeBuild may rewrite it).\n\n${policies}`,
    },
  );
}
