// The quoting guard against bash's own forms: $'...', brace expansion, arithmetic, [[ ]], case,
// coproc, time, !, nested $( $( ) ), here-documents with a quoted or unquoted delimiter, line
// continuations and comments. Where a value is allowed, a real bash prints every hostile value
// exactly and runs none; where it is refused, a real bash shows why (the quoted value runs there),
// and the refusal names the spot and the safe form (env:).
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { shellQuoteAlways } from '../../src/shell/quote.js';
import { render, shellTemplateProblems, TemplateError, type Scope } from '../../src/runbook/template.js';
import { HOSTILE_VALUES, printedWords, runShell, tempDir } from '../helpers/real-shell.js';

const tmp = tempDir('runbook-shell-forms-');
afterAll(() => tmp.remove());
const injected = path.join(tmp.dir, 'INJECTED');
afterEach(() => {
  // Every test ends with no marker file: an injection anywhere fails the test that caused it.
  const found = existsSync(injected);
  rmSync(injected, { force: true });
  expect(found).toBe(false);
});

const scopeWith = (x: string): Scope => ({
  params: { x },
  vars: {},
  node: { name: 'm1', ip: '10.0.4.1', address: 'm1', role: 'master', roles: ['master'], vars: {} },
});
const P = `printf '%s\\0'`;
const V = '{{params.x}}';

interface Form {
  template: string;
  expect: (v: string) => string[];
  /** Values this spot refuses (a newline where a line of the value could end a comment or a here-document). */
  mayRefuse?: (v: string) => boolean;
}

/** Forms of bash where a value is data: bash must print it exactly. */
const DATA_FORMS: Form[] = [
  { template: `${P} {a,${V}}`, expect: (v) => ['a', v] },
  { template: `${P} pre{x,y}${V}`, expect: (v) => [`prex${v}`, `prey${v}`] },
  { template: `${P} ${V}{1..2}`, expect: (v) => [`${v}1`, `${v}2`] },
  { template: `${P} $'a\\tb' ${V} $'\\x41'`, expect: (v) => ['a\tb', v, 'A'] },
  { template: `${P} $((1 + 2)) ${V} && (( 2 > 1 )) && ${P} ${V}`, expect: (v) => ['3', v, v] },
  { template: `[[ -n x && 1 -eq 1 ]] && ${P} ${V}`, expect: (v) => [v] },
  { template: `case a in a|b) ${P} "${V}";; *) ${P} no;; esac`, expect: (v) => [v] },
  { template: `{ time ${P} ${V}; } 2>/dev/null`, expect: (v) => [v] },
  { template: `! ${P} ${V}; true`, expect: (v) => [v] },
  { template: `${P} "$(printf '%s' "$(printf '%s.' ${V})")" $(printf '%s' $(printf '%s' x))`, expect: (v) => [`${v}.`, 'x'] },
  { template: `${P} \\\n  ${V} a\\\n${V}`, expect: (v) => [v, `a${v}`] },
  { template: `${P} ok # ${V} $(touch "$DIR/INJECTED") '`, expect: () => ['ok'], mayRefuse: (v) => v.includes('\n') },
  { template: `${P} a#${V}`, expect: (v) => [`a#${v}`] },
  { template: `${P} "$(cat <<EOF\n${V} $((1+1))\nEOF\n)"`, expect: (v) => [`${v} 2`], mayRefuse: (v) => v.includes('\n') },
  { template: `${P} "$(cat <<\\EOF\n${V} $((1+1))\nEOF\n)"`, expect: (v) => [`${v} $((1+1))`], mayRefuse: (v) => v.includes('\n') },
  {
    template: `${P} "$(cat <<"EOF"\n${V} $(touch "$DIR/INJECTED")\nEOF\n)"`,
    expect: (v) => [`${v} $(touch "$DIR/INJECTED")`],
    mayRefuse: (v) => v.includes('\n'),
  },
];

describe('bash forms where a value is data', () => {
  it('print every hostile value exactly in a real bash, and run none of them', () => {
    const commands: string[] = [];
    const expected: string[][] = [];
    for (const form of DATA_FORMS) {
      for (const v of HOSTILE_VALUES) {
        try {
          commands.push(render(form.template, scopeWith(v), 'shell'));
        } catch (e) {
          if (e instanceof TemplateError && form.mayRefuse?.(v)) continue;
          throw new Error(`${JSON.stringify(form.template)} refused ${JSON.stringify(v)}: ${String(e)}`);
        }
        expected.push(form.expect(v));
      }
      expect(shellTemplateProblems(form.template), form.template).toEqual([]);
    }
    expect(printedWords('/bin/bash', commands, { DIR: tmp.dir })).toEqual(expected);
  });
});

