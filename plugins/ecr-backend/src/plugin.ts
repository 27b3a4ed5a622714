import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { ecrPermissions } from '@backstage-ecr/plugin-ecr-common';
import {
  EcrSetupCheck,
  ecrServiceRef,
  ecrSetupChecksExtensionPoint,
} from '@backstage-ecr/plugin-ecr-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { registerEcrActions } from './actions/ecrActions';
import { AuditRunner } from './audit/AuditRunner';
import { DatabaseAuditStore } from './audit/AuditStore';
import { readAuditConfig, readAuditNotificationsEnabled } from './audit/config';
import { scheduleAudit } from './audit/scheduleAudit';
import { createRouter } from './router';
import { addSetupCheck, withAddedChecks } from './services/addedChecks';
import { CachedEcrReader } from './services/CachedEcrReader';

/**
 * The ECR backend plugin: catalog-scoped images, scan findings and setup
 * status under /api/ecr. Backend modules add setup checks through
 * `ecrSetupChecksExtensionPoint`.
 *
 * @public
 */
export const ecrPlugin = createBackendPlugin({
  pluginId: 'ecr',
  register(env) {
    const addedChecks: EcrSetupCheck[] = [];
    env.registerExtensionPoint(ecrSetupChecksExtensionPoint, {
      addSetupCheck(...checks) {
        for (const check of checks) addSetupCheck(addedChecks, check);
      },
    });
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        cache: coreServices.cache,
        auditor: coreServices.auditor,
        auth: coreServices.auth,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
        ecr: ecrServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
        notifications: notificationService,
      },
      async init({
        config,
        logger,
        httpRouter,
        httpAuth,
        permissions,
        permissionsRegistry,
        cache,
        auditor,
        auth,
        database,
        scheduler,
        lifecycle,
        catalog,
        ecr: awsLayer,
        actionsRegistry,
        notifications,
      }) {
        const ecr = addedChecks.length
          ? withAddedChecks(awsLayer, addedChecks)
          : awsLayer;
        permissionsRegistry.addPermissions(ecrPermissions);
        const reader = new CachedEcrReader(
          ecr,
          cache,
          logger,
          ecr.config.cacheTtlSeconds,
        );
        const auditConfig = readAuditConfig(config);
        const auditStore = await DatabaseAuditStore.create({ database });
        const auditRunner = new AuditRunner({
          catalog,
          auth,
          ecr,
          store: auditStore,
          logger: logger.child({ task: 'ecr-audit' }),
          ...auditConfig,
          ...(readAuditNotificationsEnabled(config) && { notifications }),
        });
        lifecycle.addShutdownHook(() => auditRunner.stop());
        await scheduleAudit({
          scheduler,
          schedule: auditConfig.schedule,
          runner: auditRunner,
        });
        httpRouter.use(
          await createRouter({
            config,
            logger,
            httpAuth,
            permissions,
            catalog,
            ecr,
            reader,
            auditor,
            audit: { store: auditStore, runner: auditRunner },
          }),
        );
        registerEcrActions({
          actionsRegistry,
          permissions,
          catalog,
          auditor,
          ecr,
          reader,
          auditStore,
        });
        // Only /health is open; Backstage's auth barrier answers every other
        // request without a user or service token with 401.
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
