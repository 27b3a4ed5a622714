import { actionMatches, actionsGranted } from './policyGrants';

describe('actionMatches', () => {
  it.each([
    ['ecr:PutImage', 'ecr:PutImage', true],
    ['ecr:*', 'ecr:PutImage', true],
    ['*', 'ecr:PutImage', true],
    ['ECR:putimage', 'ecr:PutImage', true],
    ['ecr:Put*', 'ecr:PutImage', true],
    ['ecr:?utImage', 'ecr:PutImage', true],
    ['ecr:Get*', 'ecr:PutImage', false],
    ['ecr:PutImage.', 'ecr:PutImageX', false],
  ])('%s matches %s: %s', (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });
});

describe('actionsGranted', () => {
  it('ignores Deny statements and honours NotAction', () => {
    expect(
      actionsGranted(
        {
          Statement: [
            { Effect: 'Deny', Action: 'ecr:*', Resource: '*' },
            { Effect: 'Allow', NotAction: 'ecr:PutImage', Resource: '*' },
          ],
        },
        ['ecr:PutImage', 'ecr:UploadLayerPart'],
      ),
    ).toEqual(['ecr:UploadLayerPart']);
  });
});
