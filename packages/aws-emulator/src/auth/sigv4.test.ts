import {
  parseAuthorization,
  SignedRequest,
  signRequest,
  verifySignature,
} from './sigv4';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const AMZ_DATE = '20150830T123600Z';
const NOW = new Date('2015-08-30T12:36:00Z');

function request(body = 'Action=ListUsers&Version=2010-05-08'): SignedRequest {
  return {
    method: 'POST',
    path: '/',
    query: '',
    headers: [
      ['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8'],
      ['Host', 'iam.amazonaws.com'],
      ['X-Amz-Date', AMZ_DATE],
    ],
    body: Buffer.from(body),
  };
}

function signed(body?: string) {
  const req = request(body);
  const header = signRequest(req, credentials, 'us-east-1', 'iam', AMZ_DATE);
  const auth = parseAuthorization(header);
  if (typeof auth === 'string') throw new Error(auth);
  return { req, auth };
}

describe('SigV4', () => {
  it('parses the Authorization header', () => {
    const { auth } = signed();
    expect(auth).toMatchObject({
      accessKeyId: 'AKIDEXAMPLE',
      date: '20150830',
      region: 'us-east-1',
      service: 'iam',
      signedHeaders: ['content-type', 'host', 'x-amz-date'],
    });
  });

  it("computes the signature of AWS's documented IAM ListUsers example", () => {
    const req: SignedRequest = {
      method: 'GET',
      path: '/',
      query: 'Action=ListUsers&Version=2010-05-08',
      headers: [
        ['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8'],
        ['Host', 'iam.amazonaws.com'],
        ['X-Amz-Date', AMZ_DATE],
      ],
      body: Buffer.alloc(0),
    };
    const header = signRequest(req, credentials, 'us-east-1', 'iam', AMZ_DATE);
    expect(header).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    );
    const auth = parseAuthorization(header);
    if (typeof auth === 'string') throw new Error(auth);
    expect(
      verifySignature(req, auth, credentials.secretAccessKey, 'iam', NOW),
    ).toEqual({ ok: true });
  });

  it('refuses another body', () => {
    const { auth } = signed();
    const result = verifySignature(
      request('Action=DeleteUser'),
      auth,
      credentials.secretAccessKey,
      'iam',
      NOW,
    );
    expect(result).toMatchObject({ ok: false, reason: 'signature' });
  });

  it('refuses another secret', () => {
    const { req, auth } = signed();
    expect(verifySignature(req, auth, 'other', 'iam', NOW)).toMatchObject({
      ok: false,
      reason: 'signature',
    });
  });

  it('refuses a request older than 15 minutes', () => {
    const { req, auth } = signed();
    const later = new Date(NOW.getTime() + 16 * 60_000);
    expect(
      verifySignature(req, auth, credentials.secretAccessKey, 'iam', later),
    ).toMatchObject({
      ok: false,
      reason: 'expired',
    });
  });

  it('reports a header without the required parts', () => {
    expect(parseAuthorization('AWS4-HMAC-SHA256 Credential=a/b/c/d/e')).toMatch(
      /requires 'SignedHeaders'/,
    );
  });
});
