import { Principal } from './auth/principals';
import { ErrorDialect } from './errors';
import { RawJson } from './protocols/json';
import { StructureShape } from './shapes';
import { Account, EmulatorState, PrincipalRef } from './state';

/**
 * What every emulated service module provides: its protocol, its error dialect and a table of
 * operations. The server does the rest (routing, authentication, validation, authorization,
 * encoding) the same way for all of them.
 */

export interface AuthorizeOptions {
  /** A resource-based policy of the resource (JSON text), e.g. a repository policy. */
  resourcePolicy?: string;
  /** The account owning the resource, when it is not the caller's. */
  resourceAccountId?: string;
}

export interface OperationContext {
  state: EmulatorState;
  principal: Principal;
  /** The caller's account. */
  account: Account;
  /** The region the request was signed for; regional services act in it. */
  region: string;
  requestId: string;
  now: Date;
  service: ServiceDefinition;
  /** The condition keys of this request (`aws:username`, `aws:PrincipalArn`, …), lower-cased. */
  conditionContext: Record<string, string[]>;
  /**
   * Decides `action` on `resource` for the caller with the emulator's policy evaluator and
   * throws the service's AccessDenied error (with AWS's message) when it is not allowed.
   */
  authorize(action: string, resource: string, options?: AuthorizeOptions): void;
  /** Work that outlives the request: CodeBuild's builds. */
  background: BackgroundWork;
}

export interface BackgroundWork {
  /** How long a build stays IN_PROGRESS before it runs to its end. */
  buildDurationMs: number;
  /** Runs `fn` after `ms` unless the emulator stops or resets first (the timer keeps no process alive). */
  schedule(fn: () => void, ms: number): void;
  /**
   * Calls an operation as `principal`, through the same path as a signed request: counted,
   * subject to faults, validated (`input` in the JSON wire form) and authorized. Throws the
   * AwsError the caller would have received.
   */
  call(
    principal: PrincipalRef,
    region: string,
    service: string,
    operation: string,
    input: Record<string, unknown>,
  ): Record<string, any>;
}

/** The resource(s) an operation is authorized against, with options per resource. */
export type ResourceTarget = string | ({ resource: string } & AuthorizeOptions);

export interface Operation {
  input: StructureShape;
  /**
   * The resources to authorize `<service>:<Operation>` on before the handler runs. Absent for
   * operations every caller may use (sts:GetCallerIdentity).
   */
  resources?: (
    input: Record<string, any>,
    ctx: OperationContext,
  ) => ResourceTarget | ResourceTarget[];
  /**
   * Returns the output structure (undefined for operations with no output), or, for JSON
   * services, an answer already encoded (RawJson) when encoding it piecewise pays off.
   */
  handler: (
    input: Record<string, any>,
    ctx: OperationContext,
  ) => Record<string, unknown> | RawJson | undefined;
}

export interface ServiceDefinition {
  /** The signing name and IAM action prefix: `ecr`, `iam`, `sts`, `codebuild`. */
  name: string;
  /** The IAM action prefix where it is not the signing name (`tag` for `tagging`). */
  actionPrefix?: string;
  protocol: 'json' | 'query';
  /** JSON services: the `X-Amz-Target` prefix. */
  targetPrefix?: string;
  /** Query services: the API version and the XML namespace of answers. */
  version?: string;
  xmlNamespace?: string;
  errors: ErrorDialect;
  operations: Record<string, Operation>;
}
