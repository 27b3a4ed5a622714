import { CustomErrorBase, InputError } from '@backstage/errors';
import express, { Request, RequestHandler } from 'express';

/** The largest body a write accepts: `{"dryRun": false}` is 17 bytes. */
export const MAX_WRITE_BODY_BYTES = 4096;

/** The only field a write's body may hold. */
const BODY_FIELDS = ['dryRun'];

/** `POST …/builds` may also name the source version to build. */
const BUILD_BODY_FIELDS = ['dryRun', 'sourceVersion'];

/**
 * `POST …/repository/settings` may also select the settings to change, allow
 * replacing a lifecycle policy, and name the repository.
 */
const SETTINGS_BOOLEAN_FIELDS = [
  'scanOnPush',
  'tagImmutability',
  'lifecyclePolicy',
  'replaceLifecyclePolicy',
] as const;
const SETTINGS_BODY_FIELDS = [
  'dryRun',
  ...SETTINGS_BOOLEAN_FIELDS,
  'repository',
];

/** The fields the body of a write may hold, by its path under the entity. */
function bodyFieldsOf(req: Request): string[] {
  if (/^\/builds\/?$/.test(req.path)) return BUILD_BODY_FIELDS;
  if (/^\/repository\/settings\/?$/.test(req.path)) {
    return SETTINGS_BODY_FIELDS;
  }
  return BODY_FIELDS;
}

/** 413: the request body is larger than the route accepts. */
export class PayloadTooLargeError extends CustomErrorBase {
  name = 'PayloadTooLargeError' as const;
  // A getter, so that the status is not serialized into the error body.
  get statusCode(): number {
    return 413;
  }
}

/** 415: the request body is not of a type the route accepts. */
export class UnsupportedMediaTypeError extends CustomErrorBase {
  name = 'UnsupportedMediaTypeError' as const;
  get statusCode(): number {
    return 415;
  }
}

/** Any other client error a body parser reports, with its status. */
export class RequestBodyError extends CustomErrorBase {
  name = 'RequestBodyError' as const;
  readonly #status: number;
  constructor(message: string, status: number) {
    super(message);
    this.#status = status;
  }
  get statusCode(): number {
    return this.#status;
  }
}

/**
 * The Backstage error for an error a body parser (body-parser, raw-body, or
 * anything else in the `http-errors` style: a `type`, a 4xx `status` and
 * `expose`) reports, so that it is answered with its status in Backstage's
 * error shape, never as a 500; undefined for any other error. The parser's
 * own messages are not passed on: some echo the body.
 */
export function requestBodyErrorOf(
  error: unknown,
): CustomErrorBase | undefined {
  if (error instanceof CustomErrorBase || !(error instanceof Error)) {
    return undefined;
  }
  const { type, status, statusCode, expose } = error as Error & {
    type?: unknown;
    status?: unknown;
    statusCode?: unknown;
    expose?: unknown;
  };
  const code = typeof status === 'number' ? status : statusCode;
  if (
    typeof type !== 'string' ||
    expose !== true ||
    typeof code !== 'number' ||
    code < 400 ||
    code > 499
  ) {
    return undefined;
  }
  switch (type) {
    case 'entity.too.large':
      return new PayloadTooLargeError(
        `The request body is larger than ${MAX_WRITE_BODY_BYTES} bytes; a write takes at most {"dryRun": true} or {"dryRun": false}`,
      );
    case 'entity.parse.failed':
      return new InputError('The request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new UnsupportedMediaTypeError(
        'The request body must be JSON in UTF-8',
      );
    case 'request.aborted':
      return new InputError('The request was aborted before its body ended');
    case 'request.size.invalid':
      return new InputError(
        'The request body is not as long as its Content-Length says',
      );
    default:
      if (code === 400) return new InputError('The request body was refused');
      if (code === 413) {
        return new PayloadTooLargeError('The request body is too large');
      }
      if (code === 415) {
        return new UnsupportedMediaTypeError(
          'The request body is not of a type this route accepts',
        );
      }
      return new RequestBodyError('The request body was refused', code);
  }
}

/** Whether the request carries a body: Content-Length 0 is none. */
function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && Number(length) !== 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The middleware of the write routes (`POST …/repository`, `…/push-access`,
 * `…/claim`). A request without a body is fine: everything a write needs is
 * in its path and query. A body must be `application/json` (else 415), at most
 * 4 KB (else 413), and a JSON object whose only field is `dryRun`, true or
 * false (else 400 naming what is wrong): a body is never ignored, so that
 * `{"dryRun": true}` can never make a real change. GET and HEAD requests pass
 * untouched.
 */
