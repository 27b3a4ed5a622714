import {
  CODEBUILD_PROJECT_ARN_ANNOTATION,
  PUSH_ROLE_ARN_ANNOTATION,
  SetupCheck,
} from '@backstage-ecr/plugin-ecr-common';
import { SetupFacts } from '../setup/facts';
import { describeFailure, sentence } from '../aws/call';
import { factUnknown, result } from './checkResult';

/**
 * `push-role-found`: the role that pushes images is known, from the CodeBuild
 * project's service role or the role annotation, and exists in IAM.
 */
export function checkPushRoleFound(facts: SetupFacts): SetupCheck {
  const { pushRole } = facts;
  const project = pushRole.codeBuildProject;
  if (!pushRole.annotatedRoleArn && !project) {
    return result(
      'push-role-found',
      'fail',
      'Neither a CodeBuild project nor a pushing role is annotated, so Backstage cannot check who may push.',
      {
        remedy: `Annotate the entity with the CodeBuild project that builds it (${CODEBUILD_PROJECT_ARN_ANNOTATION}: arn:aws:codebuild:REGION:ACCOUNT:project/NAME) or, when images are not pushed by CodeBuild, with the role that pushes them (${PUSH_ROLE_ARN_ANNOTATION}: arn:aws:iam::ACCOUNT:role/NAME).`,
      },
    );
  }
  if (project && !project.lookup.ok) {
    return factUnknown(
      'push-role-found',
      project.lookup,
      `${sentence(
        describeFailure(project.lookup),
      )}, so Backstage cannot read the service role of CodeBuild project ${
        project.name
      }.`,
    );
  }
  if (project?.lookup.ok && !project.lookup.value.found) {
    return result(
      'push-role-found',
      'fail',
      `CodeBuild project ${project.name} (${project.arn}) does not exist.`,
      {
        remedy: `Check the project ARN in ${CODEBUILD_PROJECT_ARN_ANNOTATION}: the region and account must be those of the project in the CodeBuild console.`,
      },
    );
  }
  if (project?.lookup.ok && !pushRole.candidateRoleArn) {
    return result(
      'push-role-found',
      'fail',
      `CodeBuild project ${project.name} has no service role.`,
      {
        remedy:
          'Give the project a service role in the CodeBuild console (Edit > Environment > Service role).',
      },
    );
  }
  const from =
    pushRole.source === 'codebuild'
      ? `the service role of CodeBuild project ${project?.name}`
      : `named by ${PUSH_ROLE_ARN_ANNOTATION}`;
  const role = pushRole.role;
  if (!role && pushRole.withheld) {
    return result(
      'push-role-found',
      'fail',
      `The role is ${pushRole.candidateRoleArn} (${from}), but ${pushRole.withheld}.`,
      {
        remedy:
          'Use a build role whose ARN matches ecr.iam.allowedRoleArnPatterns, or ask the platform team to widen the patterns.',
      },
    );
  }
  if (!role) {
    return result(
      'push-role-found',
      'fail',
      `${pushRole.candidateRoleArn} (${from}) is not a valid IAM role ARN.`,
      {
        remedy:
          'Name the role by its ARN, arn:aws:iam::ACCOUNT:role/PATH/NAME.',
      },
    );
  }
  if (!role.ok) {
    return factUnknown(
      'push-role-found',
      role,
      `The role is ${
        pushRole.candidateRoleArn
      } (${from}), but Backstage cannot confirm that it exists: ${describeFailure(
        role,
      )}.`,
    );
  }
  if (!role.value.exists) {
    return result(
      'push-role-found',
      'fail',
      `${pushRole.candidateRoleArn} (${from}) does not exist in IAM.`,
      {
        remedy:
          pushRole.source === 'codebuild'
            ? `Choose an existing service role for CodeBuild project ${project?.name}, or create the role in IAM.`
            : `Correct ${PUSH_ROLE_ARN_ANNOTATION}, or create the role in IAM.`,
      },
    );
  }
  return result('push-role-found', 'pass', `${role.value.arn} (${from}).`);
}
