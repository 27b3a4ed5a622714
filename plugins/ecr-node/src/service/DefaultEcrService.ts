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
import {
  BuildsReadOptions,
  ProjectBuilds,
  readProjectBuilds,
} from '../builds/readBuilds';
import { startBuild, StartBuildRequest } from '../builds/startBuild';
import { InputError } from '@backstage/errors';
import {
  AuditSessionOptions,
  createAuditSession,
  EcrAuditSession,
} from '../audit/EcrAuditSession';
import { callAws } from '../aws/call';
import { AwsClients } from '../aws/clients';
import { evaluateSetupChecks } from '../checks';
import { EcrConfig } from '../config';
import { IMAGE_DIGEST, readImageFindings } from '../findings/readImageFindings';
import { readRepositoryImages } from '../images/readRepositoryImages';
import { ResourceTags, SetupFacts } from '../setup/facts';
import { AwsSetupFactSource } from '../setup/factSource';
import { gatherSetupFacts, ownershipFacts } from '../setup/gatherSetupFacts';
import { resolveRepositoryTags } from '../tags/findRepositoriesByTags';
import { claim, ClaimRequest } from '../writes/claim';
import {
  createRepository,
  CreateRepositoryRequest,
} from '../writes/createRepository';
import {
  grantPushAccess,
  GrantPushAccessRequest,
} from '../writes/grantPushAccess';
import {
  configureRepository,
  ConfigureRepositoryRequest,
} from '../writes/configureRepository';
import { EcrService } from './EcrService';

/** {@link EcrService} on the AWS SDK clients. */
export class DefaultEcrService implements EcrService {
  constructor(
    private readonly clients: AwsClients,
    readonly config: EcrConfig,
  ) {}

  getRepositoryImages(repository: RepositoryRef): Promise<EcrRepositoryImages> {
    return readRepositoryImages(
      this.clients.ecr(repository.accountId, repository.region),
      repository,
    );
  }

  resolveAnnotations(annotations: EcrAnnotations): Promise<EcrAnnotations> {
    return resolveRepositoryTags(this.clients, this.config, annotations);
  }

  getImages(annotations: EcrAnnotations): Promise<EcrRepositoryImages[]> {
    return Promise.all(
      annotations.repositories.map(r => this.getRepositoryImages(r)),
    );
  }

  async getFindings(
    repository: RepositoryRef,
    digest: string,
  ): Promise<ImageScanFindings> {
    if (!IMAGE_DIGEST.test(digest)) {
      throw new InputError(
        'The image digest must be sha256: followed by 64 lowercase hexadecimal digits',
      );
    }
    return readImageFindings(
      this.clients.ecr(repository.accountId, repository.region),
      repository,
      digest,
    );
  }

  getRepositoryTags(repository: RepositoryRef): Promise<ResourceTags> {
    return callAws('ecr:ListTagsForResource', repository.arn, () =>
      new AwsSetupFactSource(this.clients).listRepositoryTags(repository),
    );
  }

  getSetupFacts(
    annotations: EcrAnnotationsResult,
    subject: OwnershipSubject,
  ): Promise<SetupFacts> {
    return gatherSetupFacts(
      this.clients,
      annotations,
      ownershipFacts(this.config, subject),
    );
  }

  evaluateSetupChecks(facts: SetupFacts): SetupCheck[] {
    return evaluateSetupChecks(facts);
  }

  createRepository(
    request: CreateRepositoryRequest,
  ): Promise<CreateRepositoryResponse> {
    return createRepository(this.clients, this.config, request);
  }

  grantPushAccess(
    request: GrantPushAccessRequest,
  ): Promise<PushAccessResponse> {
    return grantPushAccess(this.clients, this.config, request);
  }

  configureRepository(
    request: ConfigureRepositoryRequest,
  ): Promise<ConfigureRepositoryResponse> {
    return configureRepository(this.clients, this.config, request);
  }

  claim(request: ClaimRequest): Promise<ClaimResponse> {
    return claim(this.clients, this.config, request);
  }

  getBuilds(
    project: CodeBuildProjectRef,
    subject: OwnershipSubject,
    options?: BuildsReadOptions,
  ): Promise<ProjectBuilds> {
    return readProjectBuilds(
      this.clients,
      this.config,
      project,
      subject,
      options,
    );
  }

  startBuild(request: StartBuildRequest): Promise<StartBuildResponse> {
    return startBuild(this.clients, this.config, request);
  }

  startAudit(options?: AuditSessionOptions): EcrAuditSession {
    return createAuditSession(this.clients, this.config, options);
  }
}
