import { describe, expect, it } from 'vitest';
import { ConditionError, evaluateCondition, MAX_CONDITION_DEPTH, parseCondition, type Expr } from '../../src/runbook/condition.js';
import type { Scope } from '../../src/runbook/template.js';

const scope: Scope = {
  params: {
    security: 'strict',
    installed_version: '1.11.4',
    a: 'x',
    b: 'y',
    c: '',
    n: 5,
    count: '10',
    ratio: '1.0',
    on: true,
    off: false,
    text_false: 'false',
    zero: '0',
    jwt: undefined,
  },
  vars: { patch_url: 'http://10.0.0.5:80/upgrade/5f0c/dcos_node_upgrade.sh', empty: '' },
  node: { name: 'master-1', ip: '10.0.4.1', address: 'm1', role: 'master', roles: ['master'], vars: { zone: 'a' } },
  run: { id: 'r1' },
};

function conditionError(fn: () => unknown): ConditionError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConditionError) return e;
    throw e;
  }
  throw new Error('expected a ConditionError');
}

describe('evaluateCondition', () => {
  it.each([
    ["params.security == 'strict'", true],
    ['params.security == "strict"', true],
    ["params.security != 'strict'", false],
    ["'strict' == params.security", true],
    ["vars.patch_url != ''", true],
    ["vars.empty != ''", false],
    ["vars.never_captured == ''", true],
    ["params.jwt == ''", true],
    ['!params.jwt', true],
    ["params.a == 'x' && (params.b != 'y' || !params.c)", true],
    ["params.a == 'x' && params.b != 'y' || !params.c", true],
    ["params.a == 'x' && (params.b != 'y' || params.c)", false],
    ["params.a == 'z' || params.b == 'y' && params.c == ''", true],
    ["params.security in ['permissive', 'strict']", true],
    ["params.security in ['disabled', 'permissive',]", false],
    ["params.security not in ['disabled', 'permissive']", true],
    ['params.security in []', false],
    ['params.n == 5', true],
    ["params.n == '5'", true],
    ['params.n == 5.0', true],
    ['params.count == 10', true],
    ['params.ratio == 1', true],
    ["params.ratio == '1'", true],
    ['params.count > 9', true],
    ['params.count < 9', false],
    ['params.count >= 10 && params.count <= 10', true],
    ['params.n > -1', true],
    ['params.n in [1, 5, 7]', true],
    ["params.installed_version == '1.11.4'", true],
    ["params.installed_version == '1.11.40'", false],
    ['params.on', true],
    ['params.off', false],
    ['!params.off', true],
    ['params.on == true', true],
    ["params.on == 'true'", true],
    ['params.off == false', true],
    ['params.text_false', false],
    ['params.zero', false],
    ['params.c', false],
    ['params.a', true],
    ['true', true],
    ['false || true', true],
    ['!!true', true],
    ['!(true && false)', true],
    ['0', false],
    ["''", false],
    ["'a\\'b' == \"a'b\"", true],
    ["node.role == 'master' && node.vars.zone == 'a' && run.id == 'r1'", true],
    ["node.user == ''", true],
    ['  params.n   ==5  ', true],
  ])('%s is %s', (source, expected) => {
    expect(evaluateCondition(source, scope)).toBe(expected);
  });

  it('evaluates a parsed expression as well as its source', () => {
    const parsed = parseCondition("params.security == 'strict'");
    if (!parsed.ok) throw new Error(parsed.message);
    expect(evaluateCondition(parsed.expr, scope)).toBe(true);
    expect(evaluateCondition(parsed.expr, { ...scope, params: { security: 'permissive' } })).toBe(false);
  });

  it.each([
    ["params.nope == 'x'", 'params.nope', 0, /unknown param "nope"/],
    ["params.a == 'x' && params.nope", 'params.nope', 19, /unknown param "nope"/],
    ['node.ip == 1', 'node.ip', 0, /outside a node/],
    ['run.id', 'run.id', 0, /not available/],
    ['params.security > 1', 'params.security', 0, /> compares numbers, but params.security is not a number/],
    ["1 < 'abc'", '', 4, /'abc' is not a number/],
  ])('%s throws a ConditionError naming %s', (source, ref, offset, message) => {
    const noNode = source.startsWith('node') || source.startsWith('run') ? { params: scope.params, vars: {} } : scope;
    const e = conditionError(() => evaluateCondition(source, noNode));
    expect(e.ref).toBe(ref);
    expect(e.offset).toBe(offset);
    expect(e.message).toMatch(message);
  });

  it('never names a value in an error, so a secret cannot leak through one', () => {
    const secret: Scope = { params: { jwt: 'TOPSECRET' }, vars: {}, secrets: new Set(['jwt']) };
    expect(conditionError(() => evaluateCondition('params.jwt > 3', secret)).message).not.toContain('TOPSECRET');
  });

  it('short-circuits: the right side of a decided && or || is not looked up', () => {
    expect(evaluateCondition('false && params.nope', scope)).toBe(false);
    expect(evaluateCondition('true || params.nope', scope)).toBe(true);
  });

  it('throws a ConditionError, with the offset, for a condition that does not parse', () => {
    const e = conditionError(() => evaluateCondition("params.a = 'x'", scope));
    expect(e.offset).toBe(9);
    expect(e.message).toMatch(/expected ==/);
  });

  it('refuses a hand-built expression nested beyond any parsed one', () => {
    let expr: Expr = { kind: 'literal', value: true, offset: 0 };
    for (let i = 0; i < 5000; i++) expr = { kind: 'not', operand: expr, offset: 0 };
    expect(() => evaluateCondition(expr, scope)).toThrow(ConditionError);
  });
});

