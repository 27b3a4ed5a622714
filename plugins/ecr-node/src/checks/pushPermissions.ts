import {
  parseRoleArn,
  RepositoryRef,
  roleNameFromArn,
  SetupCheck,
} from '@backstage-ecr/plugin-ecr-common';
import {
  PolicyDocumentFacts,
  PushDecision,
  RepositoryFacts,
  SetupFacts,
} from '../setup/facts';
import {
  AUTHORIZATION_TOKEN_ACTION,
  PUSH_ACTIONS,
  pushPolicyDocument,
  pushPolicyName,
  REPOSITORY_PUSH_ACTIONS,
} from '../setup/pushPolicy';
import { describeFailure, FailedFact, sentence } from '../aws/call';
import {
  judgePush,
  PolicyCaller,
  PushDenial,
  PushJudgement,
} from '../setup/repositoryPolicy';
import {
  CHECK_TITLES,
  factUnknown,
  roleNotInspected,
  result,
} from './checkResult';

function decisionFor(
  decisions: PushDecision[],
  action: string,
  resource: string,
): PushDecision | undefined {
  return decisions.find(
    d =>
      d.action.toLowerCase() === action.toLowerCase() &&
      d.resource === resource,
  );
}

/** One repository's push actions, judged. */
interface RepositoryPush {
  repository: RepositoryFacts;
  judged: Array<{ action: string } & PushJudgement>;
  /** The repository policy, when it was read. */
  policy?: PolicyDocumentFacts | null;
  /** GetRepositoryPolicy, when it failed. */
  unreadable?: FailedFact;
}

/**
 * `push-permissions`: the pushing role may run every push action on each
 * repository ARN, and GetAuthorizationToken on `*`, as AWS decides it: IAM's
 * policy simulator judges the role's identity side (its policies, its
 * permissions boundary, its account's SCPs), and the repository policy is
 * read here, since IAM cannot match a repository policy naming a role.
 * Each missing action is named, with why.
 */
