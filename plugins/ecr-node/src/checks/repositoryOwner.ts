import {
  describeBinding,
  judgeBinding,
  SetupCheck,
} from '@backstage-ecr/plugin-ecr-common';
import { SetupFacts } from '../setup/facts';
import { describeFailure, sentence } from '../aws/call';
import {
  factVerdict,
  remedyOf,
  RepositoryVerdict,
  result,
  worst,
} from './checkResult';

/**
 * `repository-owner`: every annotated repository belongs to the entity, as
 * its own tags say. Bound to anyone else fails; unbound fails, or warns when
 * `ecr.ownership.unbound` is `allow`.
 */
export function checkRepositoryOwner(facts: SetupFacts): SetupCheck {
  const { ownership } = facts;
  if (!ownership) {
    return result(
      'repository-owner',
      'unknown',
      'Not checked: the facts were gathered without an entity to judge them against.',
    );
  }
  const tagCommand = (region: string, arn: string) =>
    `aws ecr tag-resource --region ${region} --resource-arn ${arn} --tags Key=${ownership.entityRefTag},Value=${ownership.subject.entityRef}`;
  const verdicts: Array<RepositoryVerdict & { name: string }> =
    facts.repositories.map(repository => {
      const { name, tags } = repository;
      if (!tags) {
        return {
          name,
          status: 'unknown',
          detail: 'Its tags were not read.',
        };
      }
      if (!tags.ok) {
        return {
          name,
          ...factVerdict(
            tags,
            `${sentence(
              describeFailure(tags),
            )}, so Backstage cannot tell who the repository belongs to; nothing else of it is read or changed.`,
          ),
        };
      }
      if (tags.value === null) {
        return {
          name,
          status: 'pass',
          detail:
            'It does not exist yet; when Backstage creates it, it is tagged as this entity’s.',
        };
      }
      const binding = judgeBinding(tags.value, ownership.subject, ownership);
      const said = describeBinding('It', binding, ownership);
      switch (binding.state) {
        case 'entity':
        case 'owner':
          return { name, status: 'pass', detail: `${said}.` };
        case 'unbound':
          return {
            name,
            status: ownership.unbound === 'allow' ? 'warn' : 'fail',
            detail: `${said}, so ${
              ownership.unbound === 'deny'
                ? 'it is not shown'
                : 'it is shown read-only'
            } and Backstage offers no fix for it.`,
            remedy: `Bind it to this entity: a member of the platform team can use Claim, or tag it in AWS:\n\n${tagCommand(
              repository.region,
              repository.arn,
            )}`,
          };
        default:
          return {
            name,
            status: 'fail',
            detail: `${said}: it is not shown here, and Backstage changes nothing of it for this entity.`,
            remedy: `Remove ${repository.arn} from this entity's annotation, or ask the owners of ${binding.boundTo} to hand it over by changing its ${binding.tag} tag.`,
          };
      }
    });
  if (!verdicts.length) {
    return result('repository-owner', 'unknown', 'No repository is annotated.');
  }
  const several = verdicts.length > 1;
  const status = worst(verdicts.map(v => v.status));
  const remedy = remedyOf(verdicts);
  const actions = [
    ...new Set(verdicts.flatMap(v => v.requiredActions ?? [])),
  ].sort();
  return result(
    'repository-owner',
    status,
    verdicts
      .map(v => (several ? `${v.name}: ${v.detail}` : v.detail))
      .join('\n'),
    {
      ...(status !== 'pass' && remedy && { remedy }),
      ...(actions.length && { requiredActions: actions }),
    },
  );
}
