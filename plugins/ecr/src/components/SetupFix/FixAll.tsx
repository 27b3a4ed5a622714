import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  Alert,
  Button,
  Dialog,
  DialogBody,
  DialogFooter,
  DialogHeader,
  Flex,
  Skeleton,
  Text,
} from '@backstage/ui';
import { useApi } from '@backstage/core-plugin-api';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ecrPushAccessGrantPermission,
  ecrRepositoryConfigurePermission,
  ecrRepositoryCreatePermission,
  RepositorySettingName,
  SetupCheck,
} from '@backstage-ecr/plugin-ecr-common';
import { EcrApi, ecrApiRef } from '../../api/EcrApi';
import { ecrTranslationRef } from '../../translation';
import { blockingOwnerCheck } from './ownership';
import {
  FixableCheckId,
  Preview,
  PreviewBody,
  SETTING_OF_CHECK,
} from './SetupFix';

/** One change of Fix all, in the order they are applied. */
export interface FixStep {
  kind: 'createRepository' | 'configureRepository' | 'grantPushAccess';
  /** The check whose preview shows this step. */
  checkId: FixableCheckId;
  /** For `configureRepository`: the settings to change. */
  settings?: RepositorySettingName[];
}

/**
 * The pending changes of an entity that the user may make, in the order
 * they must be made: the repository first, then its settings, then push
 * access to it. A step whose resource does not belong to the entity is left
 * out, as the single fixes leave it out.
 */
export function pendingFixSteps(
  checks: SetupCheck[],
  allowed: {
    createRepository: boolean;
    configureRepository: boolean;
    grantPushAccess: boolean;
  },
): FixStep[] {
  const find = (id: string) => checks.find(c => c.id === id);
  const clear = (id: FixableCheckId) => !blockingOwnerCheck(id, checks);
  const steps: FixStep[] = [];
  if (
    allowed.createRepository &&
    find('repository-exists')?.status === 'fail' &&
    clear('repository-exists')
  ) {
    steps.push({ kind: 'createRepository', checkId: 'repository-exists' });
  }
  const settingChecks = (
    ['scan-on-push', 'tag-immutability', 'lifecycle-policy'] as const
  ).filter(id => {
    const status = find(id)?.status;
    return (status === 'warn' || status === 'fail') && clear(id);
  });
  if (allowed.configureRepository && settingChecks.length > 0) {
    steps.push({
      kind: 'configureRepository',
      checkId: settingChecks[0],
      settings: settingChecks.map(id => SETTING_OF_CHECK[id]!),
    });
  }
  if (
    allowed.grantPushAccess &&
    find('push-permissions')?.status === 'fail' &&
    clear('push-permissions')
  ) {
    steps.push({ kind: 'grantPushAccess', checkId: 'push-permissions' });
  }
  return steps;
}

function runStep(
  api: EcrApi,
  entityRef: CompoundEntityRef,
  step: FixStep,
  dryRun: boolean,
): Promise<Preview> {
  switch (step.kind) {
    case 'createRepository':
      return api.createRepository(entityRef, { dryRun });
    case 'configureRepository':
      return api.configureRepository(entityRef, {
        dryRun,
        settings: step.settings,
      });
    default:
      return api.grantPushAccess(entityRef, { dryRun });
  }
}

type Outcome =
  | { state: 'done' }
  | { state: 'failed'; message: string }
  | { state: 'applying' }
  | { state: 'notRun' };

/**
 * Every pending change in one dialog: the dry run of each, in order; Apply
 * makes them in that order, says how each went, and stops at the first that
 * fails.
 */
