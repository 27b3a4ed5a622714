/**
 * The service's ECR repositories: one or more repository ARNs, comma-separated.
 *
 * @public
 */
export const ECR_REPOSITORY_ARN_ANNOTATION = 'aws.amazon.com/amazon-ecr-arn';
/**
 * The service's ECR repositories by their AWS tags: `key=value` pairs,
 * comma-separated, every pair required (as the AWS-published ECR plugin reads it).
 *
 * @public
 */
export const ECR_REPOSITORY_TAGS_ANNOTATION = 'aws.amazon.com/amazon-ecr-tags';
/**
 * The CodeBuild project whose service role must be able to push.
 *
 * @public
 */
export const CODEBUILD_PROJECT_ARN_ANNOTATION =
  'aws.amazon.com/aws-codebuild-project-arn';
/**
 * The pushing role, where it is not a CodeBuild project's service role.
 *
 * @public
 */
export const PUSH_ROLE_ARN_ANNOTATION = 'ecr.backstage-ecr.io/push-role-arn';
/**
 * The container port for the `docker run -p` hint.
 *
 * @public
 */
export const CONTAINER_PORT_ANNOTATION = 'ecr.backstage-ecr.io/container-port';

/**
 * The container port used when neither the entity nor config names one.
 *
 * @public
 */
export const DEFAULT_CONTAINER_PORT = 8080;
