import { MalformedPolicyError, parsePolicy } from './policy';

describe('parsePolicy', () => {
  it('accepts a single statement object as well as a list', () => {
    const policy = parsePolicy({
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Action: 'ecr:*', Resource: '*' },
    });
    expect(policy.statements).toHaveLength(1);
    expect(policy.statements[0].action).toEqual(['ecr:*']);
  });

  it.each([
    ['not JSON', '{"Version":', 'Syntax errors in policy.'],
    [
      'an unknown top-level key',
      { Foo: 1, Statement: [] },
      'Syntax errors in policy.',
    ],
    [
      'an unknown version',
      { Version: '2020-01-01', Statement: [] },
      'The policy failed legacy parsing',
    ],
    [
      'no Statement',
      { Version: '2012-10-17' },
      'Missing required field Statement',
    ],
    [
      'no Effect',
      { Statement: [{ Action: '*', Resource: '*' }] },
      'Missing required field Effect',
    ],
    [
      'no Action',
      { Statement: [{ Effect: 'Allow', Resource: '*' }] },
      'Policy statement must contain actions.',
    ],
    [
      'no Resource',
      { Statement: [{ Effect: 'Allow', Action: '*' }] },
      'Policy statement must contain resources.',
    ],
    [
      'an action without a vendor',
      { Statement: [{ Effect: 'Allow', Action: 'PutImage', Resource: '*' }] },
      'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
    ],
    [
      'a resource that is not an ARN',
      { Statement: [{ Effect: 'Allow', Action: '*', Resource: 'repo' }] },
      'Resource repo must be in ARN format or "*".',
    ],
    [
      'a Principal in an identity policy',
      {
        Statement: [
          { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
        ],
      },
      'Policy document should not specify a principal.',
    ],
    [
      'an unknown condition operator',
      {
        Statement: [
          {
            Effect: 'Allow',
            Action: '*',
            Resource: '*',
            Condition: { StringMaybe: { a: 'b' } },
          },
        ],
      },
      'Invalid Condition type : StringMaybe.',
    ],
  ])('refuses %s', (_name, doc, message) => {
    expect(() => parsePolicy(doc as any)).toThrow(
      new MalformedPolicyError(message),
    );
  });

  it('requires a Principal in a trust policy', () => {
    expect(() =>
      parsePolicy(
        { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] },
        'trust',
      ),
    ).toThrow('Missing required field Principal');
  });

  it('locates each statement in the text it came from', () => {
    const text = [
      '{',
      '  "Version": "2012-10-17",',
      '  "Statement": [',
      '    {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"},',
      '    {',
      '      "Effect": "Deny", "Action": "ecr:PutImage", "Resource": "*"',
      '    }',
      '  ]',
      '}',
    ].join('\n');
    const [first, second] = parsePolicy(text).statements;
    expect(first.start).toEqual({ Line: 4, Column: 5 });
    expect(first.end).toEqual({ Line: 4, Column: 60 });
    expect(second.start).toEqual({ Line: 5, Column: 5 });
    expect(second.end).toEqual({ Line: 7, Column: 6 });
  });
});
