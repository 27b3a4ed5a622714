import { randomUUID } from 'crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { performance } from 'perf_hooks';
import { handleAdmin } from './admin';
import { Traffic } from './traffic';
import {
  parsePolicyCached,
  principalContext,
  Principal,
  resolvePrincipal,
} from './auth/principals';
import {
  headerValue,
  parseAuthorization,
  SignedRequest,
  verifySignature,
} from './auth/sigv4';
import { AwsError, errorFrom } from './errors';
import { FaultInjector } from './faults';
import { decideAccess } from './iam/evaluator';
import {
  AuthorizeOptions,
  OperationContext,
  ServiceDefinition,
} from './operations';
import {
  decodeJsonBody,
  encodeJson,
  encodeJsonError,
  JSON_CONTENT_TYPE,
  RawJson,
} from './protocols/json';
import {
  decodeQueryParams,
  encodeQueryError,
  encodeQueryResult,
  XML_CONTENT_TYPE,
} from './protocols/query';
import { codebuildService } from './services/codebuild';
import { ecrService } from './services/ecr';
import { iamService } from './services/iam';
import { logsService } from './services/logs';
import { stsService } from './services/sts';
import { taggingService } from './services/tagging';
import { readInput, ShapeTypeError } from './shapes';
import { EmulatorState, PrincipalRef } from './state';

/**
 * The HTTP front: one port for all six services. A request is routed by `X-Amz-Target`
 * (JSON services) or by its SigV4 scope / Query `Version` (Query services), counted, delayed,
 * authenticated, possibly faulted, validated, authorized, and handed to its operation.
 */

export const SERVICES: ServiceDefinition[] = [
  ecrService,
  codebuildService,
  logsService,
  iamService,
  stsService,
  taggingService,
];

const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** The running server's mutable parts, shared with the admin endpoint. */
export interface EmulatorRuntime {
  state: EmulatorState;
  faults: FaultInjector;
  calls: Map<string, number>;
  /** Calls in flight, their peak, and the faults answered, since start or the last reset. */
  traffic: Traffic;
  /** Builds a fresh state from the seed; used at start and by the admin reset. */
  loadState: () => EmulatorState;
  log?: (line: string) => void;
  /** How long a CodeBuild build stays IN_PROGRESS. */
  buildDurationMs: number;
  /** Pending background work (builds in progress); cleared on stop and reset. */
  timers: Set<NodeJS.Timeout>;
}

