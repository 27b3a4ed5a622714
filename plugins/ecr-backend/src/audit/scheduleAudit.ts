import {
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { AuditRunner } from './AuditRunner';

/** The scheduler task id of the platform audit. */
export const AUDIT_TASK_ID = 'ecr-audit';

/**
 * Schedules the platform audit on the Backstage scheduler. The task is global:
 * with several backend instances sharing the database, each scheduled run
 * happens on one of them only.
 */
export async function scheduleAudit(options: {
  scheduler: SchedulerService;
  schedule: SchedulerServiceTaskScheduleDefinition;
  runner: AuditRunner;
}): Promise<void> {
  const { scheduler, schedule, runner } = options;
  await scheduler.scheduleTask({
    id: AUDIT_TASK_ID,
    ...schedule,
    scope: 'global',
    // A failed run is recorded and logged by the runner; the task itself
    // succeeds so that the scheduler keeps its cadence.
    fn: async (signal: AbortSignal) => {
      await runner.run('schedule', signal);
    },
  });
}
