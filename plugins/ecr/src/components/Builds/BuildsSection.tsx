import { ReactNode, useId, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  CardBody,
  CardHeader,
  Flex,
  Link,
  Skeleton,
  Text,
} from '@backstage/ui';
import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  BuildSummary,
  ecrBuildStartPermission,
  SetupCheck,
  StartBuildResponse,
} from '@backstage-ecr/plugin-ecr-common';
import { ecrApiRef } from '../../api/EcrApi';
import { ErrorAlert } from '../common/ErrorAlert';
import { SetupFix } from '../SetupFix';
import { checkAnchor } from '../SetupChecklist';
import { Code, DryRunDialog } from '../common/DryRunDialog';
import { formatExact } from '../common/format';
import { useFormatRelative } from '../common/useFormatRelative';
import { ecrTranslationRef } from '../../translation';
import { BuildsState } from './useBuilds';
import { buildLabel } from './source';
import { BuildStatusChip, formatDuration, SourceVersion } from './BuildParts';

/** The checks whose fix a failed build can offer where it is shown. */
const FIXED_IN_PLACE = ['push-permissions', 'repository-exists'];

/**
 * The checklist's entry for a check, as an in-page link. A plain anchor: the
 * app's router would resolve a bare fragment against its root.
 */
function CheckLink(props: { checkId: string }) {
  const { t } = useTranslationRef(ecrTranslationRef);
  const id = checkAnchor(props.checkId);
  return (
    <a
      href={`#${id}`}
      style={{ color: 'inherit', textDecoration: 'underline' }}
      onClick={event => {
        const target = document.getElementById(id);
        if (!target) return;
        event.preventDefault();
        target.scrollIntoView?.({ behavior: 'smooth', block: 'center' });
        target.focus({ preventScroll: true });
      }}
    >
      {t('builds.diagnosis.checkLink')}
    </a>
  );
}

/** Why a failed build failed, and the fix for the check it points to. */
function Diagnosis(props: {
  entityRef: CompoundEntityRef;
  build: BuildSummary & { diagnosis: NonNullable<BuildSummary['diagnosis']> };
  checks?: SetupCheck[];
  onApplied: () => void;
}) {
  const { entityRef, build, checks, onApplied } = props;
  const { t } = useTranslationRef(ecrTranslationRef);
  const { checkId, message } = build.diagnosis;
  const captionId = useId();
  const check = checks?.find(c => c.id === checkId);
  let remedy: ReactNode;
  if (!FIXED_IN_PLACE.includes(checkId)) {
    remedy = (
      <Text variant="body-small">
        {t('builds.diagnosis.noFix', {
          checkLink: <CheckLink checkId={checkId} />,
        })}
      </Text>
    );
  } else if (check && check.status === 'pass') {
    remedy = (
      <Text variant="body-small">{t('builds.diagnosis.passesNow')}</Text>
    );
  } else {
    remedy = (
      <Flex align="center" gap="3" style={{ flexWrap: 'wrap' }}>
        {check && (
          <SetupFix
            entityRef={entityRef}
            check={check}
            checks={checks}
            onApplied={onApplied}
          />
        )}
        <Text variant="body-small">
          {t('builds.diagnosis.seeCheck', {
            checkLink: <CheckLink checkId={checkId} />,
          })}
        </Text>
      </Flex>
    );
  }
  return (
    <Flex direction="column" gap="2" data-testid="build-diagnosis">
      <figure
        aria-labelledby={captionId}
        style={{ margin: 0, display: 'flex', flexDirection: 'column', gap: 4 }}
      >
        <figcaption id={captionId}>
          <Text variant="body-small" color="secondary">
            {t('builds.diagnosis.logLine', { build: buildLabel(build) })}
          </Text>
        </figcaption>
        <pre
          style={{
            margin: 0,
            padding: 'var(--bui-space-2)',
            borderRadius: 'var(--bui-radius-2)',
            background: 'var(--bui-bg-neutral-1)',
            fontFamily: 'monospace',
            fontSize: 'var(--bui-font-size-2)',
            whiteSpace: 'pre-wrap',
            wordBreak: 'break-word',
          }}
        >
          {message}
        </pre>
      </figure>
      <Text variant="body-small">
        {t('builds.diagnosis.matches', { check: check?.title ?? checkId })}
      </Text>
      {remedy}
    </Flex>
  );
}

