import { compareNewestFirst, toEcrImage } from './readRepositoryImages';

describe('toEcrImage', () => {
  it('maps an image with its scan summary', () => {
    expect(
      toEcrImage({
        imageDigest: 'sha256:abc',
        imageTags: ['latest', 'fcd3f42'],
        imageSizeInBytes: 123,
        imagePushedAt: new Date('2024-05-01T10:00:00Z'),
        lastRecordedPullTime: new Date('2024-05-02T10:00:00Z'),
        imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
        imageScanStatus: { status: 'COMPLETE', description: 'done' },
        imageScanFindingsSummary: {
          imageScanCompletedAt: new Date('2024-05-01T10:05:00Z'),
          findingSeverityCounts: {
            CRITICAL: 1,
            HIGH: 0,
            UNTRIAGED: 2,
          } as Record<string, number>,
        },
      }),
    ).toEqual({
      digest: 'sha256:abc',
      tags: ['fcd3f42', 'latest'],
      sizeBytes: 123,
      pushedAt: '2024-05-01T10:00:00.000Z',
      lastPulledAt: '2024-05-02T10:00:00.000Z',
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      scan: {
        status: 'COMPLETE',
        description: 'done',
        completedAt: '2024-05-01T10:05:00.000Z',
        severityCounts: { CRITICAL: 1, UNDEFINED: 2 },
      },
    });
  });

  it('says NOT_SCANNED for an image without a scan', () => {
    expect(toEcrImage({ imageDigest: 'sha256:x' }).scan).toEqual({
      status: 'NOT_SCANNED',
      severityCounts: {},
    });
  });
});

describe('compareNewestFirst', () => {
  it('orders by push time, newest first, whatever order AWS answered in', () => {
    const images = ['2024-01-01', '2024-03-01', '2024-02-01'].map(day =>
      toEcrImage({ imageDigest: day, imagePushedAt: new Date(day) }),
    );
    expect(images.sort(compareNewestFirst).map(i => i.digest)).toEqual([
      '2024-03-01',
      '2024-02-01',
      '2024-01-01',
    ]);
  });
});
