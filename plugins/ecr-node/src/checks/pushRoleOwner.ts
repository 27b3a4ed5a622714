import {
  belongs,
  describeBinding,
  judgeBinding,
  roleNameFromArn,
  SetupCheck,
} from '@backstage-ecr/plugin-ecr-common';
import { SetupFacts } from '../setup/facts';
import { roleRefusal } from '../setup/gatherSetupFacts';
import { roleArnMatches } from '../writes/allowedTargets';
import { describeFailure, sentence } from '../aws/call';
import {
  CHECK_TITLES,
  factUnknown,
  projectLookupFailure,
  result,
  roleUnknownDetail,
} from './checkResult';

/**
 * `push-role-owner`: the pushing role belongs to the entity, by its own tags
 * or through the CodeBuild project whose service role it is. Backstage reads
 * the permissions of, and grants push access to, only such a role.
 */
export function checkPushRoleOwner(facts: SetupFacts): SetupCheck {
  const { ownership, pushRole } = facts;
  if (!ownership) {
    return result(
      'push-role-owner',
      'unknown',
      'Not checked: the facts were gathered without an entity to judge them against.',
    );
  }
  const role = pushRole.role;
  const lookupFailed = projectLookupFailure(facts);
  if (!role && lookupFailed) {
    return factUnknown(
      'push-role-owner',
      lookupFailed,
      roleUnknownDetail(lookupFailed),
    );
  }
  if (!role) {
    return result(
      'push-role-owner',
      'unknown',
      pushRole.withheld
        ? `Not checked: ${pushRole.withheld}.`
        : `No pushing role is known (see "${CHECK_TITLES['push-role-found']}").`,
    );
  }
  if (!role.ok) {
    return factUnknown(
      'push-role-owner',
      role,
      `${sentence(describeFailure(role))}, so Backstage cannot tell who ${
        pushRole.candidateRoleArn
      } belongs to; its permissions are not read and no push access is offered.`,
    );
  }
  if (!role.value.exists) {
    return result(
      'push-role-owner',
      'unknown',
      `The role does not exist (see "${CHECK_TITLES['push-role-found']}").`,
    );
  }
  const roleArn = role.value.arn ?? pushRole.candidateRoleArn ?? '';
  const roleBinding = judgeBinding(
    role.value.tags ?? {},
    ownership.subject,
    ownership,
  );
  const project = pushRole.codeBuildProject;
  const projectTags =
    pushRole.source === 'codebuild' && project?.lookup.ok
      ? project.lookup.value.tags
      : undefined;
  const projectBinding = projectTags
    ? judgeBinding(projectTags, ownership.subject, ownership)
    : undefined;
  // Judged again here from the tags, so that facts gathered without the
  // verdict (or with another one) cannot pass a role that is not the entity's.
  const withheld =
    pushRole.withheld ?? roleRefusal(roleBinding, projectBinding, ownership);
  if (!withheld) {
    const detail = belongs(roleBinding)
      ? `${describeBinding(roleArn, roleBinding, ownership)}.`
      : `${roleArn} has no binding tag of its own; it is this entity's because ${describeBinding(
          `its CodeBuild project ${project?.name}`,
          projectBinding!,
          ownership,
        )}.`;
    return result('push-role-owner', 'pass', detail);
  }
  const roleName = roleNameFromArn(roleArn) ?? roleArn;
  if (!ownership.allowedRoleArnPatterns.some(p => roleArnMatches(roleArn, p))) {
    return result('push-role-owner', 'unknown', `Not checked: ${withheld}.`, {
      remedy:
        'Use a build role whose ARN matches ecr.iam.allowedRoleArnPatterns, or ask the platform team to widen the patterns.',
    });
  }
  const bindable = roleBinding.state === 'unbound';
  return result(
    'push-role-owner',
    'fail',
    `${withheld}. Backstage reads no permissions of ${roleArn} and grants it nothing for this entity.`,
    {
      remedy: bindable
        ? `Bind the role (or its CodeBuild project) to this entity: a member of the platform team can use Claim, or tag it in AWS:\n\naws iam tag-role --role-name ${roleName} --tags Key=${ownership.entityRefTag},Value=${ownership.subject.entityRef}`
        : `Name a role of this entity's own, or ask the owners of ${
            roleBinding.state === 'elsewhere' ? roleBinding.boundTo : 'the role'
          } to hand it over by changing its tags.`,
    },
  );
}
