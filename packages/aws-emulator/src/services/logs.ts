import { parseArn } from '../arn';
import { AwsError, coralValidationMessage, jsonDialect } from '../errors';
import { Operation, OperationContext, ServiceDefinition } from '../operations';
import { paginate } from '../pagination';
import { shape } from '../shapes';
import { LogGroup, LogStream, registryOf } from '../state';

/**
 * Amazon CloudWatch Logs (API 2014-03-28, awsJson1_1): reading the log streams CodeBuild's
 * builds write (`/aws/codebuild/<project>`, one stream per build named after its uuid).
 * Authorized on the log stream ARN (GetLogEvents) and on the group's streams
 * (`…:log-group:<name>:log-stream:`, DescribeLogStreams), as AWS names them when it denies.
 */

const logGroupName = shape.string({
  min: 1,
  max: 512,
  pattern: '[\\.\\-_/#A-Za-z0-9]+',
});
const logGroupIdentifier = shape.string({
  min: 1,
  max: 2048,
  pattern: '[\\w#+=/:,.@-]*',
});
const logStreamName = shape.string({ min: 1, max: 512, pattern: '[^:*]*' });
const nextToken = shape.string({ min: 1 });
const DEFAULT_EVENTS = 10000;
const DEFAULT_STREAMS = 50;
/** GetLogEvents answers at most 1 MB of events. */
const MAX_EVENT_BYTES = 1_048_576;

function invalidParameter(message: string) {
  return new AwsError('InvalidParameterException', message, { status: 400 });
}

function notFound(message: string) {
  return new AwsError('ResourceNotFoundException', message, { status: 400 });
}

/** The log group a request names, by `logGroupName` or `logGroupIdentifier` (name or ARN). */
function groupRef(input: Record<string, any>, ctx: OperationContext) {
  if (
    input.logGroupName !== undefined &&
    input.logGroupIdentifier !== undefined
  ) {
    throw invalidParameter(
      'LogGroup name and LogGroup ARN are mutually exclusive parameters.',
    );
  }
  let account = ctx.account.id;
  let region = ctx.region;
  let name: string | undefined = input.logGroupName;
  const identifier: string | undefined = input.logGroupIdentifier;
  if (identifier !== undefined) {
    const parsed = parseArn(identifier);
    if (parsed) {
      if (
        parsed.service !== 'logs' ||
        !parsed.resource.startsWith('log-group:')
      ) {
        throw invalidParameter('Invalid log group identifier');
      }
      account = parsed.account;
      region = parsed.region;
      name = parsed.resource.slice('log-group:'.length).replace(/:\*$/, '');
    } else {
      name = identifier;
    }
  }
  if (name === undefined) {
    throw invalidParameter(
      'Should provide either a LogGroup name or a LogGroup ARN.',
    );
  }
  return {
    account,
    region,
    name,
    arn: `arn:aws:logs:${region}:${account}:log-group:${name}`,
  };
}

function findGroup(
  ctx: OperationContext,
  ref: ReturnType<typeof groupRef>,
): LogGroup {
  const account = ctx.state.accounts.get(ref.account);
  const group = account
    ? registryOf(account, ref.region).logGroups.get(ref.name)
    : undefined;
  if (!group) throw notFound('The specified log group does not exist.');
  return group;
}

/**
 * GetLogEvents' tokens name a position in the stream's (time-filtered) events: `f/<n>` reads
 * forward from event n, `b/<n>` backward from before event n. Like AWS's, they are 56 digits.
 */
function positionToken(direction: 'f' | 'b', position: number): string {
  return `${direction}/${String(position).padStart(56, '0')}`;
}

function readPositionToken(
  token: string,
): { direction: 'f' | 'b'; position: number } | undefined {
  const match = /^([fb])\/(\d{56})$/.exec(token);
  if (!match) return undefined;
  return { direction: match[1] as 'f' | 'b', position: Number(match[2]) };
}

function streamOutput(stream: LogStream, ref: { arn: string }) {
  const first = stream.events[0];
  const last = stream.events.at(-1);
  return {
    logStreamName: stream.name,
    creationTime: stream.createdAt.getTime(),
    firstEventTimestamp: first?.timestamp,
    lastEventTimestamp: last?.timestamp,
    lastIngestionTime: last?.ingestionTime,
    arn: `${ref.arn}:log-stream:${stream.name}`,
    storedBytes: 0,
  };
}

