import { randomBytes } from 'crypto';
import { assumedRoleArn, parseArn } from '../arn';
import { findManagedPolicy, parsePolicyCached } from '../auth/principals';
import { AwsError, queryDialect } from '../errors';
import { evaluatePolicies, matchPrincipal } from '../iam/evaluator';
import { MalformedPolicyError, parsePolicy } from '../iam/policy';
import { Operation, OperationContext, ServiceDefinition } from '../operations';
import { shape } from '../shapes';
import { IamRole } from '../state';

/**
 * AWS Security Token Service (API 2011-06-15, awsQuery): who the caller is, and role sessions
 * whose temporary credentials the emulator then accepts like any other access key.
 */

const arn = shape.string({ min: 20, max: 2048 });
const CHAINED_SESSION_LIMIT = 3600;

function accessDenied(
  ctx: OperationContext,
  roleArnText: string,
  why?: string,
) {
  return new AwsError(
    'AccessDenied',
    why ??
      `User: ${ctx.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArnText}`,
    { status: 403 },
  );
}

function validation(message: string) {
  return new AwsError('ValidationError', message, { status: 400 });
}

function randomKey(prefix: string, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = randomBytes(length);
  let key = prefix;
  for (let i = 0; i < length; i++) key += alphabet[bytes[i] % alphabet.length];
  return key;
}

/** The role a RoleArn names, if it exists exactly as named (path included). */
function findRole(
  ctx: OperationContext,
  roleArnText: string,
): IamRole | undefined {
  const parsed = parseArn(roleArnText);
  if (!parsed || parsed.service !== 'iam') return undefined;
  const name = /^role\/(?:.*\/)?([^/]+)$/.exec(parsed.resource)?.[1];
  const role = name
    ? ctx.state.accounts.get(parsed.account)?.roles.get(name)
    : undefined;
  return role?.arn === roleArnText ? role : undefined;
}

/**
 * Whether the trust policy names this caller itself (not just its account): then, within one
 * account, the caller needs no identity permission of its own, as in AWS.
 */
function trustNamesCaller(role: IamRole, ctx: OperationContext): boolean {
  const trust = parsePolicyCached(role.trustPolicy, 'trust');
  const exact = { ...ctx.principal.info, accountId: '' };
  return trust.statements.some(
    s =>
      s.effect === 'Allow' &&
      s.principal !== undefined &&
      s.principal !== '*' &&
      matchPrincipal({ AWS: s.principal.AWS ?? [] }, exact),
  );
}

