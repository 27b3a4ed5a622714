import {
  createServer,
  IncomingMessage,
  request as httpRequest,
  Server,
  ServerResponse,
} from 'http';
import { AddressInfo } from 'net';

/**
 * What the emulator's own faults do not cover (its `notImplemented` and
 * `xml403` modes answer an HTML 500 and an XML 403):
 *
 * - `html501`: an HTML error page with HTTP 501, as a server answers an
 *   operation it says it does not implement;
 * - `reset`: the connection is dropped without an answer.
 */
export type ForeignFault = 'html501' | 'reset';

/** A proxy in front of an AWS endpoint that breaks chosen operations. */
export interface FaultProxy {
  /** Where to point the SDK clients. */
  url: string;
  /** Answers every call of `operation` (`ecr:DescribeImages`) with `fault`. */
  breakOperation(operation: string, fault: ForeignFault): void;
  /** Forwards every call again, and forgets the calls it answered. */
  heal(): void;
  /** The calls the proxy answered itself since it last healed, by operation. */
  broken(): Record<string, number>;
  stop(): Promise<void>;
}

/** The services of the JSON protocol, by their X-Amz-Target prefix. */
const TARGET_PREFIXES: Record<string, string> = {
  AmazonEC2ContainerRegistry_V20150921: 'ecr',
  CodeBuild_20161006: 'codebuild',
};

const ERROR_PAGE =
  '<html>\n<head><title>Not Implemented</title></head>\n<body><h1>Not Implemented</h1></body>\n</html>\n';

/** `ecr:DescribeImages` for a JSON call, `iam:GetRole` for a Query call. */
function operationOf(req: IncomingMessage, body: Buffer): string | undefined {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const dot = target.lastIndexOf('.');
    const service = TARGET_PREFIXES[target.slice(0, dot)];
    return service ? `${service}:${target.slice(dot + 1)}` : undefined;
  }
  const action = new URLSearchParams(body.toString('utf8')).get('Action');
  // The Query services share the protocol; the signature's scope names the service.
  const service = /Credential=[^/]*\/[^/]*\/[^/]*\/([^/]*)\//.exec(
    req.headers.authorization ?? '',
  )?.[1];
  return action && service ? `${service}:${action}` : undefined;
}

/** Starts a proxy to `target` (the emulator's URL) on a free local port. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const faults = new Map<string, ForeignFault>();
  const broken = new Map<string, number>();

  const answer = (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
  ): void => {
    const operation = operationOf(req, body);
    const fault = operation ? faults.get(operation) : undefined;
    if (operation && fault) {
      broken.set(operation, (broken.get(operation) ?? 0) + 1);
      if (fault === 'reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(501, { 'content-type': 'text/html' });
      res.end(ERROR_PAGE);
      return;
    }
    // Forwarded as signed: the Host header the signature covers is kept.
    const forwarded = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      upstreamRes => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    forwarded.on('error', () => req.socket.destroy());
    forwarded.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', () => answer(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>(resolve =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    breakOperation: (operation, fault) => faults.set(operation, fault),
    heal: () => {
      faults.clear();
      broken.clear();
    },
    broken: () => Object.fromEntries(broken),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close(error => (error ? reject(error) : resolve()));
      }),
  };
}
