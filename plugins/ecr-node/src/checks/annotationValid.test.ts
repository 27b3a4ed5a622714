import { checkAnnotationValid } from './annotationValid';
import { passingFacts } from './__testUtils__/facts';

describe('checkAnnotationValid', () => {
  it('passes and names what the annotations point at', () => {
    const check = checkAnnotationValid(passingFacts());
    expect(check).toMatchObject({ id: 'annotation-valid', status: 'pass' });
    expect(check.detail).toContain(
      'payments-api (account 123412341234, eu-west-2)',
    );
    expect(check.detail).toContain('CodeBuild project codebuild-payments-api');
    expect(check.remedy).toBeUndefined();
  });

  it('fails listing every problem, with an example of valid annotations', () => {
    const check = checkAnnotationValid({
      ...passingFacts(),
      annotations: {
        ok: false,
        errors: [
          'aws.amazon.com/amazon-ecr-arn: "x" is not an ARN',
          'port bad',
        ],
      },
    });
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('2 problems');
    expect(check.detail).toContain(
      '- aws.amazon.com/amazon-ecr-arn: "x" is not an ARN',
    );
    expect(check.detail).toContain('- port bad');
    expect(check.remedy).toContain(
      'aws.amazon.com/amazon-ecr-arn: arn:aws:ecr:',
    );
    expect(check.remedy).toContain('ecr.allowedAccounts');
  });
});
