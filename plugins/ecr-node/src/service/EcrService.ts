import {
  EcrAnnotations,
  EcrAnnotationsResult,
  EcrRepositoryImages,
  FindingsResponse,
  RepositoryRef,
  SetupCheck,
} from '@backstage-ecr/plugin-ecr-common';
import { EcrConfig } from '../config';
import { SetupFacts } from '../setup/facts';

/**
 * The AWS layer of the ECR plugins, shared by the backend plugin and the
 * scaffolder module. It acts only on the references it is given: callers pass
 * what an entity's annotations name, after checking who may see the entity.
 */
export interface EcrService {
  /** The `ecr` configuration. */
  readonly config: EcrConfig;

  /** Every image of one repository, newest first; `exists: false` when it is missing. */
  getRepositoryImages(repository: RepositoryRef): Promise<EcrRepositoryImages>;

  /** Every image of every annotated repository. */
  getImages(annotations: EcrAnnotations): Promise<EcrRepositoryImages[]>;

  /** An image's scan findings, basic and enhanced, through every page. */
  getFindings(
    repository: RepositoryRef,
    digest: string,
  ): Promise<FindingsResponse>;

  /** What the setup checks need, gathered from AWS (plain data, JSON-safe). */
  getSetupFacts(annotations: EcrAnnotationsResult): Promise<SetupFacts>;

  /** The setup checks of DESIGN §6, from facts alone. */
  evaluateSetupChecks(facts: SetupFacts): SetupCheck[];
}
