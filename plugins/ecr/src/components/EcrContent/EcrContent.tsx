import { ReactNode, useRef, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Alert,
  Button,
  Card,
  CardBody,
  CardHeader,
  Flex,
  Skeleton,
  Text,
} from '@backstage/ui';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  BuildSummary,
  CODEBUILD_PROJECT_ARN_ANNOTATION,
  ECR_REPOSITORY_ARN_ANNOTATION,
  EcrImage,
  EcrRepositoryImages,
  isEcrAvailable,
  SetupCheck,
} from '@backstage-ecr/plugin-ecr-common';
import { ecrApiRef } from '../../api/EcrApi';
import { ImagesTable } from '../ImagesTable';
import { FindingsDialog } from '../FindingsDialog';
import { CommandLine, PullCommands } from '../PullCommands';
import { SetupChecklist } from '../SetupChecklist';
import { FixAll, SetupFix } from '../SetupFix';
import { BuildsSection, useBuilds } from '../Builds';
import { SOURCE_LOCATION_ANNOTATION } from '../Builds/source';
import { firstPushCommands, newestTagged } from '../common/commands';
import { useFormatRelative } from '../common/useFormatRelative';
import { ecrTranslationRef } from '../../translation';
import { ErrorAlert } from '../common/ErrorAlert';

export { ErrorAlert };

function RepositorySection(props: {
  repository: EcrRepositoryImages;
  containerPort: number;
  onShowFindings: (image: EcrImage) => void;
  /** The builds of the entity's CodeBuild project, when it names one. */
  builds?: BuildSummary[];
  sourceLocation?: string;
}) {
  const { repository, containerPort, onShowFindings, builds, sourceLocation } =
    props;
  const { t } = useTranslationRef(ecrTranslationRef);
  const newest = newestTagged(repository.images) ?? repository.images[0];
  let content: ReactNode;
  if (!repository.exists) {
    content = (
      <Alert
        status="warning"
        title={t('repository.missingTitle')}
        description={t('repository.missingDescription', {
          arn: repository.arn,
          accountId: repository.accountId,
          region: repository.region,
        })}
      />
    );
  } else if (repository.images.length === 0) {
    content = (
      <Flex direction="column" gap="3">
        <Text>{t('repository.noImages')}</Text>
        <CommandLine
          label={t('repository.firstPush')}
          command={firstPushCommands(repository)}
        />
      </Flex>
    );
  } else {
    content = (
      <Flex direction="column" gap="4">
        <PullCommands
          repository={repository}
          image={newest}
          containerPort={containerPort}
        />
        <ImagesTable
          repository={repository}
          onShowFindings={onShowFindings}
          builds={builds}
          sourceLocation={sourceLocation}
        />
      </Flex>
    );
  }
  return (
    <Card>
      <CardHeader>
        <Flex justify="between" align="center">
          <Text as="h3" variant="title-small">
            {repository.name}
          </Text>
          <Text variant="body-small" color="secondary">
            {t('repository.summary', {
              images: repository.exists
                ? t('repository.imageCount', { count: repository.imageCount })
                : t('repository.notCreated'),
              region: repository.region,
              accountId: repository.accountId,
            })}
          </Text>
        </Flex>
      </CardHeader>
      <CardBody>{content}</CardBody>
    </Card>
  );
}

/**
 * The ECR tab of an entity: its repositories and images, the commands to pull
 * and run them, and the setup checklist.
 */
export function EcrContent(props: {
  renderCheckAction?: (check: SetupCheck, refresh: () => void) => ReactNode;
}) {
  const { entity } = useEntity();
  if (!isEcrAvailable(entity)) {
    return (
      <MissingAnnotationEmptyState annotation={ECR_REPOSITORY_ARN_ANNOTATION} />
    );
  }
  return <EcrContentForEntity renderCheckAction={props.renderCheckAction} />;
}

