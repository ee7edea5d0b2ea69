// `when` conditions: a small expression language read by a hand-written parser and evaluated by
// walking the tree, never by eval or Function, so a runbook cannot run code through a condition.
//
//   params.security == 'strict'
//   vars.patch_url != ''
//   params.a == 'x' && (params.b != 'y' || !params.c)
//   params.security in ['permissive', 'strict']      (and: not in [...])
//   params.batch >= 5
//
// Values: 'single' or "double" quoted strings (\ escapes the next character, \n and \t as usual),
// numbers, true, false, and the refs of templates (params.NAME, vars.NAME, node.FIELD,
// node.vars.NAME, run.id). == and != compare numerically when both sides are numbers or numeric
// strings ('1.0' == 1), as text otherwise (true equals 'true'); < <= > >= need numbers.
// Truthiness (for !, && and ||): false, 0, '', 'false' and '0' are false; everything else is true.
// A param that was not asked (its own `when` did not hold) and a var no step captured yet read as ''.
import { refProblem, resolveRef, type Scope } from './template.js';

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** A parsed condition; offset is where in the source (UTF-16 index) each part starts. */
export type Expr =
  | { kind: 'literal'; value: string | number | boolean; offset: number }
  | { kind: 'ref'; ref: string; offset: number }
  | { kind: 'not'; operand: Expr; offset: number }
  | { kind: 'and' | 'or'; operands: Expr[]; offset: number }
  | { kind: 'compare'; op: CompareOp; left: Expr; right: Expr; offset: number }
  | { kind: 'in'; negated: boolean; operand: Expr; list: Expr[]; offset: number };

export type ConditionResult =
  { ok: true; refs: string[]; expr: Expr; refOffsets: { ref: string; offset: number }[] } | { ok: false; message: string; offset: number };

/** A condition that cannot be read or evaluated; the message never contains a value. */
export class ConditionError extends Error {
  constructor(
    message: string,
    /** The ref concerned ('params.x'), or '' when the condition itself is at fault. */
    readonly ref: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'ConditionError';
  }
}

/** Nesting of parentheses and ! beyond this is refused, so no input can exhaust the stack. */
export const MAX_CONDITION_DEPTH = 64;

type Token =
  | { t: 'str'; value: string; offset: number }
  | { t: 'num'; value: number; text: string; offset: number }
  | { t: 'word'; value: string; offset: number }
  | { t: 'op'; value: string; offset: number }
  | { t: 'end'; offset: number };

class Fail {
  constructor(
    readonly message: string,
    readonly offset: number,
  ) {}
}

const OPS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '[', ']', ','];
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r' };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"') {
      let value = '';
      i += 1;
      while (i < source.length && source[i] !== c) {
        if (source[i] === '\\' && i + 1 < source.length) {
          const e = source[i + 1]!;
          value += ESCAPES[e] ?? e;
          i += 2;
        } else {
          value += source[i];
          i += 1;
        }
      }
      if (i >= source.length) throw new Fail(`unterminated string: expected a closing ${c}`, start);
      tokens.push({ t: 'str', value, offset: start });
      i += 1;
      continue;
    }
    const num = /^-?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?/.exec(source.slice(i, i + 400));
    if (num && (c !== '-' || /[\d.]/.test(source[i + 1] ?? ''))) {
      if (/[A-Za-z_]/.test(source[i + num[0].length] ?? ''))
        throw new Fail(`"${source.slice(i).match(/^[\w.-]+/)?.[0]}" is not a number or a reference`, start);
      tokens.push({ t: 'num', value: Number(num[0]), text: num[0], offset: start });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(source.slice(i, i + 400));
    if (word) {
      tokens.push({ t: 'word', value: word[0], offset: start });
      i += word[0].length;
      continue;
    }
    const op = OPS.find((o) => source.startsWith(o, i));
    if (op) {
      tokens.push({ t: 'op', value: op, offset: start });
      i += op.length;
      continue;
    }
    if (c === '=') throw new Fail('expected == (a single = is not a comparison)', start);
    if (c === '&') throw new Fail('expected && (a single & is not an operator)', start);
    if (c === '|') throw new Fail('expected || (a single | is not an operator)', start);
    throw new Fail(`unexpected character "${c}"`, start);
  }
  tokens.push({ t: 'end', offset: source.length });
  return tokens;
}

const VALUE_FORMS = "a value: a 'string', a number, true, false, or a reference such as params.NAME";

