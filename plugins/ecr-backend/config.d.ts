import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  /** Amazon ECR plugins (docs/architecture.md, "Configuration"). AWS credentials come from the `aws` section. */
  ecr?: {
    /**
     * The AWS accounts entities may name (12-digit ids, quoted). An annotation
     * naming any other account is refused with HTTP 400.
     * @visibility backend
     */
    allowedAccounts?: string[];
    /**
     * The regions where the audit looks for repositories no entity claims.
     * When set, writes from Backstage (fixes, claim, scaffolder actions) in any
     * other region are refused.
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
       * Role ARN patterns that Backstage may inspect, tag and attach push
       * policies to; any other role is refused with HTTP 403 and never asked
       * about. `*` matches any run of characters except `/`; `**` also
       * crosses `/`.
       * @visibility backend
       */
      allowedRoleArnPatterns?: string[];
    };
    audit?: {
      /**
       * When the platform audit runs, on the Backstage scheduler (a global task:
       * one run across all backend instances). Default: every 6 hours, at most
       * 30 minutes each, first run a minute after start-up. The timeout also
       * bounds runs started with POST /audit/run.
       * @visibility backend
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /**
       * How many entities the audit checks at once (1 to 64, default 8).
       * @visibility backend
       */
      concurrency?: number;
      /**
       * How many runs the audit history keeps, with their results (default
       * 500). Older runs are deleted after each complete run; the latest
       * complete run is always kept.
       * @visibility backend
       */
      keepRuns?: number;
      notifications?: {
        /**
         * Whether the audit tells an entity's owner (spec.owner), through
         * Backstage notifications, when a check that passed in the previous
         * complete run fails, or a new latest build fails to push (default
         * true). Needs the notifications backend.
         * @visibility backend
         */
        enabled?: boolean;
      };
    };
    /**
     * The default container port of the `docker run -p HOST:CONTAINER` hint,
     * when the entity has no ecr.backstage-ecr.io/container-port annotation.
     * @visibility frontend
     */
    containerPort?: number;
  };
}
