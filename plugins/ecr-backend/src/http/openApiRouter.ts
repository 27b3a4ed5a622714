import { LoggerService } from '@backstage/backend-plugin-api';
import express, { ErrorRequestHandler, RequestHandler } from 'express';
import Router from 'express-promise-router';
import { createOpenApiRouter } from '../schema/openapi';
import { writeRequestBody } from './writeRequest';

/** The plugin's router, typed by the routes of `src/schema/openapi.yaml`. */
export type EcrRouter = Awaited<ReturnType<typeof createOpenApiRouter>>;

/** What the request validator found wrong with a request, kept for its answer. */
interface SpecCheck {
  /** The query as the client sent it, before the validator coerced it. */
  query: express.Request['query'];
  /** The write body middleware's refusal, answered once the validator is done. */
  bodyError?: unknown;
  /** The validator's objection, when the spec refuses the request. */
  violation?: string;
}

const checks = new WeakMap<express.Request, SpecCheck>();

/**
 * The router every route of the plugin is registered on: Backstage's
 * OpenAPI router (`@backstage/backend-openapi-utils`, as generated from
 * `src/schema/openapi.yaml`), which types each handler's path, query, body
 * and answer and checks every request against the spec.
 *
 * The handlers keep their own checks and answers, so that the spec never
 * changes what a client is told:
 *
 * - A write's body is read before the validator by `writeRequestBody` (4 KB,
 *   JSON only, `dryRun` only), so the validator judges the parsed body; the
 *   middleware's 400/413/415 are answered as before, with their own names and
 *   messages (the library would turn any error of its middleware into a 400).
 * - The validator coerces query values to the spec's types even when it then
 *   refuses them; each request's query is put back as the client sent it.
 * - When the validator refuses a request, the request still goes on to its
 *   route, which refuses it with its own status and message, in its own order
 *   (401 and 403 before a bad `format` or `wait`, an auditor event for a bad
 *   `dryRun`). A request the spec refuses but a route answers below 400 means
 *   the two disagree: it is logged as a warning, and the tests make sure no
 *   such request exists.
 *
 * Request validation stays on: its verdict is what the spec-agreement tests
 * compare the routes' answers with. Responses are not validated at run time
 * (the images route sends pre-encoded, possibly gzipped bytes); the tests
 * check them against the spec instead.
 */
export async function createEcrOpenApiRouter(options: {
  logger: LoggerService;
}): Promise<EcrRouter> {
  const { logger } = options;
  const writeBodies = writeRequestBody();
  const bodies = Router();
  bodies.use('/entity/:namespace/:kind/:name', (req, res, next) => {
    writeBodies(req, res, error => {
      const check = checks.get(req);
      if (error && check) check.bodyError = error;
      next();
    });
  });

  const before: RequestHandler = (req, res, next) => {
    checks.set(req, { query: structuredClone(req.query) });
    res.on('finish', () => {
      const check = checks.get(req);
      if (check?.violation && res.statusCode < 400) {
        logger.warn(
          `${req.method} ${req.baseUrl}${req.path} was answered ${res.statusCode} although the OpenAPI spec refuses it: ${check.violation}`,
        );
      }
    });
    bodies(req, res, next);
  };

  const router = await createOpenApiRouter({
    middleware: [before],
    validatorOptions: {
      validateRequests: {
        // Unknown parameters are ignored, as they always were.
        allowUnknownQueryParameters: true,
        coerceTypes: false,
      },
      // Backstage's auth barrier and the routes' httpAuth decide who may call.
      validateSecurity: false,
      validateResponses: false,
    },
  });

  // Reached only through the library's validator error transformer: note the
  // objection and let the route answer.
  const deferValidation: ErrorRequestHandler = (error, req, _res, next) => {
    const check = checks.get(req);
    if (!check) {
      next(error);
      return;
    }
    check.violation = error instanceof Error ? error.message : String(error);
    next();
  };
  const restore: RequestHandler = (req, _res, next) => {
    const check = checks.get(req);
    if (!check) {
      next();
      return;
    }
    req.query = check.query;
    next(check.bodyError);
  };
  router.use(deferValidation, restore);
  return router;
}

/** The validator's objection to a request, if it had one. */
export function specViolationOf(req: express.Request): string | undefined {
  return checks.get(req)?.violation;
}