describe('parseCondition', () => {
  it('reports every ref, once, for validation', () => {
    const r = parseCondition("params.a == 'x' && (vars.b != '' || !params.a) && node.vars.zone in [params.c, 'z']");
    expect(r.ok && r.refs).toEqual(['params.a', 'vars.b', 'node.vars.zone', 'params.c']);
    expect(r.ok && r.refOffsets.map((x) => x.offset)).toEqual([0, 20, 37, 50, 69]);
  });

  it('gives a tree', () => {
    expect(parseCondition('!params.a || params.n >= 2')).toEqual({
      ok: true,
      refs: ['params.a', 'params.n'],
      refOffsets: [
        { ref: 'params.a', offset: 1 },
        { ref: 'params.n', offset: 13 },
      ],
      expr: {
        kind: 'or',
        offset: 0,
        operands: [
          { kind: 'not', offset: 0, operand: { kind: 'ref', ref: 'params.a', offset: 1 } },
          {
            kind: 'compare',
            op: '>=',
            offset: 13,
            left: { kind: 'ref', ref: 'params.n', offset: 13 },
            right: { kind: 'literal', value: 2, offset: 25 },
          },
        ],
      },
    });
  });

  it.each([
    ['', 0, /expected a value: a 'string', a number, true, false, or a reference such as params.NAME, found the end of the condition/],
    ['   ', 3, /expected a value/],
    ["params.a = 'x'", 9, /expected == \(a single = is not a comparison\)/],
    ["params.a == 'x' & true", 16, /expected &&/],
    ["params.a == 'x' | true", 16, /expected \|\|/],
    ["params.a == 'x' and true", 16, /found "and" \(write &&\)/],
    ["params.a == 'x' or true", 16, /found "or" \(write \|\|\)/],
    ["params.a == 'x", 12, /unterminated string: expected a closing '/],
    ['params.a == "x', 12, /unterminated string: expected a closing "/],
    ['params.security == strict', 19, /"strict" is not a value: a string needs quotes \('strict'\)/],
    ["security == 'strict'", 0, /needs quotes|prefix \(params.security\)/],
    ['params.a ==', 11, /expected a value.*found the end/],
    ["== 'x'", 0, /expected a value.*found "=="/],
    ["(params.a == 'x'", 16, /expected \) to close the \( at offset 0, found the end/],
    ["params.a == 'x')", 15, /expected &&, \|\| or the end of the condition, found "\)"/],
    ["params.a == 'x' == true", 16, /comparisons do not chain/],
    ["params.a in 'x'", 12, /expected a list after in/],
    ["params.a in ['x' 'y']", 17, /expected , or \] in the list/],
    ["params.a in ['x'", 16, /expected , or \] in the list, found the end/],
    ["params.a not ['x']", 13, /expected "in" after "not"/],
    ["['x']", 0, /a list may only follow in/],
    ['params.x-y == 1', 0, /expected params.NAME/],
    ['param.x == 1', 0, /"param.x" is not a reference/],
    ['node.bogus == 1', 0, /expected node.name/],
    ['params.a @ 1', 9, /unexpected character "@"/],
    ['params.a ! 1', 9, /write != to compare/],
    ['1abc == 1', 0, /not a number or a reference/],
    ['params.n == -', 12, /unexpected character "-"/],
    ['params.a == in', 12, /expected a value.*found "in"/],
    ['!', 1, /expected a value.*found the end/],
    ['()', 1, /expected a value.*found "\)"/],
  ])('%j fails at offset %i', (source, offset, message) => {
    const r = parseCondition(source);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toMatch(message);
    expect(r.offset).toBe(offset);
  });

  it(`bounds nesting at ${MAX_CONDITION_DEPTH} levels, at once, for 10,000 parentheses or !`, () => {
    const deep = `${'('.repeat(10_000)}true${')'.repeat(10_000)}`;
    const started = Date.now();
    const r = parseCondition(deep);
    expect(r).toEqual({ ok: false, message: expect.stringMatching(/nested too deeply/), offset: MAX_CONDITION_DEPTH });
    expect(parseCondition('!'.repeat(10_000) + 'true').ok).toBe(false);
    expect(parseCondition('['.repeat(10_000)).ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
    const ok = `${'('.repeat(MAX_CONDITION_DEPTH)}true${')'.repeat(MAX_CONDITION_DEPTH)}`;
    expect(parseCondition(ok).ok).toBe(true);
    expect(() => evaluateCondition(deep, scope)).toThrow(ConditionError);
  });

  it('handles long flat conditions without recursion', () => {
    const long = Array.from({ length: 20_000 }, () => "params.a == 'x'").join(' && ');
    const r = parseCondition(long);
    expect(r.ok).toBe(true);
    expect(evaluateCondition(long, scope)).toBe(true);
    expect(evaluateCondition(`params.n in [${Array.from({ length: 20_000 }, (_, i) => i).join(',')}]`, scope)).toBe(true);
  });

  it('never throws for any input, and never runs it (seeded fuzz)', () => {
    let seed = 4242;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pieces = [
      'params.a',
      'vars.b',
      'node.ip',
      "'x'",
      '"y"',
      '1',
      '-2.5',
      'true',
      'false',
      '==',
      '!=',
      '<',
      '>=',
      '&&',
      '||',
      '!',
      '(',
      ')',
      '[',
      ']',
      ',',
      'in',
      'not',
      ' ',
      "'",
      '\\',
      '=',
      '&',
      '|',
      'constructor',
      'params.__proto__',
      'process.exit(1)',
      '${1}',
      '`',
      '\n',
    ];
    for (let i = 0; i < 5000; i++) {
      const source = Array.from({ length: Math.floor(random() * 12) }, () => pieces[Math.floor(random() * pieces.length)]).join(
        random() < 0.5 ? '' : ' ',
      );
      const r = parseCondition(source);
      if (!r.ok) {
        expect(r.offset).toBeGreaterThanOrEqual(0);
        expect(r.offset).toBeLessThanOrEqual(source.length);
        continue;
      }
      try {
        expect(typeof evaluateCondition(r.expr, { params: { a: 'x' }, vars: {} })).toBe('boolean');
      } catch (e) {
        expect(e).toBeInstanceOf(ConditionError);
      }
    }
  });

  it('does not treat inherited object keys as params', () => {
    expect(conditionError(() => evaluateCondition('params.constructor', scope)).message).toMatch(/unknown param/);
    expect(evaluateCondition("vars.toString == ''", scope)).toBe(true);
  });
});
