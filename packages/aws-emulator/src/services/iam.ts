import { parseArn, roleArn, uniqueId } from '../arn';
import {
  boundaryOf,
  findManagedPolicy,
  parsePolicyCached,
  policiesOf,
  serviceControlPoliciesOf,
} from '../auth/principals';
import { AwsError, queryDialect } from '../errors';
import {
  AccessEvaluation,
  decideAccess,
  Decision,
  PolicySource,
  PrincipalInfo,
} from '../iam/evaluator';
import { MalformedPolicyError, parsePolicy } from '../iam/policy';
import { Operation, OperationContext, ServiceDefinition } from '../operations';
import { paginate } from '../pagination';
import { shape } from '../shapes';
import { Account, IamRole, IamUser, ManagedPolicy, Tag } from '../state';

/**
 * AWS Identity and Access Management (API 2010-05-08, awsQuery): the role and policy reads the
 * setup checks make, the inline-policy writes the push-access grant makes, role tags (who a
 * role belongs to: TagRole, UntagRole, ListRoleTags and GetRole's Tags), and
 * SimulatePrincipalPolicy over the emulator's own evaluator. Policy documents are answered
 * URL-encoded, as IAM does.
 */

const roleName = shape.string({ min: 1, max: 64, pattern: '[\\w+=,.@-]+' });
const policyName = shape.string({ min: 1, max: 128, pattern: '[\\w+=,.@-]+' });
const policyDocument = shape.string({
  min: 1,
  max: 131072,
  pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+',
});
const arn = shape.string({ min: 20, max: 2048 });
const marker = shape.string({
  min: 1,
  max: 320,
  pattern: '[\\u0020-\\u00FF]+',
});
const maxItems = shape.integer({ min: 1, max: 1000 });
const rolePath = shape.string({
  min: 1,
  max: 512,
  pattern: '(\\u002F)|(\\u002F[\\u0021-\\u007F]+\\u002F)',
});
const tagKey = shape.string({
  min: 1,
  max: 128,
  pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+',
});
const tagList = shape.list(
  shape.structure(
    {
      Key: tagKey,
      Value: shape.string({
        min: 0,
        max: 256,
        pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*',
      }),
    },
    ['Key', 'Value'],
  ),
  { max: 50 },
);
const tagKeyList = shape.list(tagKey, { max: 50 });

/** IAM's quota of tags per role (TagsPerRole). */
const TAGS_PER_ROLE = 50;

const INLINE_ROLE_POLICY_LIMIT = 10240;

function noSuchEntity(message: string) {
  return new AwsError('NoSuchEntity', message, { status: 404 });
}

function invalidInput(message: string) {
  return new AwsError('InvalidInput', message, { status: 400 });
}

function malformed(message: string) {
  return new AwsError('MalformedPolicyDocument', message, { status: 400 });
}

function invalidMarker() {
  return new AwsError('ValidationError', 'Invalid Marker', { status: 400 });
}

/** IAM answers policy documents URL-encoded; clients decode them. */
function encodeDocument(text: string): string {
  return encodeURIComponent(text);
}

function tagsOutput(tags: Tag[]) {
  return tags.length > 0
    ? tags.map(t => ({ Key: t.Key, Value: t.Value }))
    : undefined;
}

/**
 * IAM role and user tag keys are case-insensitive but case-preserving: one request may not
 * name a key twice in any case, and a key may not use the prefix AWS reserves.
 */
function checkNewTags(tags: Tag[]): Tag[] {
  const seen = new Set<string>();
  for (const tag of tags) {
    const folded = tag.Key.toLowerCase();
    if (folded.startsWith('aws:')) {
      throw invalidInput(
        `User-defined tag keys cannot start with the reserved prefix 'aws:': ${tag.Key}`,
      );
    }
    if (seen.has(folded)) {
      throw invalidInput(
        'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
      );
    }
    seen.add(folded);
  }
  return tags.map(t => ({ Key: t.Key, Value: t.Value }));
}

/**
 * Adds tags to a role's: a key already there in any case gets the new value and keeps the
 * case it was stored with. Refuses, changing nothing, when the role would end up with more
 * than IAM's quota.
 */
