import { LoggerService } from '@backstage/backend-plugin-api';
import { AuditEntityResult } from '@backstage-ecr/plugin-ecr-common';
import { parseEntityRef } from '@backstage/catalog-model';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { mapBounded } from './mapBounded';

/** The notification topic of the audit: one topic that users can mute in their settings. */
export const AUDIT_NOTIFICATION_TOPIC = 'ecr-audit';

/** Latest-build diagnoses that mean the build could not push. */
const PUSH_FAILURE_CHECKS = new Set(['push-permissions', 'push-role-owner']);

/** How many notifications are sent at once. */
const SEND_CONCURRENCY = 4;

/** What broke for one entity between the previous complete run and this one. */
export interface AuditBreak {
  entity: AuditEntityResult;
  /** Checks that fail now and passed (or only warned) in the previous run. */
  checks: string[];
  /** The newest build failed to push and is not the build the previous run saw. */
  buildFailure?: { id: string; checkId: string };
}

/**
 * What broke since the previous complete run. An entity the previous run did
 * not have (or a first run, with nothing to compare to) has broken nothing: it
 * never passed. A check that was `unknown` or `fail` before is no news.
 */
export function findBreaks(
  previous: AuditEntityResult[],
  current: AuditEntityResult[],
): AuditBreak[] {
  const before = new Map(previous.map(e => [e.entityRef, e]));
  const breaks: AuditBreak[] = [];
  for (const entity of current) {
    const last = before.get(entity.entityRef);
    if (!last) continue;
    const lastStatus = new Map(last.checks.map(c => [c.id, c.status]));
    const checks = entity.checks
      .filter(c => {
        const was = lastStatus.get(c.id);
        return c.status === 'fail' && (was === 'pass' || was === 'warn');
      })
      .map(c => c.id);
    const build = entity.latestBuild;
    const checkId = build?.diagnosis?.checkId;
    const buildFailure =
      build &&
      checkId &&
      PUSH_FAILURE_CHECKS.has(checkId) &&
      build.id !== last.latestBuild?.id
        ? { id: build.id, checkId }
        : undefined;
    if (checks.length || buildFailure) {
      breaks.push({ entity, checks, ...(buildFailure && { buildFailure }) });
    }
  }
  return breaks;
}

/** The entity's ECR tab in the Backstage app, as the catalog routes it. */
export function ecrTabLink(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${encodeURIComponent(
    namespace.toLocaleLowerCase('en-US'),
  )}/${encodeURIComponent(
    kind.toLocaleLowerCase('en-US'),
  )}/${encodeURIComponent(name)}/ecr`;
}

/**
 * The scope of one entity's notification for one run. The notifications
 * backend updates the notification it already has for the same scope and
 * origin instead of adding one, so sending again for the same run (a retry)
 * never duplicates it; a later run that finds a new break sends a new one.
 */
export function notificationScope(runId: string, entityRef: string): string {
  return `ecr-audit:${runId}:${entityRef.toLocaleLowerCase('en-US')}`;
}

function describeBreak(b: AuditBreak): { title: string; description: string } {
  const who = b.entity.title ?? b.entity.entityRef;
  const named = [
    ...b.checks,
    ...(b.buildFailure && !b.checks.includes(b.buildFailure.checkId)
      ? [b.buildFailure.checkId]
      : []),
  ];
  const title = `ECR setup of ${who} broke: ${named.join(', ')}`;
  const lines: string[] = [];
  for (const id of b.checks) {
    const detail = b.entity.checks.find(c => c.id === id)?.detail;
    lines.push(`${id} fails${detail ? `: ${detail}` : ''}`);
  }
  if (b.buildFailure) {
    const message = b.entity.latestBuild?.diagnosis?.message;
    lines.push(
      `The latest build (${b.buildFailure.id}) could not push to ECR${
        message ? `: ${message}` : ''
      }`,
    );
  }
  return {
    title,
    description: `The platform audit found this passing in its previous run. ${lines.join(
      '. ',
    )}`,
  };
}

/**
 * Tells each broken entity's owner, once per entity and run. Entities without
 * an owner are skipped; a failure to send is logged and never thrown.
 */
export async function notifyBreaks(options: {
  runId: string;
  breaks: AuditBreak[];
  notifications: NotificationService;
  logger: LoggerService;
}): Promise<number> {
  const { runId, breaks, notifications, logger } = options;
  let sent = 0;
  await mapBounded(breaks, SEND_CONCURRENCY, async b => {
    const { entityRef, owner } = b.entity;
    if (!owner) {
      logger.info(
        `ECR audit run ${runId}: ${entityRef} broke but has no owner to notify`,
      );
      return;
    }
    const { title, description } = describeBreak(b);
    try {
      await notifications.send({
        recipients: { type: 'entity', entityRef: owner },
        payload: {
          title,
          description,
          link: ecrTabLink(entityRef),
          severity: 'high',
          topic: AUDIT_NOTIFICATION_TOPIC,
          scope: notificationScope(runId, entityRef),
        },
      });
      sent++;
    } catch (error) {
      logger.warn(
        `ECR audit run ${runId}: the owner of ${entityRef} (${owner}) could not be notified: ${error}`,
      );
    }
  });
  return sent;
}