export function checkPushPermissions(facts: SetupFacts): SetupCheck {
  const role = facts.pushRole.role;
  const roleArn = role?.ok ? role.value.arn : facts.pushRole.candidateRoleArn;
  const simulation = facts.pushPermissions;
  const notInspected = roleNotInspected(
    'push-permissions',
    facts,
    simulation,
    'permissions',
  );
  if (notInspected) return notInspected;
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
  const parsedRole = parseRoleArn(roleArn);
  const caller: PolicyCaller = {
    roleArn,
    accountId: parsedRole.ok ? parsedRole.value.accountId : '',
  };
  const pushes: RepositoryPush[] = facts.repositories.map(repository => {
    const fact = repository.repositoryPolicy;
    const policy = fact?.ok ? fact.value : undefined;
    return {
      repository,
      policy,
      ...(fact && !fact.ok && { unreadable: fact }),
      judged: REPOSITORY_PUSH_ACTIONS.map(action => ({
        action,
        ...judgePush(
          decisionFor(decisions, action, repository.arn),
          policy,
          caller,
          repository.accountId,
          action,
        ),
      })),
    };
  });
  const token = judgePush(
    decisionFor(decisions, AUTHORIZATION_TOKEN_ACTION, '*'),
    undefined,
    caller,
    caller.accountId,
    AUTHORIZATION_TOKEN_ACTION,
  );
  const missingByRepository = pushes
    .map(push => ({
      ...push,
      missing: push.judged.filter(j => !j.allowed),
    }))
    .filter(entry => entry.missing.length > 0);
  const tokenMissing = !token.allowed;
  const missingActions = PUSH_ACTIONS.filter(
    action =>
      (action === AUTHORIZATION_TOKEN_ACTION && tokenMissing) ||
      missingByRepository.some(entry =>
        entry.missing.some(m => m.action === action),
      ),
  ) as string[];
  const unreadable = pushes.filter(p => p.unreadable);
  const conditionNotes = pushes.flatMap(conditionNote);

  if (!missingActions.length) {
    if (unreadable.length) {
      // The role's own side allows the push; the repository policy may deny
      // it, or (across accounts) not allow it.
      return factUnknown(
        'push-permissions',
        unreadable.map(p => p.unreadable!),
        `${unreadable
          .map(p => sentence(describeFailure(p.unreadable!, p.repository.name)))
          .join(
            '; ',
          )}, so Backstage cannot tell whether the repository policy lets ${roleArn} push to ${unreadable
          .map(p => p.repository.name)
          .join(
            ', ',
          )} (the role's own policies allow it: ${REPOSITORY_PUSH_ACTIONS.join(
          ', ',
        )}, and ${AUTHORIZATION_TOKEN_ACTION} on *).`,
      );
    }
    const crossAccount = pushes
      .filter(p => p.repository.accountId !== caller.accountId && p.policy)
      .map(
        p =>
          ` The repository policy of account ${p.repository.accountId} lets it push to ${p.repository.name} (${p.judged[0].repositoryPolicy?.statement}).`,
      );
    return result(
      'push-permissions',
      'pass',
      `${roleArn} may run ${REPOSITORY_PUSH_ACTIONS.join(
        ', ',
      )} on ${facts.repositories
        .map(r => r.arn)
        .join(', ')} and ${AUTHORIZATION_TOKEN_ACTION} on *.${crossAccount.join(
        '',
      )}${conditionNotes.map(n => ` ${n}`).join('')}`,
    );
  }

  const lines = missingByRepository.map(
    entry =>
      `on ${entry.repository.arn}: ${entry.missing
        .map(m => m.action)
        .join(', ')}`,
  );
  if (tokenMissing) lines.push(`on *: ${AUTHORIZATION_TOKEN_ACTION}`);
  const roleName = roleNameFromArn(roleArn) ?? roleArn;
  const reasons: string[] = [];
  const remedies: string[] = [];
  const scp: string[] = [];
  const boundary: string[] = [];
  const identityDeny: string[] = [];
  // Repositories whose missing actions an inline policy on the role grants.
  const needPolicies: RepositoryRef[] = [];
  for (const entry of missingByRepository) {
    const { repository } = entry;
    const by = (kind: PushDenial['by']) =>
      entry.missing.filter(m => m.denial?.by === kind).map(m => m.action);
    const on = ` on ${repository.name}`;
    if (by('scp').length) scp.push(`${by('scp').join(', ')}${on}`);
    if (by('boundary').length) {
      boundary.push(`${by('boundary').join(', ')}${on}`);
    }
    if (by('identityDeny').length) {
      identityDeny.push(`${by('identityDeny').join(', ')}${on}`);
    }
    if (by('identity').length || by('identityDeny').length) {
      needPolicies.push(repository);
    }
    const denying = new Map<string, string[]>();
    for (const m of entry.missing) {
      if (m.denial?.by !== 'repositoryDeny') continue;
      denying.set(m.denial.statement, [
        ...(denying.get(m.denial.statement) ?? []),
        m.action,
      ]);
    }
    for (const [statement, actions] of denying) {
      reasons.push(
        `The repository policy of ${repository.name} denies ${actions.join(
          ', ',
        )} (${quoteStatement(
          statement,
        )}); a Deny wins over any Allow, so Backstage's grant cannot override it.`,
      );
      remedies.push(
        `Change ${quoteStatement(statement)} of the repository policy of ${
          repository.name
        } so that it no longer denies ${actions.join(
          ', ',
        )} to ${roleArn} (granting on the role cannot override a Deny). See the policy with:\n\naws ecr get-repository-policy --registry-id ${
          repository.accountId
        } --region ${repository.region} --repository-name ${repository.name}`,
      );
    }
    const gap = by('crossAccountGap');
    if (gap.length) {
      reasons.push(
        `The repository policy of account ${
          repository.accountId
        } does not allow ${roleArn} ${gap.join(', ')} on ${repository.name}${
          entry.policy ? '' : ' (the repository has no policy)'
        }: the role is in account ${
          caller.accountId
        }, and across accounts both the role's own policies and the repository policy must allow the push.`,
      );
      remedies.push(crossAccountRemedy(repository, entry.policy, roleArn));
    }
  }
  if (tokenMissing) {
    const on = ` on *`;
    const kind = token.denial?.by;
    if (kind === 'scp') scp.push(`${AUTHORIZATION_TOKEN_ACTION}${on}`);
    else if (kind === 'boundary') {
      boundary.push(`${AUTHORIZATION_TOKEN_ACTION}${on}`);
    } else {
      if (kind === 'identityDeny') {
        identityDeny.push(`${AUTHORIZATION_TOKEN_ACTION}${on}`);
      }
      if (!needPolicies.length && facts.repositories.length) {
        // The first repository's policy grants the token too.
        needPolicies.push(facts.repositories[0]);
      }
    }
  }
  if (scp.length) {
    reasons.push(
      `An organization SCP denies ${scp.join('; ')}: no policy in account ${
        caller.accountId
      } can grant what a service control policy does not allow.`,
    );
    remedies.push(
      `Ask the administrators of your AWS organization to allow ${scp.join(
        '; ',
      )} in the service control policies that apply to account ${
        caller.accountId
      }.`,
    );
  }
  if (boundary.length) {
    reasons.push(
      `A permissions boundary on the role denies ${boundary.join(
        '; ',
      )}: the role may do only what its boundary allows, whatever its policies grant.`,
    );
    remedies.push(
      `Change the permissions boundary of ${roleName} to allow ${boundary.join(
        '; ',
      )} (aws iam get-role --role-name ${roleName} names it); an inline policy on the role cannot grant what the boundary does not allow.`,
    );
  }
  if (identityDeny.length) {
    reasons.push(
      `The role's own policies deny ${identityDeny.join('; ')} explicitly.`,
    );
  }
  for (const p of unreadable) {
    reasons.push(
      `${sentence(
        describeFailure(p.unreadable!, p.repository.name),
      )}, so its repository policy is not taken into account.`,
    );
  }
  reasons.push(...conditionNotes);
  if (needPolicies.length) {
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
    remedies.unshift(
      `Add an inline policy to the role that grants exactly the push actions (do not edit the CodeBuild-managed CodeBuildBasePolicy-* policy: CodeBuild may rewrite it)${
        identityDeny.length
          ? ', and remove the Deny in its own policies that refuses them'
          : ''
      }.\n\n${policies}`,
    );
  }
  return result(
    'push-permissions',
    'fail',
    `${roleArn} lacks ${missingActions.length} of the ${
      PUSH_ACTIONS.length
    } push actions, so builds will fail to push (for example with "is not authorized to perform: ${
      missingActions[0]
    }"). Missing ${lines.join('; ')}.${reasons.map(r => ` ${r}`).join('')}`,
    {
      missingActions,
      ...(remedies.length && { remedy: remedies.join('\n\n') }),
    },
  );
}

