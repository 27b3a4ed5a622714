export interface Config {
  /** Amazon ECR plugins (docs/architecture.md, "Configuration"); the keys the AWS layer reads. */
  ecr?: {
    /**
     * The AWS accounts entities may name. An annotation naming any other account
     * is refused. Credentials for each come from the `aws` section
     * (`@backstage/integration-aws-node`).
     * @visibility backend
     */
    allowedAccounts?: string[];
    /**
     * A local endpoint (the emulator, LocalStack, moto) for every AWS call. Leave
     * unset for AWS; the SDK's own `AWS_ENDPOINT_URL*` variables still apply.
     * @visibility backend
     */
    endpoint?: string;
    /**
     * How many times the AWS SDK tries a call, first try included, before a
     * throttling or server error is reported (the SDK's default is 3).
     * @visibility backend
     */
    maxAttempts?: number;
    iam?: {
      /**
       * Role ARN patterns that Backstage may inspect, tag and attach push
       * policies to; any other role is refused. `*` matches any run of
       * characters except `/`; `**` also crosses `/`.
       * @visibility backend
       */
      allowedRoleArnPatterns?: string[];
    };
    /**
     * Who AWS resources belong to: the tags that bind a repository, role or
     * CodeBuild project to a catalog entity or to its owner.
     */
    ownership?: {
      /**
       * The tag naming the entity (a full ref such as
       * `component:default/payments-api`); default `backstage.io/entity-ref`.
       * @visibility backend
       */
      entityRefTag?: string;
      /**
       * The tag naming the owner (a full ref such as `group:default/team-b`);
       * default `backstage.io/owner`.
       * @visibility backend
       */
      ownerTag?: string;
      /**
       * Reads of a repository with neither tag: `read-only` (default: shown, the
       * `repository-owner` check failing, no fix offered), `allow` (shown, the
       * check warning) or `deny` (refused with 403).
       * @visibility backend
       */
      unbound?: 'read-only' | 'allow' | 'deny';
    };
  };
}
