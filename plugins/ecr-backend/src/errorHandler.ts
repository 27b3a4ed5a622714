import { randomBytes } from 'crypto';
import {
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { CustomErrorBase } from '@backstage/errors';
import { ErrorRequestHandler } from 'express';

/**
 * Backstage's error middleware, without stack traces in any environment, and
 * with unexpected errors replaced by a reference to the log: their messages may
 * name internal paths or AWS details, so they stay in the log.
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