function EcrContentForEntity(props: {
  renderCheckAction?: (check: SetupCheck, refresh: () => void) => ReactNode;
}) {
  const { entity } = useEntity();
  const { t } = useTranslationRef(ecrTranslationRef);
  const formatRelative = useFormatRelative();
  const api = useApi(ecrApiRef);
  const entityRef = getCompoundEntityRef(entity);
  const refKey = `${entityRef.kind}:${entityRef.namespace}/${entityRef.name}`;
  const images = useAsyncRetry(() => api.getImages(entityRef), [api, refKey]);
  // "Check again" asks the backend to read AWS again; other reloads may be
  // answered from its cache.
  const refreshNext = useRef(false);
  const setup = useAsyncRetry(() => {
    const refresh = refreshNext.current;
    refreshNext.current = false;
    return api.getSetup(entityRef, refresh ? { refresh } : undefined);
  }, [api, refKey]);
  const checkAgain = () => {
    refreshNext.current = true;
    setup.retry();
  };
  const [findingsFor, setFindingsFor] = useState<
    { repository: EcrRepositoryImages; image: EcrImage } | undefined
  >();
  const refresh = () => {
    images.retry();
    setup.retry();
  };
  // A build that ends may have pushed an image and changed what the checks see.
  const builds = useBuilds(entityRef, { onBuildEnded: refresh });
  const projectBuilds = builds.value?.project ? builds.value.builds : undefined;
  const sourceLocation =
    entity.metadata.annotations?.[SOURCE_LOCATION_ANNOTATION];

  let imagesContent: ReactNode;
  if (images.loading && !images.value) {
    imagesContent = (
      <Card>
        <CardBody>
          <Flex
            direction="column"
            gap="2"
            aria-label={t('entityTab.loadingImages')}
          >
            <Skeleton width="40%" height={24} />
            <Skeleton width="100%" height={160} />
          </Flex>
        </CardBody>
      </Card>
    );
  } else if (images.error) {
    imagesContent = (
      <ErrorAlert
        what={t('errorAlert.subjects.images')}
        error={images.error}
        onRetry={images.retry}
      />
    );
  } else if (images.value) {
    imagesContent = (
      <Flex direction="column" gap="4">
        {images.value.stale && (
          <Alert
            status="warning"
            title={t('entityTab.staleImages.title')}
            description={t('entityTab.staleImages.description', {
              when: formatRelative(images.value.fetchedAt),
            })}
          />
        )}
        {images.value.repositories.map(repository => (
          <RepositorySection
            key={repository.arn}
            repository={repository}
            containerPort={images.value!.containerPort}
            onShowFindings={image => setFindingsFor({ repository, image })}
            builds={projectBuilds}
            sourceLocation={sourceLocation}
          />
        ))}
      </Flex>
    );
  }

  let setupContent: ReactNode;
  if (setup.loading && !setup.value) {
    setupContent = (
      <Skeleton
        width="100%"
        height={200}
        aria-label={t('entityTab.setup.loading')}
      />
    );
  } else if (setup.error) {
    setupContent = (
      <ErrorAlert
        what={t('errorAlert.subjects.setupStatus')}
        error={setup.error}
        onRetry={checkAgain}
      />
    );
  } else if (setup.value) {
    setupContent = (
      <Flex direction="column" gap="2">
        {setup.value.stale && (
          <Alert
            status="warning"
            title={t('entityTab.setup.staleTitle')}
            description={t('entityTab.setup.staleDescription', {
              when: formatRelative(setup.value.checkedAt),
            })}
          />
        )}
        <SetupChecklist
          status={setup.value}
          latestBuild={projectBuilds?.[0]}
          actions={
            props.renderCheckAction ? undefined : (
              <FixAll
                entityRef={entityRef}
                checks={setup.value.checks}
                onApplied={refresh}
              />
            )
          }
          renderAction={check =>
            props.renderCheckAction ? (
              props.renderCheckAction(check, refresh)
            ) : (
              <SetupFix
                entityRef={entityRef}
                check={check}
                checks={setup.value!.checks}
                onApplied={refresh}
              />
            )
          }
        />
      </Flex>
    );
  }

  return (
    <Flex direction="column" gap="4">
      {imagesContent}
      <BuildsSection
        entityRef={entityRef}
        builds={builds}
        sourceLocation={sourceLocation}
        checks={setup.value?.checks}
        onFixApplied={refresh}
        expectsProject={Boolean(
          entity.metadata.annotations?.[CODEBUILD_PROJECT_ARN_ANNOTATION],
        )}
      />
      <Card>
        <CardHeader>
          <Flex justify="between" align="center">
            <Text as="h3" variant="title-small">
              {t('entityTab.setup.title')}
            </Text>
            <Flex align="center" gap="2">
              {setup.value && (
                <Text
                  variant="body-small"
                  color="secondary"
                  aria-live="polite"
                  data-testid="setup-checked-at"
                >
                  {setup.loading
                    ? t('entityTab.setup.checking')
                    : t('entityTab.setup.checkedAt', {
                        when: formatRelative(setup.value.checkedAt),
                        time: new Date(
                          setup.value.checkedAt,
                        ).toLocaleTimeString(),
                      })}
                </Text>
              )}
              <Button
                size="small"
                variant="tertiary"
                isDisabled={setup.loading}
                onPress={checkAgain}
              >
                {setup.loading
                  ? t('entityTab.setup.checking')
                  : t('entityTab.setup.checkAgain')}
              </Button>
            </Flex>
          </Flex>
        </CardHeader>
        <CardBody>{setupContent}</CardBody>
      </Card>
      {findingsFor && (
        <FindingsDialog
          entityRef={entityRef}
          repository={findingsFor.repository}
          image={findingsFor.image}
          onClose={() => setFindingsFor(undefined)}
        />
      )}
    </Flex>
  );
}
