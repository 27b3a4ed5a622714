import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  AuditHistory,
  AuditReport,
  AuditRunResponse,
  ecrAuditReadPermission,
  ecrAuditRunPermission,
} from '@backstage-ecr/plugin-ecr-common';
import { BasicPermission } from '@backstage/plugin-permission-common';
import { InputError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { requirePermission } from '../auth/requirePermission';
import { AuditRunner } from './AuditRunner';
import { AuditStore } from './AuditStore';
import { auditCsvFilename, auditReportCsv } from './csv';

export interface AuditRouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  /** Records every request to start a run. */
  auditor: AuditorService;
  store: AuditStore;
  runner: AuditRunner;
}

export const DEFAULT_HISTORY_LIMIT = 50;
export const MAX_HISTORY_LIMIT = 500;

/**
 * The platform audit routes, mount under `/audit`: the reads
 * behind `ecr.audit.read`; starting a run, which sweeps AWS across every
 * configured account, behind `ecr.audit.run`, each request an auditor event.
 */
export function createAuditRouter(options: AuditRouterOptions): express.Router {
  const { httpAuth, permissions, auditor, store, runner } = options;
  const router = Router();

  const authorize = async (
    req: Request,
    permission: BasicPermission = ecrAuditReadPermission,
  ) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    await requirePermission(permissions, { permission }, credentials);
  };

  router.get('/', async (req, res) => {
    await authorize(req);
    const format = singleQueryValue(req, 'format');
    if (format !== undefined && format !== 'csv') {
      throw new InputError(
        `format must be csv, or left out for JSON; got ${JSON.stringify(
          format.slice(0, 40),
        )}`,
      );
    }
    const report: AuditReport = await store.getLatestReport();
    if (format === 'csv') {
      res
        .status(200)
        .type('text/csv; charset=utf-8')
        .attachment(auditCsvFilename(report))
        .send(auditReportCsv(report));
      return;
    }
    res.json(report);
  });

  router.get('/history', async (req, res) => {
    await authorize(req);
    const limit = historyLimit(singleQueryValue(req, 'limit'));
    const body: AuditHistory = { runs: await store.listRuns(limit) };
    res.json(body);
  });

  // Starts a run (202), or answers the one already in progress with 202 and
  // starts no other; with ?wait=true, answers 200 once the run has finished.
  // Every request is an auditor event `audit-run` (the actor from the
  // request; whether it waited, the run and its outcome), refused ones too.
  router.post('/run', async (req, res) => {
    const meta: JsonObject = { wait: req.query.wait === 'true' };
    const event = await auditor.createEvent({
      eventId: 'audit-run',
      severityLevel: 'medium',
      request: req,
      meta: { ...meta },
    });
    try {
      await authorize(req, ecrAuditRunPermission);
      const wait = singleQueryValue(req, 'wait');
      if (wait !== undefined && wait !== 'true' && wait !== 'false') {
        throw new InputError('wait must be true or false');
      }
      const started = await runner.start('manual');
      meta.runId = started.run.id;
      // False when a run already in progress was joined.
      meta.started = started.started;
      const run = wait === 'true' ? await started.done : started.run;
      const body: AuditRunResponse = { run };
      res.status(wait === 'true' ? 200 : 202).json(body);
      await event.success({
        meta: {
          ...meta,
          outcome: run.status,
          ...(run.error && { runError: run.error }),
        },
      });
    } catch (error) {
      await event.fail({ meta: { ...meta }, error: error as Error });
      throw error;
    }
  });

  return router;
}

function singleQueryValue(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new InputError(`Give ${name} once, as a plain value`);
  }
  return value;
}

function historyLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_HISTORY_LIMIT;
  const limit = Number(value);
  if (
    !/^\d{1,4}$/.test(value) ||
    !Number.isInteger(limit) ||
    limit < 1 ||
    limit > MAX_HISTORY_LIMIT
  ) {
    throw new InputError(
      `limit must be a whole number from 1 to ${MAX_HISTORY_LIMIT}`,
    );
  }
  return limit;
}
