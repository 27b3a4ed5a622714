import { Flex, Text } from '@backstage/ui';
import { useApi } from '@backstage/core-plugin-api';
import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ClaimedResource,
  ClaimResponse,
} from '@backstage-ecr/plugin-ecr-common';
import { ecrApiRef } from '../../api/EcrApi';
import { Code, DryRunDialog } from '../common/DryRunDialog';

const KIND_LABEL: Record<ClaimedResource['kind'], string> = {
  repository: 'Repository',
  role: 'Pushing role',
};

/** What happened, or would happen, to one resource, in a few words. */
export function claimOutcomeLabel(
  resource: ClaimedResource,
  dryRun: boolean,
): string {
  switch (resource.outcome) {
    case 'bound':
      return dryRun ? 'Will be tagged' : 'Tagged';
    case 'already':
      return resource.boundTo
        ? `Already belongs to ${resource.boundTo}`
        : 'Already belongs to this entity';
    case 'refused':
      return resource.boundTo
        ? `Refused: it belongs to ${resource.boundTo}`
        : 'Refused';
    default:
      return 'Skipped';
  }
}

function ResourceItem(props: { resource: ClaimedResource; dryRun: boolean }) {
  const { resource, dryRun } = props;
  const tags = Object.entries(resource.tags ?? {});
  return (
    <li
      data-arn={resource.arn}
      data-outcome={resource.outcome}
      style={{
        padding: 'var(--bui-space-3) 0',
        borderBottom: '1px solid var(--bui-border, rgba(0,0,0,0.08))',
      }}
    >
      <Flex direction="column" gap="1">
        <Text weight="bold">
          {KIND_LABEL[resource.kind]}: {claimOutcomeLabel(resource, dryRun)}
        </Text>
        <Text variant="body-small">
          <code>{resource.arn}</code>
        </Text>
        {resource.reason && (
          <Text variant="body-small" color="secondary">
            {resource.reason}
          </Text>
        )}
        {resource.outcome === 'bound' && tags.length > 0 && (
          <Code>
            {tags.map(([key, value]) => `${key} = ${value}`).join('\n')}
          </Code>
        )}
      </Flex>
    </li>
  );
}

/** The claim's answer: each resource, its outcome and the tags written. */
export function ClaimPreview(props: { claim: ClaimResponse }) {
  const { claim } = props;
  const binding = claim.resources.filter(r => r.outcome === 'bound').length;
  return (
    <Flex direction="column" gap="2">
      <Text>
        {binding > 0
          ? `Backstage will tag ${binding} resource${
              binding === 1 ? '' : 's'
            } as ${
              claim.entityRef
            }'s. Tags are added only to resources with no binding tag; nothing bound to anyone else is changed, and no tag is removed.`
          : `Nothing would change: no resource of ${claim.entityRef} is unbound.`}
      </Text>
      <ul
        style={{ listStyle: 'none', margin: 0, padding: 0 }}
        aria-label="Resources to claim"
      >
        {claim.resources.map(resource => (
          <ResourceItem
            key={`${resource.kind}:${resource.arn}`}
            resource={resource}
            dryRun={claim.dryRun}
          />
        ))}
      </ul>
    </Flex>
  );
}

/**
 * Claims an entity's unbound repositories (and its pushing role), previewed
 * with a dry run first.
 */
export function ClaimDialog(props: {
  entityRef: CompoundEntityRef;
  onApplied: (claim: ClaimResponse) => void;
  onClose: () => void;
}) {
  const { entityRef, onApplied, onClose } = props;
  const api = useApi(ecrApiRef);
  return (
    <DryRunDialog<ClaimResponse>
      title={`Bind resources to ${stringifyEntityRef(entityRef)}`}
      run={dryRun => api.claim(entityRef, { dryRun })}
      renderPreview={claim => <ClaimPreview claim={claim} />}
      canApply={claim => claim.resources.some(r => r.outcome === 'bound')}
      onApplied={onApplied}
      onClose={onClose}
    />
  );
}