const operations: Record<string, Operation> = {
  GetLogEvents: {
    input: shape.structure(
      {
        logGroupName,
        logGroupIdentifier,
        logStreamName,
        startTime: shape.long({ min: 0 }),
        endTime: shape.long({ min: 0 }),
        nextToken,
        limit: shape.integer({ min: 1, max: 10000 }),
        startFromHead: shape.boolean(),
        unmask: shape.boolean(),
      },
      ['logStreamName'],
    ),
    resources: (input, ctx) => {
      const ref = groupRef(input, ctx);
      return {
        resource: `${ref.arn}:log-stream:${input.logStreamName}`,
        resourceAccountId: ref.account,
      };
    },
    handler(input, ctx) {
      const ref = groupRef(input, ctx);
      const group = findGroup(ctx, ref);
      const stream = group.streams.get(input.logStreamName);
      if (!stream) throw notFound('The specified log stream does not exist.');
      const events = stream.events.filter(
        e =>
          (input.startTime === undefined || e.timestamp >= input.startTime) &&
          (input.endTime === undefined || e.timestamp < input.endTime),
      );
      const limit: number = input.limit ?? DEFAULT_EVENTS;
      let direction: 'f' | 'b' = input.startFromHead ? 'f' : 'b';
      let position = input.startFromHead ? 0 : events.length;
      if (input.nextToken !== undefined) {
        const token = readPositionToken(input.nextToken);
        if (!token || token.position > events.length) {
          throw invalidParameter('The specified nextToken is invalid.');
        }
        direction = token.direction;
        position = token.position;
      }
      // The window [from, to): forward from the position, or backward to it.
      let from: number;
      let to: number;
      if (direction === 'f') {
        from = position;
        to = Math.min(events.length, position + limit);
        let bytes = 0;
        for (let i = from; i < to; i++) {
          bytes += Buffer.byteLength(events[i].message) + 26;
          if (bytes > MAX_EVENT_BYTES) {
            to = Math.max(from + 1, i);
            break;
          }
        }
      } else {
        to = position;
        from = Math.max(0, position - limit);
      }
      return {
        events: events.slice(from, to).map(e => ({
          timestamp: e.timestamp,
          message: e.message,
          ingestionTime: e.ingestionTime,
        })),
        // At either end, AWS hands back the token it was given: the caller stops on a repeat.
        nextForwardToken: positionToken('f', to),
        nextBackwardToken: positionToken('b', from),
      };
    },
  },

  DescribeLogStreams: {
    input: shape.structure({
      logGroupName,
      logGroupIdentifier,
      logStreamNamePrefix: logStreamName,
      orderBy: shape.string({ enum: ['LogStreamName', 'LastEventTime'] }),
      descending: shape.boolean(),
      nextToken,
      limit: shape.integer({ min: 1, max: 50 }),
    }),
    // AWS names the group's streams, `…:log-group:<name>:log-stream:`, in its AccessDenied
    // text: a `log-group:<name>:*` resource covers it.
    resources: (input, ctx) => {
      const ref = groupRef(input, ctx);
      return {
        resource: `${ref.arn}:log-stream:`,
        resourceAccountId: ref.account,
      };
    },
    handler(input, ctx) {
      const ref = groupRef(input, ctx);
      const orderBy: string = input.orderBy ?? 'LogStreamName';
      if (
        orderBy === 'LastEventTime' &&
        input.logStreamNamePrefix !== undefined
      ) {
        throw invalidParameter(
          'Cannot order by LastEventTime with a logStreamNamePrefix.',
        );
      }
      const group = findGroup(ctx, ref);
      const prefix: string = input.logStreamNamePrefix ?? '';
      const streams = [...group.streams.values()].filter(s =>
        s.name.startsWith(prefix),
      );
      const lastEvent = (s: LogStream) => s.events.at(-1)?.timestamp ?? 0;
      const byName = (a: LogStream, b: LogStream) => {
        if (a.name === b.name) return 0;
        return a.name < b.name ? -1 : 1;
      };
      streams.sort((a, b) =>
        orderBy === 'LastEventTime'
          ? lastEvent(a) - lastEvent(b) || byName(a, b)
          : byName(a, b),
      );
      if (input.descending) streams.reverse();
      const page = paginate(
        streams,
        {
          token: input.nextToken,
          max: input.limit,
          defaultMax: DEFAULT_STREAMS,
          scope: `DescribeLogStreams\u0000${
            ref.arn
          }\u0000${orderBy}\u0000${!!input.descending}\u0000${prefix}`,
        },
        () => invalidParameter('The specified nextToken is invalid.'),
      );
      return {
        logStreams: page.items.map(s => streamOutput(s, ref)),
        nextToken: page.next,
      };
    },
  },
};

export const logsService: ServiceDefinition = {
  name: 'logs',
  protocol: 'json',
  targetPrefix: 'Logs_20140328',
  errors: jsonDialect(
    violations =>
      new AwsError(
        'InvalidParameterException',
        coralValidationMessage(violations),
        { status: 400 },
      ),
    { code: 'ServiceUnavailableException', status: 500 },
  ),
  operations,
};
