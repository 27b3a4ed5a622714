import { Entity } from '@backstage/catalog-model';
import {
  isEcrAvailable,
  parseRepositoryTagsAnnotation,
  readEcrAnnotations,
} from './entityAnnotations';

const allowedAccounts = ['123412341234'];

function entity(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'svc', annotations },
    spec: {},
  };
}

const repoArn =
  'arn:aws:ecr:eu-west-2:123412341234:repository/proof-of-concept-repo';

describe('readEcrAnnotations', () => {
  it('reads the setup guide service', () => {
    const result = readEcrAnnotations(
      entity({
        'aws.amazon.com/amazon-ecr-arn': repoArn,
        'aws.amazon.com/aws-codebuild-project-arn':
          'arn:aws:codebuild:eu-west-2:123412341234:project/codebuild-proof-of-concept-snapshot',
      }),
      { allowedAccounts },
    );
    expect(result).toEqual({
      ok: true,
      value: {
        repositories: [
          {
            arn: repoArn,
            partition: 'aws',
            region: 'eu-west-2',
            accountId: '123412341234',
            name: 'proof-of-concept-repo',
          },
        ],
        codeBuildProject: {
          arn: 'arn:aws:codebuild:eu-west-2:123412341234:project/codebuild-proof-of-concept-snapshot',
          partition: 'aws',
          region: 'eu-west-2',
          accountId: '123412341234',
          name: 'codebuild-proof-of-concept-snapshot',
        },
        pushRole: undefined,
        containerPort: undefined,
      },
    });
  });

  it('reads several comma-separated repositories, nested names, a role and a port', () => {
    const result = readEcrAnnotations(
      entity({
        'aws.amazon.com/amazon-ecr-arn': `${repoArn}, arn:aws:ecr:us-east-1:123412341234:repository/team/app-web`,
        'ecr.backstage-ecr.io/push-role-arn':
          'arn:aws:iam::123412341234:role/service-role/builder',
        'ecr.backstage-ecr.io/container-port': '3000',
      }),
      { allowedAccounts },
    );
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.value.repositories.map(r => r.name)).toEqual([
      'proof-of-concept-repo',
      'team/app-web',
    ]);
    expect(result.value.pushRole).toMatchObject({
      name: 'builder',
      path: '/service-role/',
    });
    expect(result.value.containerPort).toBe(3000);
  });

  it.each([
    ['not an ARN', 'proof-of-concept-repo', /is not an ARN/],
    [
      'the wrong service',
      'arn:aws:s3:eu-west-2:123412341234:repository/x1',
      /service "s3", not ecr/,
    ],
    [
      'the wrong partition',
      'arn:aws-xx:ecr:eu-west-2:123412341234:repository/x1',
      /partition "aws-xx"/,
    ],
    [
      'a bad region',
      'arn:aws:ecr:mars-1:123412341234:repository/x1',
      /region "mars-1"/,
    ],
    [
      'a short account',
      'arn:aws:ecr:eu-west-2:1234:repository/x1',
      /12 digits/,
    ],
    [
      'an uppercase repository name',
      'arn:aws:ecr:eu-west-2:123412341234:repository/Bad_Name',
      /not a valid ECR repository name/,
    ],
    [
      'an injection-like name',
      'arn:aws:ecr:eu-west-2:123412341234:repository/x;rm -rf',
      /not a valid ECR repository name/,
    ],
    [
      'a foreign account',
      'arn:aws:ecr:eu-west-2:999999999999:repository/x1',
      /account 999999999999 is not one of the accounts/,
    ],
  ])('refuses %s', (_what, value, message) => {
    const result = readEcrAnnotations(
      entity({ 'aws.amazon.com/amazon-ecr-arn': value }),
      { allowedAccounts },
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.join('\n')).toMatch(message);
  });

  it('refuses an over-long value without parsing it', () => {
    const result = readEcrAnnotations(
      entity({ 'aws.amazon.com/amazon-ecr-arn': `${repoArn},`.repeat(400) }),
      { allowedAccounts },
    );
    expect(!result.ok && result.errors).toEqual([
      expect.stringMatching(/characters long; at most 4096/),
    ]);
  });

  it('reports every bad annotation, not only the first', () => {
    const result = readEcrAnnotations(
      entity({
        'aws.amazon.com/amazon-ecr-arn': 'nope',
        'aws.amazon.com/aws-codebuild-project-arn':
          'arn:aws:codebuild:eu-west-2:123412341234:build/x',
        'ecr.backstage-ecr.io/container-port': '70000',
      }),
      { allowedAccounts },
    );
    expect(!result.ok && result.errors).toHaveLength(3);
  });

  it('refuses a role ARN with a region', () => {
    const result = readEcrAnnotations(
      entity({
        'aws.amazon.com/amazon-ecr-arn': repoArn,
        'ecr.backstage-ecr.io/push-role-arn':
          'arn:aws:iam:eu-west-2:123412341234:role/builder',
      }),
      { allowedAccounts },
    );
    expect(!result.ok && result.errors[0]).toMatch(/IAM ARNs have none/);
  });

  it('says how to name a repository when the annotation is missing', () => {
    const result = readEcrAnnotations(entity({}), { allowedAccounts });
    expect(!result.ok && result.errors[0]).toMatch(/missing; name the service/);
  });

  it('allows no account when none is configured', () => {
    const result = readEcrAnnotations(
      entity({ 'aws.amazon.com/amazon-ecr-arn': repoArn }),
      { allowedAccounts: [] },
    );
    expect(result.ok).toBe(false);
  });
});

