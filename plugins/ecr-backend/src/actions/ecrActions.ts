import {
  AuditorService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { ecrAuditReadPermission } from '@backstage-ecr/plugin-ecr-common';
import { EcrService } from '@backstage-ecr/plugin-ecr-node';
import { CompoundEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { JsonObject } from '@backstage/types';
import { AuditStore } from '../audit/AuditStore';
import { entityRouteRef } from '../auth/entityRouteRef';
import { requirePermission } from '../auth/requirePermission';
import { createReadOperations, imagesResponseOf } from '../routes/reads';
import {
  createWriteOperations,
  WriteAuditMeta,
  WriteCall,
  writeOutcomes,
} from '../routes/writes';
import { CachedEcrReader } from '../services/CachedEcrReader';

export interface EcrActionsOptions {
  actionsRegistry: ActionsRegistryService;
  permissions: PermissionsService;
  catalog: CatalogService;
  auditor: AuditorService;
  ecr: EcrService;
  reader: CachedEcrReader;
  /** The platform audit's store; without it `get-audit` is not registered. */
  auditStore?: Pick<AuditStore, 'getLatestReport'>;
}

/** The schema library the registry hands to each schema function. */
type Zod = Parameters<
  Parameters<ActionsRegistryService['register']>[0]['schema']['input']
>[0];

const ENTITY_REF_DESCRIPTION =
  'The catalog entity, as kind:namespace/name (e.g. component:default/proof-of-concept); the namespace defaults to default';

const entityRefInput = (z: Zod) =>
  z.string().min(1).max(1000).describe(ENTITY_REF_DESCRIPTION);

const dryRunInput = (z: Zod) =>
  z
    .boolean()
    .default(true)
    .describe(
      'When true (the default), answer what would change and change nothing; false makes the change',
    );

const repositoryInput = (z: Zod) =>
  z
    .string()
    .max(300)
    .optional()
    .describe(
      "The repository ARN to act on, one of the entity's; needed only when the entity has several",
    );

/** Answers carry their full detail: an object schema that keeps every field. */
const detail = (z: Zod) => z.object({}).passthrough();

/**
 * The entity an action's `entityRef` names, checked as the routes check
 * `:namespace/:kind/:name` (the catalog's naming rules) before anything is
 * looked up.
 */
export function actionEntityRef(entityRef: string): CompoundEntityRef {
  let parsed: CompoundEntityRef;
  try {
    parsed = parseEntityRef(entityRef, { defaultNamespace: 'default' });
  } catch {
    throw new InputError(
      'Invalid entity reference: give it as kind:namespace/name',
    );
  }
  return entityRouteRef(parsed);
}

/**
 * Registers the ECR backend's reads and writes with the actions registry,
 * for agents (through the MCP actions backend) and CLIs. Each action runs
 * the same code as its route: the entity loaded with the caller's
 * credentials (not visible: NotFoundError), the route's permission
 * authorized against it (NotAllowedError), only the entity's annotated
 * resources that AWS says belong to it touched, and each write attempt an
 * auditor event with the route's event id. Writes are dry runs unless
 * `dryRun: false` is given.
 */
export function registerEcrActions(options: EcrActionsOptions): void {
  const { actionsRegistry, permissions, auditStore } = options;
  const reads = createReadOperations(options);
  const writes = createWriteOperations(options);

  actionsRegistry.register({
    name: 'get-images',
    title: 'Get ECR images',
    description:
      "Lists every image of the entity's annotated ECR repositories, newest first, with tags, digest, size, push and pull times and the scan summary. Needs ecr.images.read on the entity.",
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z => z.object({ entityRef: entityRefInput(z) }),
      output: z =>
        z.object({
          entityRef: z.string(),
          repositories: z.array(detail(z)),
          containerPort: z.number(),
          fetchedAt: z.string(),
          stale: z.boolean().optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const ref = actionEntityRef(input.entityRef);
      const images = await reads.getImages(ref, credentials);
      return { output: toJson(imagesResponseOf(images)) };
    },
  });

  actionsRegistry.register({
    name: 'get-setup-status',
    title: 'Get ECR setup status',
    description:
      "Runs the setup checks for the entity's ECR repositories, pushing role and CodeBuild project: each check's status, message and the fix. Needs ecr.images.read on the entity.",
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefInput(z),
          refresh: z
            .boolean()
            .default(false)
            .describe(
              'Read AWS again rather than answer from the cache (at most once per 10 seconds per entity)',
            ),
        }),
      output: z =>
        z.object({
          entityRef: z.string(),
          checks: z.array(detail(z)),
          checkedAt: z.string(),
          stale: z.boolean().optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const ref = actionEntityRef(input.entityRef);
      const status = await reads.getSetupStatus(ref, credentials, {
        refresh: () => input.refresh,
      });
      return { output: toJson(status) };
    },
  });

  actionsRegistry.register({
    name: 'get-builds',
    title: 'Get CodeBuild builds',
    description:
      "Lists the recent builds of the entity's CodeBuild project, with the diagnosis of failed ones and the images they pushed. Needs ecr.images.read on the entity.",
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z => z.object({ entityRef: entityRefInput(z) }),
      output: z =>
        z
          .object({
            project: z.object({ arn: z.string(), name: z.string() }).nullable(),
            builds: z.array(detail(z)),
            fetchedAt: z.string(),
            stale: z.boolean().optional(),
          })
          .passthrough(),
    },
    action: async ({ input, credentials }) => {
      const ref = actionEntityRef(input.entityRef);
      const builds = await reads.getBuilds(ref, credentials);
      return { output: toJson(builds) };
    },
  });

  if (auditStore) {
    actionsRegistry.register({
      name: 'get-audit',
      title: 'Get the platform ECR audit',
      description:
        "The latest platform audit: every annotated entity's setup, and the repositories no entity has claimed. Needs ecr.audit.read.",
      attributes: { readOnly: true, destructive: false, idempotent: true },
      schema: {
        input: z => z.object({}),
        output: z =>
          z
            .object({
              run: detail(z).optional(),
              entities: z.array(detail(z)),
              unclaimed: z.array(detail(z)),
            })
            .passthrough(),
      },
      action: async ({ credentials }) => {
        await requirePermission(
          permissions,
          { permission: ecrAuditReadPermission },
          credentials,
        );
        return { output: toJson(await auditStore.getLatestReport()) };
      },
    });
  }

  /**
   * One write action: an auditor event with the route's event id (the
   * actor named in its meta, as there is no request), then the write.
   */
  async function audited<T extends object>(
    eventId: string,
    input: { entityRef: string; dryRun: boolean },
    credentials: BackstageCredentials,
    write: (call: WriteCall, meta: WriteAuditMeta) => Promise<T>,
    outcomeOf: (answer: T) => JsonObject,
    extra: Pick<WriteCall, 'repository' | 'sourceVersion'> = {},
  ): Promise<{ output: any }> {
    const meta: WriteAuditMeta = {
      entityRef: input.entityRef.slice(0, 300),
      dryRun: input.dryRun,
      via: 'actions',
      actor: actorOf(credentials),
    };
    let output = {};
    await writes.audited(eventId, { meta }, async () => {
      const ref = actionEntityRef(input.entityRef);
      const call = { ref, credentials, dryRun: input.dryRun, ...extra };
      const answer = await write(call, meta);
      output = toJson(answer);
      return outcomeOf(answer);
    });
    return { output };
  }

  actionsRegistry.register({
    name: 'create-repository',
    title: 'Create the ECR repository',
    description:
      "Creates the entity's annotated ECR repository with scan on push, immutable tags, AES-256 and a lifecycle policy, tagged as the entity's. Dry run unless dryRun is false. Needs ecr.repository.create on the entity.",
    attributes: { readOnly: false, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefInput(z),
          dryRun: dryRunInput(z),
          repository: repositoryInput(z),
        }),
      output: z =>
        z
          .object({
            dryRun: z.boolean(),
            created: z.boolean(),
            alreadyExisted: z.boolean(),
            repositoryArn: z.string(),
            repositoryUri: z.string(),
          })
          .passthrough(),
    },
    action: async ({ input, credentials }) =>
      audited(
        'repository-create',
        input,
        credentials,
        writes.createRepository,
        writeOutcomes.createRepository,
        { repository: input.repository },
      ),
  });

  actionsRegistry.register({
    name: 'configure-repository',
    title: "Fix the ECR repository's settings",
    description:
      "Turns on scan on push, sets IMMUTABLE tags and puts the default lifecycle policy (which expires untagged images after 14 days) on the entity's repository, each selectable; an existing different lifecycle policy is kept unless replaceLifecyclePolicy is true. Dry run unless dryRun is false. Needs ecr.repository.configure on the entity.",
    // Putting a lifecycle policy makes ECR expire images, and may replace one.
    attributes: { readOnly: false, destructive: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefInput(z),
          dryRun: dryRunInput(z),
          repository: repositoryInput(z),
          settings: z
            .array(z.enum(['scanOnPush', 'tagImmutability', 'lifecyclePolicy']))
            .min(1)
            .optional()
            .describe('The settings to fix; all three when left out'),
          replaceLifecyclePolicy: z
            .boolean()
            .default(false)
            .describe('Replace an existing, different lifecycle policy'),
        }),
      output: z =>
        z
          .object({
            dryRun: z.boolean(),
            changed: z.boolean(),
            repositoryArn: z.string(),
            changes: z.array(detail(z)),
          })
          .passthrough(),
    },
    action: async ({ input, credentials }) =>
      audited(
        'repository-configure',
        input,
        credentials,
        (call, meta) =>
          writes.configureRepository(
            call,
            {
              settings: input.settings ?? [
                'scanOnPush',
                'tagImmutability',
                'lifecyclePolicy',
              ],
              replaceLifecyclePolicy: input.replaceLifecyclePolicy,
            },
            meta,
          ),
        writeOutcomes.configureRepository,
        { repository: input.repository },
      ),
  });

  actionsRegistry.register({
    name: 'grant-push-access',
    title: 'Grant the build role push access',
    description:
      "Puts one least-privilege inline policy on the entity's build role (its push role or CodeBuild project's service role) allowing it to push to the entity's repository; never edits another policy. Dry run unless dryRun is false. Needs ecr.push-access.grant on the entity.",
    attributes: { readOnly: false, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefInput(z),
          dryRun: dryRunInput(z),
          repository: repositoryInput(z),
        }),
      output: z =>
        z
          .object({
            dryRun: z.boolean(),
            changed: z.boolean(),
            roleArn: z.string(),
            policyName: z.string(),
          })
          .passthrough(),
    },
    action: async ({ input, credentials }) =>
      audited(
        'push-access-grant',
        input,
        credentials,
        writes.grantPushAccess,
        writeOutcomes.grantPushAccess,
        { repository: input.repository },
      ),
  });

  actionsRegistry.register({
    name: 'claim',
    title: "Claim the entity's unbound AWS resources",
    description:
      "Binds the entity's unbound annotated repositories and build role to it by tagging them; resources bound to someone else are left alone. Dry run unless dryRun is false. Needs ecr.repository.claim on the entity.",
    attributes: { readOnly: false, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({ entityRef: entityRefInput(z), dryRun: dryRunInput(z) }),
      output: z =>
        z
          .object({
            dryRun: z.boolean(),
            entityRef: z.string(),
            changed: z.boolean(),
            resources: z.array(detail(z)),
          })
          .passthrough(),
    },
    action: async ({ input, credentials }) =>
      audited(
        'repository-claim',
        input,
        credentials,
        writes.claim,
        writeOutcomes.claim,
      ),
  });

  actionsRegistry.register({
    name: 'start-build',
    title: 'Start a CodeBuild build',
    description:
      "Starts a build of the entity's CodeBuild project, of its default source version or the one given. Dry run unless dryRun is false. Needs ecr.build.start on the entity.",
    attributes: { readOnly: false, destructive: false, idempotent: false },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefInput(z),
          dryRun: dryRunInput(z),
          sourceVersion: z
            .string()
            .max(300)
            .optional()
            .describe(
              'The branch, tag or commit to build; the project default when left out',
            ),
        }),
      output: z =>
        z
          .object({
            dryRun: z.boolean(),
            projectArn: z.string(),
            sourceVersion: z.string().optional(),
            build: detail(z).optional(),
          })
          .passthrough(),
    },
    action: async ({ input, credentials }) =>
      audited(
        'build-start',
        input,
        credentials,
        writes.startBuild,
        writeOutcomes.startBuild,
        input.sourceVersion === undefined
          ? {}
          : { sourceVersion: input.sourceVersion },
      ),
  });
}

/** Who made a write, for its auditor event. */
function actorOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.type === 'user' && principal.userEntityRef) {
    return principal.userEntityRef;
  }
  if (principal.type === 'service' && principal.subject) {
    return principal.subject;
  }
  return principal.type ?? 'unknown';
}

/**
 * An answer as the plain JSON an action returns, for the registry to check
 * against the action's output schema (the answer types are interfaces, which
 * TypeScript does not match to the schemas' open objects).
 */
function toJson(value: object): any {
  return JSON.parse(JSON.stringify(value));
}