function BuildItem(props: {
  entityRef: CompoundEntityRef;
  build: BuildSummary;
  sourceLocation?: string;
  checks?: SetupCheck[];
  onFixApplied: () => void;
}) {
  const { build, sourceLocation } = props;
  const { t } = useTranslationRef(ecrTranslationRef);
  const formatRelative = useFormatRelative();
  const label = buildLabel(build);
  const running = build.status === 'IN_PROGRESS';
  let phase: string | undefined;
  if (running && build.currentPhase) {
    phase = t('builds.phase', { phase: build.currentPhase });
  } else if (!running && build.status !== 'SUCCEEDED' && build.failedPhase) {
    phase = t('builds.failedIn', { phase: build.failedPhase });
  }
  return (
    <li
      data-build-id={build.id}
      style={{
        display: 'flex',
        flexDirection: 'column',
        gap: 'var(--bui-space-2)',
        padding: 'var(--bui-space-3) 0',
        borderBottom: '1px solid var(--bui-border, rgba(0,0,0,0.08))',
      }}
    >
      <Flex align="center" gap="3" style={{ flexWrap: 'wrap' }}>
        <BuildStatusChip status={build.status} />
        <Text weight="bold">{label}</Text>
        {phase && (
          <Text variant="body-small" color="secondary">
            {phase}
          </Text>
        )}
        <Text
          variant="body-small"
          color="secondary"
          title={formatExact(build.startTime)}
        >
          {t('builds.started', { when: formatRelative(build.startTime) })}
        </Text>
        {build.durationSeconds !== undefined && !running && (
          <Text
            variant="body-small"
            color="secondary"
            title={t('builds.durationTitle')}
          >
            {formatDuration(t, build.durationSeconds)}
          </Text>
        )}
        {build.sourceVersion && (
          <SourceVersion
            version={build.sourceVersion}
            sourceLocation={sourceLocation}
            ariaLabel={commit => t('builds.commitAriaLabel', { commit })}
          />
        )}
        {build.initiator && (
          <Text variant="body-small" color="secondary">
            {t('builds.initiator', { initiator: build.initiator })}
          </Text>
        )}
        <Flex gap="2" style={{ marginLeft: 'auto' }}>
          <Link
            href={build.consoleUrl}
            target="_blank"
            rel="noopener noreferrer"
            variant="body-small"
            aria-label={t('builds.consoleAriaLabel', { build: label })}
          >
            {t('builds.console')}
          </Link>
          {build.logUrl && (
            <Link
              href={build.logUrl}
              target="_blank"
              rel="noopener noreferrer"
              variant="body-small"
              aria-label={t('builds.logAriaLabel', { build: label })}
            >
              {t('builds.log')}
            </Link>
          )}
        </Flex>
      </Flex>
      {build.diagnosis && build.status !== 'SUCCEEDED' && !running && (
        <Diagnosis
          entityRef={props.entityRef}
          build={
            build as BuildSummary & {
              diagnosis: NonNullable<BuildSummary['diagnosis']>;
            }
          }
          checks={props.checks}
          onApplied={props.onFixApplied}
        />
      )}
    </li>
  );
}

