import { SetupCheck } from '@backstage-ecr/plugin-ecr-common';
import { SetupFacts } from '../setup/facts';
import { factVerdict, failureSentence, perRepository } from './checkResult';

/** The lifecycle policy suggested (and used when creating repositories, docs/architecture.md, "Writes"). */
export const EXPIRE_UNTAGGED_LIFECYCLE_POLICY = {
  rules: [
    {
      rulePriority: 1,
      description: 'Expire untagged images after 14 days',
      selection: {
        tagStatus: 'untagged',
        countType: 'sinceImagePushed',
        countUnit: 'days',
        countNumber: 14,
      },
      action: { type: 'expire' },
    },
  ],
};

/** `lifecycle-policy`: old images are cleaned up (warn if no policy). */
export function checkLifecyclePolicy(facts: SetupFacts): SetupCheck {
  return perRepository('lifecycle-policy', facts, repository => {
    const policy = repository.lifecyclePolicy;
    if (!policy) {
      return {
        status: 'unknown',
        detail: 'The lifecycle policy was not read.',
      };
    }
    if (!policy.ok) {
      return factVerdict(policy, failureSentence(policy));
    }
    if (policy.value.exists) {
      return { status: 'pass', detail: 'A lifecycle policy is set.' };
    }
    return {
      status: 'warn',
      detail:
        'No lifecycle policy: untagged and old images are kept (and paid for) forever.',
      remedy: `Expire untagged images after 14 days:\n\naws ecr put-lifecycle-policy --region ${
        repository.region
      } --repository-name ${
        repository.name
      } --lifecycle-policy-text '${JSON.stringify(
        EXPIRE_UNTAGGED_LIFECYCLE_POLICY,
      )}'`,
    };
  });
}
