import {
  EcrImage,
  EcrRepositoryImages,
} from '@backstage-ecr/plugin-ecr-common';

/** The registry host of an account and region. */
export function registryHost(accountId: string, region: string): string {
  return `${accountId}.dkr.ecr.${region}.amazonaws.com`;
}

/** Logs docker in to the registry, as the ECR setup guide does. */
export function loginCommand(repository: EcrRepositoryImages): string {
  return `aws ecr get-login-password --region ${
    repository.region
  } | docker login --username AWS --password-stdin ${registryHost(
    repository.accountId,
    repository.region,
  )}`;
}

/** `URI:TAG`, or `URI@DIGEST` for an untagged image. */
export function imageReference(
  repository: EcrRepositoryImages,
  image: EcrImage,
): string {
  return image.tags.length
    ? `${repository.uri}:${image.tags[0]}`
    : `${repository.uri}@${image.digest}`;
}

export function pullCommand(
  repository: EcrRepositoryImages,
  image: EcrImage,
): string {
  return `docker pull ${imageReference(repository, image)}`;
}

/** Publishes the container port on the host's port 80, as the guide does. */
export function runCommand(
  repository: EcrRepositoryImages,
  image: EcrImage,
  containerPort: number,
): string {
  return `docker run -p 80:${containerPort} ${imageReference(
    repository,
    image,
  )}`;
}

/** The commands that build and push a first image into an empty repository. */
export function firstPushCommands(repository: EcrRepositoryImages): string {
  return [
    loginCommand(repository),
    `docker build -t ${repository.uri}:latest .`,
    `docker push ${repository.uri}:latest`,
  ].join('\n');
}

/** The newest image that has a tag: what `docker pull` should fetch by default. */
export function newestTagged(images: EcrImage[]): EcrImage | undefined {
  return images.find(image => image.tags.length > 0);
}

function consoleBase(repository: EcrRepositoryImages): string {
  return `https://${repository.region}.console.aws.amazon.com/ecr/repositories/private/${repository.accountId}/${repository.name}`;
}

export function repositoryConsoleUrl(repository: EcrRepositoryImages): string {
  return `${consoleBase(repository)}?region=${repository.region}`;
}

export function imageConsoleUrl(
  repository: EcrRepositoryImages,
  image: EcrImage,
): string {
  return `${consoleBase(repository)}/_/image/${image.digest}/details?region=${
    repository.region
  }`;
}
