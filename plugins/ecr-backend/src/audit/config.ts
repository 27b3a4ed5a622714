import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';

/** The `ecr.audit` section, read once and checked. */
export interface AuditConfig {
  /** When the scheduled audit runs. */
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** How long one run may take, scheduled or manual. */
  timeoutMs: number;
  /** How many entities are checked at once. */
  concurrency: number;
  /** How many runs the history keeps. */
  keepRuns: number;
}

/** Every six hours, at most half an hour each. */
export const DEFAULT_AUDIT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { hours: 6 },
  timeout: { minutes: 30 },
  // Lets the catalog settle after a start before the first run reads it.
  initialDelay: { minutes: 1 },
};
export const DEFAULT_AUDIT_CONCURRENCY = 8;
export const MAX_AUDIT_CONCURRENCY = 64;
/** Four months of runs at the default schedule. */
export const DEFAULT_AUDIT_KEEP_RUNS = 500;

/**
 * Reads `ecr.audit`. Bad values fail at startup with the key named, rather
 * than at the first run.
 */
export function readAuditConfig(config: Config): AuditConfig {
  const audit = config.getOptionalConfig('ecr.audit');
  const scheduleConfig = audit?.getOptionalConfig('schedule');
  let schedule = DEFAULT_AUDIT_SCHEDULE;
  if (scheduleConfig) {
    try {
      schedule =
        readSchedulerServiceTaskScheduleDefinitionFromConfig(scheduleConfig);
    } catch (error) {
      throw new Error(
        `ecr.audit.schedule: ${
          (error as Error).message
        } (e.g. { frequency: { hours: 6 }, timeout: { minutes: 30 } })`,
      );
    }
    schedule = {
      ...schedule,
      initialDelay:
        schedule.initialDelay ?? DEFAULT_AUDIT_SCHEDULE.initialDelay,
    };
  }

  const concurrency =
    audit?.getOptionalNumber('concurrency') ?? DEFAULT_AUDIT_CONCURRENCY;
  if (
    !Number.isInteger(concurrency) ||
    concurrency < 1 ||
    concurrency > MAX_AUDIT_CONCURRENCY
  ) {
    throw new Error(
      `ecr.audit.concurrency: must be a whole number from 1 to ${MAX_AUDIT_CONCURRENCY}`,
    );
  }

  const keepRuns =
    audit?.getOptionalNumber('keepRuns') ?? DEFAULT_AUDIT_KEEP_RUNS;
  if (!Number.isInteger(keepRuns) || keepRuns < 1) {
    throw new Error('ecr.audit.keepRuns: must be a whole number, 1 or more');
  }

  return {
    schedule,
    timeoutMs: toMilliseconds(schedule.timeout),
    concurrency,
    keepRuns,
  };
}

/**
 * `ecr.audit.notifications.enabled`: whether the audit tells an entity's owner,
 * through Backstage notifications, when its setup breaks (default true).
 */
export function readAuditNotificationsEnabled(config: Config): boolean {
  return config.getOptionalBoolean('ecr.audit.notifications.enabled') ?? true;
}

function toMilliseconds(
  duration: SchedulerServiceTaskScheduleDefinition['timeout'],
): number {
  const luxon = duration as { toMillis?: () => number };
  return typeof luxon.toMillis === 'function'
    ? luxon.toMillis()
    : durationToMilliseconds(duration as HumanDuration);
}
