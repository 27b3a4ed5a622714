import { ReactElement, useState } from 'react';
import {
  Button,
  Cell,
  CellText,
  ColumnConfig,
  Flex,
  Link,
  Table,
  Text,
} from '@backstage/ui';
import { usePermission } from '@backstage/plugin-permission-react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  AuditBinding,
  AuditEntityResult,
  AuditOwnershipFlags,
  ClaimResponse,
  ecrRepositoryClaimPermission,
} from '@backstage-ecr/plugin-ecr-common';
import { ClaimDialog } from '../ClaimDialog';
import { EcrTranslationFunction, ecrTranslationRef } from '../../translation';

/** The ECR tab of an entity, from its ref. */
export function entityTabPath(entityRef: string): string {
  const ref = parseEntityRef(entityRef);
  return `/catalog/${ref.namespace}/${ref.kind.toLocaleLowerCase('en-US')}/${
    ref.name
  }/ecr`;
}

/** A repository's or role's name, from its ARN. */
export function resourceName(arn: string): string {
  const repository = arn.match(/:repository\/(.+)$/);
  if (repository) return repository[1];
  const role = arn.match(/:role\/(?:.*\/)?([^/]+)$/);
  return role ? role[1] : arn;
}

/** "repository web" or "role builder": a resource, by kind and name. */
function resourceLabel(
  t: EcrTranslationFunction,
  kind: AuditBinding['kind'],
  arn: string,
): string {
  return t('audit.ownership.resource', {
    kind:
      kind === 'role'
        ? t('audit.ownership.kind.role')
        : t('audit.ownership.kind.repository'),
    name: resourceName(arn),
  });
}

/** One line on a binding that is not the entity's. */
function bindingLine(t: EcrTranslationFunction, binding: AuditBinding): string {
  const resource = resourceLabel(t, binding.kind, binding.arn);
  switch (binding.state) {
    case 'unbound':
      return t('audit.ownership.binding.unbound', { resource });
    case 'elsewhere':
      return t('audit.ownership.binding.elsewhere', {
        resource,
        boundTo: binding.boundTo ?? t('audit.ownership.binding.someoneElse'),
      });
    case 'unknown':
      return t('audit.ownership.binding.unknown', { resource });
    default:
      return t('audit.ownership.binding.bound', {
        resource,
        boundTo: binding.boundTo ?? t('audit.ownership.binding.boundFallback'),
      });
  }
}

const BINDING_COLOR: Record<AuditBinding['state'], string> = {
  entity: 'var(--bui-fg-positive)',
  owner: 'var(--bui-fg-positive)',
  unbound: 'var(--bui-fg-warning)',
  elsewhere: 'var(--bui-fg-negative)',
  unknown: 'var(--bui-fg-secondary)',
};

/** True when a claim would bind something of the entity's. */
export function hasUnbound(entity: AuditEntityResult): boolean {
  return (entity.bindings ?? []).some(b => b.state === 'unbound');
}

