import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// auth: the guest provider signs in as user:default/guest (see app-config.yaml)
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// catalog
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// scaffolder
backend.add(import('@backstage/plugin-scaffolder-backend'));
// the ecr:repository:create and ecr:push-access:grant actions
backend.add(import('@backstage-ecr/plugin-scaffolder-backend-module-ecr'));

// permissions, decided by this project's policy
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./permissions'));

// Amazon ECR: images, scan findings and setup status of catalog entities
backend.add(import('@backstage-ecr/plugin-ecr-backend'));

// MCP: the actions plugins register (here only ECR's, see backend.actions in
// app-config.yaml) as MCP tools at /api/mcp-actions/v1
backend.add(import('@backstage/plugin-mcp-actions-backend'));

// search (in-memory Lunr engine by default) with the catalog collator
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

// user settings, kept in sync across tabs through signals
backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// notifications: the ECR audit tells owners when their setup breaks
backend.add(import('@backstage/plugin-notifications-backend'));

backend.start();