describe('isEcrAvailable', () => {
  it('is true only with a repository annotation', () => {
    expect(
      isEcrAvailable(entity({ 'aws.amazon.com/amazon-ecr-arn': repoArn })),
    ).toBe(true);
    expect(
      isEcrAvailable(entity({ 'aws.amazon.com/amazon-ecr-arn': ' ' })),
    ).toBe(false);
    expect(isEcrAvailable(entity({}))).toBe(false);
  });
});

describe('aws.amazon.com/amazon-ecr-tags', () => {
  const TAGS = 'aws.amazon.com/amazon-ecr-tags';

  it('reads key=value pairs, trimmed, in order', () => {
    expect(
      parseRepositoryTagsAnnotation(' component = myapp , team=payments,'),
    ).toEqual({
      ok: true,
      value: [
        { key: 'component', value: 'myapp' },
        { key: 'team', value: 'payments' },
      ],
    });
  });

  it('keeps what follows the first "=" as the value, and allows an empty one', () => {
    expect(parseRepositoryTagsAnnotation('expr=a=b,empty=')).toEqual({
      ok: true,
      value: [
        { key: 'expr', value: 'a=b' },
        { key: 'empty', value: '' },
      ],
    });
  });

  it.each([
    ['', /names no tags/],
    [' , ', /names no tags/],
    ['component', /"component" is not a key=value pair/],
    ['=myapp', /has no tag key/],
    ['a=1,a=2', /"a" appears twice/],
    [`${'k'.repeat(129)}=v`, /longer than 128 characters/],
    [`k=${'v'.repeat(257)}`, /longer than 256 characters/],
    [
      Array.from({ length: 51 }, (_, i) => `k${i}=v`).join(','),
      /names 51 tags; at most 50/,
    ],
  ])('refuses %j', (value, message) => {
    const result = parseRepositoryTagsAnnotation(value);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(message);
  });

  it('names the entity by tags alone: no ARN needed', () => {
    const result = readEcrAnnotations(entity({ [TAGS]: 'app=ledger' }), {
      allowedAccounts,
    });
    expect(result).toEqual({
      ok: true,
      value: {
        repositories: [],
        repositoryTags: [{ key: 'app', value: 'ledger' }],
      },
    });
  });

  it('reads the tags beside the ARN annotation', () => {
    const result = readEcrAnnotations(
      entity({
        [TAGS]: 'app=ledger',
        'aws.amazon.com/amazon-ecr-arn': repoArn,
      }),
      { allowedAccounts },
    );
    expect(result.ok && result.value.repositories.map(r => r.arn)).toEqual([
      repoArn,
    ]);
    expect(result.ok && result.value.repositoryTags).toEqual([
      { key: 'app', value: 'ledger' },
    ]);
  });

  it('reports a bad tags value with the annotation it is in, not as a missing ARN', () => {
    const result = readEcrAnnotations(entity({ [TAGS]: 'ledger' }), {
      allowedAccounts,
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        `${TAGS}: "ledger" is not a key=value pair, e.g. app=my-service`,
      ],
    });
  });

  it('leaves ARN-only entities without repositoryTags', () => {
    const result = readEcrAnnotations(
      entity({ 'aws.amazon.com/amazon-ecr-arn': repoArn }),
      { allowedAccounts },
    );
    expect(result.ok && 'repositoryTags' in result.value).toBe(false);
  });

  it('makes the entity ECR-available', () => {
    expect(isEcrAvailable(entity({ [TAGS]: 'app=ledger' }))).toBe(true);
    expect(isEcrAvailable(entity({ [TAGS]: '  ' }))).toBe(false);
  });
});
