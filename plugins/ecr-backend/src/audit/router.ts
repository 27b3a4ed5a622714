import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  AuditHistory,
  AuditReport,
  AuditRunResponse,
  AuditSummary,
  ecrAuditReadPermission,
  ecrAuditRunPermission,
} from '@backstage-ecr/plugin-ecr-common';
import { BasicPermission } from '@backstage/plugin-permission-common';
import { InputError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import { Request, Response } from 'express';
import { requirePermission } from '../auth/requirePermission';
import { EcrRouter } from '../http/openApiRouter';
import { AuditSummary as SpecAuditSummary } from '../schema/openapi/generated/models';
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
 * The platform audit routes, `/audit…`: the reads behind `ecr.audit.read`;
 * starting a run, which sweeps AWS across every configured account, behind
 * `ecr.audit.run`, each request an auditor event.
 */
export function registerAuditRoutes(
  router: EcrRouter,
  options: AuditRouterOptions,
): void {
  const { httpAuth, permissions, auditor, store, runner } = options;

  const authorize = async (
    req: Request,
    permission: BasicPermission = ecrAuditReadPermission,
  ) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    await requirePermission(permissions, { permission }, credentials);
  };

  router.get('/audit', async (req, res) => {
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
      sendCsv(res, report);
      return;
    }
    res.json(asSpecAnswer(report));
  });

  router.get('/audit/history', async (req, res) => {
    await authorize(req);
    const limit = historyLimit(singleQueryValue(req, 'limit'));
    const body: AuditHistory = { runs: await store.listRuns(limit) };
    res.json(asSpecAnswer(body));
  });

  // Starts a run (202), or answers the one already in progress with 202 and
  // starts no other; with ?wait=true, answers 200 once the run has finished.
  // Every request is an auditor event `audit-run` (the actor from the
  // request; whether it waited, the run and its outcome), refused ones too.
  router.post('/audit/run', async (req, res) => {
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
      res.status(wait === 'true' ? 200 : 202).json(asSpecAnswer(body));
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
}

/** `T` with every run summary typed as the spec types it. */
type WithSpecSummaries<T> = T extends string | number | boolean
  ? T
  : T extends AuditSummary
  ? SpecAuditSummary
  : T extends object
  ? { [K in keyof T]: WithSpecSummaries<T[K]> }
  : T;

/**
 * An audit answer as the spec types it. ecr-common's per-check counts are
 * `Partial<Record<check id, number>>`, whose values TypeScript reads as
 * possibly `undefined`; the counts a run holds never are (and JSON has no
 * undefined), so the spec types them as plain numbers. Only the summaries
 * are retyped: the rest of the answer must match the spec's types as it is.
 */
function asSpecAnswer<T>(value: T): WithSpecSummaries<T> {
  return value as WithSpecSummaries<T>;
}

/** The report as CSV, the one answer of the API that is not JSON. */
function sendCsv(res: Response, report: AuditReport): void {
  res
    .status(200)
    .type('text/csv; charset=utf-8')
    .attachment(auditCsvFilename(report))
    .send(auditReportCsv(report));
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