function describe(token: Token): string {
  switch (token.t) {
    case 'end':
      return 'the end of the condition';
    case 'str':
      return 'a string';
    case 'num':
      return `the number ${token.text}`;
    default:
      return `"${token.value}"`;
  }
}

class Parser {
  private i = 0;
  readonly refs: { ref: string; offset: number }[] = [];

  constructor(private readonly tokens: Token[]) {}

  parse(): Expr {
    const expr = this.or(0);
    const next = this.peek();
    if (next.t !== 'end') throw this.expected('&&, || or the end of the condition', next);
    return expr;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private take(): Token {
    const token = this.tokens[this.i]!;
    if (token.t !== 'end') this.i += 1;
    return token;
  }

  private isOp(value: string): boolean {
    const token = this.peek();
    return token.t === 'op' && token.value === value;
  }

  private expected(what: string, found: Token): Fail {
    if (found.t === 'word' && (found.value === 'and' || found.value === 'or')) {
      return new Fail(`expected ${what}, found "${found.value}" (write ${found.value === 'and' ? '&&' : '||'})`, found.offset);
    }
    if (found.t === 'op' && found.value === '!') return new Fail(`expected ${what}, found "!" (write != to compare)`, found.offset);
    return new Fail(`expected ${what}, found ${describe(found)}`, found.offset);
  }

  private deeper(depth: number, at: number): number {
    if (depth + 1 > MAX_CONDITION_DEPTH)
      throw new Fail(`the condition is nested too deeply (more than ${MAX_CONDITION_DEPTH} levels of ( and !)`, at);
    return depth + 1;
  }

  private or(depth: number): Expr {
    return this.chain('||', 'or', depth, () => this.and(depth));
  }

  private and(depth: number): Expr {
    return this.chain('&&', 'and', depth, () => this.unary(depth));
  }

  private chain(op: string, kind: 'and' | 'or', _depth: number, operand: () => Expr): Expr {
    const first = operand();
    if (!this.isOp(op)) return first;
    const operands = [first];
    while (this.isOp(op)) {
      this.take();
      operands.push(operand());
    }
    return { kind, operands, offset: first.offset };
  }

  private unary(depth: number): Expr {
    const token = this.peek();
    if (token.t === 'op' && token.value === '!') {
      this.take();
      return { kind: 'not', operand: this.unary(this.deeper(depth, token.offset)), offset: token.offset };
    }
    return this.comparison(depth);
  }

  private comparison(depth: number): Expr {
    const left = this.primary(depth);
    const token = this.peek();
    let expr: Expr = left;
    if (token.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(token.value)) {
      this.take();
      expr = { kind: 'compare', op: token.value as CompareOp, left, right: this.primary(depth), offset: left.offset };
    } else if (token.t === 'word' && (token.value === 'in' || token.value === 'not')) {
      this.take();
      const negated = token.value === 'not';
      if (negated) {
        const inToken = this.take();
        if (inToken.t !== 'word' || inToken.value !== 'in') throw this.expected('"in" after "not"', inToken);
      }
      expr = { kind: 'in', negated, operand: left, list: this.list(depth), offset: left.offset };
    } else {
      return left;
    }
    const after = this.peek();
    if (after.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(after.value)) {
      throw new Fail('expected && or || : comparisons do not chain (use parentheses and &&)', after.offset);
    }
    return expr;
  }

  private list(depth: number): Expr[] {
    const open = this.take();
    if (open.t !== 'op' || open.value !== '[') throw this.expected("a list after in, such as ['a', 'b']", open);
    const items: Expr[] = [];
    while (!this.isOp(']')) {
      items.push(this.primary(depth));
      if (this.isOp(',')) this.take();
      else if (!this.isOp(']')) throw this.expected(', or ] in the list', this.peek());
    }
    this.take();
    return items;
  }

  private primary(depth: number): Expr {
    const token = this.take();
    switch (token.t) {
      case 'str':
      case 'num':
        return { kind: 'literal', value: token.value, offset: token.offset };
      case 'word': {
        if (token.value === 'true' || token.value === 'false')
          return { kind: 'literal', value: token.value === 'true', offset: token.offset };
        if (!token.value.includes('.')) {
          if (['in', 'not', 'and', 'or'].includes(token.value)) throw this.expected(VALUE_FORMS, token);
          throw new Fail(
            `"${token.value}" is not a value: a string needs quotes ('${token.value}'), a reference a prefix (params.${token.value})`,
            token.offset,
          );
        }
        const problem = refProblem(token.value);
        if (problem) throw new Fail(problem, token.offset);
        this.refs.push({ ref: token.value, offset: token.offset });
        return { kind: 'ref', ref: token.value, offset: token.offset };
      }
      case 'op':
        if (token.value === '(') {
          const inner = this.or(this.deeper(depth, token.offset));
          const close = this.take();
          if (close.t !== 'op' || close.value !== ')') throw this.expected(`) to close the ( at offset ${token.offset}`, close);
          return inner;
        }
        if (token.value === '[') throw new Fail("a list may only follow in, as in params.x in ['a', 'b']", token.offset);
        throw this.expected(VALUE_FORMS, token);
      case 'end':
        throw this.expected(VALUE_FORMS, token);
    }
  }
}

/** Reads a condition; never throws: a malformed one comes back with a message and an offset. */
export function parseCondition(source: string): ConditionResult {
  try {
    const parser = new Parser(tokenize(source));
    const expr = parser.parse();
    const refs = [...new Set(parser.refs.map((r) => r.ref))];
    return { ok: true, refs, expr, refOffsets: parser.refs };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, message: e.message, offset: e.offset };
    throw e;
  }
}

