import { SetupCheck } from '@backstage-ecr/plugin-ecr-common';
import { CODEBUILD_MANAGED_POLICY_PREFIX, SetupFacts } from '../setup/facts';
import { PUSH_ACTIONS } from '../setup/pushPolicy';
import { describeFailure, sentence } from '../aws/call';
import {
  CHECK_TITLES,
  factUnknown,
  roleNotInspected,
  result,
} from './checkResult';
import { actionsGranted } from './policyGrants';

/**
 * `codebuild-managed-policy`: the ECR push actions are not granted by editing
 * the CodeBuild-managed `CodeBuildBasePolicy-*` policy, which CodeBuild may
 * rewrite when the project's environment changes (warn).
 */
export function checkCodeBuildManagedPolicy(facts: SetupFacts): SetupCheck {
  const attached = facts.attachedPolicies;
  const notInspected = roleNotInspected(
    'codebuild-managed-policy',
    facts,
    attached,
    'policies',
  );
  if (notInspected) return notInspected;
  if (!attached) {
    return result(
      'codebuild-managed-policy',
      'unknown',
      `No pushing role is known, so its policies cannot be read (see "${CHECK_TITLES['push-role-found']}").`,
    );
  }
  if (!attached.ok) {
    return factUnknown(
      'codebuild-managed-policy',
      attached,
      `${sentence(
        describeFailure(attached),
      )}, so Backstage cannot read the role's policies.`,
    );
  }
  const managed = attached.value.filter(p =>
    p.name.startsWith(CODEBUILD_MANAGED_POLICY_PREFIX),
  );
  if (!managed.length) {
    return result(
      'codebuild-managed-policy',
      'pass',
      `No CodeBuild-managed ${CODEBUILD_MANAGED_POLICY_PREFIX}* policy is attached to the role.`,
    );
  }
  const failedReads = managed.flatMap(p =>
    p.document && !p.document.ok ? [{ name: p.name, fact: p.document }] : [],
  );
  const editors = managed.flatMap(p => {
    if (!p.document?.ok || !p.document.value) return [];
    const granted = actionsGranted(p.document.value, PUSH_ACTIONS);
    return granted.length ? [{ policy: p, granted }] : [];
  });
  if (editors.length) {
    return result(
      'codebuild-managed-policy',
      'warn',
      editors
        .map(
          e =>
            `${e.policy.name} grants ${e.granted.join(
              ', ',
            )}: it is managed by CodeBuild, which may rewrite it (and drop these actions) when the project's environment changes.`,
        )
        .join('\n'),
      {
        remedy: `Grant the push actions in a separate inline policy (the push-permissions remedy shows one), then remove them from ${editors
          .map(e => e.policy.name)
          .join(
            ', ',
          )} in the IAM console. Until then, clear "Allow AWS CodeBuild to modify this service role" when editing the project's environment.`,
      },
    );
  }
  if (failedReads.length) {
    return factUnknown(
      'codebuild-managed-policy',
      failedReads.map(r => r.fact),
      `${failedReads
        .map(r => r.name)
        .join(', ')} is attached, but Backstage could not read it: ${[
        ...new Set(failedReads.map(r => describeFailure(r.fact))),
      ].join('; ')}.`,
      { alsoRequired: ['iam:GetPolicy', 'iam:GetPolicyVersion'] },
    );
  }
  return result(
    'codebuild-managed-policy',
    'pass',
    `${managed
      .map(p => p.name)
      .join(', ')} is attached and grants none of the ECR push actions.`,
  );
}