/** Forms where a quoted value would still run, each with the refusal's reason. */
const REFUSED: Array<[string, RegExp]> = [
  [`echo $'${V}'`, /\$'\.\.\.'/],
  [`echo $'it\\'s' ${V}`, /\$'\.\.\.\\'\.\.\.'/],
  [`echo {a,b} $(( ${V} + 1 ))`, /arithmetic/],
  [`for (( i=${V}; i < 3; i++ )); do :; done`, /arithmetic/],
  [`[[ ${V} == x ]]`, /\[\[/],
  [`[[ -v ${V} ]] && echo`, /\[\[/],
  [`case ${V} in a) echo;; esac`, /words of case/],
  [`case a in ${V}) echo;; esac`, /words of case/],
  [`coproc sh; echo ${V} >&"\${COPROC[1]}"`, /coprocess/],
  [`coproc C { sh; }; printf '%s\\n' ${V} >&"\${C[1]}"`, /coprocess/],
  [`coproc ${V}`, /name the program/],
  [`time ${V}`, /name the program/],
  [`! ${V}`, /name the program/],
  [`time sh -c ${V}`, /script of sh -c/],
  [`! bash -c ${V}`, /script of bash -c/],
  [`echo ${V} | time sh`, /reads its script from standard input/],
  [`echo ${V} | ! sh`, /reads its script from standard input/],
  [`sh -c "$(echo "$(printf %s ${V})")"`, /inside \$\(\.\.\.\), whose output lands where it is the script of sh -c/],
  [`{sh,-c,x} ${V}`, /expansion/],
  [`env {sh,-c,'echo "$0"'} ${V}`, /expansion/],
  [`env {-S,'sh -c'} ${V}`, /expansion/],
  [`perl {-e,'print 1'} ${V}`, /bash expands \{-e,'print 1'\}/],
  [`bash {-c,x} ${V}`, /bash expands/],
  [`echo ${V} | bash {-s,}`, /bash expands/],
  [`cat <<EOF | sh\n${V}\nEOF`, /sh reads its script from standard input/],
  [`cat <<'EOF' | sh\n${V}\nEOF`, /sh reads its script from standard input/],
  [`sh <<\\EOF\n${V}\nEOF`, /sh reads its script from standard input/],
  [`sh \\\n  -c ${V}`, /script of sh -c/],
  [`s\\\nh -c ${V}`, /script of sh -c/],
  [`echo ok # ${V}\nsh -c ${V}`, /script of sh -c/],
];

describe('bash forms where a value would run', () => {
  it.each(REFUSED)('refuses %j, naming the spot and env:', (template, why) => {
    let error: unknown;
    try {
      render(template, scopeWith('v'), 'shell');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateError);
    const e = error as TemplateError;
    expect(e.message).toMatch(why);
    expect(e.ref).toBe('params.x');
    expect(template.indexOf(V, e.offset)).toBe(e.offset);
    if (!/disagree|name the program/.test(e.message)) expect(e.message).toContain('use env: and "$NAME" instead');
    expect(shellTemplateProblems(template).map((p) => p.offset)).toContain(e.offset);
  });

  it('the premise: in a real bash, each of these runs a value that quoting alone made one word', () => {
    const touch = 'touch "$DIR/INJECTED"';
    const q = shellQuoteAlways;
    for (const command of [
      `coproc sh; echo ${q(touch)} >&"\${COPROC[1]}"; exec {COPROC[1]}>&-; wait`,
      `coproc C { sh; }; printf '%s\\n' ${q(touch)} >&"\${C[1]}"; exec {C[1]}>&-; wait`,
      `{sh,-c,${q(touch)}}`,
      `env {sh,-c,'eval "$0"'} ${q(touch)}`,
      `env {-S,'sh -c'} ${q(touch)}`,
      `perl {-e,'print 1'} ${q('-e;system(qq{touch $ENV{DIR}/INJECTED})')}`,
      `echo ${q(touch)} | bash {-s,}`,
      `echo ${q(touch)} | time sh`,
      `s\\\nh -c ${q(touch)}`,
    ]) {
      runShell('/bin/bash', command, { DIR: tmp.dir });
      expect(existsSync(injected), command).toBe(true);
      rmSync(injected);
    }
  });
});
