// Structural validation against a TypeBox schema, with messages in words: "expected one of
// serial, parallel or { batch: N }", not "Expected union value". Unions pick the branch that
// fits best, so a typo inside a check is reported as the typo, not as "no branch matched".
import { Kind, OptionalKind, type TSchema } from '@sinclair/typebox';
import { didYouMean } from '../input/did-you-mean.js';
import { parseDuration } from './duration.js';
import { describeValue, type YamlPath } from '../input/load-yaml.js';
import { Duration, Id } from './schema.js';

/** One structural problem: where, what, and whether it sits on a key (unknown key) or a value. */
export interface ShapeIssue {
  path: (string | number)[];
  message: string;
  onKey?: boolean;
}

export interface ShapeOptions {
  /** Names the mapping at path for messages, e.g. step "run-patch-script". */
  owner(path: YamlPath): string;
}

type Schema = TSchema & Record<string | symbol, unknown>;

const kindOf = (s: Schema): string => String(s[Kind]);
const props = (s: Schema): Record<string, Schema> => (s.properties ?? {}) as Record<string, Schema>;
const required = (s: Schema): string[] =>
  Array.isArray(s.required)
    ? (s.required as string[])
    : Object.entries(props(s))
        .filter(([, p]) => p[OptionalKind] !== 'Optional')
        .map(([k]) => k);
const branches = (s: Schema): Schema[] => (s.anyOf ?? []) as Schema[];

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
/** An own key: `in` would also find constructor, toString and the rest of Object.prototype. */
const has = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

type ValueKind = 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean';
function valueKind(v: unknown): ValueKind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  return t === 'string' || t === 'number' || t === 'boolean' ? t : 'object';
}

function accepts(s: Schema, kind: ValueKind): boolean {
  switch (kindOf(s)) {
    case 'String':
      return kind === 'string';
    case 'Integer':
    case 'Number':
      return kind === 'number';
    case 'Boolean':
      return kind === 'boolean';
    case 'Literal':
      return valueKind(s.const) === kind;
    case 'Array':
      return kind === 'array';
    case 'Object':
    case 'Record':
      return kind === 'object';
    case 'Union':
      return branches(s).some((b) => accepts(b, kind));
    default:
      return true;
  }
}

const PLACEHOLDER: Record<string, string> = { Integer: 'N', Number: 'N', Boolean: 'true', String: '...' };

/** What a schema expects, in words. */
export function expectedWords(s: Schema, inUnion = false): string {
  switch (kindOf(s)) {
    case 'String':
      if (s.pattern === Duration.pattern) return 'a duration such as 10s or 1m30s';
      if (s.pattern === Id.pattern) return 'an id';
      return 'a string';
    case 'Integer':
      return 'a whole number';
    case 'Number':
      return 'a number';
    case 'Boolean':
      return inUnion ? 'true/false' : 'true or false';
    case 'Literal':
      return String(s.const);
    case 'Array':
      return 'a list';
    case 'Record':
      return 'a mapping';
    case 'Object': {
      if (!inUnion) return 'a mapping';
      const req = required(s);
      if (req.length === 0) return `a mapping with ${joinOr(Object.keys(props(s)))}`;
      // A value that may be a number or something else (batch: N or a param) reads by its first kind.
      const first = (v: Schema): Schema => (kindOf(v) === 'Union' ? first(branches(v)[0]!) : v);
      return `{ ${req.map((k) => `${k}: ${PLACEHOLDER[kindOf(first(props(s)[k]!))] ?? '...'}`).join(', ')} }`;
    }
    case 'Union': {
      // Nested unions read as one list of choices; a list beside them is "a list of them".
      const flat = (u: Schema): Schema[] => branches(u).flatMap((b) => (kindOf(b) === 'Union' ? flat(b) : [b]));
      const all = flat(s);
      const words = all.map((b) => (kindOf(b) === 'Array' && all.length > 1 ? 'a list of them' : expectedWords(b, true)));
      const choice = all.some((b) => kindOf(b) === 'Literal' || kindOf(b) === 'Object');
      return `${choice ? 'one of ' : ''}${joinOr(words)}`;
    }
    default:
      return 'a value';
  }
}