type Value = string | number | boolean;

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function asNumber(v: Value): number | undefined {
  if (typeof v === 'number') return Number.isNaN(v) ? undefined : v;
  if (typeof v === 'string' && NUMERIC.test(v)) return Number(v);
  return undefined;
}

/** The truth of a value, for !, && and ||. */
export function truthy(v: Value): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  return v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

function equal(a: Value, b: Value): boolean {
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== undefined && y !== undefined) return x === y;
  return String(a) === String(b);
}

/** How an operand is named in an error: its ref or its literal, never a looked-up value. */
function named(e: Expr): string {
  if (e.kind === 'ref') return e.ref;
  if (e.kind === 'literal') return typeof e.value === 'string' ? `'${e.value}'` : String(e.value);
  return 'the expression';
}

/** Nesting allowed when evaluating a hand-built Expr (parsed ones are far shallower). */
const MAX_EVAL_DEPTH = 1000;

function valueOf(e: Expr, scope: Scope, depth: number): Value {
  if (depth > MAX_EVAL_DEPTH) throw new ConditionError('the condition is nested too deeply', '', e.offset);
  switch (e.kind) {
    case 'literal':
      return e.value;
    case 'ref': {
      const r = resolveRef(e.ref, scope);
      if (r.kind === 'value') return r.value;
      if (r.kind === 'unset') return '';
      throw new ConditionError(r.message, e.ref, e.offset);
    }
    case 'not':
      return !truthy(valueOf(e.operand, scope, depth + 1));
    case 'and':
      return e.operands.every((o) => truthy(valueOf(o, scope, depth + 1)));
    case 'or':
      return e.operands.some((o) => truthy(valueOf(o, scope, depth + 1)));
    case 'in': {
      const v = valueOf(e.operand, scope, depth + 1);
      return e.list.some((item) => equal(v, valueOf(item, scope, depth + 1))) !== e.negated;
    }
    case 'compare': {
      const a = valueOf(e.left, scope, depth + 1);
      const b = valueOf(e.right, scope, depth + 1);
      if (e.op === '==') return equal(a, b);
      if (e.op === '!=') return !equal(a, b);
      const x = asNumber(a);
      const y = asNumber(b);
      if (x === undefined || y === undefined) {
        const culprit = x === undefined ? e.left : e.right;
        throw new ConditionError(
          `${e.op} compares numbers, but ${named(culprit)} is not a number here`,
          culprit.kind === 'ref' ? culprit.ref : '',
          culprit.offset,
        );
      }
      return e.op === '<' ? x < y : e.op === '<=' ? x <= y : e.op === '>' ? x > y : x >= y;
    }
    default:
      throw new ConditionError('not a condition', '', 0);
  }
}

/** Evaluates a condition. Throws ConditionError naming the ref when it cannot be looked up, or when the source does not parse. */
export function evaluateCondition(source: string | Expr, scope: Scope): boolean {
  let expr: Expr;
  if (typeof source === 'string') {
    const parsed = parseCondition(source);
    if (!parsed.ok) throw new ConditionError(`the condition does not parse: ${parsed.message}`, '', parsed.offset);
    expr = parsed.expr;
  } else {
    expr = source;
  }
  return truthy(valueOf(expr, scope, 0));
}