/** Cancels the builds in progress (their timers). */
export function cancelBackground(runtime: EmulatorRuntime): void {
  for (const timer of runtime.timers) clearTimeout(timer);
  runtime.timers.clear();
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(
          new AwsError('RequestEntityTooLarge', 'Request body too large', {
            status: 413,
          }),
        );
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function pairs(raw: string[]): Array<[string, string]> {
  const result: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) result.push([raw[i], raw[i + 1]]);
  return result;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

interface Routed {
  service: ServiceDefinition;
  operation: string;
  /** Query services: the decoded parameters. */
  query?: Record<string, unknown>;
}

/** A routing failure still needs a protocol to be answered in. */
class RoutingError extends Error {
  constructor(
    readonly service: ServiceDefinition,
    readonly error: AwsError,
    readonly operation?: string,
  ) {
    super(error.message);
  }
}

function route(
  method: string,
  url: URL,
  headers: Array<[string, string]>,
  body: Buffer,
): Routed {
  const target = headerValue(headers, 'x-amz-target');
  if (target) {
    const dot = target.lastIndexOf('.');
    const prefix = target.slice(0, dot);
    const operation = target.slice(dot + 1);
    const service = SERVICES.find(s => s.targetPrefix === prefix) ?? ecrService;
    if (
      dot < 0 ||
      service.targetPrefix !== prefix ||
      !service.operations[operation]
    ) {
      throw new RoutingError(
        service,
        errorFrom(service.errors.unknownOperation, ''),
        service.targetPrefix === prefix ? operation : undefined,
      );
    }
    return { service, operation };
  }

  const contentType = headerValue(headers, 'content-type') ?? '';
  const formBody =
    method !== 'GET' &&
    contentType.startsWith('application/x-www-form-urlencoded');
  const search = formBody
    ? new URLSearchParams(body.toString('utf8'))
    : url.searchParams;
  const decoded = decodeQueryParams(search);
  const auth = headerValue(headers, 'authorization');
  const scopeService = auth
    ? /Credential=[^/]*\/[^/]*\/[^/]*\/([^/]*)\//.exec(auth)?.[1]
    : undefined;
  const service =
    SERVICES.find(s => s.protocol === 'query' && s.name === scopeService) ??
    SERVICES.find(
      s => s.protocol === 'query' && s.version === decoded.version,
    ) ??
    iamService;
  if (!decoded.action) {
    throw new RoutingError(
      service,
      new AwsError('MissingAction', 'Missing Action', { status: 400 }),
    );
  }
  if (!service.operations[decoded.action]) {
    throw new RoutingError(
      service,
      errorFrom(
        service.errors.unknownOperation,
        `Could not find operation ${decoded.action} for version ${
          decoded.version ?? service.version
        }`,
      ),
      decoded.action,
    );
  }
  return { service, operation: decoded.action, query: decoded.params };
}

function authenticate(
  runtime: EmulatorRuntime,
  service: ServiceDefinition,
  request: SignedRequest,
  now: Date,
): { principal: Principal; region: string } {
  const errors = service.errors;
  const header = headerValue(request.headers, 'authorization');
  if (!header) {
    throw errorFrom(
      errors.missingAuthentication,
      service.protocol === 'json'
        ? 'Missing Authentication Token'
        : 'Request is missing Authentication Token',
    );
  }
  const auth = parseAuthorization(header);
  if (typeof auth === 'string')
    throw errorFrom(errors.incompleteSignature, auth);
  const invalidToken = () =>
    errorFrom(
      errors.unrecognizedClient,
      'The security token included in the request is invalid.',
    );
  const key = runtime.state.accessKeys.get(auth.accessKeyId);
  if (!key) throw invalidToken();
  const token = headerValue(request.headers, 'x-amz-security-token');
  if (key.sessionToken !== undefined || token !== undefined) {
    if (token !== key.sessionToken) throw invalidToken();
    if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) {
      throw errorFrom(
        errors.expiredToken,
        'The security token included in the request is expired',
      );
    }
  }
  const verified = verifySignature(
    request,
    auth,
    key.secretAccessKey,
    service.name,
    now,
  );
  if (!verified.ok) {
    throw errorFrom(
      verified.reason === 'incomplete'
        ? errors.incompleteSignature
        : errors.invalidSignature,
      verified.message,
    );
  }
  const principal = resolvePrincipal(runtime.state, key.principal);
  if (!principal) throw invalidToken();
  return { principal, region: auth.region };
}

function accessDeniedMessage(
  principal: Principal,
  action: string,
  resource: string,
  explicit: boolean,
): string {
  // The wording of the ECR setup guide; AWS adds "with an explicit deny" for explicit denials.
  return `User: ${
    principal.arn
  } is not authorized to perform: ${action} on resource: ${resource}${
    explicit ? ' with an explicit deny' : ''
  }`;
}

function makeContext(
  runtime: EmulatorRuntime,
  service: ServiceDefinition,
  principal: Principal,
  region: string,
  requestId: string,
  now: Date,
): OperationContext {
  const conditionContext = principalContext(principal, region, now);
  return {
    state: runtime.state,
    principal,
    account: runtime.state.accounts.get(principal.accountId)!,
    region,
    requestId,
    now,
    service,
    conditionContext,
    background: {
      buildDurationMs: runtime.buildDurationMs,
      schedule(fn, ms) {
        const timer = setTimeout(() => {
          runtime.timers.delete(timer);
          try {
            fn();
          } catch (e) {
            runtime.log?.(
              `internal error in background work: ${(e as Error).stack ?? e}`,
            );
          }
        }, ms);
        timer.unref();
        runtime.timers.add(timer);
      },
      call: (ref, callRegion, serviceName, operation, input) =>
        callAs(runtime, ref, callRegion, serviceName, operation, input),
    },
    authorize(
      action: string,
      resource: string,
      options: AuthorizeOptions = {},
    ) {
      let resourcePolicy;
      if (options.resourcePolicy) {
        try {
          resourcePolicy = {
            id: 'ResourcePolicy',
            type: 'resource' as const,
            policy: parsePolicyCached(options.resourcePolicy, 'resource'),
          };
        } catch {
          // A resource policy the emulator cannot read grants nothing.
        }
      }
      const evaluation = decideAccess({
        action,
        resource,
        principal: principal.info,
        isRoot: principal.kind === 'root',
        identityPolicies: principal.identityPolicies,
        sessionPolicies: principal.sessionPolicies,
        permissionsBoundary: principal.permissionsBoundary,
        serviceControlPolicies: principal.serviceControlPolicies,
        resourcePolicy,
        resourceAccountId: options.resourceAccountId,
        context: conditionContext,
      });
      if (evaluation.decision !== 'allowed') {
        throw errorFrom(
          service.errors.accessDenied,
          accessDeniedMessage(
            principal,
            action,
            resource,
            evaluation.decision === 'explicitDeny',
          ),
        );
      }
    },
  };
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string>,
) {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    // The SDKs correct their clock from this when a signature is refused as expired.
    Date: new Date().toUTCString(),
    ...headers,
  });
  res.end(body);
}

