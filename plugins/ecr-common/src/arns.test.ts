import { parseCodeBuildProjectArn, parseRepositoryArn } from './arns';

describe('partition and region', () => {
  it.each([
    ['aws', 'eu-west-2'],
    ['aws', 'us-east-1'],
    ['aws-cn', 'cn-north-1'],
    ['aws-cn', 'cn-northwest-1'],
    ['aws-us-gov', 'us-gov-west-1'],
    ['aws-us-gov', 'us-gov-east-1'],
  ])('accepts partition %s with region %s', (partition, region) => {
    const repository = parseRepositoryArn(
      `arn:${partition}:ecr:${region}:123412341234:repository/my-service`,
    );
    expect(repository).toMatchObject({
      ok: true,
      value: { partition, region },
    });
    const project = parseCodeBuildProjectArn(
      `arn:${partition}:codebuild:${region}:123412341234:project/my-service`,
    );
    expect(project).toMatchObject({ ok: true, value: { partition, region } });
  });

  it.each([
    ['aws-cn', 'eu-west-2', 'aws'],
    ['aws-us-gov', 'eu-west-2', 'aws'],
    ['aws', 'cn-north-1', 'aws-cn'],
    ['aws-us-gov', 'cn-north-1', 'aws-cn'],
    ['aws', 'us-gov-west-1', 'aws-us-gov'],
    ['aws-cn', 'us-gov-west-1', 'aws-us-gov'],
  ])(
    'refuses partition %s with region %s, naming both',
    (partition, region, regionPartition) => {
      const expected = {
        ok: false,
        error: expect.stringContaining(
          `names partition "${partition}" with region "${region}", which do not agree: region ${region} is in partition ${regionPartition}`,
        ),
      };
      expect(
        parseRepositoryArn(
          `arn:${partition}:ecr:${region}:123412341234:repository/my-service`,
        ),
      ).toEqual(expected);
      expect(
        parseCodeBuildProjectArn(
          `arn:${partition}:codebuild:${region}:123412341234:project/my-service`,
        ),
      ).toEqual(expected);
    },
  );
});
