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
import { parseEntityRef } from '@backstage/catalog-model';
import {
  AuditBinding,
  AuditEntityResult,
  AuditOwnershipFlags,
  ClaimResponse,
  ecrRepositoryClaimPermission,
} from '@backstage-ecr/plugin-ecr-common';
import { ClaimDialog } from '../ClaimDialog';

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

const KIND: Record<AuditBinding['kind'], string> = {
  repository: 'repository',
  role: 'role',
};

/** One line on a binding that is not the entity's. */
function bindingLine(binding: AuditBinding): string {
  const what = `${KIND[binding.kind]} ${resourceName(binding.arn)}`;
  switch (binding.state) {
    case 'unbound':
      return `${what}: unbound`;
    case 'elsewhere':
      return `${what}: bound to ${binding.boundTo ?? 'someone else'}`;
    case 'unknown':
      return `${what}: not known`;
    default:
      return `${what}: ${binding.boundTo ?? 'bound'}`;
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
        aria-label={`Claim for ${entityRef}`}
        onPress={() => setOpen(true)}
      >
        Claim
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
  const bindings = entity.bindings;
  if (!bindings) {
    return <CellText title="—" description="not audited" />;
  }
  const problems = bindings.filter(
    b => b.state !== 'entity' && b.state !== 'owner',
  );
  return (
    <Cell>
      <Flex direction="column" gap="1" data-testid="bindings">
        {problems.length === 0 ? (
          <span style={{ color: BINDING_COLOR.entity }}>
            {bindings.length ? '✓ all bound' : '—'}
          </span>
        ) : (
          problems.map(b => (
            <span
              key={`${b.kind}:${b.arn}`}
              title={b.arn}
              data-state={b.state}
              style={{ color: BINDING_COLOR[b.state] }}
            >
              {bindingLine(b)}
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
  return (
    <section aria-label={props.label}>
      <Flex direction="column" gap="2">
        <Text weight="bold">
          {props.label} ({props.rows.length})
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
  if (!ownership) {
    return (
      <Text color="secondary">
        This run was stored before ownership was audited; the next run records
        it.
      </Text>
    );
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
        label="Shared repositories"
        explanation="Repositories that several entities name. Only the one the repository's tags bind it to may read or change it."
        rows={shared}
        none="No repository is named by more than one entity."
        columns={[
          {
            id: 'repository',
            label: 'Repository',
            isRowHeader: true,
            cell: r => repositoryCell(r.arn),
          },
          {
            id: 'entities',
            label: 'Named by',
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
        label="Entities naming resources bound elsewhere"
        explanation="The entity's annotation names a repository or role whose tags bind it to someone else: Backstage neither shows nor changes it for the entity. Fix the annotation, or have the owners hand the resource over."
        rows={foreign}
        none="No entity names a resource bound to someone else."
        columns={[
          {
            id: 'entity',
            label: 'Entity',
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
            label: 'Resource',
            cell: c => (
              <CellText
                title={`${KIND[c.kind]} ${resourceName(c.arn)}`}
                description={c.arn}
              />
            ),
          },
          {
            id: 'boundTo',
            label: 'Bound to',
            cell: c => <CellText title={c.boundTo} />,
          },
        ]}
      />
      <FlagTable
        label="Bindings naming missing entities"
        explanation="Repositories whose entity-ref tag names an entity that is no longer in the catalog."
        rows={orphans}
        none="Every binding names an entity in the catalog."
        columns={[
          {
            id: 'repository',
            label: 'Repository',
            isRowHeader: true,
            cell: o => repositoryCell(o.arn),
          },
          {
            id: 'boundTo',
            label: 'Bound to (not in the catalog)',
            cell: o => <CellText title={o.boundTo} />,
          },
        ]}
      />
    </Flex>
  );
}
