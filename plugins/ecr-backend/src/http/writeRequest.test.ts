import { mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { createErrorHandler } from '../errorHandler';
import { dryRunOf, requestBodyErrorOf, writeRequestBody } from './writeRequest';

/** An error as body-parser (through http-errors) reports it. */
function parserError(type: string, status: number, message: string) {
  return Object.assign(new Error(message), {
    type,
    status,
    statusCode: status,
    expose: status < 500,
  });
}

function app(handler: express.RequestHandler) {
  const server = express();
  server.post('/write', writeRequestBody(), handler);
  server.use(
    createErrorHandler({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
    }),
  );
  return server;
}

describe('requestBodyErrorOf', () => {
  it.each([
    ['entity.too.large', 413, 'PayloadTooLargeError'],
    ['entity.parse.failed', 400, 'InputError'],
    ['charset.unsupported', 415, 'UnsupportedMediaTypeError'],
    ['encoding.unsupported', 415, 'UnsupportedMediaTypeError'],
    ['request.aborted', 400, 'InputError'],
    ['parameters.too.many', 413, 'PayloadTooLargeError'],
    ['some.new.type', 422, 'RequestBodyError'],
  ])('maps %s (%d) to %s', (type, status, name) => {
    const mapped = requestBodyErrorOf(parserError(type, status, 'x'));
    expect(mapped?.name).toBe(name);
  });

  it('leaves other errors alone', () => {
    expect(requestBodyErrorOf(new Error('boom'))).toBeUndefined();
    expect(
      requestBodyErrorOf(parserError('stream.encoding.set', 500, 'x')),
    ).toBeUndefined();
  });
});

describe('the error handler and body parser errors', () => {
  it('answers a body parser error that reaches it with its status, in Backstage’s shape, never a 500', async () => {
    const server = express();
    server.post('/raw', (_req, _res, next) =>
      next(parserError('entity.too.large', 413, 'request entity too large')),
    );
    server.use(
      createErrorHandler({
        config: mockServices.rootConfig(),
        logger: mockServices.logger.mock(),
      }),
    );
    const res = await request(server).post('/raw');
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      error: {
        name: 'PayloadTooLargeError',
        message: expect.stringMatching(/^The request body is larger than/),
      },
      request: { method: 'POST', url: '/raw' },
      response: { statusCode: 413 },
    });
  });
});

describe('writeRequestBody and dryRunOf', () => {
  const server = app((req, res) => {
    res.json({ dryRun: dryRunOf(req) });
  });

  it('takes a request without a body, dry run from the query', async () => {
    expect((await request(server).post('/write')).body).toEqual({
      dryRun: false,
    });
    expect((await request(server).post('/write?dryRun=true')).body).toEqual({
      dryRun: true,
    });
  });

  it('takes an empty body of any type (Content-Length 0)', async () => {
    const res = await request(server)
      .post('/write?dryRun=true')
      .set('Content-Type', 'text/plain')
      .send('');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ dryRun: true });
  });

  it('takes dryRun from the body', async () => {
    const res = await request(server).post('/write').send({ dryRun: true });
    expect(res.body).toEqual({ dryRun: true });
    const empty = await request(server).post('/write').send({});
    expect(empty.body).toEqual({ dryRun: false });
  });

  it('refuses ?dryRun= other than true or false', async () => {
    const res = await request(server).post('/write?dryRun=1');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('dryRun must be true or false');
  });

  it('refuses a chunked body over 4 KB with 413', async () => {
    // No Content-Length: the size is only known while reading.
    const listening = server.listen(0);
    try {
      const { port } = listening.address() as AddressInfo;
      const answer = await new Promise<{ status?: number; body: string }>(
        (resolve, reject) => {
          const req = http.request(
            {
              port,
              method: 'POST',
              path: '/write',
              headers: { 'Content-Type': 'application/json' },
            },
            res => {
              let body = '';
              res.on('data', chunk => {
                body += chunk;
              });
              res.on('end', () => resolve({ status: res.statusCode, body }));
            },
          );
          req.on('error', reject);
          req.write('{"dryRun":true,"pad":"');
          for (let i = 0; i < 5; i++) req.write('a'.repeat(1000));
          req.end('"}');
        },
      );
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).error.name).toBe('PayloadTooLargeError');
    } finally {
      listening.close();
    }
  });

  it('takes application/json with a charset', async () => {
    const res = await request(server)
      .post('/write')
      .set('Content-Type', 'application/json; charset=utf-8')
      .send('{"dryRun":true}');
    expect(res.body).toEqual({ dryRun: true });
  });
});
