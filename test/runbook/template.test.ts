import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  parseTemplate,
  redactSecrets,
  render,
  renderForDisplay,
  SECRET_MASK,
  shellTemplateProblems,
  TemplateError,
  templateRefs,
  type Scope,
} from '../../src/runbook/template.js';
import { shellQuoteAlways } from '../../src/shell/quote.js';
import { HOSTILE_VALUES, printedWords, runShell, SHELLS, tempDir } from '../helpers/real-shell.js';

const tmp = tempDir('runbook-template-');
afterAll(() => tmp.remove());
const injected = path.join(tmp.dir, 'INJECTED');
afterEach(() => {
  // Every test ends with no marker file: an injection anywhere fails the test that caused it.
  const found = existsSync(injected);
  rmSync(injected, { force: true });
  expect(found).toBe(false);
});

const node = { name: 'master-1', ip: '10.0.4.1', address: 'm1.example', role: 'master', roles: ['master', 'zk'], vars: { zone: 'a-1' } };
const scopeWith = (x: string, extra: Partial<Scope> = {}): Scope => ({ params: { x }, vars: {}, node, ...extra });

/** The error a call throws, or a failure when it does not throw one. */
function templateError(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error('expected a TemplateError');
}

describe('parseTemplate', () => {
  it.each([
    ['plain text', [{ kind: 'text', text: 'plain text' }]],
    ['{{params.x}}', [{ kind: 'ref', ref: 'params.x', raw: false, start: 0, end: 12 }]],
    [
      'a {{ node.ip }}:{{vars.patch_url|raw}}',
      [
        { kind: 'text', text: 'a ' },
        { kind: 'ref', ref: 'node.ip', raw: false, start: 2, end: 15 },
        { kind: 'text', text: ':' },
        { kind: 'ref', ref: 'vars.patch_url', raw: true, start: 16, end: 38 },
      ],
    ],
    ['{{\tparams.x  |  raw }}', [{ kind: 'ref', ref: 'params.x', raw: true, start: 0, end: 22 }]],
    ['\\{{params.x}} stays', [{ kind: 'text', text: '{{params.x}} stays' }]],
    ['a }} b', [{ kind: 'text', text: 'a }} b' }]],
    [
      '{{node.vars.zone}}{{run.id}}',
      [
        { kind: 'ref', ref: 'node.vars.zone', raw: false, start: 0, end: 18 },
        { kind: 'ref', ref: 'run.id', raw: false, start: 18, end: 28 },
      ],
    ],
  ])('parses %j', (source, parts) => {
    expect(parseTemplate(source)).toEqual({ parts, errors: [] });
  });

  it.each([
    ['echo {{params.x', 5, /unclosed \{\{/],
    ['echo {{ params.x {{node.ip}}', 5, /unclosed \{\{/],
    ['{{}}', 0, /empty \{\{\}\}/],
    ['x {{   }}', 2, /empty/],
    ['{{ params.x | rwa }}', 14, /unknown filter "rwa": the only filter is raw/],
    ['{{params.x|}}', 11, /expected a filter name/],
    ['{{ | raw }}', 0, /expected a reference before \|/],
    ['{{ foo }}', 3, /"foo" is not a reference/],
    ['{{params.}}', 2, /expected params.NAME/],
    ['{{params.a.b}}', 2, /expected params.NAME/],
    ['{{node.bogus}}', 2, /expected node.name/],
    ['{{node.vars}}', 2, /node.vars.NAME/],
    ['{{run.name}}', 2, /expected run.id/],
    ['{{params.x y}}', 2, /not a reference/],
    ['a {{{params.x}}}', 2, /\{\{\{ is not a template form: write \{\{ ref \| raw \}\}/],
  ])('reports %j at offset %i', (source, offset, message) => {
    const { errors } = parseTemplate(source);
    expect(errors[0]?.offset).toBe(offset);
    expect(errors[0]?.message).toMatch(message);
  });

  it('keeps parsing after an error and reports each', () => {
    const { parts, errors } = parseTemplate('{{a}} {{params.ok}} {{}}');
    expect(errors.map((e) => e.offset)).toEqual([2, 20]);
    expect(parts.filter((p) => p.kind === 'ref')).toHaveLength(1);
  });
});

describe('templateRefs', () => {
  it('lists every ref once, in order, ignoring escaped and broken ones', () => {
    expect(templateRefs('{{node.ip}} {{params.a}} {{ node.ip | raw }} \\{{params.b}} {{bad}} {{vars.c}}')).toEqual([
      'node.ip',
      'params.a',
      'vars.c',
    ]);
  });
});

describe('render: values', () => {
  const scope: Scope = {
    params: { installed_version: '1.11.4', n: 5, yes: true, jwt: undefined },
    vars: { patch_url: 'http://10.0.0.5:80/upgrade/5f0c/dcos_node_upgrade.sh' },
    node: { ...node, user: 'core', port: 2222 },
    run: { id: 'r-20240308' },
  };

  it.each([
    [
      '{{node.name}} {{node.ip}} {{node.address}} {{node.role}} {{node.user}} {{node.port}} {{node.vars.zone}}',
      'master-1 10.0.4.1 m1.example master core 2222 a-1',
    ],
    ['{{params.installed_version}}/{{params.n}}/{{params.yes}}/{{run.id}}', '1.11.4/5/true/r-20240308'],
    ['curl -O {{vars.patch_url}}', 'curl -O http://10.0.0.5:80/upgrade/5f0c/dcos_node_upgrade.sh'],
  ])('substitutes %j', (source, expected) => {
    expect(render(source, scope, 'text')).toBe(expected);
    expect(render(`echo ${source}`, scope, 'shell')).toBe(`echo ${expected}`);
  });

  it.each([
    ['{{params.nope}}', 'params.nope', /unknown param "nope"/],
    ['{{params.jwt}}', 'params.jwt', /params.jwt has no value/],
    ['{{vars.missing}}', 'vars.missing', /vars.missing is not set: no step has captured it yet/],
    ['{{node.vars.rack}}', 'node.vars.rack', /not set for node master-1/],
  ])('refuses %j with a TemplateError naming the ref', (source, ref, message) => {
    const e = templateError(() => render(`echo ${source}`, scope, 'shell'));
    expect(e.ref).toBe(ref);
    expect(e.offset).toBe(5);
    expect(e.message).toMatch(message);
  });

  it('refuses node refs outside a node, run.id outside a run, and node.user when unset', () => {
    expect(templateError(() => render('{{node.ip}}', { params: {}, vars: {} }, 'text')).message).toMatch(/outside a node/);
    expect(templateError(() => render('{{run.id}}', { params: {}, vars: {} }, 'text')).message).toMatch(/run.id is not available/);
    expect(templateError(() => render('{{node.user}}', { params: {}, vars: {}, node }, 'text')).message).toMatch(
      /node.user is not set for node master-1/,
    );
  });

  it('refuses a template with a syntax error before rendering anything', () => {
    const e = templateError(() => render('echo {{params.installed_version', scope, 'shell'));
    expect(e.offset).toBe(5);
    expect(e.ref).toBe('');
  });

  it('gives a text with nothing to fill back as written, and still reads every {{ and \\{{', () => {
    // Texts without {{ skip the parse: each must come back exactly as it runs and shows.
    for (const text of ["echo 'unclosed", 'echo }} {', 'a\\b $(x) `y` \n', '', 'printf %s -- -x', '{ {']) {
      for (const mode of ['shell', 'text'] as const) {
        expect(render(text, scope, mode)).toBe(text);
        expect(renderForDisplay(text, scope, mode)).toBe(text);
      }
    }
    // With {{ anywhere, the template is read: an escape is unescaped, a broken ref refused.
    expect(render('echo \\{{ not a ref', scope, 'shell')).toBe('echo {{ not a ref');
    expect(() => render('echo {{ broken', scope, 'text')).toThrow(TemplateError);
    // And a secret written into the text itself is still hidden when shown.
    const secret: Scope = { ...scope, params: { ...scope.params, pin: '4242' }, secrets: new Set(['pin']) };
    expect(renderForDisplay('echo 4242', secret, 'shell')).toBe(`echo ${SECRET_MASK}`);
  });

  it('in text mode puts values as they are, raw or not', () => {
    expect(render("it's {{params.x}} and {{params.x|raw}}", scopeWith("a'b $HOME"), 'text')).toBe("it's a'b $HOME and a'b $HOME");
  });
});

describe('render: the command text the operator reads', () => {
  it.each([
    ['curl -fsS http://{{node.ip}}:5050/metrics/snapshot', '10.0.4.1', 'curl -fsS http://10.0.4.1:5050/metrics/snapshot'],
    ['printf %s {{params.x}}', 'a b', "printf %s 'a b'"],
    ['printf %s {{params.x}}', '', "printf %s ''"],
    ['printf %s pre{{params.x}}', 'a', "printf %s pre'a'"], // glued to a letter: quoted, it cannot form a keyword
    ['curl "http://{{params.x}}:5050"', '10.0.4.1', 'curl "http://10.0.4.1:5050"'],
    ['echo "v={{params.x}}"', 'a $b', `echo "v="'a $b'""`],
    ["echo 'v={{params.x}}'", 'a $b', "echo 'v=a $b'"],
    ["echo 'v={{params.x}}'", "it's", "echo 'v=''it'\\''s'''"],
    ['echo {{params.x}}', 'if', "echo 'if'"],
    ['echo {{params.x}}>f', '2', "echo '2'>f"],
    ['echo ~{{params.x}}', 'root', "echo ~'root'"],
    ['echo a\\\n{{params.x}} \\\n{{params.x}}', 'b', "echo a\\\n'b' \\\nb"],
    ['echo {{params.x}} # {{params.x}}', 'a;b', "echo 'a;b' # a;b"],
    ['cat <<EOF\n{{params.x}}\nEOF', '$HOME `x` \\', 'cat <<EOF\n\\$HOME \\`x\\` \\\\\nEOF'],
    ["cat <<'EOF'\n{{params.x}}\nEOF", '$HOME', "cat <<'EOF'\n$HOME\nEOF"],
    ['echo {{params.x|raw}}', '$HOME', 'echo $HOME'],
  ])('%j with %j gives %j', (source, x, expected) => {
    expect(render(source, scopeWith(x), 'shell')).toBe(expected);
  });
});

/** A place a value can sit in a command, and what the command must print for it. */
interface Context {
  name: string;
  template: string;
  expect: (v: string) => string[];
  /** Values this spot may refuse (a newline in a comment or here-document). */
  mayRefuse?: (v: string) => boolean;
}

const P = `printf '%s\\0'`;
const CONTEXTS: Context[] = [
  { name: 'alone', template: `${P} {{params.x}}`, expect: (v) => [v] },
  { name: 'glued', template: `${P} pre{{params.x}}post`, expect: (v) => [`pre${v}post`] },
  { name: 'url', template: `${P} http://{{params.x}}:5050/metrics/snapshot`, expect: (v) => [`http://${v}:5050/metrics/snapshot`] },
  { name: 'twice glued', template: `${P} {{params.x}}{{params.x}} -{{params.x}}-`, expect: (v) => [v + v, `-${v}-`] },
  { name: 'double quotes', template: `${P} "a {{params.x}} b"`, expect: (v) => [`a ${v} b`] },
  { name: 'double url', template: `${P} "http://{{params.x}}:5050" "{{params.x}}"`, expect: (v) => [`http://${v}:5050`, v] },
  { name: 'single quotes', template: `${P} 'a {{params.x}} b' '{{params.x}}'`, expect: (v) => [`a ${v} b`, v] },
  { name: 'mixed quotes', template: `${P} 'a'"{{params.x}}"'{{params.x}}'{{params.x}}`, expect: (v) => [`a${v}${v}${v}`] },
  { name: 'sh -c argument', template: `sh -c 'printf "%s\\0" "$1"' sh {{params.x}}`, expect: (v) => [v] },
  {
    name: 'command substitution',
    template: `${P} "$(printf '%s.' {{params.x}})" "$(printf '%s.' "<{{params.x}}>")"`,
    expect: (v) => [`${v}.`, `<${v}>.`],
  },
  { name: 'nested substitution', template: `${P} "$(printf '%s' "$(printf '%s.' '{{params.x}}')")"`, expect: (v) => [`${v}.`] },
  {
    name: 'here-document',
    template: `${P} "$(cat <<EOF\n[{{params.x}}] $((1+1))\nEOF\n)"`,
    expect: (v) => [`[${v}] 2`],
    mayRefuse: (v) => v.includes('\n'),
  },
  {
    name: 'quoted here-document',
    template: `${P} "$(cat <<'EOF'\n[{{params.x}}] $((1+1))\nEOF\n)"`,
    expect: (v) => [`[${v}] $((1+1))`],
    mayRefuse: (v) => v.includes('\n'),
  },
  {
    name: 'here-document, value alone on its line',
    template: `${P} "$(cat <<-EOF\n\t{{params.x}}\n\tEOF\n)."`,
    expect: (v) => [`${v.replace(/\n+$/, '')}.`],
    mayRefuse: (v) => v.includes('\n') || v === 'EOF' || v.startsWith('\t'),
  },
  {
    // bash reads a here-document's lines before the $(...) in them: a line of the value could end it.
    name: 'substitution inside a here-document',
    template: `${P} "$(cat <<EOF\n<$(printf '%s' {{params.x}})> <$(printf '%s' "{{params.x}}")>\nEOF\n)"`,
    expect: (v) => [`<${v}> <${v}>`],
    mayRefuse: (v) => v.includes('\n'),
  },
  { name: 'comment', template: `${P} ok # {{params.x}} '`, expect: () => ['ok'], mayRefuse: (v) => v.includes('\n') },
  {
    name: 'after a comment line',
    template: `# it's {{params.x}}\n${P} {{params.x}}`,
    expect: (v) => [v],
    mayRefuse: (v) => v.includes('\n'),
  },
  { name: 'case arm', template: `case x in *) ${P} "{{params.x}}";; esac`, expect: (v) => [v] },
  { name: 'interpreter argument', template: `perl -e 'print $ARGV[0], "\\0"' -- {{params.x}}`, expect: (v) => [v] },
  { name: 'through wrappers', template: `env -i PATH="$PATH" nice -n 1 timeout 10 ${P} {{params.x}}`, expect: (v) => [v] },
  { name: 'subshell and pipe', template: `(${P} {{params.x}}) | cat`, expect: (v) => [v] },
];

/** Renders every value in every context, runs them all in one shell, and checks what each printed. */
function roundTrip(shell: (typeof SHELLS)[number], values: readonly string[], contexts: readonly Context[]) {
  const commands: string[] = [];
  const expected: string[][] = [];
  const labels: string[] = [];
  for (const context of contexts) {
    for (const v of values) {
      let command: string;
      try {
        command = render(context.template, scopeWith(v), 'shell');
      } catch (e) {
        if (e instanceof TemplateError && context.mayRefuse?.(v)) continue;
        throw new Error(`${context.name} refused ${JSON.stringify(v)}: ${String(e)}`);
      }
      commands.push(command);
      expected.push(context.expect(v));
      labels.push(`${context.name} ${JSON.stringify(v)}`);
    }
  }
  const printed = printedWords(shell, commands, { DIR: tmp.dir });
  const wrong = labels.filter((_, i) => JSON.stringify(printed[i]) !== JSON.stringify(expected[i]));
  expect(wrong).toEqual([]);
  expect(printed).toEqual(expected);
  return commands.length;
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.each(SHELLS)('render in real shells: %s', (shell) => {
  it('prints every hostile value exactly in every context, and runs none of them', () => {
    expect(roundTrip(shell, HOSTILE_VALUES, CONTEXTS)).toBeGreaterThan(HOSTILE_VALUES.length * CONTEXTS.length * 0.9);
  });

  it('prints random values exactly (seeded)', () => {
    const random = prng(1108);
    const alphabet = [...`abcXYZ019 \t\n'"\\$\`!#&;|<>(){}[]*?~=%+,-./:@^`, '打', 'é'];
    const values = Array.from({ length: 100 }, () =>
      Array.from({ length: Math.floor(random() * 9) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''),
    );
    roundTrip(shell, values, CONTEXTS);
  });

  it('keeps bare words bare only where they mean the same as quoted ones', () => {
    const neighbours = [...' =:/-@%.,+~{}[]()<>&;|#\'"a1'];
    const safe = ['a', 'A-1', '10.0.4.1', '-', '%', '@', '1', 'x.y', 'if', 'fi', 'time', 'in'];
    const contexts: Context[] = [];
    for (const before of neighbours) {
      for (const after of neighbours) {
        const quoted = (s: string) => (s === "'" ? "\\'" : s === '"' ? '\\"' : `'${s}'`);
        // The neighbours are quoted so that each context is one printf argument around the value.
        contexts.push({
          name: `${before}|${after}`,
          template: `${P} ${quoted(before)}{{params.x}}${quoted(after)}`,
          expect: (v) => [before + v + after],
        });
      }
    }
    contexts.push({
      name: 'unquoted pairs',
      template: `${P} ={{params.x}}= :{{params.x}}: /{{params.x}}/ -{{params.x}}- @{{params.x}}@ %{{params.x}}% .{{params.x}}.`,
      expect: (v) => ['=', ':', '/', '-', '@', '%', '.'].map((c) => c + v + c),
    });
    roundTrip(shell, safe, contexts);
  });

  it('does not let a value become an assignment, a file descriptor, a home directory or a keyword', () => {
    const env = { DIR: tmp.dir };
    // A value cannot name the program (nor an assignment) at all: refused before any shell sees it.
    expect(() => render(`{{params.x}}=1 2>/dev/null; ${P} "\${FOO-unset}"`, scopeWith('FOO'), 'shell')).toThrow(/name the program/);
    expect(() => render(`{{params.x}} 2>/dev/null; ${P} after`, scopeWith('if'), 'shell')).toThrow(/name the program/);
    const fd = runShell(shell, render(`printf '%s\\n' {{params.x}}>"$DIR/out"`, scopeWith('2'), 'shell'), env);
    expect(fd.stderr).toBe('');
    expect(readFileSync(path.join(tmp.dir, 'out'), 'utf8')).toBe('2\n');
    const tilde = runShell(shell, render(`${P} ~{{params.x}} ~/{{params.x}}`, scopeWith('root'), 'shell'), env);
    expect(tilde.stdout.split('\0')[0]).toBe('~root');
  });

  it('an inventory host named x; rm -rf / runs no rm, wherever its name lands', () => {
    const hostile = {
      ...node,
      name: 'x; touch "$DIR/INJECTED" #',
      ip: '$(touch "$DIR/INJECTED")',
      vars: { z: '\'; touch "$DIR/INJECTED" \'' },
    };
    const s: Scope = { params: {}, vars: {}, node: hostile };
    const command = render(`${P} {{node.name}} "http://{{node.ip}}:5050" '{{node.vars.z}}' # {{node.name}}`, s, 'shell');
    expect(printedWords(shell, [command], { DIR: tmp.dir })).toEqual([[hostile.name, `http://${hostile.ip}:5050`, hostile.vars.z]]);
  });

  it('random commands never run a value (seeded; values without newlines, see below)', () => {
    // Pieces of shell put together at random: most commands are nonsense, and that is the point,
    // because the reader must never be fooled into placing a value where it runs. Values with a
    // newline are left out: after a syntax error of the author's own, bash carries on at the next
    // line, which can be inside a quoted value; such commands fail on their first run anyway.
    const random = prng(2024);
    const pieces = [
      ' ',
      ' ',
      'echo ',
      '"',
      "'",
      '$(',
      ')',
      '`',
      '\\',
      ';',
      '|',
      '&&',
      '#',
      '${',
      '}',
      '$((',
      '))',
      '((',
      '[[ ',
      ' ]]',
      '-eq ',
      'x=',
      'a[',
      ']',
      '(',
      'sh -c ',
      'awk ',
      'sed ',
      'eval ',
      'declare ',
      'read ',
      '=',
      '>',
      '<',
      '>&',
      '&>',
      '2>',
      '2>&1',
      '!',
      '\\\n',
      "$'",
      '$X',
      '-v ',
    ];
    const values = [
      'a;touch "$DIR/INJECTED"',
      '$(touch "$DIR/INJECTED")',
      '`touch "$DIR/INJECTED"`',
      '\'; touch "$DIR/INJECTED" #',
      'a[$(touch "$DIR/INJECTED")]',
      '\\',
      '$(touch${IFS}"$DIR/INJECTED")',
      '}; touch "$DIR/INJECTED"; {',
    ];
    const work = tempDir('runbook-template-fuzz-');
    try {
      let ran = 0;
      for (let i = 0; i < 1500; i++) {
        const template =
          Array.from({ length: 2 + Math.floor(random() * 8) }, () =>
            random() < 0.3 ? '{{params.x}}' : pieces[Math.floor(random() * pieces.length)],
          ).join('') + ' {{params.x}}';
        const value = values[Math.floor(random() * values.length)]!;
        let command: string;
        try {
          command = render(template, scopeWith(value), 'shell');
        } catch (e) {
          if (e instanceof TemplateError) continue;
          throw e;
        }
        ran += 1;
        // Most of these commands name programs that do not exist: a short PATH and an empty HOME keep
        // each failed lookup cheap.
        runShell(shell, command, { DIR: tmp.dir, PATH: '/usr/bin:/bin', HOME: work.dir }, work.dir);
        expect(existsSync(injected), `${JSON.stringify(template)} with ${JSON.stringify(value)}: ${JSON.stringify(command)}`).toBe(false);
      }
      expect(ran).toBeGreaterThan(120);
    } finally {
      work.remove();
    }
  });

  it('a raw value runs as the author asked (the check is real: it can see an injection)', () => {
    runShell(shell, render('echo {{params.x|raw}}', scopeWith('hi; touch "$DIR/INJECTED"'), 'shell'), { DIR: tmp.dir });
    expect(existsSync(injected)).toBe(true);
    rmSync(injected);
  });
});

describe('render: spots where no quoting is safe are refused', () => {
  it.each([
    ['echo `echo {{params.x}}`', /inside `...`/],
    ['echo "`echo {{params.x}}`"', /inside `...`/],
    ['echo ${X:-{{params.x}}}', /inside \$\{...\}/],
    ['echo "${X:-{{params.x}}}"', /inside \$\{...\}/],
    ['echo $(( {{params.x}} + 1 ))', /arithmetic/],
    ["echo $'{{params.x}}'", /\$'...'/],
    ['echo ${{params.x}}', /directly follows \$/],
    ['echo "${{params.x}}"', /directly follows \$/],
    ["sh -c 'echo {{params.x}}'", /script of sh -c/],
    ['sh -c "echo {{params.x}}"', /script of sh -c/],
    ['sh -c {{params.x}}', /script of sh -c/],
    ['sudo -u app /bin/bash -lc "cd /x && echo {{params.x}}"', /script of bash -c/],
    ['sh -c "$(echo {{params.x}})"', /inside \$\(...\), whose output lands where it is the script of sh -c/],
    ["su - app -c 'echo {{params.x}}'", /su -c hands/],
    ['eval echo {{params.x}}', /eval runs/],
    ["trap 'echo {{params.x}}' EXIT", /trap runs/],
    ['watch -n 5 ls {{params.x}}', /watch hands its arguments to sh -c/],
    ['ssh -p 22 core@host ls {{params.x}}', /ssh joins the words/],
    ['python3 -c \'print("{{params.x}}")\'', /python runs code from its arguments/],
    ['sudo bash <<EOF\necho {{params.x}}\nEOF', /here-document, the input of a program that may run it: bash reads its script/],
    ['cat <<{{params.x}}\nx\n', /terminator must be written out/],
    ["echo $'a\\'' {{params.x}}", /disagree/],
    ['echo $(case a in a) echo {{params.x}};; esac)', /case statement/],
    // The forms of issue 11: options between -c and its script, shells reading a pipe or a
    // here-document, other shells and interpreters, however they are named.
    ['sh -c -e "echo {{params.x}}"', /script of sh -c/],
    ['sh -c -- {{params.x}}', /script of sh -c/],
    ['bash -c -x {{params.x}}', /script of bash -c/],
    ['sh -ec {{params.x}}', /script of sh -c/],
    ['bash -o pipefail -c {{params.x}}', /script of bash -c/],
    ['echo {{params.x}} | sh', /pipe after it feeds .*sh reads its script from standard input/],
    ['echo {{params.x}} |& bash -s', /pipe after it feeds .*bash reads its script/],
    ['cat <<EOF | sh\n{{params.x}}\nEOF', /pipe after it feeds .*sh reads its script/],
    ['. /dev/stdin <<EOF\n{{params.x}}\nEOF', /here-document, the input of a program that may run it/],
    ['source /dev/stdin <<< {{params.x}}', /here-string, the input of a program that may run it/],
    ['sh <<< {{params.x}}', /here-string/],
    ['rbash -c {{params.x}}', /script of rbash -c/],
    ['ksh93 -c {{params.x}}', /script of ksh -c/],
    ['python3.11 -c {{params.x}}', /python runs code/],
    ['/usr/local/bin/python3.11 -c {{params.x}}', /python runs code/],
    ['perl5.36 -e {{params.x}}', /perl runs code/],
    // perl reads options after its code: -e;system(...) as a value would be more code.
    ["perl -e 'print @ARGV' {{params.x}}", /write -- before the arguments/],
    ["node -e 'console.log(1)' {{params.x}}", /write -- before the arguments/],
    ['env -S {{params.x}}', /env -S runs a shell or splits/],
    ['env --split-string={{params.x}}', /wrapper runs, or one of its options/],
    ['env --split-string {{params.x}}', /env --split-string runs a shell or splits/],
    ['ssh -o {{params.x}} host uptime', /ssh/],
    // And others: wrappers, prefixes, substitutions, pipes into readers of code, a variable's name.
    ['echo {{params.x}} | xargs rm', /xargs runs what it reads/],
    ['echo {{params.x}} | xargs -0 sh -c', /xargs/],
    ['find /var/log -name {{params.x}}', /find runs the commands of -exec/],
    ['find . -exec {{params.x}} \\;', /find runs/],
    ['sudo -s {{params.x}}', /sudo -s runs a shell/],
    ['sudo -i {{params.x}}', /sudo -i runs a shell/],
    ['sudo --login {{params.x}}', /sudo --login runs a shell/],
    ['sudo -u app -- sh -c {{params.x}}', /script of sh -c/],
    ['su root -c {{params.x}}', /su -c hands/],
    ['nsenter -t 1 -m -u sh -c {{params.x}}', /script of sh -c/],
    ['nsenter --target 1 --mount -- bash -c {{params.x}}', /script of bash -c/],
    ['chroot /host sh -c {{params.x}}', /script of sh -c/],
    ['timeout -s KILL 5m sh -c {{params.x}}', /script of sh -c/],
    ['nice -n 5 ionice -c 3 sh -c {{params.x}}', /script of sh -c/],
    ['nohup setsid stdbuf -oL bash -c {{params.x}}', /script of bash -c/],
    ['timeout {{params.x}} curl x', /would be|name the program|option/],
    ['sudo -X {{params.x}}', /sudo -X is an option this reader does not know/],
    ['sudo {{params.x}} ls', /would be the command the wrapper runs/],
    ['command sh -c {{params.x}}', /script of sh -c/],
    ['command -v {{params.x}}', /command -v runs a shell/],
    ['builtin eval {{params.x}}', /eval runs/],
    ['exec sh -c {{params.x}}', /script of sh -c/],
    ['exec -a name bash -c {{params.x}}', /script of bash -c/],
    ['echo "$(echo {{params.x}} | sh)"', /pipe after it feeds .*sh reads/],
    ['sh -c "$(printf %s "$(echo {{params.x}})")"', /inside \$\(...\)/],
    ['cat <(echo {{params.x}})', /process substitution/],
    ['echo {{params.x}} > >(sh)', /process substitution/],
    ['$PY -c {{params.x}}', /named by an expansion \(\$PY\)/],
    ['"$(command -v bash)" -c {{params.x}}', /named by an expansion/],
    ['/bin/s? -c {{params.x}}', /named by an expansion/],
    ['X={{params.x}}; sh -c "$X"', /assigned to a variable/],
    ['X={{params.x}} sh -c \'eval "$X"\'', /assigned to a variable/],
    ['export X={{params.x}}', /arguments of export/],
    ['read -r line <<< {{params.x}}', /read/],
    ['f() { sh -c "$1"; }; f {{params.x}}', /f is a function of this command/],
    ['function f { sh -c "$1"; }; f {{params.x}}', /f is a function of this command/],
    ['f() { sh; }; f <<EOF\n{{params.x}}\nEOF', /f is a function of this command/],
    ['f() { sh; }; f <<< {{params.x}}', /f is a function of this command/],
    ['f() { sh; }; echo {{params.x}} | f', /feeds f, a function of this command/],
    ['{ echo {{params.x}}; } | sh', /pipe after it feeds .*sh reads/],
    ['(echo {{params.x}}) | bash', /pipe after it feeds .*bash reads/],
    ['echo {{params.x}} | while read -r l; do eval "$l"; done', /compound command/],
    ['echo {{params.x}} | awk -f /dev/stdin', /awk reads its program from standard input/],
    ['echo {{params.x}} | eval "$(cat)"', /eval runs/],
    ['echo {{params.x}} | sudo -u app sh', /sh reads its script/],
    ['echo {{params.x}} | $SHELL', /named by an expansion/],
    ['alias ls="sh -c"\nls {{params.x}}', /after alias, a name may run another program/],
    ['for h in {{params.x}}; do ssh "$h" uptime; done', /words of for/],
    ['case {{params.x}} in *) :;; esac', /words of case/],
    ['{{params.x}} --version', /name the program/],
    ['git clone {{params.x}}', /git runs/],
    ['make {{params.x}}', /make runs/],
    // bash evaluates these as arithmetic or as variable names, where a[$(...)] runs code, quoted or not.
    ['(( {{params.x}} + 1 ))', /arithmetic/],
    ['for (( i={{params.x}}; i < 3; i++ )); do :; done', /arithmetic/],
    ['echo $[{{params.x}} + 1]', /arithmetic/],
    ['let n={{params.x}}+1', /arguments of let/],
    ['[[ {{params.x}} -eq 1 ]]', /arguments of \[\[/],
    ['if [[ 1 -lt {{params.x}} ]]; then :; fi', /arguments of \[\[/],
    ['[[ "$(printf %s {{params.x}})" -gt 0 ]]', /arguments of \[\[/],
    ['[[ {{params.x}} == v ]]', /arguments of \[\[/],
    ['[ -v {{params.x}} ]', /-v reads a variable name/],
    ['test -v {{params.x}}', /-v reads a variable name/],
    ['printf -v {{params.x}} %s v', /-v reads a variable name/],
    ['printf -v out %s {{params.x}}', /-v reads a variable name/],
    ['read -r {{params.x}}', /arguments of read/],
    ['unset {{params.x}}', /arguments of unset/],
    ['declare {{params.x}}=1', /arguments of declare/],
    ['f() { local "$(printf %s {{params.x}})"; }', /arguments of local/],
    ['declare -i n={{params.x}}', /arguments of declare/],
    ['f() { local -n ref={{params.x}}; }', /arguments of local/],
    ['arr[{{params.x}}]=1', /name the program/],
    // Programs for another interpreter: awk's program, sed's script, an alias's text.
    ["awk '/{{params.x}}/ { print $2 }' f", /awk's program runs shell commands/],
    ["awk -v v={{params.x}} '{ print v }' f", /awk's program/],
    ["sudo gawk -v a=1 -e 'BEGIN { print }' -e {{params.x}}", /gawk's program/],
    ["sed -i 's/^v=.*/v={{params.x}}/' f", /sed's e command/],
    ['sed -n 1p {{params.x}}', /sed's e command/],
    ['alias go={{params.x}}', /alias runs/],
    ['flock /run/x.lock -c {{params.x}}', /flock -c hands/],
    ['script -q -c "ls {{params.x}}" /dev/null', /script -c hands/],
    ['expect -c {{params.x}}', /expect runs code/],
    // A program named by an expansion could be any of the above.
    ['$SHELL -c "echo {{params.x}}"', /named by an expansion/],
    ['`sed `eval echo {{params.x}}', /named by an expansion/],
    ['sudo -u app $SHELL -c {{params.x}}', /expansion/],
    ['X=eval; command $X echo {{params.x}}', /expansion/],
    // bash expands the word after >& a second time when it is not a number.
    ['echo hi >&{{params.x}}', /target of >&/],
    [':2>&1{{params.x}}', /target of >&/],
    ['cat <&"$(printf %s {{params.x}})"', /target of <&/],
    // A line continuation vanishes before the shell reads the word.
    ['\\\nsh -c {{params.x}}', /script of sh -c/],
    ['s\\\nh -c {{params.x}}', /script of sh -c/],
    ['ev\\\nal echo {{params.x}}', /eval runs/],
    // Redirections are no arguments: the value is still the script of sh -c.
    ['sh -c >out {{params.x}}', /script of sh -c/],
    ['sh -c 2>/dev/null {{params.x}}', /script of sh -c/],
    ['bash -c 2>&1 <in {{params.x}}', /script of bash -c/],
    ['sh -c &>/dev/null {{params.x}}', /script of sh -c/],
    ['sh -c &>>log {{params.x}}', /script of sh -c/],
    ['$SHELL <<EOF\necho {{params.x}}\nEOF', /named by an expansion/],
    ['eval "$SHELL" <<EOF\necho {{params.x}}\nEOF', /eval runs/],
  ])('%j', (source, why) => {
    const e = templateError(() => render(source, scopeWith('v'), 'shell'));
    expect(e.message).toMatch(why);
    expect(e.ref).toBe('params.x');
    expect(e.offset).toBe(source.indexOf('{{params.x}}'));
    expect(e.message).not.toContain("'v'");
    // Validate reports the same, naming the safe form wherever the spot, not the value, is the problem.
    const problems = shellTemplateProblems(source);
    expect(problems[0]?.offset).toBe(e.offset);
    if (!/disagree|case statement|terminator|directly follows/.test(e.message)) expect(e.message).toContain('use env: and "$NAME" instead');
  });

  it.each([
    ['sh -c \'echo "$1"\' sh {{params.x}}', 'v'],
    ['bash -ec \'echo "$1"\' -- {{params.x}} {{params.x}}', 'v'],
    ['bash dcos_node_upgrade.sh {{params.x}}', 'v'],
    ['sudo bash dcos_generate_config.ee.sh --generate-node-upgrade-script {{params.x}}', 'v'],
    ['cat <<EOF > /etc/x\n{{params.x}}\nEOF', 'v'],
    ['cat <<< {{params.x}} | grep -c x', 'v'],
    ['grep -c {{params.x}} f', 'v'],
    ['[[ $(date +%s) -gt 0 ]] && echo {{params.x}}', 'v'],
    ['(( 1 + 1 )) && echo {{params.x}}', 'v'],
    ['[ {{params.x}} -eq 1 ] && test {{params.x}} -gt 0', 'v'],
    ['(echo {{params.x}}) && echo a[{{params.x}}]', 'v'],
    [
      'echo $HOME {{params.x}} && cp "$SRC" {{params.x}} && X=$(date) curl {{params.x}} && sudo -u "$SVC" systemctl restart {{params.x}}',
      'v',
    ],
    ['echo {{params.x}} 2>&1 >{{params.x}} && echo {{params.x}} &>/dev/null', 'v'],
    ['echo {{params.x}} || sh -c "exit 1"', 'v'],
    ['curl -fsS {{params.x}} | python3 -c "import json, sys; print(json.load(sys.stdin))"', 'v'],
    ['echo {{params.x}} | sudo tee /etc/x >/dev/null', 'v'],
    ['echo {{params.x}} | sh -c "cat > f"', 'v'],
    ["perl -e 'print $ARGV[0]' -- {{params.x}} && python3 /opt/x.py {{params.x}} && python3 -c 'import sys' {{params.x}}", 'v'],
    ['sudo -u app -E nice -n 5 timeout 5m env -i A=1 curl -fsS {{params.x}}', 'v'],
    ['nsenter -t 1 -m -u -- ls {{params.x}} && chroot /host ls {{params.x}} && exec -a x ls {{params.x}}', 'v'],
    ['echo "$(curl -fsS "http://{{params.x}}:5050/")" && echo "$(printf %s "$(echo {{params.x}})")"', 'v'],
    ['ssh_host={{params.x|raw}}; curl "$ssh_host"', 'v'],
  ])('allows %j', (source, x) => {
    expect(() => render(source, { ...scopeWith(x), node: { ...node, port: 22 } }, 'shell')).not.toThrow();
    expect(shellTemplateProblems(source)).toEqual([]);
  });

  it('refuses them because bash runs a quoted a[$(...)] there: the premise, checked in a real bash', () => {
    const hostile = shellQuoteAlways('a[$(touch "$DIR/INJECTED")]');
    runShell('/bin/bash', `echo hi >&${shellQuoteAlways('$(touch "$DIR/INJECTED")')}`, { DIR: tmp.dir });
    expect(existsSync(injected), '>&').toBe(true);
    rmSync(injected);
    for (const spot of [
      '(( X + 1 ))',
      'echo $[X]',
      'let n=X',
      '[[ X -eq 1 ]]',
      '[[ 1 -lt "$(printf %s X)" ]]',
      '[ -v X ]',
      'printf -v X %s v',
      'read -r X <<< v',
      'a=(1); unset X',
      'declare -i n=X',
      'arr=(); arr[X]=1',
    ]) {
      runShell('/bin/bash', spot.replace('X', hostile), { DIR: tmp.dir });
      expect(existsSync(injected), spot).toBe(true);
      rmSync(injected);
    }
  });

  it('refuses values in awk programs, sed scripts and aliases because those run code: the premise, checked', () => {
    const env = { DIR: tmp.dir };
    for (const [shell, command] of [
      ['/bin/dash', `awk '/x/ { print } END { system("touch \\"$DIR/INJECTED\\"") }' </dev/null`],
      ['/bin/dash', `echo a | sed 's|a|touch "$DIR/INJECTED"|e'`],
      ['/bin/dash', `alias go='touch "$DIR/INJECTED"'\ngo`],
    ] as const) {
      runShell(shell, command, env);
      expect(existsSync(injected), command).toBe(true);
      rmSync(injected);
    }
  });

  it('refuses the forms of issue 11 because there a quoted value runs: the premise, checked in real shells', () => {
    // Each command is what quoting for the outer shell alone would give: the value is one word to
    // the shell that reads the command, and code to the program after it.
    const touch = 'touch "$DIR/INJECTED"';
    const q = shellQuoteAlways;
    for (const [shell, command] of [
      ['/bin/bash', `sh -c -e "echo "${q(`x; ${touch}`)}""`],
      ['/bin/bash', `sh -c -- ${q(touch)}`],
      ['/bin/bash', `bash -c -x ${q(touch)} 2>/dev/null`],
      ['/bin/dash', `echo ${q(touch)} | sh`],
      ['/bin/dash', `cat <<'EOF' | sh\n${touch}\nEOF`],
      ['/bin/bash', `. /dev/stdin <<< ${q(touch)}`],
      ['/bin/bash', `env -S ${q('touch ${DIR}/INJECTED')}`],
      ['/bin/dash', `perl -e 'print @ARGV' ${q('-e;system(qq{touch $ENV{DIR}/INJECTED})')}`],
      ['/bin/dash', `echo ${q(touch)} | xargs -I{} sh -c {}`],
      ['/bin/dash', `find /dev/null -exec sh -c ${q(touch)} \\;`],
      ['/bin/bash', `X=${q(touch)}; sh -c "$X"`],
      ['/bin/bash', `f() { sh -c "$1"; }; f ${q(touch)}`],
      ['/bin/bash', `bash <(echo ${q(touch)})`],
    ] as const) {
      runShell(shell, command, { DIR: tmp.dir });
      expect(existsSync(injected), command).toBe(true);
      rmSync(injected);
    }
  });

  it('refuses value-dependent spots only for the values that break them, without echoing the value', () => {
    const heredoc = 'cat <<EOF\n{{params.x}}\nEOF';
    expect(templateError(() => render(heredoc, scopeWith('a\nEOF\ntouch x'), 'shell')).message).toMatch(/here-document/);
    expect(templateError(() => render(heredoc, scopeWith('EOF'), 'shell')).message).toMatch(/end the here-document early/);
    // Inside $(...) in a here-document a newline is as dangerous: bash splits the lines first.
    for (const nested of [
      'cat <<EOF\n$(printf %s {{params.x}})\nEOF',
      'cat <<EOF\n$(printf %s "{{params.x}}")\nEOF',
      "cat <<EOF\n$(printf %s '{{params.x}}')\nEOF",
    ]) {
      expect(templateError(() => render(nested, scopeWith('a\nEOF\ntouch x'), 'shell')).message).toMatch(/here-document/);
      expect(render(nested, scopeWith('a b'), 'shell')).toContain('a b');
    }
    expect(templateError(() => render('cat <<EOF\n$(cat <<X\n{{params.x}}\nX\n)\nEOF', scopeWith('EOF'), 'shell')).message).toMatch(
      /early/,
    );
    expect(templateError(() => render("cat <<EOF\n$(printf %s '{{params.x}}\n')\nEOF", scopeWith('a\\'), 'shell')).message).toMatch(
      /backslash/,
    );
    expect(templateError(() => render('cat <<EOF\nE{{params.x}}\nEOF', scopeWith('OF'), 'shell')).message).toMatch(/early/);
    expect(render('cat <<EOF\n{{params.x}}\nEOF', scopeWith('EOFX'), 'shell')).toBe('cat <<EOF\nEOFX\nEOF');
    const comment = templateError(() => render('ls # {{params.x}}', scopeWith('secret-ish\ntouch x'), 'shell'));
    expect(comment.message).toMatch(/comment/);
    expect(comment.message).not.toContain('secret-ish');
    expect(templateError(() => render('echo {{params.x}}', scopeWith('a\0b'), 'shell')).message).toMatch(/NUL/);
  });
});

describe('shellTemplateProblems', () => {
  it('finds every unsafe spot and syntax error, with offsets, whatever the values', () => {
    const source = 'echo `{{params.a}}` {{ params.b | rwa }}; sh -c "{{params.c}}"; echo {{params.ok}}';
    expect(shellTemplateProblems(source).map((p) => [p.offset, p.message.split(':')[0]])).toEqual([
      [6, '{{params.a}} cannot be placed safely in this command'],
      [34, 'unknown filter "rwa"'],
      [49, '{{params.c}} cannot be placed safely in this command'],
    ]);
    expect(shellTemplateProblems('curl -fsS http://{{node.ip}}:5050/metrics/snapshot')).toEqual([]);
  });
});

describe('renderForDisplay: secrets', () => {
  const secret = `s3'c"r$e\`t\\ 打`;
  const scope = (extra: Partial<Scope> = {}): Scope => ({
    params: { jwt: secret, user: 'ops', wrapper: `xx${secret}yy` },
    vars: { header: `Authorization: token=${secret}` },
    node,
    secrets: new Set(['jwt']),
    ...extra,
  });

  it.each([
    'curl -H "Authorization: token={{params.jwt}}" https://{{node.ip}}:5050/metrics/snapshot',
    'echo {{params.jwt}}{{params.jwt}} token={{params.jwt}}x',
    "echo 'a{{params.jwt}}b' {{params.jwt|raw}}",
    'echo {{params.wrapper}} "{{params.wrapper}}" \'{{params.wrapper}}\'',
    'curl -H {{vars.header}} -H "{{vars.header}}" -H \'{{vars.header}}\'',
    'cat <<EOF\n{{vars.header}} {{params.jwt}}\nEOF',
    "cat <<'EOF'\n{{vars.header}}\nEOF",
    'echo ok # {{params.jwt}} {{vars.header}}',
  ])('never shows the secret in %j', (source) => {
    for (const mode of ['shell', 'text'] as const) {
      const shown = renderForDisplay(source, scope(), mode);
      expect(shown).not.toContain(secret);
      for (const piece of [secret, secret.replaceAll("'", `'\\''`), secret.replace(/[\\$`]/g, '\\$&'), `s3'\\''c`])
        expect(shown).not.toContain(piece);
      expect(shown).toContain(SECRET_MASK);
      // The same template, rendered to run, does carry the secret: the check above can fail.
      expect(render(source, scope(), mode)).not.toBe(shown);
    }
  });

  it('masks a raw secret wherever render would paste it', () => {
    expect(renderForDisplay("sh -c 'curl -H token={{params.jwt|raw}}'", scope(), 'shell')).toBe(`sh -c 'curl -H token=${SECRET_MASK}'`);
  });

  it('shows where the secret goes and the rest as it runs', () => {
    expect(renderForDisplay('curl -H "token={{params.jwt}}" -u {{params.user}}', scope(), 'shell')).toBe(
      `curl -H "token=${SECRET_MASK}" -u ops`,
    );
  });

  it('masks a secret param that has no value, rather than failing or hinting', () => {
    expect(renderForDisplay('echo t={{params.jwt}}', scope({ params: { jwt: undefined } }), 'shell')).toBe(`echo t=${SECRET_MASK}`);
  });

  it('hides a short secret everywhere, even in the command text', () => {
    const s: Scope = { params: { pin: '42' }, vars: {}, secrets: new Set(['pin']) };
    expect(renderForDisplay('echo 1422 {{params.pin}}', s, 'shell')).toBe(`echo 1${SECRET_MASK}2 ${SECRET_MASK}`);
  });

  it('hides a secret made of mask characters', () => {
    const s: Scope = { params: { p: '••' }, vars: {}, secrets: new Set(['p']) };
    expect(renderForDisplay('x {{params.p}} ••••', s, 'text')).not.toContain('••');
  });

  it('hides random secrets in random templates (seeded)', () => {
    const random = prng(77);
    const chars = [...`ab1 '"\\$\`;|&\n#•`];
    const pick = (n: number) => Array.from({ length: n }, () => chars[Math.floor(random() * chars.length)]).join('');
    const templates = [
      'echo {{params.s}}',
      'echo "{{params.s}}"',
      "echo '{{params.s}}'",
      'echo x{{params.s}}y{{vars.v}}',
      'cat <<EOF\n{{vars.v}}\nEOF',
      "cat <<'E'\n{{vars.v}}\nE",
      '# {{vars.v}}',
    ];
    for (let i = 0; i < 300; i++) {
      const s = pick(1 + Math.floor(random() * 6));
      const sc: Scope = { params: { s }, vars: { v: pick(3) + s + pick(3) }, secrets: new Set(['s']) };
      const template = templates[i % templates.length]!;
      for (const mode of ['shell', 'text'] as const) {
        let shown: string;
        try {
          shown = renderForDisplay(template, sc, mode);
        } catch (e) {
          expect(e).toBeInstanceOf(TemplateError);
          expect((e as Error).message).not.toContain(s);
          continue;
        }
        expect(shown).not.toContain(s);
      }
    }
  });

  it('keeps unknown refs as written when asked, for an export before a run', () => {
    const s: Scope = { params: { jwt: 'tok' }, vars: {}, secrets: new Set(['jwt']) };
    expect(renderForDisplay('curl http://{{node.ip}}:5050 -H "t={{params.jwt}}" {{vars.u|raw}}', s, 'shell', { missing: 'keep' })).toBe(
      `curl http://{{node.ip}}:5050 -H "t=${SECRET_MASK}" {{vars.u | raw}}`,
    );
    expect(() => renderForDisplay('{{node.ip}}', s, 'shell')).toThrow(TemplateError);
  });

  it('shows unknown refs as <ref> placeholders when asked, for paper', () => {
    const s: Scope = { params: { v: '1.11.5' }, vars: {} };
    expect(renderForDisplay('curl -fsSO {{vars.patch_url}} # {{params.v}} on {{node.name}}', s, 'shell', { missing: 'placeholder' })).toBe(
      'curl -fsSO <vars.patch_url> # 1.11.5 on <node.name>',
    );
  });

  it('redactSecrets cleans any text, such as command output', () => {
    expect(redactSecrets(`token=${secret}\n`, scope())).toBe(`token=${SECRET_MASK}\n`);
    expect(redactSecrets('nothing', { params: {}, vars: {} })).toBe('nothing');
  });
});