function mergeRoleTags(role: IamRole, added: Tag[]): Tag[] {
  const merged = role.tags.map(t => ({ ...t }));
  for (const tag of added) {
    const existing = merged.find(
      t => t.Key.toLowerCase() === tag.Key.toLowerCase(),
    );
    if (existing) existing.Value = tag.Value;
    else merged.push({ Key: tag.Key, Value: tag.Value });
  }
  if (merged.length > TAGS_PER_ROLE) {
    throw new AwsError(
      'LimitExceeded',
      `Cannot exceed quota for TagsPerRole: ${TAGS_PER_ROLE}`,
      { status: 409 },
    );
  }
  return merged;
}

function roleOutput(role: IamRole, detail: boolean) {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.id,
    Arn: role.arn,
    CreateDate: role.createdAt,
    AssumeRolePolicyDocument: encodeDocument(role.trustPolicy),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration,
    ...(detail && {
      PermissionsBoundary: role.permissionsBoundary
        ? {
            PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
            PermissionsBoundaryArn: role.permissionsBoundary,
          }
        : undefined,
      Tags: tagsOutput(role.tags),
      RoleLastUsed: role.lastUsed
        ? { LastUsedDate: role.lastUsed.date, Region: role.lastUsed.region }
        : {},
    }),
  };
}

function requireRole(ctx: OperationContext, name: string): IamRole {
  const role = ctx.account.roles.get(name);
  if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  return role;
}

/** Before the role is looked up its path is unknown; AWS then names it with path `/`. */
function roleResource(
  input: Record<string, any>,
  ctx: OperationContext,
): string {
  const role = ctx.account.roles.get(input.RoleName);
  return role ? role.arn : roleArn(ctx.account.id, '/', input.RoleName);
}

function requirePolicy(
  ctx: OperationContext,
  policyArn: string,
): ManagedPolicy {
  if (!parseArn(policyArn))
    throw invalidInput(`ARN ${policyArn} is not valid.`);
  const policy = findManagedPolicy(ctx.state, ctx.account, policyArn);
  if (!policy) {
    throw noSuchEntity(
      `Policy ${policyArn} does not exist or is not attachable.`,
    );
  }
  return policy;
}

function boundaryUsageCount(account: Account, policyArn: string): number {
  let count = 0;
  for (const role of account.roles.values()) {
    if (role.permissionsBoundary === policyArn) count++;
  }
  return count;
}

/** Roles AWS creates for its services may not be changed. */
function checkModifiable(role: IamRole): void {
  if (role.path.startsWith('/aws-service-role/')) {
    throw new AwsError(
      'UnmodifiableEntity',
      `Cannot perform the operation on the protected role '${role.name}' - this role is only modifiable by AWS`,
      { status: 400 },
    );
  }
}

/** The managed policy a permissions boundary names (PutRolePermissionsBoundary, CreateRole). */
function requireBoundaryPolicy(
  ctx: OperationContext,
  policyArn: string,
): ManagedPolicy {
  const parsed = parseArn(policyArn);
  if (
    !parsed ||
    parsed.service !== 'iam' ||
    !parsed.resource.startsWith('policy/')
  ) {
    throw invalidInput(`ARN ${policyArn} is not valid.`);
  }
  const policy = findManagedPolicy(ctx.state, ctx.account, policyArn);
  if (!policy) {
    throw noSuchEntity(
      `Scope ARN: ${policyArn} does not exist or is not attachable.`,
    );
  }
  return policy;
}

function attachmentCount(account: Account, policyArn: string): number {
  let count = 0;
  for (const entity of [...account.users.values(), ...account.roles.values()]) {
    if (entity.attachedPolicies.includes(policyArn)) count++;
  }
  return count;
}

function checkDocument(text: string): void {
  try {
    parsePolicy(text, 'identity');
  } catch (e) {
    if (e instanceof MalformedPolicyError) throw malformed(e.message);
    throw e;
  }
}

/** Inline role policies share a size budget, counted without whitespace as IAM counts it. */
function inlineSize(role: IamRole, replacing: string, text: string): number {
  let size = text.replace(/\s/g, '').length;
  for (const [name, doc] of role.inlinePolicies) {
    if (name !== replacing) size += doc.replace(/\s/g, '').length;
  }
  return size;
}

