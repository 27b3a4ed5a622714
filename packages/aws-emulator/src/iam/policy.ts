/**
 * IAM policy documents: parsing, the checks IAM makes before it accepts a document
 * (MalformedPolicyDocument), and where each statement sits in the text, which
 * SimulatePrincipalPolicy reports as StartPosition/EndPosition.
 */

export interface Position {
  Line: number;
  Column: number;
}

/** `{ AWS: [...], Service: [...] }`, or `'*'` for everyone. */
export type PrincipalSpec = '*' | Record<string, string[]>;

export interface Statement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  principal?: PrincipalSpec;
  notPrincipal?: PrincipalSpec;
  /** Operator → context key → values, all as strings (IAM compares them as text). */
  condition?: Record<string, Record<string, string[]>>;
  start?: Position;
  end?: Position;
}

export interface Policy {
  version: string;
  statements: Statement[];
}

/**
 * What a document is for decides which elements it must and must not have: identity policies
 * name no Principal, resource and trust policies must.
 */
export type PolicyKind = 'identity' | 'resource' | 'trust';

export class MalformedPolicyError extends Error {}

export const CONDITION_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null',
];

/** Splits `ForAnyValue:StringLikeIfExists` into its qualifier, base operator and IfExists. */
export function parseConditionOperator(name: string):
  | {
      set?: 'ForAnyValue' | 'ForAllValues';
      base: string;
      ifExists: boolean;
    }
  | undefined {
  let rest = name;
  let set: 'ForAnyValue' | 'ForAllValues' | undefined;
  const m = /^(ForAnyValue|ForAllValues):(.*)$/.exec(rest);
  if (m) {
    set = m[1] as 'ForAnyValue' | 'ForAllValues';
    rest = m[2];
  }
  let ifExists = false;
  if (rest.endsWith('IfExists') && rest !== 'IfExists') {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  if (!CONDITION_OPERATORS.includes(rest)) return undefined;
  if (rest === 'Null' && ifExists) return undefined;
  return { set, base: rest, ifExists };
}

const SYNTAX = 'Syntax errors in policy.';

/**
 * Parses a policy document (JSON text or an already parsed object) and applies IAM's checks.
 * Throws MalformedPolicyError with IAM's message when the document would be refused.
 */
export function parsePolicy(
  source: string | object,
  kind: PolicyKind = 'identity',
): Policy {
  let doc: unknown;
  let spans: WeakMap<object, { start: Position; end: Position }> | undefined;
  if (typeof source === 'string') {
    const parsed = parseJsonWithSpans(source);
    doc = parsed.value;
    spans = parsed.spans;
  } else {
    doc = source;
  }
  if (!isObject(doc)) throw new MalformedPolicyError(SYNTAX);
  for (const key of Object.keys(doc)) {
    if (!['Version', 'Id', 'Statement'].includes(key)) {
      throw new MalformedPolicyError(SYNTAX);
    }
  }
  const version = doc.Version === undefined ? '2008-10-17' : doc.Version;
  if (version !== '2012-10-17' && version !== '2008-10-17') {
    throw new MalformedPolicyError('The policy failed legacy parsing');
  }
  const rawStatements = doc.Statement;
  if (rawStatements === undefined) {
    throw new MalformedPolicyError('Missing required field Statement');
  }
  const list = Array.isArray(rawStatements) ? rawStatements : [rawStatements];
  const statements = list.map(raw => {
    if (!isObject(raw)) throw new MalformedPolicyError(SYNTAX);
    const statement = parseStatement(raw, kind);
    const span = spans?.get(raw);
    if (span) {
      statement.start = span.start;
      statement.end = span.end;
    }
    return statement;
  });
  return { version, statements };
}

const STATEMENT_KEYS = [
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Principal',
  'NotPrincipal',
  'Condition',
];

function parseStatement(
  raw: Record<string, unknown>,
  kind: PolicyKind,
): Statement {
  for (const key of Object.keys(raw)) {
    if (!STATEMENT_KEYS.includes(key)) throw new MalformedPolicyError(SYNTAX);
  }
  if (raw.Effect === undefined) {
    throw new MalformedPolicyError('Missing required field Effect');
  }
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') {
    throw new MalformedPolicyError(SYNTAX);
  }
  const statement: Statement = { effect: raw.Effect };
  if (raw.Sid !== undefined) {
    if (typeof raw.Sid !== 'string') throw new MalformedPolicyError(SYNTAX);
    statement.sid = raw.Sid;
  }
  if (raw.Action !== undefined && raw.NotAction !== undefined) {
    throw new MalformedPolicyError(SYNTAX);
  }
  if (raw.Action === undefined && raw.NotAction === undefined) {
    throw new MalformedPolicyError('Policy statement must contain actions.');
  }
  if (raw.Action !== undefined) statement.action = actions(raw.Action);
  if (raw.NotAction !== undefined) statement.notAction = actions(raw.NotAction);

  if (raw.Resource !== undefined && raw.NotResource !== undefined) {
    throw new MalformedPolicyError(SYNTAX);
  }
  if (raw.Resource !== undefined) statement.resource = resources(raw.Resource);
  if (raw.NotResource !== undefined) {
    statement.notResource = resources(raw.NotResource);
  }
  if (
    kind === 'identity' &&
    statement.resource === undefined &&
    statement.notResource === undefined
  ) {
    throw new MalformedPolicyError('Policy statement must contain resources.');
  }

  const hasPrincipal =
    raw.Principal !== undefined || raw.NotPrincipal !== undefined;
  if (kind === 'identity' && hasPrincipal) {
    throw new MalformedPolicyError(
      'Policy document should not specify a principal.',
    );
  }
  if (kind !== 'identity' && !hasPrincipal) {
    throw new MalformedPolicyError('Missing required field Principal');
  }
  if (raw.Principal !== undefined)
    statement.principal = principals(raw.Principal);
  if (raw.NotPrincipal !== undefined) {
    statement.notPrincipal = principals(raw.NotPrincipal);
  }
  if (raw.Condition !== undefined)
    statement.condition = conditions(raw.Condition);
  return statement;
}