/** Claim, for those allowed ecr.repository.claim on the entity. */
function ClaimButton(props: {
  entityRef: string;
  onClaimed: (claim: ClaimResponse) => void;
}) {
  const { entityRef, onClaimed } = props;
  const { t } = useTranslationRef(ecrTranslationRef);
  const { allowed } = usePermission({
    permission: ecrRepositoryClaimPermission,
    resourceRef: entityRef,
  });
  const [open, setOpen] = useState(false);
  if (!allowed) return null;
  return (
    <>
      <Button
        size="small"
        variant="secondary"
        aria-label={t('audit.ownership.claimFor', { entityRef })}
        onPress={() => setOpen(true)}
      >
        {t('common.claim')}
      </Button>
      {open && (
        <ClaimDialog
          entityRef={parseEntityRef(entityRef)}
          onApplied={onClaimed}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}

/**
 * How an entity's resources stand against its ownership, as the audit saw
 * them; Claim when some are unbound.
 */
export function BindingsCell(props: {
  entity: AuditEntityResult;
  onClaimed: (claim: ClaimResponse) => void;
}) {
  const { entity, onClaimed } = props;
  const { t } = useTranslationRef(ecrTranslationRef);
  const bindings = entity.bindings;
  if (!bindings) {
    return (
      <CellText title="—" description={t('audit.ownership.cellNotAudited')} />
    );
  }
  const problems = bindings.filter(
    b => b.state !== 'entity' && b.state !== 'owner',
  );
  return (
    <Cell>
      <Flex direction="column" gap="1" data-testid="bindings">
        {problems.length === 0 ? (
          <span style={{ color: BINDING_COLOR.entity }}>
            {bindings.length ? t('audit.ownership.allBound') : '—'}
          </span>
        ) : (
          problems.map(b => (
            <span
              key={`${b.kind}:${b.arn}`}
              title={b.arn}
              data-state={b.state}
              style={{ color: BINDING_COLOR[b.state] }}
            >
              {bindingLine(t, b)}
            </span>
          ))
        )}
        {hasUnbound(entity) && (
          <div>
            <ClaimButton entityRef={entity.entityRef} onClaimed={onClaimed} />
          </div>
        )}
      </Flex>
    </Cell>
  );
}

function EntityLink(props: { entityRef: string }) {
  return <Link href={entityTabPath(props.entityRef)}>{props.entityRef}</Link>;
}

function FlagTable<T extends { id: string }>(props: {
  label: string;
  explanation: string;
  rows: T[];
  columns: ColumnConfig<T>[];
  none: string;
}) {
  const { t } = useTranslationRef(ecrTranslationRef);
  return (
    <section aria-label={props.label}>
      <Flex direction="column" gap="2">
        <Text weight="bold">
          {t('audit.ownership.flagCount', {
            label: props.label,
            count: props.rows.length,
          })}
        </Text>
        <Text variant="body-small" color="secondary">
          {props.explanation}
        </Text>
        {props.rows.length === 0 ? (
          <Text color="secondary">{props.none}</Text>
        ) : (
          <Table
            data={props.rows}
            columnConfig={props.columns}
            pagination={{ type: 'none' }}
          />
        )}
      </Flex>
    </section>
  );
}

function repositoryCell(arn: string): ReactElement {
  return <CellText title={resourceName(arn)} description={arn} />;
}

/**
 * What the run found wrong with who claims what: repositories several
 * entities name, entities naming resources bound elsewhere, and bindings
 * naming entities that are not in the catalog.
 */
export function OwnershipFlags(props: { ownership?: AuditOwnershipFlags }) {
  const { ownership } = props;
  const { t } = useTranslationRef(ecrTranslationRef);
  if (!ownership) {
    return <Text color="secondary">{t('audit.ownership.notAudited')}</Text>;
  }
  const shared = ownership.sharedRepositories.map(r => ({ ...r, id: r.arn }));
  const foreign = ownership.foreignClaims.map(c => ({
    ...c,
    id: `${c.entityRef} ${c.kind} ${c.arn}`,
  }));
  const orphans = ownership.orphanBindings.map(o => ({ ...o, id: o.arn }));
  return (
    <Flex direction="column" gap="5">
      <FlagTable
        label={t('audit.ownership.shared.label')}
        explanation={t('audit.ownership.shared.explanation')}
        rows={shared}
        none={t('audit.ownership.shared.none')}
        columns={[
          {
            id: 'repository',
            label: t('audit.ownership.shared.repository'),
            isRowHeader: true,
            cell: r => repositoryCell(r.arn),
          },
          {
            id: 'entities',
            label: t('audit.ownership.shared.namedBy'),
            cell: r => (
              <Cell>
                <Flex direction="column" gap="1">
                  {r.entityRefs.map(ref => (
                    <EntityLink key={ref} entityRef={ref} />
                  ))}
                </Flex>
              </Cell>
            ),
          },
        ]}
      />
      <FlagTable
        label={t('audit.ownership.foreign.label')}
        explanation={t('audit.ownership.foreign.explanation')}
        rows={foreign}
        none={t('audit.ownership.foreign.none')}
        columns={[
          {
            id: 'entity',
            label: t('audit.ownership.foreign.entity'),
            isRowHeader: true,
            cell: c => (
              <CellText
                title={parseEntityRef(c.entityRef).name}
                description={c.entityRef}
                href={entityTabPath(c.entityRef)}
              />
            ),
          },
          {
            id: 'resource',
            label: t('audit.ownership.foreign.resource'),
            cell: c => (
              <CellText
                title={resourceLabel(t, c.kind, c.arn)}
                description={c.arn}
              />
            ),
          },
          {
            id: 'boundTo',
            label: t('audit.ownership.foreign.boundTo'),
            cell: c => <CellText title={c.boundTo} />,
          },
        ]}
      />
      <FlagTable
        label={t('audit.ownership.orphans.label')}
        explanation={t('audit.ownership.orphans.explanation')}
        rows={orphans}
        none={t('audit.ownership.orphans.none')}
        columns={[
          {
            id: 'repository',
            label: t('audit.ownership.orphans.repository'),
            isRowHeader: true,
            cell: o => repositoryCell(o.arn),
          },
          {
            id: 'boundTo',
            label: t('audit.ownership.orphans.boundTo'),
            cell: o => <CellText title={o.boundTo} />,
          },
        ]}
      />
    </Flex>
  );
}
