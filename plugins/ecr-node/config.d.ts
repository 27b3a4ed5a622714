export interface Config {
  /** Amazon ECR plugins (DESIGN §10); the keys the AWS layer reads. */
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
       * Role ARN patterns (`*` matches any run of characters) that Backstage may
       * attach push policies to; any other role is refused.
       * @visibility backend
       */
      allowedRoleArnPatterns?: string[];
    };
  };
}