function stringList(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new MalformedPolicyError(SYNTAX);
  return list.map(v => {
    if (typeof v !== 'string') throw new MalformedPolicyError(SYNTAX);
    return v;
  });
}

function actions(value: unknown): string[] {
  const list = stringList(value);
  for (const action of list) {
    if (action !== '*' && !/^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/.test(action)) {
      throw new MalformedPolicyError(
        'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
      );
    }
  }
  return list;
}

function resources(value: unknown): string[] {
  const list = stringList(value);
  for (const resource of list) {
    if (resource !== '*' && !resource.startsWith('arn:')) {
      throw new MalformedPolicyError(
        `Resource ${resource} must be in ARN format or "*".`,
      );
    }
  }
  return list;
}

function principals(value: unknown): PrincipalSpec {
  if (value === '*') return '*';
  if (!isObject(value))
    throw new MalformedPolicyError('Invalid principal in policy');
  const result: Record<string, string[]> = {};
  for (const [type, ids] of Object.entries(value)) {
    if (!['AWS', 'Service', 'Federated', 'CanonicalUser'].includes(type)) {
      throw new MalformedPolicyError('Invalid principal in policy');
    }
    result[type] = stringList(ids);
  }
  return result;
}

function conditions(value: unknown): Record<string, Record<string, string[]>> {
  if (!isObject(value)) throw new MalformedPolicyError(SYNTAX);
  const result: Record<string, Record<string, string[]>> = {};
  for (const [operator, block] of Object.entries(value)) {
    if (!parseConditionOperator(operator)) {
      throw new MalformedPolicyError(`Invalid Condition type : ${operator}.`);
    }
    if (!isObject(block)) throw new MalformedPolicyError(SYNTAX);
    const keys: Record<string, string[]> = {};
    for (const [key, v] of Object.entries(block)) {
      const list = Array.isArray(v) ? v : [v];
      keys[key] = list.map(item => {
        if (!['string', 'number', 'boolean'].includes(typeof item)) {
          throw new MalformedPolicyError(SYNTAX);
        }
        return String(item);
      });
    }
    result[operator] = keys;
  }
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A minimal JSON parser that also remembers where each object starts and ends (1-based line
 * and column), so that a statement can be located in the text it came from.
 */
export function parseJsonWithSpans(text: string): {
  value: unknown;
  spans: WeakMap<object, { start: Position; end: Position }>;
} {
  const spans = new WeakMap<object, { start: Position; end: Position }>();
  let i = 0;
  let line = 1;
  let col = 1;
  const fail = (): never => {
    throw new MalformedPolicyError(SYNTAX);
  };
  const advance = () => {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else {
      col++;
    }
    i++;
  };
  const skip = () => {
    while (i < text.length && /\s/.test(text[i])) advance();
  };
  const expect = (ch: string) => {
    if (text[i] !== ch) fail();
    advance();
  };
  const parseString = (): string => {
    expect('"');
    let raw = '"';
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        raw += text[i];
        advance();
      }
      raw += text[i];
      advance();
    }
    expect('"');
    try {
      return JSON.parse(`${raw}"`);
    } catch {
      return fail();
    }
  };
  const parseValue = (): unknown => {
    skip();
    const ch = text[i];
    if (ch === '{') {
      const start = { Line: line, Column: col };
      advance();
      const obj: Record<string, unknown> = {};
      skip();
      if (text[i] === '}') {
        advance();
      } else {
        for (;;) {
          skip();
          const key = parseString();
          skip();
          expect(':');
          if (Object.prototype.hasOwnProperty.call(obj, key)) fail();
          obj[key] = parseValue();
          skip();
          if (text[i] === ',') {
            advance();
            continue;
          }
          expect('}');
          break;
        }
      }
      spans.set(obj, { start, end: { Line: line, Column: col } });
      return obj;
    }
    if (ch === '[') {
      advance();
      const arr: unknown[] = [];
      skip();
      if (text[i] === ']') {
        advance();
        return arr;
      }
      for (;;) {
        arr.push(parseValue());
        skip();
        if (text[i] === ',') {
          advance();
          continue;
        }
        expect(']');
        return arr;
      }
    }
    if (ch === '"') return parseString();
    const m = /^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(
      text.slice(i, i + 64),
    );
    if (!m) return fail();
    for (let k = 0; k < m[0].length; k++) advance();
    return JSON.parse(m[0]);
  };
  const value = parseValue();
  skip();
  if (i !== text.length) fail();
  return { value, spans };
}