/** The user or role SimulatePrincipalPolicy is asked about. */
function simulationSubject(
  ctx: OperationContext,
  sourceArn: string,
): { entity: IamUser | IamRole; type: 'user' | 'role'; info: PrincipalInfo } {
  const parsed = parseArn(sourceArn);
  if (!parsed || parsed.service !== 'iam') {
    throw invalidInput(`Invalid ARN: ${sourceArn}`);
  }
  const match = /^(user|role|group)(\/.*)?\/([^/]+)$/.exec(parsed.resource);
  if (!match) throw invalidInput(`Invalid ARN: ${sourceArn}`);
  const [, kind, , name] = match;
  const account = ctx.state.accounts.get(parsed.account);
  // Groups have no members in the emulator, so a group ARN is never found.
  let entity: IamUser | IamRole | undefined;
  if (kind === 'user') entity = account?.users.get(name);
  if (kind === 'role') entity = account?.roles.get(name);
  if (!account || !entity || entity.arn !== sourceArn) {
    throw noSuchEntity(`The ${kind} with name ${name} cannot be found.`);
  }
  return {
    entity,
    type: kind as 'user' | 'role',
    info: {
      arn: entity.arn,
      accountId: account.id,
      roleArn: kind === 'role' ? entity.arn : undefined,
    },
  };
}

/**
 * Who the simulated calls come from, whom a resource policy's Principal is matched against:
 * `CallerArn` (an IAM user, as IAM allows nothing else there), or else the user in
 * PolicySourceArn. A simulation with a resource policy needs one of them.
 */
function simulationCaller(
  ctx: OperationContext,
  input: Record<string, any>,
  subjectType: 'user' | 'role',
): { info: PrincipalInfo } {
  const callerArn: string | undefined = input.CallerArn;
  if (callerArn === undefined) {
    if (input.ResourcePolicy && subjectType !== 'user') {
      throw invalidInput(
        'CallerArn is required when a ResourcePolicy is given and PolicySourceArn is not the ARN of an IAM user.',
      );
    }
    return { info: simulationSubject(ctx, input.PolicySourceArn).info };
  }
  const match = /^arn:aws:iam::(\d{12}):user(\/.*)?\/([\w+=,.@-]+)$/.exec(
    callerArn,
  );
  if (!match) {
    throw invalidInput(
      `Invalid CallerArn: ${callerArn}. Only the ARN of an IAM user can be the caller.`,
    );
  }
  const [, accountId, , name] = match;
  const account = ctx.state.accounts.get(accountId);
  const user = account?.users.get(name);
  if (account && (!user || user.arn !== callerArn)) {
    throw noSuchEntity(`The user with name ${name} cannot be found.`);
  }
  return { info: { arn: callerArn, accountId } };
}

/** Names of EvalDecisionDetails entries: the two sides of a cross-account decision. */
const IDENTITY_SIDE = 'IAM Policy';
const RESOURCE_SIDE = 'Resource Policy';

/**
 * EvalDecisionDetails as IAM documents it: per policy type for cross-account simulations;
 * present but empty within one account when a resource ARN is simulated; absent for `*`,
 * and absent when an SCP denied (the evaluation stops there).
 */
function decisionDetails(
  evaluation: AccessEvaluation,
  crossAccount: boolean,
  namedResource: boolean,
): Map<string, Decision> | undefined {
  const { detail } = evaluation;
  if (detail.organizations && detail.organizations !== 'allowed') {
    return undefined;
  }
  if (crossAccount) {
    return new Map<string, Decision>([
      [IDENTITY_SIDE, detail.identity],
      [RESOURCE_SIDE, detail.resource ?? 'implicitDeny'],
    ]);
  }
  return namedResource ? new Map() : undefined;
}