function sendError(
  res: ServerResponse,
  service: ServiceDefinition,
  error: AwsError,
  requestId: string,
) {
  const headers = { 'x-amzn-RequestId': requestId, ...error.headers };
  if (service.protocol === 'json') {
    const encoded = encodeJsonError(error);
    send(res, error.status, JSON_CONTENT_TYPE, encoded.body, {
      ...headers,
      ...encoded.headers,
    });
  } else {
    send(
      res,
      error.status,
      XML_CONTENT_TYPE,
      encodeQueryError(error, service.xmlNamespace!, requestId),
      headers,
    );
  }
}

/** What a server that lacks an operation answers in the `notImplemented` fault mode. */
const NOT_IMPLEMENTED_PAGE =
  '<html>\n<head><title>500 Internal Server Error</title></head>\n' +
  '<body>\n<h1>Internal Server Error</h1>\n' +
  '<p>The server cannot process this request.</p>\n</body>\n</html>\n';

/** What a proxy denying the call answers in the `xml403` fault mode, whatever the protocol. */
function forbiddenXml(requestId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>' +
    '<Message>Access Denied</Message></Error>' +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

function applyFault(
  runtime: EmulatorRuntime,
  service: ServiceDefinition,
  key: string,
) {
  const fault = runtime.faults.decide(key);
  if (fault === 'throttle') {
    runtime.traffic.throttled++;
    throw errorFrom(service.errors.throttling, 'Rate exceeded');
  }
  if (fault === 'error') {
    runtime.traffic.serverErrors++;
    throw errorFrom(
      service.errors.serverError,
      'We encountered an internal error. Please try again.',
    );
  }
}

/** Validates the input, authorizes the operation on its resources and runs it. */
function execute(
  runtime: EmulatorRuntime,
  service: ServiceDefinition,
  operation: string,
  principal: Principal,
  region: string,
  raw: unknown,
  requestId: string,
  now: Date,
) {
  const key = `${service.name}:${operation}`;
  const op = service.operations[operation];
  let input: Record<string, any>;
  try {
    const read = readInput(
      op.input,
      raw,
      service.protocol === 'json' ? 'json' : 'query',
    );
    if (read.violations.length > 0)
      throw service.errors.validation(read.violations);
    input = read.value;
  } catch (e) {
    if (e instanceof ShapeTypeError) {
      throw errorFrom(service.errors.serialization, e.message);
    }
    throw e;
  }

  const ctx = makeContext(runtime, service, principal, region, requestId, now);
  if (op.resources) {
    const action = service.actionPrefix
      ? `${service.actionPrefix}:${operation}`
      : key;
    const targets = op.resources(input, ctx);
    for (const target of Array.isArray(targets) ? targets : [targets]) {
      if (typeof target === 'string') ctx.authorize(action, target);
      else ctx.authorize(action, target.resource, target);
    }
  }
  return op.handler(input, ctx);
}

/**
 * A call the emulator makes on behalf of a principal (a build's role session): counted and
 * faulted like a request, then validated, authorized and run the same way. The answer is the
 * decoded output; errors are thrown as the AwsError the principal would have received.
 */
function callAs(
  runtime: EmulatorRuntime,
  ref: PrincipalRef,
  region: string,
  serviceName: string,
  operation: string,
  input: Record<string, unknown>,
): Record<string, any> {
  const service = SERVICES.find(s => s.name === serviceName);
  if (!service?.operations[operation]) {
    throw new Error(`no operation ${serviceName}:${operation}`);
  }
  const key = `${service.name}:${operation}`;
  count(runtime, key);
  const principal = resolvePrincipal(runtime.state, ref);
  if (!principal) {
    throw errorFrom(
      service.errors.unrecognizedClient,
      'The security token included in the request is invalid.',
    );
  }
  applyFault(runtime, service, key);
  const output = execute(
    runtime,
    service,
    operation,
    principal,
    region,
    input,
    randomUUID(),
    new Date(),
  );
  if (output instanceof RawJson) {
    return JSON.parse(output.body.toString('utf8'));
  }
  return (output ?? {}) as Record<string, any>;
}

async function handleAws(
  runtime: EmulatorRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
) {
  const requestId = randomUUID();
  const headers = pairs(req.rawHeaders);
  const method = req.method ?? 'POST';
  let routed: Routed;
  try {
    routed = route(method, url, headers, body);
  } catch (e) {
    if (e instanceof RoutingError) {
      count(runtime, `${e.service.name}:${e.operation ?? 'Unknown'}`);
      sendError(res, e.service, e.error, requestId);
      return;
    }
    throw e;
  }
  const { service, operation } = routed;
  const key = `${service.name}:${operation}`;
  count(runtime, key);
  const { traffic } = runtime;
  traffic.inFlight++;
  traffic.peakInFlight = Math.max(traffic.peakInFlight, traffic.inFlight);
  const started = performance.now();
  let status = 200;
  try {
    const latency = runtime.faults.latencyFor(key);
    if (latency > 0) await sleep(latency);
    const foreign = runtime.faults.foreignAnswer(key);
    if (foreign === 'notImplemented') {
      traffic.serverErrors++;
      status = 500;
      send(res, 500, 'text/html; charset=utf-8', NOT_IMPLEMENTED_PAGE, {});
      return;
    }
    if (foreign === 'xml403') {
      status = 403;
      send(res, 403, XML_CONTENT_TYPE, forbiddenXml(requestId), {});
      return;
    }
    const now = new Date();
    const { principal, region } = authenticate(
      runtime,
      service,
      {
        method,
        path: url.pathname,
        query: url.search.replace(/^\?/, ''),
        headers,
        body,
      },
      now,
    );

    applyFault(runtime, service, key);

    let raw: unknown;
    if (service.protocol === 'json') {
      raw = decodeJsonBody(body, service.errors.serialization);
    } else {
      raw = routed.query;
    }
    const output = execute(
      runtime,
      service,
      operation,
      principal,
      region,
      raw,
      requestId,
      now,
    );
    if (service.protocol === 'json') {
      send(res, 200, JSON_CONTENT_TYPE, encodeJson(output ?? {}), {
        'x-amzn-RequestId': requestId,
      });
    } else {
      if (output instanceof RawJson)
        throw new Error('Query operations cannot answer raw JSON');
      send(
        res,
        200,
        XML_CONTENT_TYPE,
        encodeQueryResult(operation, output, service.xmlNamespace!, requestId),
        { 'x-amzn-RequestId': requestId },
      );
    }
  } catch (e) {
    let error: AwsError;
    if (e instanceof AwsError) {
      error = e;
    } else {
      runtime.log?.(`internal error in ${key}: ${(e as Error).stack ?? e}`);
      error = errorFrom(
        service.errors.serverError,
        `Internal error: ${(e as Error).message}`,
      );
    }
    status = error.status;
    sendError(res, service, error, requestId);
  } finally {
    traffic.inFlight--;
    runtime.log?.(
      `${key} ${status} ${(performance.now() - started).toFixed(1)}ms`,
    );
  }
}

function count(runtime: EmulatorRuntime, key: string) {
  runtime.calls.set(key, (runtime.calls.get(key) ?? 0) + 1);
}

export function createEmulatorServer(runtime: EmulatorRuntime): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator.local');
    readBody(req)
      .then(async body => {
        if (
          url.pathname.startsWith('/_emulator/') ||
          url.pathname === '/_emulator'
        ) {
          handleAdmin(runtime, req.method ?? 'GET', url, body, res);
          return;
        }
        await handleAws(runtime, req, res, url, body);
      })
      .catch((e: Error) => {
        if (!res.headersSent) {
          const status = e instanceof AwsError ? e.status : 500;
          res.writeHead(status, { 'Content-Type': 'text/plain' });
          res.end(e.message);
        }
      });
  });
}
