import { Flex, Text } from '@backstage/ui';
import { useApi } from '@backstage/core-plugin-api';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
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
import { EcrTranslationFunction, ecrTranslationRef } from '../../translation';

/** What happened, or would happen, to one resource, in a few words. */
export function claimOutcomeLabel(
  t: EcrTranslationFunction,
  resource: ClaimedResource,
  dryRun: boolean,
): string {
  switch (resource.outcome) {
    case 'bound':
      return dryRun
        ? t('claim.outcome.willBeTagged')
        : t('claim.outcome.tagged');
    case 'already':
      return resource.boundTo
        ? t('claim.outcome.alreadyBoundTo', { boundTo: resource.boundTo })
        : t('claim.outcome.alreadyThisEntity');
    case 'refused':
      return resource.boundTo
        ? t('claim.outcome.refusedBoundTo', { boundTo: resource.boundTo })
        : t('claim.outcome.refused');
    default:
      return t('claim.outcome.skipped');
  }
}

function ResourceItem(props: { resource: ClaimedResource; dryRun: boolean }) {
  const { resource, dryRun } = props;
  const { t } = useTranslationRef(ecrTranslationRef);
  const kind = {
    repository: t('claim.kind.repository'),
    role: t('claim.kind.role'),
  }[resource.kind];
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
          {t('claim.resourceLine', {
            kind,
            outcome: claimOutcomeLabel(t, resource, dryRun),
          })}
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
  const { t } = useTranslationRef(ecrTranslationRef);
  const binding = claim.resources.filter(r => r.outcome === 'bound').length;
  return (
    <Flex direction="column" gap="2">
      <Text>
        {binding > 0
          ? t('claim.willTag', { count: binding, entityRef: claim.entityRef })
          : t('claim.nothingToChange', { entityRef: claim.entityRef })}
      </Text>
      <ul
        style={{ listStyle: 'none', margin: 0, padding: 0 }}
        aria-label={t('claim.resourcesAriaLabel')}
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
  const { t } = useTranslationRef(ecrTranslationRef);
  return (
    <DryRunDialog<ClaimResponse>
      title={t('claim.dialogTitle', {
        entityRef: stringifyEntityRef(entityRef),
      })}
      run={dryRun => api.claim(entityRef, { dryRun })}
      renderPreview={claim => <ClaimPreview claim={claim} />}
      canApply={claim => claim.resources.some(r => r.outcome === 'bound')}
      onApplied={onApplied}
      onClose={onClose}
    />
  );
}
