import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  AuditHistory,
  AuditReport,
  AuditRunResponse,
  ecrAuditReadPermission,
} from '@backstage-ecr/plugin-ecr-common';
import { InputError } from '@backstage/errors';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { requirePermission } from '../auth/requirePermission';
import { AuditRunner } from './AuditRunner';
import { AuditStore } from './AuditStore';
import { auditCsvFilename, auditReportCsv } from './csv';

export interface AuditRouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  store: AuditStore;
  runner: AuditRunner;
}

export const DEFAULT_HISTORY_LIMIT = 50;
export const MAX_HISTORY_LIMIT = 500;

/**
 * The platform audit routes (DESIGN §5), each behind `ecr.audit.read`; mount
 * under `/audit`.
 */
export function createAuditRouter(options: AuditRouterOptions): express.Router {
  const { httpAuth, permissions, store, runner } = options;
  const router = Router();

  const authorize = async (req: Request) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    await requirePermission(
      permissions,
      { permission: ecrAuditReadPermission },
      credentials,
    );
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
  router.post('/run', async (req, res) => {
    await authorize(req);
    const wait = singleQueryValue(req, 'wait');
    if (wait !== undefined && wait !== 'true' && wait !== 'false') {
      throw new InputError('wait must be true or false');
    }
    const started = await runner.start('manual');
    if (wait === 'true') {
      const body: AuditRunResponse = { run: await started.done };
      res.status(200).json(body);
      return;
    }
    const body: AuditRunResponse = { run: started.run };
    res.status(202).json(body);
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