const operations: Record<string, Operation> = {
  GetRole: {
    input: shape.structure({ RoleName: roleName }, ['RoleName']),
    resources: roleResource,
    handler(input, ctx) {
      return { Role: roleOutput(requireRole(ctx, input.RoleName), true) };
    },
  },

  ListRoles: {
    input: shape.structure({
      PathPrefix: shape.string({
        min: 1,
        max: 512,
        pattern: '\\u002F[\\u0021-\\u007F]*',
      }),
      Marker: marker,
      MaxItems: maxItems,
    }),
    resources: (input, ctx) =>
      `arn:aws:iam::${ctx.account.id}:role${input.PathPrefix ?? '/'}`,
    handler(input, ctx) {
      const prefix: string = input.PathPrefix ?? '/';
      const roles = [...ctx.account.roles.values()]
        .filter(r => r.path.startsWith(prefix))
        .sort((a, b) => a.name.localeCompare(b.name));
      const page = paginate(
        roles,
        {
          token: input.Marker,
          max: input.MaxItems,
          defaultMax: 100,
          scope: `ListRoles/${ctx.account.id}/${prefix}`,
        },
        invalidMarker,
      );
      return {
        Roles: page.items.map(r => roleOutput(r, false)),
        IsTruncated: page.next !== undefined,
        Marker: page.next,
      };
    },
  },

  CreateRole: {
    input: shape.structure(
      {
        Path: rolePath,
        RoleName: roleName,
        AssumeRolePolicyDocument: policyDocument,
        Description: shape.string({ max: 1000 }),
        MaxSessionDuration: shape.integer({ min: 3600, max: 43200 }),
        PermissionsBoundary: arn,
        Tags: tagList,
      },
      ['RoleName', 'AssumeRolePolicyDocument'],
    ),
    resources: (input, ctx) =>
      roleArn(ctx.account.id, input.Path ?? '/', input.RoleName),
    handler(input, ctx) {
      const existing = [...ctx.account.roles.keys()].find(
        name => name.toLowerCase() === String(input.RoleName).toLowerCase(),
      );
      if (existing) {
        throw new AwsError(
          'EntityAlreadyExists',
          `Role with name ${input.RoleName} already exists.`,
          { status: 409 },
        );
      }
      try {
        parsePolicy(input.AssumeRolePolicyDocument, 'trust');
      } catch (e) {
        if (e instanceof MalformedPolicyError) throw malformed(e.message);
        throw e;
      }
      if (input.PermissionsBoundary) {
        requireBoundaryPolicy(ctx, input.PermissionsBoundary);
      }
      // The list's own limit (50, the quota) was checked with the request's shape.
      const tags = checkNewTags(input.Tags ?? []);
      const path: string = input.Path ?? '/';
      const arnOfRole = roleArn(ctx.account.id, path, input.RoleName);
      const role: IamRole = {
        name: input.RoleName,
        path,
        arn: arnOfRole,
        id: uniqueId('AROA', arnOfRole),
        createdAt: ctx.now,
        trustPolicy: input.AssumeRolePolicyDocument,
        description: input.Description,
        maxSessionDuration: input.MaxSessionDuration ?? 3600,
        inlinePolicies: new Map(),
        attachedPolicies: [],
        tags,
        permissionsBoundary: input.PermissionsBoundary,
      };
      ctx.account.roles.set(role.name, role);
      const { PermissionsBoundary } = roleOutput(role, true);
      const output = roleOutput(role, false);
      return {
        Role: { ...output, PermissionsBoundary, Tags: tagsOutput(role.tags) },
      };
    },
  },

  TagRole: {
    input: shape.structure({ RoleName: roleName, Tags: tagList }, [
      'RoleName',
      'Tags',
    ]),
    resources: roleResource,
    handler(input, ctx) {
      const role = requireRole(ctx, input.RoleName);
      role.tags = mergeRoleTags(role, checkNewTags(input.Tags));
      return undefined;
    },
  },

  UntagRole: {
    input: shape.structure({ RoleName: roleName, TagKeys: tagKeyList }, [
      'RoleName',
      'TagKeys',
    ]),
    resources: roleResource,
    handler(input, ctx) {
      const role = requireRole(ctx, input.RoleName);
      // Keys match in any case; a key the role does not have is no error.
      const removed = new Set(
        (input.TagKeys as string[]).map(k => k.toLowerCase()),
      );
      role.tags = role.tags.filter(t => !removed.has(t.Key.toLowerCase()));
      return undefined;
    },
  },

  ListRoleTags: {
    input: shape.structure(
      { RoleName: roleName, Marker: marker, MaxItems: maxItems },
      ['RoleName'],
    ),
    resources: roleResource,
    handler(input, ctx) {
      const role = requireRole(ctx, input.RoleName);
      const page = paginate(
        role.tags,
        {
          token: input.Marker,
          max: input.MaxItems,
          defaultMax: 100,
          scope: `ListRoleTags/${role.arn}`,
        },
        invalidMarker,
      );
      return {
        // Required by the model: an empty list when the role has no tags.
        Tags: page.items.map(t => ({ Key: t.Key, Value: t.Value })),
        IsTruncated: page.next !== undefined,
        Marker: page.next,
      };
    },
  },

  ListRolePolicies: {
    input: shape.structure(
      { RoleName: roleName, Marker: marker, MaxItems: maxItems },
      ['RoleName'],
    ),
    resources: roleResource,
    handler(input, ctx) {
      const role = requireRole(ctx, input.RoleName);
      const names = [...role.inlinePolicies.keys()].sort();
      const page = paginate(
        names,
        {
          token: input.Marker,
          max: input.MaxItems,
          defaultMax: 100,
          scope: `ListRolePolicies/${role.arn}`,
        },
        invalidMarker,
      );
      return {
        PolicyNames: page.items,
        IsTruncated: page.next !== undefined,
        Marker: page.next,
      };
    },
  },

  GetRolePolicy: {
    input: shape.structure({ RoleName: roleName, PolicyName: policyName }, [
      'RoleName',
      'PolicyName',
    ]),
    resources: roleResource,
    handler(input, ctx) {
      const role = requireRole(ctx, input.RoleName);
      const text = role.inlinePolicies.get(input.PolicyName);
      if (text === undefined) {
        throw noSuchEntity(
          `The role policy with name ${input.PolicyName} cannot be found.`,
        );
      }
      return {
        RoleName: role.name,
        PolicyName: input.PolicyName,
        PolicyDocument: encodeDocument(text),
      };
    },
  },

  PutRolePolicy: {
    input: shape.structure(
      {
        RoleName: roleName,
        PolicyName: policyName,
        PolicyDocument: policyDocument,
      },
      ['RoleName', 'PolicyName', 'PolicyDocument'],
    ),
    resources: roleResource,
    handler(input, ctx) {
      const role = requireRole(ctx, input.RoleName);
      checkModifiable(role);
      checkDocument(input.PolicyDocument);
      if (
        inlineSize(role, input.PolicyName, input.PolicyDocument) >
        INLINE_ROLE_POLICY_LIMIT
      ) {
        throw new AwsError(
          'LimitExceeded',
          `Maximum policy size of ${INLINE_ROLE_POLICY_LIMIT} bytes exceeded for role ${role.name}`,
          { status: 409 },
        );
      }
      role.inlinePolicies.set(input.PolicyName, input.PolicyDocument);
      return undefined;
    },
  },

  DeleteRolePolicy: {
    input: shape.structure({ RoleName: roleName, PolicyName: policyName }, [
      'RoleName',
      'PolicyName',
    ]),
    resources: roleResource,
    handler(input, ctx) {
      const role = requireRole(ctx, input.RoleName);
      if (!role.inlinePolicies.delete(input.PolicyName)) {
        throw noSuchEntity(
          `The role policy with name ${input.PolicyName} cannot be found.`,
        );
      }
      return undefined;
    },
  },

  PutRolePermissionsBoundary: {
    input: shape.structure({ RoleName: roleName, PermissionsBoundary: arn }, [
      'RoleName',
      'PermissionsBoundary',
    ]),
    resources: roleResource,
    handler(input, ctx) {
      const role = requireRole(ctx, input.RoleName);
      checkModifiable(role);
      const policy = requireBoundaryPolicy(ctx, input.PermissionsBoundary);
      role.permissionsBoundary = policy.arn;
      return undefined;
    },
  },

  DeleteRolePermissionsBoundary: {
    input: shape.structure({ RoleName: roleName }, ['RoleName']),
    resources: roleResource,
    handler(input, ctx) {
      const role = requireRole(ctx, input.RoleName);
      checkModifiable(role);
      if (!role.permissionsBoundary) {
        throw noSuchEntity(
          `The role with name ${role.name} has no permissions boundary.`,
        );
      }
      role.permissionsBoundary = undefined;
      return undefined;
    },
  },

  ListAttachedRolePolicies: {
    input: shape.structure(
      {
        RoleName: roleName,
        PathPrefix: shape.string({
          min: 1,
          max: 512,
          pattern: '((/[A-Za-z0-9\\.,\\+@=_-]+)*)/',
        }),
        Marker: marker,
        MaxItems: maxItems,
      },
      ['RoleName'],
    ),
    resources: roleResource,
    handler(input, ctx) {
      const role = requireRole(ctx, input.RoleName);
      const prefix: string = input.PathPrefix ?? '/';
      const attached = role.attachedPolicies
        .map(a => findManagedPolicy(ctx.state, ctx.account, a))
        .filter(
          (p): p is ManagedPolicy =>
            p !== undefined && p.path.startsWith(prefix),
        )
        .map(p => ({ PolicyName: p.name, PolicyArn: p.arn }));
      const page = paginate(
        attached,
        {
          token: input.Marker,
          max: input.MaxItems,
          defaultMax: 100,
          scope: `ListAttachedRolePolicies/${role.arn}/${prefix}`,
        },
        invalidMarker,
      );
      return {
        AttachedPolicies: page.items,
        IsTruncated: page.next !== undefined,
        Marker: page.next,
      };
    },
  },

  GetPolicy: {
    input: shape.structure({ PolicyArn: arn }, ['PolicyArn']),
    resources: input => input.PolicyArn,
    handler(input, ctx) {
      const policy = requirePolicy(ctx, input.PolicyArn);
      return {
        Policy: {
          PolicyName: policy.name,
          PolicyId: policy.id,
          Arn: policy.arn,
          Path: policy.path,
          DefaultVersionId: policy.defaultVersionId,
          AttachmentCount: attachmentCount(ctx.account, policy.arn),
          PermissionsBoundaryUsageCount: boundaryUsageCount(
            ctx.account,
            policy.arn,
          ),
          IsAttachable: true,
          Description: policy.description,
          CreateDate: policy.createdAt,
          UpdateDate: policy.updatedAt,
          Tags: tagsOutput(policy.tags),
        },
      };
    },
  },

  GetPolicyVersion: {
    input: shape.structure(
      {
        PolicyArn: arn,
        VersionId: shape.string({ pattern: 'v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?' }),
      },
      ['PolicyArn', 'VersionId'],
    ),
    resources: input => input.PolicyArn,
    handler(input, ctx) {
      const policy = requirePolicy(ctx, input.PolicyArn);
      const version = policy.versions.find(v => v.id === input.VersionId);
      if (!version) {
        throw noSuchEntity(
          `Policy ${policy.arn} version ${input.VersionId} does not exist or is not attachable.`,
        );
      }
      return {
        PolicyVersion: {
          Document: encodeDocument(version.document),
          VersionId: version.id,
          IsDefaultVersion: version.id === policy.defaultVersionId,
          CreateDate: version.createdAt,
        },
      };
    },
  },

  SimulatePrincipalPolicy: {
    input: shape.structure(
      {
        PolicySourceArn: arn,
        PolicyInputList: shape.list(policyDocument),
        PermissionsBoundaryPolicyInputList: shape.list(policyDocument),
        ActionNames: shape.list(shape.string({ min: 3, max: 128 })),
        ResourceArns: shape.list(shape.string({ min: 1, max: 2048 })),
        ResourcePolicy: policyDocument,
        ResourceOwner: shape.string({ min: 1, max: 2048 }),
        CallerArn: shape.string({ min: 1, max: 2048 }),
        ContextEntries: shape.list(
          shape.structure({
            ContextKeyName: shape.string({ min: 5, max: 256 }),
            ContextKeyValues: shape.list(shape.string()),
            ContextKeyType: shape.string({
              enum: [
                'string',
                'stringList',
                'numeric',
                'numericList',
                'boolean',
                'booleanList',
                'ip',
                'ipList',
                'binary',
                'binaryList',
                'date',
                'dateList',
              ],
            }),
          }),
        ),
        ResourceHandlingOption: shape.string({ min: 1, max: 64 }),
        MaxItems: maxItems,
        Marker: marker,
      },
      ['PolicySourceArn', 'ActionNames'],
    ),
    resources: input => input.PolicySourceArn,
    handler(input, ctx) {
      const subject = simulationSubject(ctx, input.PolicySourceArn);
      const account = ctx.state.accounts.get(subject.info.accountId)!;
      const caller = simulationCaller(ctx, input, subject.type);
      let owner = caller.info.accountId;
      if (input.ResourceOwner !== undefined) {
        const match = /^arn:aws:iam::(\d{12}):root$/.exec(input.ResourceOwner);
        if (!match) {
          throw invalidInput(
            `'${input.ResourceOwner}' is not a valid as a Resource Owner.`,
          );
        }
        owner = match[1];
      }
      let sources: PolicySource[];
      let resourcePolicy: PolicySource | undefined;
      let boundary: PolicySource[] | undefined;
      try {
        sources = policiesOf(
          ctx.state,
          account,
          subject.entity,
          subject.type,
          input.PolicyInputList ?? [],
        );
        if (input.ResourcePolicy) {
          resourcePolicy = {
            id: 'ResourcePolicy',
            type: 'resource',
            policy: parsePolicyCached(input.ResourcePolicy, 'resource'),
          };
        }
        if (input.PermissionsBoundaryPolicyInputList?.length) {
          // A boundary given here replaces the one the entity has.
          boundary = input.PermissionsBoundaryPolicyInputList.map(
            (text: string, i: number) => ({
              id: `PermissionsBoundaryPolicyInputList.${i + 1}`,
              type: 'none' as const,
              policy: parsePolicyCached(text),
            }),
          );
        } else if (subject.type === 'role') {
          boundary = boundaryOf(ctx.state, account, subject.entity as IamRole);
        }
      } catch (e) {
        if (e instanceof MalformedPolicyError) throw invalidInput(e.message);
        throw e;
      }
      const scps = serviceControlPoliciesOf(
        account,
        subject.type === 'role' ? (subject.entity as IamRole) : undefined,
      );
      const context: Record<string, string[]> = {};
      for (const entry of input.ContextEntries ?? []) {
        if (entry.ContextKeyName) {
          context[String(entry.ContextKeyName).toLowerCase()] =
            entry.ContextKeyValues ?? [];
        }
      }
      // Without a resource policy only the identity side is simulated, in any account.
      const crossAccount =
        resourcePolicy !== undefined && owner !== caller.info.accountId;
      const specific = Boolean(input.ResourceArns?.length);
      const resources: string[] = specific ? input.ResourceArns : ['*'];
      const results = [];
      for (const action of input.ActionNames as string[]) {
        for (const resource of resources) {
          const evaluation = decideAccess({
            action,
            resource,
            principal: caller.info,
            identityPolicies: sources,
            permissionsBoundary: boundary,
            serviceControlPolicies: scps,
            resourcePolicy,
            resourceAccountId: crossAccount ? owner : undefined,
            context,
          });
          const details = decisionDetails(
            evaluation,
            crossAccount,
            resource !== '*',
          );
          const boundaryDetail = boundary && {
            AllowedByPermissionsBoundary:
              evaluation.detail.boundary === 'allowed',
          };
          results.push({
            EvalActionName: action,
            EvalResourceName: resource,
            EvalDecision: evaluation.decision,
            MatchedStatements: evaluation.matchedStatements,
            MissingContextValues: evaluation.missingContextValues,
            ...(scps && {
              OrganizationsDecisionDetail: {
                AllowedByOrganizations:
                  evaluation.detail.organizations === 'allowed',
              },
            }),
            PermissionsBoundaryDecisionDetail: boundaryDetail,
            EvalDecisionDetails: details,
            ResourceSpecificResults: specific
              ? [
                  {
                    EvalResourceName: resource,
                    EvalResourceDecision: evaluation.decision,
                    MatchedStatements: evaluation.matchedStatements,
                    MissingContextValues: evaluation.missingContextValues,
                    EvalDecisionDetails: crossAccount ? details : undefined,
                    PermissionsBoundaryDecisionDetail: boundaryDetail,
                  },
                ]
              : undefined,
          });
        }
      }
      const page = paginate(
        results,
        {
          token: input.Marker,
          max: input.MaxItems,
          defaultMax: 100,
          scope: `SimulatePrincipalPolicy/${
            input.PolicySourceArn
          }/${input.ActionNames.join(',')}/${resources.join(',')}`,
        },
        invalidMarker,
      );
      return {
        EvaluationResults: page.items,
        IsTruncated: page.next !== undefined,
        Marker: page.next,
      };
    },
  },
};

export const iamService: ServiceDefinition = {
  name: 'iam',
  protocol: 'query',
  version: '2010-05-08',
  xmlNamespace: 'https://iam.amazonaws.com/doc/2010-05-08/',
  errors: queryDialect({ code: 'ServiceFailure', status: 500 }),
  operations,
};
