import { AwsError } from '../errors';

/**
 * The awsQuery protocol (IAM, STS): form-encoded parameters in, XML out. Nested members are
 * flattened into dotted keys (`Tags.member.1.Key`); answers wrap the output in
 * `<OpResponse><OpResult>` with a `ResponseMetadata/RequestId`, and errors in `<ErrorResponse>`.
 */
export const XML_CONTENT_TYPE = 'text/xml';

export interface QueryRequest {
  action?: string;
  version?: string;
  /** The remaining parameters as a tree: `A.member.1.B=x` becomes `{A:{member:{1:{B:'x'}}}}`. */
  params: Record<string, unknown>;
}

export function decodeQueryParams(search: URLSearchParams): QueryRequest {
  const params: Record<string, unknown> = {};
  let action: string | undefined;
  let version: string | undefined;
  for (const [key, value] of search) {
    if (key === 'Action') {
      action = value;
      continue;
    }
    if (key === 'Version') {
      version = value;
      continue;
    }
    const parts = key.split('.');
    let node: Record<string, unknown> = params;
    for (let i = 0; i < parts.length - 1; i++) {
      const existing = node[parts[i]];
      if (typeof existing !== 'object' || existing === null) {
        node[parts[i]] = {};
      }
      node = node[parts[i]] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = value;
  }
  return { action, version, params };
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** ISO-8601 as IAM and STS print it: seconds precision unless there are milliseconds. */
export function isoTimestamp(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

function element(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    if (value.length === 0) return `<${name}/>`;
    return `<${name}>${value
      .map(v => element('member', v))
      .join('')}</${name}>`;
  }
  if (value instanceof Map) {
    const entries = [...value.entries()]
      .map(
        ([k, v]) => `<entry>${element('key', k)}${element('value', v)}</entry>`,
      )
      .join('');
    return `<${name}>${entries}</${name}>`;
  }
  if (value instanceof Date) {
    return `<${name}>${isoTimestamp(value)}</${name}>`;
  }
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => element(k, v))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function encodeQueryResult(
  operation: string,
  result: Record<string, unknown> | undefined,
  namespace: string,
  requestId: string,
): string {
  const body =
    result === undefined ? '' : element(`${operation}Result`, result);
  return (
    `<${operation}Response xmlns="${namespace}">${body}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
    `</${operation}Response>`
  );
}

export function encodeQueryError(
  error: AwsError,
  namespace: string,
  requestId: string,
): string {
  return (
    `<ErrorResponse xmlns="${namespace}"><Error>` +
    `<Type>${error.fault}</Type>` +
    `<Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message>` +
    `</Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
