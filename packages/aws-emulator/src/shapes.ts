import { Violation } from './errors';

/**
 * A small subset of the Smithy shape language, enough to describe the inputs of the emulated
 * operations as AWS's service models define them. Each operation declares its input with these
 * so that one reader turns the decoded wire form (JSON or Query) into typed values and reports
 * the same constraint violations AWS reports.
 */
export type Shape =
  | StringShape
  | NumberShape
  | { type: 'boolean' }
  | { type: 'blob'; min?: number; max?: number }
  | { type: 'timestamp' }
  | ListShape
  | MapShape
  | StructureShape;

export interface StringShape {
  type: 'string';
  min?: number;
  max?: number;
  /** Matched against the whole value, as AWS's validation does. */
  pattern?: string;
  enum?: string[];
}

export interface NumberShape {
  type: 'integer' | 'long';
  min?: number;
  max?: number;
}

export interface ListShape {
  type: 'list';
  member: Shape;
  min?: number;
  max?: number;
}

export interface MapShape {
  type: 'map';
  key: Shape;
  value: Shape;
  min?: number;
  max?: number;
}

export interface StructureShape {
  type: 'structure';
  members: Record<string, Shape>;
  required?: string[];
}

export const shape = {
  string: (c: Omit<StringShape, 'type'> = {}): StringShape => ({
    type: 'string',
    ...c,
  }),
  integer: (c: Omit<NumberShape, 'type'> = {}): NumberShape => ({
    type: 'integer',
    ...c,
  }),
  long: (c: Omit<NumberShape, 'type'> = {}): NumberShape => ({
    type: 'long',
    ...c,
  }),
  boolean: (): Shape => ({ type: 'boolean' }),
  blob: (c: { min?: number; max?: number } = {}): Shape => ({
    type: 'blob',
    ...c,
  }),
  list: (member: Shape, c: { min?: number; max?: number } = {}): ListShape => ({
    type: 'list',
    member,
    ...c,
  }),
  map: (
    key: Shape,
    value: Shape,
    c: { min?: number; max?: number } = {},
  ): MapShape => ({ type: 'map', key, value, ...c }),
  structure: (
    members: Record<string, Shape>,
    required: string[] = [],
  ): StructureShape => ({ type: 'structure', members, required }),
};

/** A value of the wrong type: AWS answers these as a serialization error, not a validation one. */
export class ShapeTypeError extends Error {}

