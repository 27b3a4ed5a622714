import {
  AuditorServiceCreateEventOptions,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';

/** One auditor event as a test sees it. */
export interface RecordedAuditEvent {
  plugin: string;
  eventId: string;
  severityLevel?: AuditorServiceCreateEventOptions['severityLevel'];
  status: 'initiated' | 'succeeded' | 'failed';
  /** The user or service the request came from, as Backstage's auditor resolves it. */
  actorId?: string;
  meta?: JsonObject;
  error?: Error;
}

/**
 * An auditor that records events instead of logging them, resolving the actor
 * from the request's credentials as Backstage's default auditor does.
 */
export function recordingAuditor() {
  const events: RecordedAuditEvent[] = [];
  const factory = createServiceFactory({
    service: coreServices.auditor,
    deps: {
      httpAuth: coreServices.httpAuth,
      plugin: coreServices.pluginMetadata,
    },
    factory({ httpAuth, plugin }) {
      return {
        async createEvent(options) {
          let actorId: string | undefined;
          if (options.request) {
            const { principal } = await httpAuth.credentials(options.request);
            const p = principal as {
              type: string;
              userEntityRef?: string;
              subject?: string;
            };
            actorId = p.type === 'user' ? p.userEntityRef : p.subject;
          }
          const base = {
            plugin: plugin.getId(),
            eventId: options.eventId,
            severityLevel: options.severityLevel,
            actorId,
          };
          events.push({ ...base, status: 'initiated', meta: options.meta });
          return {
            async success(params) {
              events.push({
                ...base,
                status: 'succeeded',
                meta: { ...options.meta, ...params?.meta },
              });
            },
            async fail(params) {
              events.push({
                ...base,
                status: 'failed',
                meta: { ...options.meta, ...params.meta },
                error: params.error,
              });
            },
          };
        },
      };
    },
  });
  return { factory, events };
}
