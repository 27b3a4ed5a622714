import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { BuildsResponse, BuildSummary } from '@backstage-ecr/plugin-ecr-common';
import { ecrApiRef } from '../../api/EcrApi';

/** How often the builds are read again while a build started here runs. */
export const BUILD_POLL_INTERVAL_MS = 2500;

/** The entity's builds, and a way to follow a build started from the tab. */
export interface BuildsState {
  value?: BuildsResponse;
  error?: Error;
  loading: boolean;
  retry: () => void;
  /** The id of the build being followed until it ends, if any. */
  watching?: string;
  /** The build followed was started from the tab (not found running). */
  startedHere?: boolean;
  /** Shows a build that was just started and reads the builds again until it ends. */
  watch: (build: BuildSummary) => void;
}

/**
 * Reads the entity's builds; after `watch(build)`, or when the first answer
 * has a build running, reads them again every `pollIntervalMs` until that
 * build has ended, then calls `onBuildEnded` (its image and the checks may
 * have changed). Polling stops on unmount.
 */
export function useBuilds(
  entityRef: CompoundEntityRef,
  options: { pollIntervalMs?: number; onBuildEnded?: () => void } = {},
): BuildsState {
  const { pollIntervalMs = BUILD_POLL_INTERVAL_MS } = options;
  const api = useApi(ecrApiRef);
  const refKey = stringifyEntityRef(entityRef);
  // The entity ref object may be new on every render; its string is not.
  const entityRefRef = useRef(entityRef);
  entityRefRef.current = entityRef;
  const onEndedRef = useRef(options.onBuildEnded);
  onEndedRef.current = options.onBuildEnded;

  const [answer, setAnswer] = useState<{
    value?: BuildsResponse;
    error?: Error;
    loading: boolean;
  }>({ loading: true });
  const [attempt, setAttempt] = useState(0);
  const [watching, setWatching] = useState<{
    id: string;
    startedHere: boolean;
  }>();

  useEffect(() => {
    let cancelled = false;
    setAnswer(previous => ({ value: previous.value, loading: true }));
    api.getBuilds(entityRefRef.current).then(
      value => {
        if (cancelled) return;
        setAnswer({ value, loading: false });
        const running = value.builds.find(b => b.status === 'IN_PROGRESS');
        if (running) {
          setWatching(
            current => current ?? { id: running.id, startedHere: false },
          );
        }
      },
      error => {
        if (!cancelled) {
          setAnswer(previous => ({
            value: previous.value,
            error,
            loading: false,
          }));
        }
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, refKey, attempt]);

  useEffect(() => {
    if (!watching) return undefined;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const value = await api.getBuilds(entityRefRef.current);
        if (cancelled) return;
        setAnswer({ value, loading: false });
        const build = value.builds.find(b => b.id === watching.id);
        if (build && build.status !== 'IN_PROGRESS') {
          setWatching(undefined);
          onEndedRef.current?.();
          return;
        }
      } catch (error) {
        if (cancelled) return;
        // Keep following the build: a failed read says so, the next may not fail.
        setAnswer(previous => ({
          value: previous.value,
          error: error as Error,
          loading: false,
        }));
      }
      timer = setTimeout(poll, pollIntervalMs);
    };
    timer = setTimeout(poll, pollIntervalMs);
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [api, watching, pollIntervalMs]);

  const retry = useCallback(() => setAttempt(n => n + 1), []);
  const watch = useCallback((build: BuildSummary) => {
    setAnswer(previous =>
      previous.value
        ? {
            ...previous,
            value: {
              ...previous.value,
              builds: [
                build,
                ...previous.value.builds.filter(b => b.id !== build.id),
              ],
            },
          }
        : previous,
    );
    if (build.status === 'IN_PROGRESS') {
      setWatching({ id: build.id, startedHere: true });
    }
  }, []);

  return {
    ...answer,
    retry,
    watching: watching?.id,
    startedHere: watching?.startedHere,
    watch,
  };
}
