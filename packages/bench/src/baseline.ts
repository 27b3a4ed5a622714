import {
  DescribeImagesCommand,
  ECRClient,
  ImageDetail,
} from '@aws-sdk/client-ecr';

/**
 * The access pattern of the AWS-published ECR plugin for Backstage, reproduced
 * through the same SDK: a new client for every request, DescribeImages pages of
 * 25, stop once 100 images are in hand, then sort newest first (after the cut),
 * and no cache. `complete: true` pages on to the end instead, which is what
 * the same pattern costs when it must show every image.
 */
export async function baselineImages(options: {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  accountId: string;
  repositoryName: string;
  complete?: boolean;
}): Promise<ImageDetail[]> {
  const client = new ECRClient({
    endpoint: options.endpoint,
    region: 'eu-west-2',
    credentials: options.credentials,
  });
  try {
    const images: ImageDetail[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new DescribeImagesCommand({
          registryId: options.accountId,
          repositoryName: options.repositoryName,
          maxResults: 25,
          nextToken,
        }),
      );
      images.push(...(page.imageDetails ?? []));
      nextToken = page.nextToken;
    } while (nextToken && (options.complete || images.length < 100));
    const shown = options.complete ? images : images.slice(0, 100);
    return shown.sort(
      (a, b) =>
        (b.imagePushedAt?.getTime() ?? 0) - (a.imagePushedAt?.getTime() ?? 0),
    );
  } finally {
    client.destroy();
  }
}
