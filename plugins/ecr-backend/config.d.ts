import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  /** Amazon ECR plugins (DESIGN §10). AWS credentials come from the `aws` section. */
  ecr?: {
    /**
     * The AWS accounts entities may name (12-digit ids, quoted). An annotation
     * naming any other account is refused with HTTP 400.
     * @visibility backend
     */
    allowedAccounts?: string[];
    /**
     * The regions where the audit looks for repositories no entity claims.
     * @visibility backend
     */
    regions?: string[];
    /**
     * A local endpoint (the emulator, LocalStack, moto) for every AWS call.
     * Leave unset for AWS; the SDK's own `AWS_ENDPOINT_URL*` variables still apply.
     * @visibility backend
     */
    endpoint?: string;
    /**
     * How many times the AWS SDK tries a call, first try included, before a
     * throttling or server error is reported (the SDK's default is 3).
     * @visibility backend
     */
    maxAttempts?: number;
    cache?: {
      /**
       * How long answers from AWS are reused, in seconds (default 60; 0 turns
       * the cache off). Permission is checked on every request regardless.
       * @visibility backend
       */
      ttlSeconds?: number;
    };
    iam?: {
      /**
       * Role ARN patterns (`*` matches any run of characters) that Backstage may
       * attach push policies to; any other role is refused with HTTP 403.
       * @visibility backend
       */
      allowedRoleArnPatterns?: string[];
    };
    audit?: {
      /**
       * When the platform audit runs.
       * @visibility backend
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /**
       * How many entities the audit checks at once.
       * @visibility backend
       */
      concurrency?: number;
    };
    /**
     * The default container port of the `docker run -p HOST:CONTAINER` hint,
     * when the entity has no ecr.backstage-ecr.io/container-port annotation.
     * @visibility frontend
     */
    containerPort?: number;
  };
}
