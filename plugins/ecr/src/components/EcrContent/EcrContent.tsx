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
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
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
import { SetupFix } from '../SetupFix';
import { firstPushCommands, newestTagged } from '../common/commands';
import { formatRelative } from '../common/format';

function statusOf(error: Error): number | undefined {
  return (
    (error as { statusCode?: number }).statusCode ??
    (error as { response?: { status?: number } }).response?.status
  );
}

/** The backend's message for a failed request, and a way to try again. */
export function ErrorAlert(props: {
  what: string;
  error: Error;
  onRetry: () => void;
}) {
  const status = statusOf(props.error);
  const body = (
    props.error as {
      body?: { error?: { message?: string; resource?: { state?: string } } };
    }
  ).body;
  if (status === 403) {
    // The backend says why: a permission not granted, or (with the resource's
    // binding in the answer) a repository that is not this entity's.
    const notOwned = Boolean(body?.error?.resource);
    return (
      <Alert
        status="warning"
        title={
          notOwned
            ? 'A repository of this entity belongs to someone else'
            : 'Permission denied'
        }
        description={
          body?.error?.message ??
          `You do not have permission to see ${props.what} of this entity. Ask its owners or your platform team for access.`
        }
      />
    );
  }
  return (
    <Alert
      status="danger"
      title={`Could not load ${props.what}`}
      description={body?.error?.message ?? props.error.message}
      customActions={
        <Button size="small" onPress={props.onRetry}>
          Retry
        </Button>
      }
    />
  );
}

function RepositorySection(props: {
  repository: EcrRepositoryImages;
  containerPort: number;
  onShowFindings: (image: EcrImage) => void;
}) {
  const { repository, containerPort, onShowFindings } = props;
  const newest = newestTagged(repository.images) ?? repository.images[0];
  let content: ReactNode;
  if (!repository.exists) {
    content = (
      <Alert
        status="warning"
        title="This repository does not exist yet"
        description={`The entity's annotation names ${repository.arn}, but there is no such repository in account ${repository.accountId}, region ${repository.region}. The setup status below says how to create it.`}
      />
    );
  } else if (repository.images.length === 0) {
    content = (
      <Flex direction="column" gap="3">
        <Text>No images yet. Build and push a first one:</Text>
        <CommandLine
          label="Log in, build and push"
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
        <ImagesTable repository={repository} onShowFindings={onShowFindings} />
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
            {repository.exists
              ? `${repository.imageCount} image${
                  repository.imageCount === 1 ? '' : 's'
                }`
              : 'not created'}{' '}
            · {repository.region} · account {repository.accountId}
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

  let imagesContent: ReactNode;
  if (images.loading && !images.value) {
    imagesContent = (
      <Card>
        <CardBody>
          <Flex direction="column" gap="2" aria-label="Loading images">
            <Skeleton width="40%" height={24} />
            <Skeleton width="100%" height={160} />
          </Flex>
        </CardBody>
      </Card>
    );
  } else if (images.error) {
    imagesContent = (
      <ErrorAlert
        what="the images"
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
            title="Showing earlier data"
            description={`AWS could not be reached just now; these images were read ${formatRelative(
              images.value.fetchedAt,
            )}.`}
          />
        )}
        {images.value.repositories.map(repository => (
          <RepositorySection
            key={repository.arn}
            repository={repository}
            containerPort={images.value!.containerPort}
            onShowFindings={image => setFindingsFor({ repository, image })}
          />
        ))}
      </Flex>
    );
  }

  let setupContent: ReactNode;
  if (setup.loading && !setup.value) {
    setupContent = (
      <Skeleton width="100%" height={200} aria-label="Loading setup status" />
    );
  } else if (setup.error) {
    setupContent = (
      <ErrorAlert
        what="the setup status"
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
            title="Showing earlier results"
            description={`AWS could not be reached just now; these checks ran ${formatRelative(
              setup.value.checkedAt,
            )}.`}
          />
        )}
        <SetupChecklist
          status={setup.value}
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
      <Card>
        <CardHeader>
          <Flex justify="between" align="center">
            <Text as="h3" variant="title-small">
              Setup status
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
                    ? 'Checking…'
                    : `Checked ${formatRelative(
                        setup.value.checkedAt,
                      )} (${new Date(
                        setup.value.checkedAt,
                      ).toLocaleTimeString()})`}
                </Text>
              )}
              <Button
                size="small"
                variant="tertiary"
                isDisabled={setup.loading}
                onPress={checkAgain}
              >
                {setup.loading ? 'Checking…' : 'Check again'}
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
