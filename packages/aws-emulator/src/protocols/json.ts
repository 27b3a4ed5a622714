import { AwsError, ErrorSpec } from '../errors';

/**
 * The awsJson1_1 protocol (ECR, CodeBuild): a JSON body in, a JSON body out, the operation
 * named by `X-Amz-Target`. Timestamps travel as epoch seconds (numbers) and blobs as base64.
 */
export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** Parses a request body; an empty body means an empty input structure. */
export function decodeJsonBody(
  body: Buffer,
  serialization: ErrorSpec,
): unknown {
  const text = body.toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AwsError(
      serialization.code,
      'Unexpected character in request body',
      {
        status: serialization.status,
      },
    );
  }
}

/**
 * An output already encoded as JSON bytes. Large listings assemble their answer from cached
 * per-item fragments, which keeps 1,000-item pages cheap: no serialization and no UTF-8
 * encoding of a large string per request.
 */
export class RawJson {
  constructor(readonly body: Buffer) {}
}

const COMMA = Buffer.from(',');

/** Builds `{"<listKey>":[…fragments],"nextToken":…}` from pre-encoded list items. */
export function jsonListPage(
  listKey: string,
  fragments: Buffer[],
  nextToken: string | undefined,
): RawJson {
  const parts: Buffer[] = [Buffer.from(`{${JSON.stringify(listKey)}:[`)];
  fragments.forEach((fragment, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(fragment);
  });
  const next =
    nextToken === undefined ? '' : `,"nextToken":${JSON.stringify(nextToken)}`;
  parts.push(Buffer.from(`]${next}}`));
  return new RawJson(Buffer.concat(parts));
}

/** Maps Dates, Buffers and Maps to their wire forms and drops undefined members. */
function toWire(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (Buffer.isBuffer(value)) return value.toString('base64');
  const source =
    value instanceof Map
      ? Object.fromEntries(value)
      : (value as Record<string, unknown>);
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    const member = source[key];
    if (member !== undefined) result[key] = toWire(member);
  }
  return result;
}

/**
 * Serializes an operation's output. Converting first and then calling JSON.stringify without
 * a replacer is about twice as fast on 1,000-image pages as a replacer function.
 */
export function encodeJson(value: unknown): string | Buffer {
  if (value instanceof RawJson) return value.body;
  return JSON.stringify(toWire(value ?? {}));
}

export function encodeJsonError(error: AwsError): {
  body: string;
  headers: Record<string, string>;
} {
  return {
    body: JSON.stringify(
      toWire({ __type: error.code, message: error.message, ...error.fields }),
    ),
    headers: { 'x-amzn-ErrorType': error.code },
  };
}
