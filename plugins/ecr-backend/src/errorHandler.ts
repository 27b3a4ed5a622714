import { randomBytes } from 'crypto';
import {
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { CustomErrorBase } from '@backstage/errors';
import { ErrorRequestHandler } from 'express';
import { requestBodyErrorOf } from './http/writeRequest';

/**
 * Backstage's error middleware, without stack traces in any environment, and
 * with unexpected errors replaced by a reference to the log: their messages may
 * name internal paths or AWS details, so they stay in the log. A body parser's
 * client errors (too large, not JSON…) become Backstage errors with their own
 * 4xx status.
 */
export function createErrorHandler(options: {
  config: RootConfigService;
  logger: LoggerService;
}): ErrorRequestHandler {
  const { logger } = options;
  const backstageHandler = MiddlewareFactory.create(options).error({
    showStackTraces: false,
  });
  return (error, req, res, next) => {
    const bodyError = requestBodyErrorOf(error);
    if (bodyError) {
      backstageHandler(bodyError, req, res, next);
      return;
    }
    if (error instanceof CustomErrorBase) {
      backstageHandler(error, req, res, next);
      return;
    }
    const logId = randomBytes(8).toString('hex');
    logger.error(`Unexpected error in the ECR API (logId=${logId})`, error);
    const hidden = new Error(
      `The ECR plugin failed unexpectedly; the backend log has the details under logId=${logId}`,
    );
    delete hidden.stack;
    backstageHandler(hidden, req, res, next);
  };
}