const patternCache = new Map<string, RegExp>();
function compiled(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`, 'u');
    patternCache.set(pattern, re);
  }
  return re;
}

function printValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value))
    return `'[${value.map(v => String(v)).join(', ')}]'`;
  if (Buffer.isBuffer(value))
    return `'java.nio.HeapByteBuffer[pos=0 lim=${value.length}]'`;
  if (typeof value === 'object') return `'${JSON.stringify(value)}'`;
  return `'${String(value)}'`;
}

/** Coral's member paths lower-case the first letter (`RoleName` is reported as `roleName`). */
function memberPath(parent: string, name: string): string {
  const n = name.charAt(0).toLowerCase() + name.slice(1);
  return parent ? `${parent}.${n}` : n;
}

export type WireMode = 'json' | 'query';

/**
 * Turns a decoded request (a JSON value, or the tree the Query decoder builds) into typed
 * input, collecting constraint violations. Throws ShapeTypeError for values of the wrong type.
 */
export function readInput(
  s: StructureShape,
  raw: unknown,
  mode: WireMode,
): { value: Record<string, any>; violations: Violation[] } {
  const violations: Violation[] = [];
  const value = readShape(s, raw ?? {}, '', mode, violations) as Record<
    string,
    any
  >;
  return { value, violations };
}

function readShape(
  s: Shape,
  raw: unknown,
  path: string,
  mode: WireMode,
  out: Violation[],
): unknown {
  switch (s.type) {
    case 'string': {
      if (typeof raw !== 'string') {
        throw new ShapeTypeError(
          `${
            typeof raw === 'number' ? 'NUMBER_VALUE' : 'Unexpected value'
          } can not be converted to a String`,
        );
      }
      checkLength(raw.length, s, path, raw, out);
      if (s.pattern !== undefined && !compiled(s.pattern).test(raw)) {
        out.push({
          path,
          value: printValue(raw),
          constraint: `Member must satisfy regular expression pattern: ${s.pattern}`,
        });
      }
      if (s.enum && !s.enum.includes(raw)) {
        out.push({
          path,
          value: printValue(raw),
          constraint: `Member must satisfy enum value set: [${s.enum.join(
            ', ',
          )}]`,
        });
      }
      return raw;
    }
    case 'integer':
    case 'long': {
      let n: number;
      if (mode === 'query' && typeof raw === 'string' && /^-?\d+$/.test(raw)) {
        n = Number(raw);
      } else if (typeof raw === 'number' && Number.isInteger(raw)) {
        n = raw;
      } else {
        throw new ShapeTypeError(
          `${
            typeof raw === 'string' ? 'STRING_VALUE' : 'Unexpected value'
          } can not be converted to an ${
            s.type === 'long' ? 'Long' : 'Integer'
          }`,
        );
      }
      if (s.min !== undefined && n < s.min) {
        out.push({
          path,
          value: printValue(n),
          constraint: `Member must have value greater than or equal to ${s.min}`,
        });
      }
      if (s.max !== undefined && n > s.max) {
        out.push({
          path,
          value: printValue(n),
          constraint: `Member must have value less than or equal to ${s.max}`,
        });
      }
      return n;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      if (mode === 'query' && (raw === 'true' || raw === 'false')) {
        return raw === 'true';
      }
      throw new ShapeTypeError(
        'Unexpected value can not be converted to a Boolean',
      );
    }
    case 'blob': {
      if (typeof raw !== 'string') {
        throw new ShapeTypeError(
          'Unexpected value can not be converted to a Blob',
        );
      }
      const buf = Buffer.from(raw, 'base64');
      checkLength(buf.length, s, path, buf, out);
      return buf;
    }
    case 'timestamp': {
      if (typeof raw === 'number') return new Date(raw * 1000);
      if (typeof raw === 'string' && !Number.isNaN(Date.parse(raw))) {
        return new Date(raw);
      }
      throw new ShapeTypeError(
        'Unexpected value can not be converted to a Date',
      );
    }
    case 'list': {
      const items = listItems(raw, mode);
      checkLength(items.length, s, path, items, out);
      return items.map((item, i) =>
        readShape(s.member, item, `${path}.${i + 1}.member`, mode, out),
      );
    }
    case 'map': {
      const entries = mapEntries(raw, mode);
      checkLength(entries.length, s, path, Object.fromEntries(entries), out);
      const result: Record<string, unknown> = {};
      for (const [k, v] of entries) {
        const key = readShape(s.key, k, `${path}.key`, mode, out) as string;
        result[key] = readShape(s.value, v, `${path}.${key}.value`, mode, out);
      }
      return result;
    }
    case 'structure': {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new ShapeTypeError(
          'Start of structure or map found where not expected.',
        );
      }
      const obj = raw as Record<string, unknown>;
      const result: Record<string, unknown> = {};
      for (const name of s.required ?? []) {
        if (obj[name] === undefined || obj[name] === null) {
          out.push({
            path: memberPath(path, name),
            value: 'null',
            constraint: 'Member must not be null',
          });
        }
      }
      for (const [name, member] of Object.entries(s.members)) {
        const v = obj[name];
        if (v === undefined || v === null) continue;
        result[name] = readShape(member, v, memberPath(path, name), mode, out);
      }
      return result;
    }
    default:
      return raw;
  }
}

function checkLength(
  length: number,
  s: { min?: number; max?: number },
  path: string,
  value: unknown,
  out: Violation[],
) {
  if (s.min !== undefined && length < s.min) {
    out.push({
      path,
      value: printValue(value),
      constraint: `Member must have length greater than or equal to ${s.min}`,
    });
  }
  if (s.max !== undefined && length > s.max) {
    out.push({
      path,
      value: printValue(value),
      constraint: `Member must have length less than or equal to ${s.max}`,
    });
  }
}

/**
 * JSON lists are arrays. Query lists arrive as `Name.member.1=…&Name.member.2=…`, which the
 * Query decoder turns into `{ member: { 1: …, 2: … } }`; an empty list is sent as `Name=`.
 */
function listItems(raw: unknown, mode: WireMode): unknown[] {
  if (Array.isArray(raw)) return raw;
  if (mode === 'query') {
    if (raw === '') return [];
    if (typeof raw === 'object' && raw !== null && 'member' in raw) {
      return indexed((raw as { member: unknown }).member);
    }
  }
  throw new ShapeTypeError('Start of list found where not expected');
}

function mapEntries(raw: unknown, mode: WireMode): Array<[unknown, unknown]> {
  if (mode === 'query') {
    if (raw === '') return [];
    if (typeof raw === 'object' && raw !== null && 'entry' in raw) {
      return indexed((raw as { entry: unknown }).entry).map(e => {
        const entry = e as { key?: unknown; value?: unknown };
        return [entry.key, entry.value];
      });
    }
  }
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    return Object.entries(raw);
  }
  throw new ShapeTypeError('Start of map found where not expected');
}

function indexed(raw: unknown): unknown[] {
  if (typeof raw !== 'object' || raw === null) {
    throw new ShapeTypeError('Start of list found where not expected');
  }
  return Object.entries(raw as Record<string, unknown>)
    .filter(([k]) => /^\d+$/.test(k))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, v]) => v);
}
