import { Alert, Button } from '@backstage/ui';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { ecrTranslationRef } from '../../translation';

function statusOf(error: Error): number | undefined {
  return (
    (error as { statusCode?: number }).statusCode ??
    (error as { response?: { status?: number } }).response?.status
  );
}

/**
 * The backend's message for a failed request, and a way to try again. `what`
 * is what failed to load, as a translated message ("the images").
 */
export function ErrorAlert(props: {
  what: string;
  error: Error;
  onRetry: () => void;
}) {
  const { t } = useTranslationRef(ecrTranslationRef);
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
            ? t('errorAlert.notOwnedTitle')
            : t('common.permissionDenied')
        }
        description={
          body?.error?.message ??
          t('errorAlert.permissionDeniedDescription', { what: props.what })
        }
      />
    );
  }
  return (
    <Alert
      status="danger"
      title={t('errorAlert.loadFailedTitle', { what: props.what })}
      description={body?.error?.message ?? props.error.message}
      customActions={
        <Button size="small" onPress={props.onRetry}>
          {t('common.retry')}
        </Button>
      }
    />
  );
}
