import { checkEncryption } from './encryption';
import { goodRepository, ok, passingFacts } from './__testUtils__/facts';

function withEncryption(encryptionType?: string, kmsKey?: string) {
  const facts = passingFacts();
  facts.repositories = [
    { ...goodRepository(), settings: ok({ encryptionType, kmsKey }) },
  ];
  return facts;
}

describe('checkEncryption', () => {
  it('passes for AES256', () => {
    expect(checkEncryption(passingFacts())).toMatchObject({
      status: 'pass',
      detail: 'Encrypted with AES-256 (Amazon S3-managed keys).',
    });
  });

  it('passes for KMS and names the key', () => {
    const check = checkEncryption(
      withEncryption('KMS', 'arn:aws:kms:eu-west-2:123412341234:key/abc'),
    );
    expect(check.status).toBe('pass');
    expect(check.detail).toContain(
      'key arn:aws:kms:eu-west-2:123412341234:key/abc',
    );
  });

  it('warns when no encryption is reported', () => {
    const check = checkEncryption(withEncryption(undefined));
    expect(check.status).toBe('warn');
    expect(check.remedy).toContain('encryptionType=AES256');
  });
});