const operations: Record<string, Operation> = {
  GetCallerIdentity: {
    input: shape.structure({}),
    // Every caller may ask who it is, even one denied everything.
    handler(_input, ctx) {
      return {
        UserId: ctx.principal.userId,
        Account: ctx.principal.accountId,
        Arn: ctx.principal.arn,
      };
    },
  },

  AssumeRole: {
    input: shape.structure(
      {
        RoleArn: arn,
        RoleSessionName: shape.string({
          min: 2,
          max: 64,
          pattern: '[\\w+=,.@-]*',
        }),
        PolicyArns: shape.list(shape.structure({ arn })),
        Policy: shape.string({
          min: 1,
          max: 2048,
          pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+',
        }),
        DurationSeconds: shape.integer({ min: 900, max: 43200 }),
        Tags: shape.list(
          shape.structure({ Key: shape.string(), Value: shape.string() }, [
            'Key',
            'Value',
          ]),
          { max: 50 },
        ),
        TransitiveTagKeys: shape.list(shape.string(), { max: 50 }),
        ExternalId: shape.string({
          min: 2,
          max: 1224,
          pattern: '[\\w+=,.@:\\/-]*',
        }),
        SerialNumber: shape.string({ min: 9, max: 256 }),
        TokenCode: shape.string({ min: 6, max: 6, pattern: '[\\d]*' }),
        SourceIdentity: shape.string({
          min: 2,
          max: 64,
          pattern: '[\\w+=,.@-]*',
        }),
      },
      ['RoleArn', 'RoleSessionName'],
    ),
    handler(input, ctx) {
      if (ctx.principal.kind === 'root') {
        throw accessDenied(
          ctx,
          input.RoleArn,
          'Roles may not be assumed by root accounts.',
        );
      }
      const role = findRole(ctx, input.RoleArn);
      if (!role) throw accessDenied(ctx, input.RoleArn);
      const roleAccount = parseArn(role.arn)!.account;

      const trust = evaluatePolicies(
        [
          {
            id: 'TrustPolicy',
            type: 'resource',
            policy: parsePolicyCached(role.trustPolicy, 'trust'),
          },
        ],
        {
          action: 'sts:AssumeRole',
          resource: role.arn,
          principal: ctx.principal.info,
          context: {
            ...ctx.conditionContext,
            ...(input.ExternalId && { 'sts:externalid': [input.ExternalId] }),
            'sts:rolesessionname': [input.RoleSessionName],
          },
        },
      );
      if (trust.decision !== 'allowed') throw accessDenied(ctx, input.RoleArn);
      if (
        roleAccount !== ctx.principal.accountId ||
        !trustNamesCaller(role, ctx)
      ) {
        // The trust policy is the role's resource policy: across accounts both it (checked
        // above) and the caller's own policies must allow.
        ctx.authorize('sts:AssumeRole', role.arn, {
          resourcePolicy: role.trustPolicy,
          resourceAccountId: roleAccount,
        });
      }

      const chained = ctx.principal.kind === 'assumed-role';
      const duration: number = input.DurationSeconds ?? 3600;
      if (chained && duration > CHAINED_SESSION_LIMIT) {
        throw validation(
          'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
        );
      }
      if (duration > role.maxSessionDuration) {
        throw validation(
          'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
        );
      }

      const sessionPolicies: string[] = [];
      if (input.Policy) {
        try {
          parsePolicy(input.Policy, 'identity');
        } catch (e) {
          if (e instanceof MalformedPolicyError) {
            throw new AwsError('MalformedPolicyDocument', e.message, {
              status: 400,
            });
          }
          throw e;
        }
        sessionPolicies.push(input.Policy);
      }
      for (const ref of input.PolicyArns ?? []) {
        const account = ctx.state.accounts.get(roleAccount)!;
        const policyArnText: string | undefined = ref.arn;
        const managed = policyArnText
          ? findManagedPolicy(ctx.state, account, policyArnText)
          : undefined;
        const version = managed
          ? managed.versions.find(v => v.id === managed.defaultVersionId)
          : undefined;
        if (!version)
          throw validation(
            `Policy ${ref.arn} does not exist or is not attachable.`,
          );
        sessionPolicies.push(version.document);
      }

      const accessKeyId = randomKey('ASIA', 16);
      const secretAccessKey = randomBytes(30).toString('base64');
      const sessionToken = randomBytes(96).toString('base64');
      const expiresAt = new Date(ctx.now.getTime() + duration * 1000);
      ctx.state.accessKeys.set(accessKeyId, {
        accessKeyId,
        secretAccessKey,
        sessionToken,
        expiresAt,
        principal: {
          kind: 'role-session',
          accountId: roleAccount,
          roleName: role.name,
          sessionName: input.RoleSessionName,
          sessionPolicies: sessionPolicies.length ? sessionPolicies : undefined,
        },
      });
      const packed = sessionPolicies.join('').replace(/\s/g, '').length;
      return {
        Credentials: {
          AccessKeyId: accessKeyId,
          SecretAccessKey: secretAccessKey,
          SessionToken: sessionToken,
          Expiration: expiresAt,
        },
        AssumedRoleUser: {
          AssumedRoleId: `${role.id}:${input.RoleSessionName}`,
          Arn: assumedRoleArn(roleAccount, role.name, input.RoleSessionName),
        },
        PackedPolicySize: sessionPolicies.length
          ? Math.min(100, Math.ceil((packed / 2048) * 100))
          : undefined,
        SourceIdentity: input.SourceIdentity,
      };
    },
  },
};

export const stsService: ServiceDefinition = {
  name: 'sts',
  protocol: 'query',
  version: '2011-06-15',
  xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
  errors: queryDialect({ code: 'InternalFailure', status: 500 }),
  operations,
};
