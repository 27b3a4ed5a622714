import { SetupCheck } from '@backstage-ecr/plugin-ecr-common';
import { repositoryUri } from '../images/repositoryUri';
import { SetupFacts } from '../setup/facts';
import {
  factVerdict,
  failureSentence,
  remedyOf,
  RepositoryVerdict,
  result,
  worst,
} from './checkResult';

/** `images-present`: at least one image has been pushed (warn if none). */
export function checkImagesPresent(facts: SetupFacts): SetupCheck {
  const verdicts: Array<RepositoryVerdict & { name: string }> =
    facts.repositories.map(repository => {
      const { name, settings, images } = repository;
      if (!settings.ok) {
        return { name, ...factVerdict(settings, failureSentence(settings)) };
      }
      if (settings.value === null) {
        return {
          name,
          status: 'warn',
          detail: 'No images: the repository does not exist yet.',
        };
      }
      if (!images) {
        return { name, status: 'unknown', detail: 'The images were not read.' };
      }
      if (!images.ok) {
        return { name, ...factVerdict(images, failureSentence(images)) };
      }
      if (images.value.count === 0) {
        return {
          name,
          status: 'warn',
          detail: 'No image has been pushed yet.',
        };
      }
      return {
        name,
        status: 'pass',
        detail: `${images.value.count}${images.value.more ? '+' : ''} ${
          images.value.count === 1 ? 'image' : 'images'
        }${
          images.value.newestPushedAt
            ? `, the newest pushed ${images.value.newestPushedAt}`
            : ''
        }.`,
      };
    });
  if (!verdicts.length) {
    return result('images-present', 'unknown', 'No repository is annotated.');
  }
  const status = worst(verdicts.map(v => v.status));
  const several = verdicts.length > 1;
  const requiredActions = [
    ...new Set(verdicts.flatMap(v => v.requiredActions ?? [])),
  ].sort();
  let remedy: string | undefined;
  if (status === 'warn') {
    remedy = `Run the build that pushes the image (for CodeBuild: aws codebuild start-build --project-name PROJECT), or push one by hand:\n\n${facts.repositories
      .map(r => {
        const uri = repositoryUri(r);
        return `aws ecr get-login-password --region ${
          r.region
        } | docker login --username AWS --password-stdin ${
          uri.split('/')[0]
        }\ndocker push ${uri}:TAG`;
      })
      .join('\n')}`;
  } else if (status === 'unknown') {
    remedy = remedyOf(verdicts);
  }
  return result(
    'images-present',
    status,
    verdicts
      .map(v => (several ? `${v.name}: ${v.detail}` : v.detail))
      .join('\n'),
    {
      ...(remedy && { remedy }),
      ...(requiredActions.length && { requiredActions }),
    },
  );
}