/** Run build again: previewed with a dry run, then started and followed. */
function RunBuildAgain(props: {
  entityRef: CompoundEntityRef;
  project: { arn: string; name: string };
  sourceVersion?: string;
  sourceLocation?: string;
  /** A build started here that has not ended: no second start meanwhile. */
  starting?: boolean;
  onStarted: (response: StartBuildResponse) => void;
}) {
  const { entityRef, project, sourceVersion, sourceLocation, starting } = props;
  const api = useApi(ecrApiRef);
  const { t } = useTranslationRef(ecrTranslationRef);
  const { loading, allowed } = usePermission({
    permission: ecrBuildStartPermission,
    resourceRef: stringifyEntityRef(entityRef),
  });
  const [open, setOpen] = useState(false);
  if (loading) return null;
  if (!allowed) {
    return (
      <Text
        variant="body-small"
        color="secondary"
        style={{ maxWidth: 320 }}
        data-testid="run-again-unavailable"
      >
        {t('builds.runAgain.notAllowed')}
      </Text>
    );
  }
  return (
    <>
      <Button
        size="small"
        variant="secondary"
        isDisabled={starting}
        onPress={() => setOpen(true)}
      >
        {t('builds.runAgain.button')}
      </Button>
      {open && (
        <DryRunDialog<StartBuildResponse>
          title={t('builds.runAgain.title')}
          run={dryRun =>
            api.startBuild(
              entityRef,
              sourceVersion ? { dryRun, sourceVersion } : { dryRun },
            )
          }
          renderPreview={preview => (
            <Flex direction="column" gap="2">
              <Text>
                {t('builds.runAgain.preview', {
                  project: <strong>{project.name}</strong>,
                })}
              </Text>
              <Code>{preview.projectArn}</Code>
              <Text variant="body-small">
                {preview.sourceVersion
                  ? t('builds.runAgain.sourceVersion', {
                      version: (
                        <SourceVersion
                          version={preview.sourceVersion}
                          sourceLocation={sourceLocation}
                          ariaLabel={commit =>
                            t('builds.commitAriaLabel', { commit })
                          }
                        />
                      ),
                    })
                  : t('builds.runAgain.defaultSourceVersion')}
              </Text>
            </Flex>
          )}
          onApplied={props.onStarted}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}

/**
 * The recent builds of the entity's CodeBuild project, newest first: their
 * outcome, commit and links; for a failed build, the log line that says why
 * and the fix for the check it matches; and Run build again. Nothing when the
 * entity names no CodeBuild project.
 */
export function BuildsSection(props: {
  entityRef: CompoundEntityRef;
  builds: BuildsState;
  /** The entity's `backstage.io/source-location`, for commit links. */
  sourceLocation?: string;
  /** The setup checks, for the fixes a failed build points to. */
  checks?: SetupCheck[];
  /** A fix was applied: the checks and images should be read again. */
  onFixApplied: () => void;
  /**
   * The entity's annotations name a CodeBuild project: while the builds load,
   * or when they cannot be read, the section says so (otherwise it stays
   * away until the answer names a project).
   */
  expectsProject?: boolean;
}) {
  const { entityRef, builds, sourceLocation, checks, onFixApplied } = props;
  const { t } = useTranslationRef(ecrTranslationRef);
  const formatRelative = useFormatRelative();
  const value = builds.value;

  if (!value) {
    if (!props.expectsProject) return null;
    if (builds.loading) {
      return (
        <Skeleton width="100%" height={120} aria-label={t('builds.loading')} />
      );
    }
    if (builds.error) {
      return (
        <ErrorAlert
          what={t('errorAlert.subjects.builds')}
          error={builds.error}
          onRetry={builds.retry}
        />
      );
    }
    return null;
  }
  const project = value.project;
  if (!project) return null;
  const watching = builds.watching
    ? value.builds.find(b => b.id === builds.watching)
    : undefined;

  return (
    <Card>
      <CardHeader>
        <Flex justify="between" align="center" gap="3">
          <Flex direction="column" gap="1">
            <Text as="h3" variant="title-small">
              {t('builds.title')}
            </Text>
            <Text variant="body-small" color="secondary">
              {t('builds.project', { name: project.name })}
            </Text>
          </Flex>
          <RunBuildAgain
            entityRef={entityRef}
            project={project}
            sourceVersion={value.builds[0]?.sourceVersion}
            sourceLocation={sourceLocation}
            starting={Boolean(watching && builds.startedHere)}
            onStarted={response =>
              response.build ? builds.watch(response.build) : builds.retry()
            }
          />
        </Flex>
      </CardHeader>
      <CardBody>
        <Flex direction="column" gap="3">
          {watching && (
            <Text variant="body-small" aria-live="polite">
              {t('builds.runAgain.watching', { build: buildLabel(watching) })}
            </Text>
          )}
          {builds.error && (
            <ErrorAlert
              what={t('errorAlert.subjects.builds')}
              error={builds.error}
              onRetry={builds.retry}
            />
          )}
          {value.stale && (
            <Alert
              status="warning"
              title={t('builds.stale.title')}
              description={t('builds.stale.description', {
                when: formatRelative(value.fetchedAt),
              })}
            />
          )}
          {value.logsUnreadable && (
            <Alert
              status="warning"
              title={t('builds.logsUnreadable.title')}
              description={t('builds.logsUnreadable.description', {
                reason: value.logsUnreadable,
              })}
            />
          )}
          {value.builds.length === 0 ? (
            <Text color="secondary">{t('builds.none')}</Text>
          ) : (
            <ul
              style={{ listStyle: 'none', margin: 0, padding: 0 }}
              aria-label={t('builds.listAriaLabel', { project: project.name })}
            >
              {value.builds.map(build => (
                <BuildItem
                  key={build.id}
                  entityRef={entityRef}
                  build={build}
                  sourceLocation={sourceLocation}
                  checks={checks}
                  onFixApplied={onFixApplied}
                />
              ))}
            </ul>
          )}
        </Flex>
      </CardBody>
    </Card>
  );
}