function joinWith(words: string[], last: string): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${last} ${words.at(-1)}`;
}
const joinOr = (words: string[]): string => joinWith(words, 'or');

function found(v: unknown): string {
  const kind = valueKind(v);
  if (kind === 'string') return `"${String(v).length > 60 ? `${String(v).slice(0, 57)}...` : String(v)}"`;
  if (kind === 'number' || kind === 'boolean') return `${describeValue(v)} (${String(v)})`;
  return describeValue(v);
}

/** Explain a string that does not match its pattern. */
function patternMessage(s: Schema, value: string, what: string): string {
  if (s.pattern === Duration.pattern) {
    return `${JSON.stringify(value)} is not a duration; write it like 500ms, 10s, 15m, 1h or 1m30s`;
  }
  if (s.pattern === Id.pattern) {
    return `${JSON.stringify(value)} is not a valid ${what}: use lower case letters, digits, ".", "-" and "_", starting with a letter or digit (at most 80 characters)`;
  }
  if (s.pattern === '^[A-Za-z_][A-Za-z0-9_]*$') {
    return `${JSON.stringify(value)} is not a valid ${what}: use letters, digits and "_", not starting with a digit`;
  }
  return `${JSON.stringify(value)} does not match the pattern ${String(s.pattern)}`;
}

/** Check value against schema; returns every issue, placed by path. */
export function checkShape(schema: TSchema, value: unknown, path: (string | number)[], options: ShapeOptions): ShapeIssue[] {
  const s = schema as Schema;
  const last = path.at(-1);
  const name = typeof last === 'string' ? last : 'value';
  const typeIssue = (): ShapeIssue[] => {
    let message = `expected ${expectedWords(s)}, found ${found(value)}`;
    // A number or boolean where text is expected is usually unquoted YAML (1.10 -> 1.1).
    if (kindOf(s) === 'String' && (typeof value === 'number' || typeof value === 'boolean')) message += '; put it in quotes';
    return [{ path, message }];
  };

  switch (kindOf(s)) {
    case 'String': {
      if (typeof value !== 'string') return typeIssue();
      if (s.pattern === Duration.pattern) {
        // The duration parser, not the pattern, decides: both accept the same words.
        return parseDuration(value) === undefined ? [{ path, message: patternMessage(s, value, name) }] : [];
      }
      if (typeof s.minLength === 'number' && value.length < s.minLength) return [{ path, message: `${name} must not be empty` }];
      if (typeof s.maxLength === 'number' && value.length > s.maxLength) {
        return [{ path, message: `${name} is ${value.length} characters long; at most ${s.maxLength} are allowed` }];
      }
      if (typeof s.pattern === 'string' && !new RegExp(s.pattern).test(value)) return [{ path, message: patternMessage(s, value, name) }];
      return [];
    }
    case 'Integer':
    case 'Number': {
      if (typeof value !== 'number' || Number.isNaN(value)) return typeIssue();
      if (kindOf(s) === 'Integer' && !Number.isInteger(value)) return [{ path, message: `expected a whole number, found ${value}` }];
      if (typeof s.minimum === 'number' && value < s.minimum)
        return [{ path, message: `${name} must be at least ${s.minimum}, found ${value}` }];
      if (typeof s.maximum === 'number' && value > s.maximum)
        return [{ path, message: `${name} must be at most ${s.maximum}, found ${value}` }];
      return [];
    }
    case 'Boolean':
      return typeof value === 'boolean' ? [] : typeIssue();
    case 'Literal':
      return value === s.const ? [] : typeIssue();
    case 'Array': {
      if (!Array.isArray(value)) return typeIssue();
      if (typeof s.minItems === 'number' && value.length < s.minItems) {
        return [
          { path, message: `${name} must list at least ${s.minItems === 1 ? 'one item' : `${s.minItems} items`}, found an empty list` },
        ];
      }
      const items = s.items as Schema;
      return value.flatMap((item, i) => checkShape(items, item, [...path, i], options));
    }
    case 'Record': {
      if (!isRecord(value)) return typeIssue();
      const [[keyPattern, valueSchema] = ['^(.*)$', {} as Schema]] = Object.entries((s.patternProperties ?? {}) as Record<string, Schema>);
      const keyRe = new RegExp(keyPattern);
      const keyWhat = typeof last === 'string' ? `${last.replace(/s$/, '')} name` : 'name';
      return Object.entries(value).flatMap(([k, v]) =>
        keyRe.test(k)
          ? checkShape(valueSchema, v, [...path, k], options)
          : [{ path: [...path, k], onKey: true, message: patternMessage({ pattern: keyPattern } as unknown as Schema, k, keyWhat) }],
      );
    }
    case 'Object': {
      if (!isRecord(value)) return typeIssue();
      const known = props(s);
      const issues: ShapeIssue[] = [];
      const suggested = new Set<string>();
      const free = Object.keys(known).filter((k) => !has(value, k));
      for (const key of Object.keys(value)) {
        if (has(known, key)) continue;
        const hint = didYouMean(key, free);
        if (hint) suggested.add(hint.slice('; did you mean "'.length, -2));
        issues.push({ path: [...path, key], onKey: true, message: `unknown key "${key}" in ${options.owner(path)}${hint}` });
      }
      for (const key of required(s)) {
        if (!has(value, key) && !suggested.has(key)) issues.push({ path, message: `missing key "${key}" in ${options.owner(path)}` });
      }
      for (const [key, propSchema] of Object.entries(known)) {
        if (has(value, key)) issues.push(...checkShape(propSchema, value[key], [...path, key], options));
      }
      return issues;
    }
    case 'Union':
      return checkUnion(s, value, path, options);
    default:
      return [];
  }
}

function checkUnion(s: Schema, value: unknown, path: (string | number)[], options: ShapeOptions): ShapeIssue[] {
  const kind = valueKind(value);
  const candidates = branches(s).filter((b) => accepts(b, kind));
  const expected = expectedWords(s);
  if (candidates.length === 0) return [{ path, message: `expected ${expected}, found ${found(value)}` }];

  // Strings against a set of words: say which word was probably meant.
  if (kind === 'string' && candidates.every((b) => kindOf(b) === 'Literal')) {
    if (candidates.some((b) => b.const === value)) return [];
    const hint = didYouMean(
      String(value),
      candidates.map((b) => String(b.const)),
    );
    return [{ path, message: `expected ${expected}, found ${found(value)}${hint}` }];
  }

  const results = candidates.map((b) => ({ branch: b, issues: checkShape(b, value, path, options) }));
  if (results.some((r) => r.issues.length === 0)) return [];

  if (isRecord(value)) {
    // The branch that knows most of the keys is what the author meant; when none knows any
    // (or two tie), say what the choices are instead of guessing.
    const keys = Object.keys(value);
    const score = (b: Schema): number => {
      if (kindOf(b) === 'Union') return Math.max(0, ...branches(b).map(score));
      if (kindOf(b) !== 'Object') return 0;
      return keys.filter((k) => has(props(b), k)).length;
    };
    const scored = results.map((r) => ({ ...r, score: score(r.branch) })).sort((a, b) => b.score - a.score);
    const best = scored[0]!;
    const alone = branches(s).length === 1;
    if (!alone && (best.score === 0 || best.score === scored[1]?.score)) {
      const has =
        keys.length === 0
          ? 'an empty mapping'
          : `a mapping with ${joinWith(
              keys.map((k) => `"${k}"`),
              'and',
            )}`;
      return [{ path, message: `expected ${expected}, found ${has}` }];
    }
    return best.issues;
  }
  if (results.length === 1) return results[0]!.issues;
  return results.reduce((a, b) => (b.issues.length < a.issues.length ? b : a)).issues;
}
