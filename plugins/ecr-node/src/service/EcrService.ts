import {
  ConfigureRepositoryResponse,
  ClaimResponse,
  CodeBuildProjectRef,
  CreateRepositoryResponse,
  EcrAnnotations,
  EcrAnnotationsResult,
  EcrRepositoryImages,
  ImageScanFindings,
  OwnershipSubject,
  PushAccessResponse,
  RepositoryRef,
  SetupCheck,
  StartBuildResponse,
} from '@backstage-ecr/plugin-ecr-common';
import { BuildsReadOptions, ProjectBuilds } from '../builds/readBuilds';
import { StartBuildRequest } from '../builds/startBuild';
import { AuditSessionOptions, EcrAuditSession } from '../audit/EcrAuditSession';
import { EcrConfig } from '../config';
import { ResourceTags, SetupFacts } from '../setup/facts';
import { ClaimRequest } from '../writes/claim';
import { CreateRepositoryRequest } from '../writes/createRepository';
import { GrantPushAccessRequest } from '../writes/grantPushAccess';
import { ConfigureRepositoryRequest } from '../writes/configureRepository';

/**
 * The AWS layer of the ECR plugins, shared by the backend plugin and the
 * scaffolder module. It acts only on the references it is given: callers pass
 * what an entity's annotations name, after checking who may see the entity.
 *
 * @public
 */
export interface EcrService {
  /** The `ecr` configuration. */
  readonly config: EcrConfig;

  /** Every image of one repository, newest first; `exists: false` when it is missing. */
  getRepositoryImages(repository: RepositoryRef): Promise<EcrRepositoryImages>;

  /**
   * The annotations with the repositories `aws.amazon.com/amazon-ecr-tags`
   * finds (Resource Groups Tagging API, every allowed account and region)
   * added to those named by ARN. Without that annotation, the annotations as
   * they are and no AWS call. A failing lookup throws the AwsServiceError of
   * `tag:GetResources`.
   */
  resolveAnnotations(annotations: EcrAnnotations): Promise<EcrAnnotations>;

  /** Every image of every annotated repository. */
  getImages(annotations: EcrAnnotations): Promise<EcrRepositoryImages[]>;

  /** An image's scan findings, basic and enhanced, through every page. */
  getFindings(
    repository: RepositoryRef,
    digest: string,
  ): Promise<ImageScanFindings>;

  /**
   * A repository's tags (who it belongs to), or null when it does not exist.
   * Callers check them before reading anything else of the repository.
   */
  getRepositoryTags(repository: RepositoryRef): Promise<ResourceTags>;

  /**
   * What the setup checks need, gathered from AWS (plain data, JSON-safe),
   * only as far as AWS says the resources belong to `subject`. A failing AWS
   * call becomes a failed fact, never an error: only the checks that need it
   * are unknown. `transientFailures(facts)` says whether any failure may pass
   * (throttling, a 5xx, the network).
   */
  getSetupFacts(
    annotations: EcrAnnotationsResult,
    subject: OwnershipSubject,
  ): Promise<SetupFacts>;

  /** The setup checks of docs/architecture.md, "Setup checks", from facts alone. */
  evaluateSetupChecks(facts: SetupFacts): SetupCheck[];

  /**
   * Creates a repository with the default settings (docs/architecture.md, "Writes"), or answers the existing one
   * unchanged (409 with `ifExists: 'fail'`); a dry run only reads.
   */
  createRepository(
    request: CreateRepositoryRequest,
  ): Promise<CreateRepositoryResponse>;

  /**
   * Attaches the push policy of docs/architecture.md, "Writes" to a role allowed by
   * `ecr.iam.allowedRoleArnPatterns`, unless it is there already; a dry run
   * only reads.
   */
  grantPushAccess(request: GrantPushAccessRequest): Promise<PushAccessResponse>;

  /**
   * Brings an existing repository that belongs to the entity to the creation
   * defaults (scan on push, IMMUTABLE, the default lifecycle policy), each
   * selectable; never replaces a different lifecycle policy unless asked. A
   * dry run only reads.
   */
  configureRepository(
    request: ConfigureRepositoryRequest,
  ): Promise<ConfigureRepositoryResponse>;

  /**
   * Binds the entity's unbound repositories, and its pushing role, to it by
   * tagging them; never re-binds a resource bound to anyone else. A dry run
   * only reads.
   */
  claim(request: ClaimRequest): Promise<ClaimResponse>;

  /**
   * The newest builds (`limit`, at most and by default 20) of the entity's CodeBuild project, each
   * failed one diagnosed from its CloudWatch log; refused (403) when AWS says
   * the project belongs to someone else. Logs Backstage may not read leave
   * the builds undiagnosed, with `logsUnreadable` saying why.
   */
  getBuilds(
    project: CodeBuildProjectRef,
    subject: OwnershipSubject,
    options?: BuildsReadOptions,
  ): Promise<ProjectBuilds>;

  /**
   * Starts a build of a CodeBuild project that belongs to the entity (its
   * own tags), for the source version asked or that of the newest build; a
   * dry run only reads.
   */
  startBuild(request: StartBuildRequest): Promise<StartBuildResponse>;

  /**
   * Starts the AWS side of one platform audit run: setup facts and repository
   * listings that share every AWS answer across the run's entities.
   */
  startAudit(options?: AuditSessionOptions): EcrAuditSession;
}
