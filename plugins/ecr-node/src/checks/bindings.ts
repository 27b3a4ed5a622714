import {
  belongs,
  judgeBinding,
  ResourceBinding,
} from '@backstage-ecr/plugin-ecr-common';
import { SetupFacts } from '../setup/facts';

/**
 * Who AWS says each of the entity's repositories and its pushing role belong to.
 *
 * @public
 */
export function resourceBindings(facts: SetupFacts): ResourceBinding[] {
  const keys = facts.ownership;
  const subject = keys?.subject;
  if (!keys || !subject) return [];
  const bindings: ResourceBinding[] = [];
  for (const repository of facts.repositories) {
    const tags = repository.tags;
    if (!tags || (tags.ok && tags.value === null)) continue;
    if (!tags.ok) {
      bindings.push({
        kind: 'repository',
        arn: repository.arn,
        state: 'unknown',
      });
      continue;
    }
    const binding = judgeBinding(tags.value!, subject, keys);
    bindings.push({
      kind: 'repository',
      arn: repository.arn,
      state: binding.state,
      ...('boundTo' in binding && { boundTo: binding.boundTo }),
    });
  }
  const { pushRole } = facts;
  const role = pushRole.role;
  if (role?.ok && role.value.exists) {
    const arn = role.value.arn ?? pushRole.candidateRoleArn ?? '';
    let binding = judgeBinding(role.value.tags ?? {}, subject, keys);
    const project = pushRole.codeBuildProject;
    if (
      binding.state === 'unbound' &&
      pushRole.source === 'codebuild' &&
      project?.lookup.ok &&
      project.lookup.value.tags
    ) {
      const projectBinding = judgeBinding(
        project.lookup.value.tags,
        subject,
        keys,
      );
      if (belongs(projectBinding) || projectBinding.state === 'elsewhere') {
        binding = projectBinding;
      }
    }
    bindings.push({
      kind: 'role',
      arn,
      state: binding.state,
      ...('boundTo' in binding && { boundTo: binding.boundTo }),
    });
  } else if (role && !role.ok) {
    bindings.push({
      kind: 'role',
      arn: pushRole.candidateRoleArn ?? '',
      state: 'unknown',
    });
  }
  return bindings;
}