export function writeRequestBody(): RequestHandler {
  const parseJson = express.json({
    limit: MAX_WRITE_BODY_BYTES,
    strict: true,
    // The content type is checked before; parse whatever gets this far.
    type: () => true,
  });
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      next();
      return;
    }
    if (!hasBody(req)) {
      req.body = undefined;
      next();
      return;
    }
    if (!req.is('application/json')) {
      const type = req.headers['content-type'];
      next(
        new UnsupportedMediaTypeError(
          `A write takes no body, or a JSON body such as {"dryRun": true} sent with Content-Type application/json; got ${
            type ? JSON.stringify(type.slice(0, 100)) : 'no Content-Type'
          }`,
        ),
      );
      return;
    }
    parseJson(req, res, error => {
      if (error) {
        next(requestBodyErrorOf(error) ?? error);
        return;
      }
      try {
        checkBody(req.body, bodyFieldsOf(req));
        next();
      } catch (refusal) {
        next(refusal);
      }
    });
  };
}

function checkBody(body: unknown, fields: string[]): void {
  if (!isObject(body)) {
    throw new InputError(
      'The request body must be a JSON object such as {"dryRun": true}',
    );
  }
  const unknown = Object.keys(body).filter(key => !fields.includes(key));
  if (unknown.length > 0) {
    const shown = unknown
      .slice(0, 5)
      .map(key => JSON.stringify(key.slice(0, 50)))
      .join(', ');
    throw new InputError(
      `The request body may hold only ${fields
        .map(f => `"${f}"`)
        .join(' and ')}; unknown field${
        unknown.length > 1 ? 's' : ''
      } ${shown}${unknown.length > 5 ? ', …' : ''}`,
    );
  }
  if (body.dryRun !== undefined && typeof body.dryRun !== 'boolean') {
    throw new InputError('"dryRun" in the request body must be true or false');
  }
  for (const field of SETTINGS_BOOLEAN_FIELDS) {
    if (body[field] !== undefined && typeof body[field] !== 'boolean') {
      throw new InputError(
        `"${field}" in the request body must be true or false`,
      );
    }
  }
  if (body.repository !== undefined && typeof body.repository !== 'string') {
    throw new InputError(
      '"repository" in the request body must be one repository ARN',
    );
  }
  if (
    body.sourceVersion !== undefined &&
    typeof body.sourceVersion !== 'string'
  ) {
    throw new InputError(
      '"sourceVersion" in the request body must be a string: a commit, branch or tag',
    );
  }
}

/**
 * The source version `POST …/builds` names in its body, if any (checked by
 * `writeRequestBody` to be a string).
 */
export function sourceVersionOf(req: Request): string | undefined {
  const body: unknown = req.body;
  const value = isObject(body) ? body.sourceVersion : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * What `POST …/repository/settings` asks for in its body (checked by
 * `writeRequestBody`): the settings selected (`true`), or all three when the
 * body selects none; whether an existing lifecycle policy may be replaced;
 * the repository ARN, if named.
 */
export function settingsRequestOf(req: Request): {
  settings: Array<'scanOnPush' | 'tagImmutability' | 'lifecyclePolicy'>;
  replaceLifecyclePolicy: boolean;
  repository?: string;
} {
  const body: Record<string, unknown> = isObject(req.body) ? req.body : {};
  const names = ['scanOnPush', 'tagImmutability', 'lifecyclePolicy'] as const;
  const named = names.filter(name => body[name] !== undefined);
  const settings =
    named.length === 0 ? [...names] : named.filter(name => body[name] === true);
  if (named.length > 0 && settings.length === 0) {
    throw new InputError(
      'The request body turns every setting off: select at least one of "scanOnPush", "tagImmutability" and "lifecyclePolicy" with true, or leave them all out for all three',
    );
  }
  return {
    settings,
    replaceLifecyclePolicy: body.replaceLifecyclePolicy === true,
    ...(typeof body.repository === 'string' && { repository: body.repository }),
  };
}

/**
 * Whether a write is a dry run: `?dryRun=true` or `false`, or `"dryRun"` in
 * the JSON body; absent means false. When both are given they must agree
 * (else 400): a request that says two things does nothing.
 */
export function dryRunOf(req: Request): boolean {
  const queried = req.query.dryRun;
  let fromQuery: boolean | undefined;
  if (queried === 'true') fromQuery = true;
  else if (queried === 'false') fromQuery = false;
  else if (queried !== undefined) {
    throw new InputError('dryRun must be true or false');
  }
  const body: unknown = req.body;
  const inBody = isObject(body) ? body.dryRun : undefined;
  if (inBody !== undefined && typeof inBody !== 'boolean') {
    throw new InputError('"dryRun" in the request body must be true or false');
  }
  if (fromQuery !== undefined && inBody !== undefined && fromQuery !== inBody) {
    throw new InputError(
      `?dryRun=${fromQuery} and "dryRun": ${inBody} in the request body disagree; give dryRun once, or the same in both`,
    );
  }
  return fromQuery ?? inBody ?? false;
}