function FixAllDialog(props: {
  entityRef: CompoundEntityRef;
  steps: FixStep[];
  onApplied: () => void;
  onClose: () => void;
}) {
  const { entityRef, steps, onApplied, onClose } = props;
  const api = useApi(ecrApiRef);
  const { t } = useTranslationRef(ecrTranslationRef);
  // Mounted for one preview: each dry run runs once, one after the other.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const previews = useAsync(async () => {
    const answers: Preview[] = [];
    for (const step of steps) {
      answers.push(await runStep(api, entityRef, step, true));
    }
    return answers;
  }, []);
  const [outcomes, setOutcomes] = useState<Outcome[]>();
  const [applying, setApplying] = useState(false);

  const apply = async () => {
    setApplying(true);
    const results: Outcome[] = steps.map(() => ({ state: 'notRun' }));
    let applied = false;
    for (let i = 0; i < steps.length; i++) {
      results[i] = { state: 'applying' };
      setOutcomes([...results]);
      try {
        await runStep(api, entityRef, steps[i], false);
        results[i] = { state: 'done' };
        applied = true;
      } catch (error) {
        results[i] = {
          state: 'failed',
          message: (error as Error).message,
        };
        break;
      }
    }
    setOutcomes([...results]);
    setApplying(false);
    if (applied) onApplied();
  };

  const finished =
    outcomes !== undefined &&
    !applying &&
    outcomes.every(o => o.state !== 'applying');
  const outcomeText = (outcome: Outcome | undefined) => {
    switch (outcome?.state) {
      case 'done':
        return t('setupFix.fixAll.outcome.done');
      case 'failed':
        return t('setupFix.fixAll.outcome.failed', {
          message: outcome.message,
        });
      case 'applying':
        return t('setupFix.fixAll.outcome.applying');
      case 'notRun':
        return t('setupFix.fixAll.outcome.notRun');
      default:
        return undefined;
    }
  };

  return (
    <Dialog
      isOpen
      isDismissable
      onOpenChange={open => !open && onClose()}
      width={760}
    >
      <DialogHeader>{t('setupFix.fixAll.title')}</DialogHeader>
      <DialogBody>
        <Flex direction="column" gap="3">
          <Text>{t('setupFix.fixAll.intro')}</Text>
          {previews.loading && (
            <Skeleton
              width="100%"
              height={160}
              aria-label={t('dryRunDialog.loadingPreview')}
            />
          )}
          {previews.error && (
            <Alert
              status="danger"
              title={t('dryRunDialog.prepareFailed')}
              description={previews.error.message}
            />
          )}
          {previews.value?.map((preview, i) => {
            const step = steps[i];
            const outcome = outcomes?.[i];
            return (
              <Flex
                direction="column"
                gap="2"
                key={step.kind}
                data-testid={`fix-step-${step.kind}`}
              >
                <Text weight="bold">
                  {t('setupFix.fixAll.stepTitle', {
                    number: String(i + 1),
                    step: t(`setupFix.fixAll.step.${step.kind}`),
                  })}
                </Text>
                {outcome && (
                  <div data-testid={`fix-step-outcome-${step.kind}`}>
                    {outcome.state === 'failed' ? (
                      <Alert status="danger" title={outcomeText(outcome)} />
                    ) : (
                      <Text variant="body-small">{outcomeText(outcome)}</Text>
                    )}
                  </div>
                )}
                <PreviewBody checkId={step.checkId} preview={preview} />
              </Flex>
            );
          })}
        </Flex>
      </DialogBody>
      <DialogFooter>
        <Button variant="secondary" onPress={onClose}>
          {finished ? t('setupFix.fixAll.close') : t('dryRunDialog.cancel')}
        </Button>
        {!finished && (
          <Button
            variant="primary"
            isDisabled={previews.value === undefined || !!previews.error}
            isPending={applying}
            onPress={apply}
          >
            {t('setupFix.fixAll.apply')}
          </Button>
        )}
      </DialogFooter>
    </Dialog>
  );
}

/**
 * "Fix all": one button for every pending change of the entity the user may
 * make (create the repository, its settings, push access), previewed
 * together and applied in order. Shown only when there is something to fix.
 */
export function FixAll(props: {
  entityRef: CompoundEntityRef;
  checks: SetupCheck[];
  onApplied: () => void;
}) {
  const { entityRef, checks, onApplied } = props;
  const { t } = useTranslationRef(ecrTranslationRef);
  const resourceRef = stringifyEntityRef(entityRef);
  const create = usePermission({
    permission: ecrRepositoryCreatePermission,
    resourceRef,
  });
  const configure = usePermission({
    permission: ecrRepositoryConfigurePermission,
    resourceRef,
  });
  const grant = usePermission({
    permission: ecrPushAccessGrantPermission,
    resourceRef,
  });
  const [steps, setSteps] = useState<FixStep[]>();
  if (create.loading || configure.loading || grant.loading) {
    return null;
  }
  const pending = pendingFixSteps(checks, {
    createRepository: create.allowed,
    configureRepository: configure.allowed,
    grantPushAccess: grant.allowed,
  });
  if (pending.length === 0 && !steps) {
    return null;
  }
  return (
    <>
      {pending.length > 0 && (
        <Button
          size="small"
          variant="primary"
          onPress={() => setSteps(pending)}
        >
          {t('setupFix.fixAll.button')}
        </Button>
      )}
      {steps && (
        <FixAllDialog
          entityRef={entityRef}
          steps={steps}
          onApplied={onApplied}
          onClose={() => setSteps(undefined)}
        />
      )}
    </>
  );
}
