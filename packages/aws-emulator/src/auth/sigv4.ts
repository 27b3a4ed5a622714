import { createHash, createHmac, timingSafeEqual } from 'crypto';

/**
 * AWS Signature Version 4, server side: parse the Authorization header, rebuild the canonical
 * request from what arrived on the wire, and compare signatures. Pure functions of the request.
 */

export interface SignedRequest {
  method: string;
  /** The path as received, still percent-encoded, without the query string. */
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  /** Header name/value pairs as received (Node's `rawHeaders`, paired up). */
  headers: Array<[string, string]>;
  body: Buffer;
}

export interface Authorization {
  accessKeyId: string;
  /** `YYYYMMDD` */
  date: string;
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
}

export type VerifyResult =
  | { ok: true }
  | {
      ok: false;
      reason: 'signature' | 'scope' | 'expired' | 'incomplete';
      message: string;
    };

const ALGORITHM = 'AWS4-HMAC-SHA256';

export const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** Parses `AWS4-HMAC-SHA256 Credential=…/date/region/service/aws4_request, SignedHeaders=…, Signature=…`. */
export function parseAuthorization(header: string): Authorization | string {
  if (!header.startsWith(`${ALGORITHM} `)) {
    return `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Unsupported algorithm in '${
      header.split(' ')[0]
    }'.`;
  }
  const fields: Record<string, string> = {};
  for (const part of header.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter(
    k => !fields[k],
  );
  if (missing.length > 0) {
    return `Authorization header requires '${missing[0]}' parameter. Authorization=${header}`;
  }
  const scope = fields.Credential.split('/');
  if (scope.length !== 5) {
    return `Credential should be scoped to a valid region. Credential=${fields.Credential}`;
  }
  const [accessKeyId, date, region, service, terminator] = scope;
  return {
    accessKeyId,
    date,
    region,
    service,
    terminator,
    signedHeaders: fields.SignedHeaders.split(';'),
    signature: fields.Signature,
  };
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function signingKey(
  secret: string,
  date: string,
  region: string,
  service: string,
): Buffer {
  const kDate = hmac(`AWS4${secret}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

/** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves `!'()*` alone). */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    ch => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalPath(path: string): string {
  // Services other than S3 sign each path segment encoded twice; the wire form is encoded once.
  return (
    path
      .split('/')
      .map(segment => uriEncode(segment))
      .join('/') || '/'
  );
}

function canonicalQuery(query: string): string {
  if (!query) return '';
  const pairs = query
    .split('&')
    .filter(Boolean)
    .map(pair => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
      return [uriEncode(decode(key)), uriEncode(decode(value))] as [
        string,
        string,
      ];
    })
    .filter(([key]) => key !== 'X-Amz-Signature');
  const order = (a: string, b: string) => {
    if (a === b) return 0;
    return a < b ? -1 : 1;
  };
  pairs.sort(([ak, av], [bk, bv]) => order(ak, bk) || order(av, bv));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function headerValues(
  headers: Array<[string, string]>,
  name: string,
): string[] {
  return headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
}

export function headerValue(
  headers: Array<[string, string]>,
  name: string,
): string | undefined {
  const values = headerValues(headers, name.toLowerCase());
  return values.length ? values.join(',') : undefined;
}

export function canonicalRequest(
  request: SignedRequest,
  signedHeaders: string[],
  payloadHash: string,
): string {
  const canonicalHeaders = signedHeaders
    .map(name => {
      const value = headerValues(request.headers, name)
        .map(v => v.trim().replace(/\s+/g, ' '))
        .join(',');
      return `${name}:${value}\n`;
    })
    .join('');
  return [
    request.method,
    canonicalPath(request.path),
    canonicalQuery(request.query),
    canonicalHeaders,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

export function stringToSign(
  amzDate: string,
  auth: Pick<Authorization, 'date' | 'region' | 'service' | 'terminator'>,
  canonical: string,
): string {
  const scope = `${auth.date}/${auth.region}/${auth.service}/${auth.terminator}`;
  return [ALGORITHM, amzDate, scope, sha256Hex(canonical)].join('\n');
}

/** `20240102T030405Z` → Date */
function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (m) return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : new Date(parsed);
}

function amzDateOf(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** How far the request's time may be from the emulator's clock, as AWS allows. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

/**
 * Checks a request's signature with the secret of the access key it names. `service` is the
 * signing name the addressed endpoint expects (`ecr`, `iam`, …).
 */
export function verifySignature(
  request: SignedRequest,
  auth: Authorization,
  secret: string,
  service: string,
  now: Date = new Date(),
): VerifyResult {
  const amzDate =
    headerValue(request.headers, 'x-amz-date') ??
    headerValue(request.headers, 'date');
  if (!amzDate) {
    return {
      ok: false,
      reason: 'incomplete',
      message:
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    };
  }
  const when = parseAmzDate(amzDate);
  if (!when) {
    return {
      ok: false,
      reason: 'incomplete',
      message: `Invalid date ${amzDate}`,
    };
  }
  if (auth.terminator !== 'aws4_request') {
    return {
      ok: false,
      reason: 'scope',
      message: `Credential should be scoped with a valid terminator: 'aws4_request', not '${auth.terminator}'.`,
    };
  }
  if (auth.service !== service) {
    return {
      ok: false,
      reason: 'scope',
      message: `Credential should be scoped to correct service: '${service}'. `,
    };
  }
  const isoDate = amzDateOf(when);
  if (auth.date !== isoDate.slice(0, 8)) {
    return {
      ok: false,
      reason: 'scope',
      message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${
        auth.date
      }' != '${isoDate.slice(0, 8)}', from '${amzDate}'.`,
    };
  }
  const skew = when.getTime() - now.getTime();
  if (skew < -MAX_SKEW_MS) {
    return {
      ok: false,
      reason: 'expired',
      message: `Signature expired: ${isoDate} is now earlier than ${amzDateOf(
        new Date(now.getTime() - MAX_SKEW_MS),
      )} (${amzDateOf(now)} - 15 min.)`,
    };
  }
  if (skew > MAX_SKEW_MS) {
    return {
      ok: false,
      reason: 'expired',
      message: `Signature not yet current: ${isoDate} is still later than ${amzDateOf(
        new Date(now.getTime() + MAX_SKEW_MS),
      )} (${amzDateOf(now)} + 15 min.)`,
    };
  }
  if (!auth.signedHeaders.includes('host')) {
    return {
      ok: false,
      reason: 'incomplete',
      message: "'Host' must be a 'SignedHeader' in the AWS Authorization.",
    };
  }

  const bodyHash = sha256Hex(request.body);
  const declared = headerValue(request.headers, 'x-amz-content-sha256');
  let payloadHash = bodyHash;
  if (declared !== undefined && declared !== 'UNSIGNED-PAYLOAD') {
    if (declared !== bodyHash) {
      return {
        ok: false,
        reason: 'signature',
        message:
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
      };
    }
  } else if (declared === 'UNSIGNED-PAYLOAD') {
    payloadHash = declared;
  }

  const canonical = canonicalRequest(request, auth.signedHeaders, payloadHash);
  const toSign = stringToSign(amzDate, auth, canonical);
  const expected = createHmac(
    'sha256',
    signingKey(secret, auth.date, auth.region, auth.service),
  )
    .update(toSign, 'utf8')
    .digest('hex');
  const given = Buffer.from(auth.signature, 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    return { ok: false, reason: 'signature', message: SIGNATURE_MISMATCH };
  }
  return { ok: true };
}

/** Signs a request the way an SDK would; the tests use it to craft requests by hand. */
export function signRequest(
  request: SignedRequest,
  credentials: { accessKeyId: string; secretAccessKey: string },
  region: string,
  service: string,
  amzDate: string,
): string {
  const signedHeaders = [
    ...new Set(request.headers.map(([name]) => name.toLowerCase())),
  ].sort();
  const auth = {
    date: amzDate.slice(0, 8),
    region,
    service,
    terminator: 'aws4_request',
  };
  const canonical = canonicalRequest(
    request,
    signedHeaders,
    sha256Hex(request.body),
  );
  const signature = createHmac(
    'sha256',
    signingKey(credentials.secretAccessKey, auth.date, region, service),
  )
    .update(stringToSign(amzDate, auth, canonical), 'utf8')
    .digest('hex');
  return `${ALGORITHM} Credential=${credentials.accessKeyId}/${
    auth.date
  }/${region}/${service}/aws4_request, SignedHeaders=${signedHeaders.join(
    ';',
  )}, Signature=${signature}`;
}
