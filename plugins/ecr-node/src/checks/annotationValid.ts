import {
  CODEBUILD_PROJECT_ARN_ANNOTATION,
  ECR_REPOSITORY_ARN_ANNOTATION,
  PUSH_ROLE_ARN_ANNOTATION,
  SetupCheck,
} from '@backstage-ecr/plugin-ecr-common';
import { SetupFacts } from '../setup/facts';
import { result } from './checkResult';

/**
 * `annotation-valid`: the annotations parse and name only allowed accounts.
 *
 * @public
 */
export function checkAnnotationValid(facts: SetupFacts): SetupCheck {
  const { annotations } = facts;
  if (!annotations.ok) {
    return result(
      'annotation-valid',
      'fail',
      `The entity's ECR annotations have ${
        annotations.errors.length === 1
          ? 'a problem'
          : `${annotations.errors.length} problems`
      }:\n${annotations.errors.map(e => `- ${e}`).join('\n')}`,
      {
        remedy: `Fix the annotations in the entity's catalog-info.yaml, for example:\n\nmetadata:\n  annotations:\n    ${ECR_REPOSITORY_ARN_ANNOTATION}: arn:aws:ecr:eu-west-2:123412341234:repository/my-service\n    ${CODEBUILD_PROJECT_ARN_ANNOTATION}: arn:aws:codebuild:eu-west-2:123412341234:project/my-service\n\nor name the pushing role directly with ${PUSH_ROLE_ARN_ANNOTATION}. An account must be listed in ecr.allowedAccounts of the Backstage configuration.`,
      },
    );
  }
  const { repositories, codeBuildProject, pushRole } = annotations.value;
  const parts = [
    `${repositories.length === 1 ? 'Repository' : 'Repositories'} ${repositories
      .map(r => `${r.name} (account ${r.accountId}, ${r.region})`)
      .join(', ')}`,
  ];
  if (codeBuildProject)
    parts.push(`CodeBuild project ${codeBuildProject.name}`);
  if (pushRole) parts.push(`pushing role ${pushRole.name}`);
  return result('annotation-valid', 'pass', `${parts.join('; ')}.`);
}
