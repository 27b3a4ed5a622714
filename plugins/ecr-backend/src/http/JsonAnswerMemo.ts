import { createHash } from 'crypto';
import { Request, Response } from 'express';
import { promisify } from 'util';
import { gzip } from 'zlib';

const gzipAsync = promisify(gzip);

/** A JSON answer serialized once, with its strong ETag and, when asked for, its gzip. */
export interface JsonAnswer {
  /** The UTF-8 bytes, encoded once rather than on every send. */
  body: Buffer;
  etag: string;
  gzipped(): Promise<Buffer>;
}

interface Entry {
  sources: readonly unknown[];
  answer: JsonAnswer;
}

/**
 * The serialized bodies of recent answers, so that a warm request sends bytes
 * it already has instead of parsing, serializing and compressing megabytes
 * again. An entry is reused only while the answer is built from the very same
 * `sources` (the reader's fetched values, compared by identity): a new read
 * from AWS or the cache makes a new body. Bounded, least recently used first
 * out.
 */
export class JsonAnswerMemo {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 32) {}

  /** The answer for `key` built from `sources`, serializing `build()` only when needed. */
  answer(key: string, sources: readonly unknown[], build: () => unknown) {
    const known = this.entries.get(key);
    this.entries.delete(key);
    if (known && sameItems(known.sources, sources)) {
      this.entries.set(key, known);
      return known.answer;
    }
    const answer = serialize(build());
    this.entries.set(key, { sources, answer });
    while (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    return answer;
  }
}

function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function serialize(value: unknown): JsonAnswer {
  const body = Buffer.from(JSON.stringify(value));
  const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
  let gzipped: Promise<Buffer> | undefined;
  return {
    body,
    etag,
    gzipped: () => (gzipped ??= gzipAsync(body)),
  };
}

/**
 * Sends a serialized answer: 304 when the client's If-None-Match holds its
 * ETag, else the body, gzipped ahead of the compression middleware (which
 * leaves an encoded body alone) when the client accepts gzip. A browser may
 * keep the answer for its user only and revalidates it on every use, so a
 * repeat visit costs a 304 and the permission is still checked each time.
 */
export async function sendJsonAnswer(
  req: Request,
  res: Response,
  answer: JsonAnswer,
): Promise<void> {
  res.set('ETag', answer.etag);
  res.set('Cache-Control', 'private, no-cache');
  res.vary('Accept-Encoding');
  res.type('application/json');
  if (req.fresh) {
    res.status(304).end();
    return;
  }
  if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
    res.set('Content-Encoding', 'gzip').send(await answer.gzipped());
    return;
  }
  res.send(answer.body);
}
