import { SetupCheck } from '@backstage-ecr/plugin-ecr-common';
import { SetupFacts } from '../setup/facts';
import { perRepository } from './checkResult';

/** `tag-immutability`: tags cannot be moved to another image (warn if MUTABLE). */
export function checkTagImmutability(facts: SetupFacts): SetupCheck {
  return perRepository('tag-immutability', facts, (repository, settings) => {
    const mutability = settings.imageTagMutability ?? 'MUTABLE';
    if (mutability.startsWith('IMMUTABLE')) {
      return { status: 'pass', detail: `Tags are ${mutability}.` };
    }
    return {
      status: 'warn',
      detail: `Tags are ${mutability}: pushing an existing tag again silently replaces the image it names.`,
      remedy: `Make tags immutable (and give each build a unique tag, such as the commit id):\n\naws ecr put-image-tag-mutability --region ${repository.region} --repository-name ${repository.name} --image-tag-mutability IMMUTABLE`,
    };
  });
}