function quoteStatement(name: string): string {
  return /^statement \d+$/.test(name) ? name : `statement "${name}"`;
}

/** Statements of a repository policy that were not evaluated, named. */
function conditionNote(push: RepositoryPush): string[] {
  const names = [
    ...new Set(push.judged.flatMap(j => j.repositoryPolicy?.conditional ?? [])),
  ];
  return names.length
    ? [
        `The repository policy of ${push.repository.name}: ${names
          .map(quoteStatement)
          .join(', ')} not evaluated (has a condition).`,
      ]
    : [];
}

/**
 * The statement that lets the role push across accounts, and the repository
 * policy with it added (set-repository-policy replaces the whole policy).
 */
function crossAccountRemedy(
  repository: RepositoryRef,
  current: PolicyDocumentFacts | null | undefined,
  roleArn: string,
): string {
  const statement = {
    Sid: `AllowPushFrom${(roleNameFromArn(roleArn) ?? 'Role')
      .split(/[^A-Za-z0-9]+/)
      .map(part => part.charAt(0).toUpperCase() + part.slice(1))
      .join('')}`.slice(0, 100),
    Effect: 'Allow',
    Principal: { AWS: roleArn },
    Action: [...REPOSITORY_PUSH_ACTIONS],
  };
  const existing = current?.Statement
    ? [current.Statement].flat()
    : ([] as unknown[]);
  const policy = {
    ...(current ?? {}),
    Version: (current as { Version?: string } | null)?.Version ?? '2012-10-17',
    Statement: [...existing, statement],
  };
  return `Add this statement to the repository policy of ${
    repository.name
  } in account ${
    repository.accountId
  } (it has no Resource: the repository is implied):\n\n${JSON.stringify(
    statement,
    null,
    2,
  )}\n\nWith the credentials of account ${
    repository.accountId
  } (set-repository-policy replaces the whole policy; this is the current one with the statement added):\n\naws ecr set-repository-policy --registry-id ${
    repository.accountId
  } --region ${repository.region} --repository-name ${
    repository.name
  } --policy-text '${JSON.stringify(policy)}'`;
}
