// The shell reader (src/runbook/shell-reader.ts) held to a real shell grammar: mvdan/sh, the parser
// behind shfmt, compiled to WebAssembly (sh-syntax). For every command of both DC/OS runbooks, the
// examples, the runbook format's documentation, the attack corpus of the template tests and a
// generated corpus, the quoting context each {{value}} lands in and each here-document body must be
// what the grammar says. A disagreement is a reader bug: the proof that a value is data stands on
// the reader knowing where the value is.
//
// sh-syntax 0.7.0 hands back statements, their redirections, here-document bodies and comments, but
// not the commands inside a statement (a statement's Cmd carries only its position). So the context
// of a value is asked of the grammar by probes: the command with the value replaced by ' or " (or a
// newline, or $() parses or not, and which of them parse tells the quoting around the value.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { getProcessor, LangVariant, ParseError, type File } from 'sh-syntax';
import { describe, expect, it } from 'vitest';
import { ShellLexer, type PlacementContext, type ReaderView } from '../../src/runbook/shell-reader.js';
import { parseTemplate, TemplateError } from '../../src/runbook/template.js';

const require = createRequire(import.meta.url);
// Node's WebAssembly global (the compiler's libraries here declare only its types).
interface WasmApi {
  compile(bytes: Uint8Array): Promise<WebAssembly.Module>;
  instantiate(module: WebAssembly.Module, imports: object): Promise<never>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
// One compiled module for every parse: sh-syntax would compile its 750 KB of WebAssembly per call.
const wasm = await wasmApi.compile(readFileSync(require.resolve('sh-syntax/main.wasm')));
const processor = getProcessor((imports) => wasmApi.instantiate(wasm, imports));

/** The grammar's reading of a command (bash), or null when it does not parse. */
async function grammar(text: string): Promise<File | null> {
  try {
    return await processor(text, { variant: LangVariant.LangBash, keepComments: true });
  } catch (e) {
    if (e instanceof ParseError || e instanceof SyntaxError) return null;
    throw e;
  }
}

/** What stands in for every value: a plain word, read alike in every context. */
const MARK = 'QVAL';

/** The command with its values replaced by MARK, and what the reader made of it. */
function readerView(template: string): { text: string; view: ReaderView } {
  const { parts } = parseTemplate(template);
  const lexer = new ShellLexer();
  let text = '';
  parts.forEach((part, index) => {
    if (part.kind === 'text') {
      lexer.feed(part.text);
      text += part.text;
      return;
    }
    if (part.raw) lexer.feed(MARK);
    else {
      const after = parts[index + 1];
      const next = after === undefined ? '' : after.kind === 'text' ? after.text.charAt(0) : 'Q';
      try {
        lexer.place(part, { shown: MARK }, next);
      } catch (e) {
        // A refused spot is still read on, as the rest of the command is.
        if (!(e instanceof TemplateError)) throw e;
        lexer.feed(MARK);
      }
    }
    text += MARK;
  });
  lexer.finish();
  return { text, view: lexer.view() };
}

/** The grammar's quoting context at [at, at + MARK.length), asked by probes. */
type GrammarContext = 'unquoted' | 'double' | 'single' | 'comment' | 'heredoc' | 'quoted-heredoc' | 'other';

/** What the grammar says of a text: ok, or its error, which names the construct left open at the end (and where). */
async function verdict(text: string): Promise<{ message: string; at?: number }> {
  try {
    await processor(text, { variant: LangVariant.LangBash });
    return { message: 'ok' };
  } catch (e) {
    if (e instanceof ParseError) return { message: e.message, ...(e.Pos ? { at: charIndex(text, e.Pos.Offset) } : {}) };
    if (e instanceof SyntaxError) return { message: e.message };
    throw e;
  }
}

/**
 * The command up to the value (and the value): what is still open at its end is what the value is in.
 * Only the text before the value is read, so nothing after it can pair with a probe.
 */
async function grammarContext(text: string, at: number): Promise<GrammarContext> {
  const before = text.slice(0, at + MARK.length);
  const open = await verdict(before);
  if (open.message.includes('closing quote `"`')) return 'double';
  if (open.message.includes("closing quote `'`")) return 'single';
  // An open here-document holds the value once its body has begun: after the newline that follows its operator.
  if (open.message.includes('unclosed here-document') && (open.at === undefined || before.indexOf('\n', open.at) >= 0)) {
    return (await verdict(`${before}$(`)).message.includes('`$(`') ? 'heredoc' : 'quoted-heredoc';
  }
  if (/`\$?\(\(`|`\$\{`|`\$\[`|"`"|expression|`expr`/.test(open.message)) return 'other';
  // Nothing open but commands: a quote opened here is left open, unless a comment swallows it.
  const quoted = await verdict(`${before}'`);
  if (quoted.message.includes("closing quote `'`")) return 'unquoted';
  return quoted.message === open.message ? 'comment' : 'other';
}

/** The context the grammar must find where the reader saw a value. */
const EXPECTED: Record<PlacementContext, GrammarContext | undefined> = {
  unquoted: 'unquoted',
  double: 'double',
  single: 'single',
  ansi: 'single', // $'...' ends at a quote, like '...'
  comment: 'comment',
  heredoc: 'heredoc',
  'quoted-heredoc': 'quoted-heredoc',
  backtick: 'other',
  param: 'other',
  arith: 'other',
  lost: undefined, // the reader refuses every value from there on: nothing to compare
};

/** UTF-16 index of a UTF-8 byte offset (the grammar counts bytes). */
function charIndex(text: string, byteOffset: number): number {
  return Buffer.from(text, 'utf8').subarray(0, byteOffset).toString('utf8').length;
}

/** Here-document bodies of the top-level statements, as the grammar reads them. */
function grammarHeredocs(text: string, file: File): Array<{ start: number; end: number; quoted: boolean }> {
  const out: Array<{ start: number; end: number; quoted: boolean }> = [];
  for (const stmt of file.Stmts) {
    for (const r of stmt.Redirs) {
      if (!r.Op.startsWith('<<') || r.Op === '<<<' || r.Hdoc === null) continue;
      const start = charIndex(text, r.Hdoc.Pos.Offset);
      // End is the end of the terminator line: the body ends where that line begins.
      const end = text.lastIndexOf('\n', charIndex(text, r.Hdoc.End.Offset) - 1) + 1;
      const delimiter = text.slice(charIndex(text, r.Word.Pos.Offset), charIndex(text, r.Word.End.Offset));
      out.push({ start, end, quoted: /['"\\]/.test(delimiter) });
    }
  }
  return out;
}

/** Every disagreement between the reader and the grammar on one command, as sentences. */
async function disagreements(
  template: string,
  misread: (view: ReaderView) => ReaderView = (view) => view,
): Promise<{ parsed: boolean; problems: string[] }> {
  const read = readerView(template);
  const text = read.text;
  const view = misread(read.view);
  const file = await grammar(text);
  if (!file) return { parsed: false, problems: [] };
  const problems: string[] = [];
  for (const p of view.placements) {
    if (text.slice(p.at, p.at + MARK.length) !== MARK) {
      problems.push(
        `the reader placed {{${p.ref}}} at ${p.at}, where the command has ${JSON.stringify(text.slice(p.at, p.at + MARK.length))}`,
      );
      continue;
    }
    // A word the grammar would run as a command must be one the reader does not take for an argument.
    // (After coproc NAME, a ( opens the coprocess's body: there the probe says nothing.)
    if (
      p.commandWord === false &&
      !/\bcoproc\s+\S+\s+$/.test(text.slice(0, p.at)) &&
      (await verdict(`${text.slice(0, p.at)}(`)).message.includes('`(` must be followed by a statement list')
    ) {
      problems.push(`{{${p.ref}}} at ${p.at}: the reader reads an argument, the grammar a command's name`);
    }
    const expected = EXPECTED[p.context];
    if (expected === undefined) continue;
    const found = await grammarContext(text, p.at);
    if (found !== expected) {
      problems.push(`{{${p.ref}}} at ${p.at}: the reader reads ${p.context}, the grammar ${found}`);
    }
  }
  for (const doc of grammarHeredocs(text, file)) {
    if (!view.heredocs.some((d) => d.start === doc.start && d.end === doc.end && d.quoted === doc.quoted)) {
      problems.push(
        `the grammar reads a here-document body ${JSON.stringify(text.slice(doc.start, doc.end))} (quoted: ${doc.quoted}); the reader read ${JSON.stringify(view.heredocs.map((d) => text.slice(d.start, d.end)))}`,
      );
    }
  }
  return { parsed: true, problems };
}

// --- the corpora -------------------------------------------------------------------------------

const root = (file: string) => fileURLToPath(new URL(`../../${file}`, import.meta.url));

/** The command templates (run: and follow:) anywhere in a parsed YAML document. */
function commandsIn(doc: unknown, out: string[] = []): string[] {
  if (Array.isArray(doc)) for (const item of doc) commandsIn(item, out);
  else if (doc !== null && typeof doc === 'object') {
    for (const [key, value] of Object.entries(doc)) {
      if ((key === 'run' || key === 'follow') && typeof value === 'string') out.push(value);
      else commandsIn(value, out);
    }
  }
  return out;
}

const runbookCommands = (file: string) => commandsIn(load(readFileSync(root(file), 'utf8')));

function docCommands(): string[] {
  const markdown = readFileSync(root('docs/runbook-format.md'), 'utf8');
  const out: string[] = [];
  for (const block of markdown.matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)) {
    try {
      commandsIn(load(block[1]!), out);
    } catch {
      // a fragment that is not YAML on its own (format-doc.test.ts holds the doc's blocks to YAML)
    }
  }
  return out;
}

/** The command templates written as string literals in the template tests: the attack corpus. */
function attackCommands(): string[] {
  const source = readFileSync(root('test/runbook/template.test.ts'), 'utf8');
  const unescape = (s: string) => s.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t' })[c] ?? c);
  const out: string[] = [];
  for (const m of source.matchAll(/'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"/g)) {
    const literal = unescape(m[1] ?? m[2]!);
    if (/\{\{\s*(params|vars|node|run)\./.test(literal)) out.push(literal);
  }
  return out;
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const V = '{{params.x}}';
/** Words around a value: each a form the grammar reads its own way. */
const VALUE_WORDS = [
  V,
  `a${V}b`,
  `"${V}"`,
  `"a $HOME ${V}"`,
  `'${V}'`,
  `$'${V}'`,
  `$'a\\n'${V}`,
  `"$(echo ${V})"`,
  `$(echo ${V})`,
  `{a,${V}}`,
  `${V}{x,y}`,
  `$(( ${V} + 1 ))`,
  `"\${X:-${V}}"`,
  `\`echo ${V}\``,
  `$( $(echo ${V}) )`,
  `"$(echo "$(printf %s ${V})")"`,
  `--opt=${V}`,
  `x=${V}`,
  `"a\\"${V}"`,
  `'it'\\''s ${V}'`,
  `$'it\\'s' ${V}`,
  `"$(case a in a) echo ${V};; esac)"`,
  `"\`echo\` ${V}"`,
  `<(echo ${V})`,
  `"#${V}"`,
  `a#${V}`,
];
const PLAIN_WORDS = [
  'a',
  '"b c"',
  "'d e'",
  '$HOME',
  '"${X:-y}"',
  '$(date)',
  '{1..3}',
  "$'t\\t'",
  '"$(echo ")")"',
  '\\#',
  "'#'",
  '$((1+2))',
  '2>/dev/null',
];
const STATEMENTS = [
  'echo w W w',
  'grep -c W f | sort w',
  'cmd w && echo W || true',
  '( echo W )',
  '{ echo W; }',
  'if [[ W == w ]]; then echo w; fi',
  '[[ -n W && w =~ ^a ]] && echo w',
  'case w in a|b) echo W;; *) echo w;; esac',
  'case W in (a) echo w;; esac',
  'coproc echo W',
  'coproc NAME { echo W; }',
  'time echo W',
  '! echo W',
  'for i in w W; do echo "$i"; done',
  'while read -r l; do echo W; done < f',
  'cat <<EOF\nline W\nEOF',
  "cat <<'EOF'\nline W $(x) `y`\nEOF",
  'cat <<"EOF" | grep w\nW\nEOF',
  'cat <<-EOF\n\tW\n\tEOF',
  'cat <<\\EOF\nW $(x)\nEOF',
  'cat <<A <<B\nW\nA\nw W\nB',
  'cat <<EOF; echo W\nw\nEOF',
  'cat <<EOF\n$(echo W)\n"W" \'W\'\nEOF',
  'echo w # comment W',
  '# W\necho w',
  'echo w \\\n  W',
  'echo w\\\nW',
  'echo "$(echo "$(echo W)")"',
  'echo $((1 + W))',
  '(( W ))',
  'f() { echo W; }; f w',
  'x=$(echo W); echo "$x"',
  "echo w; # W'\necho W",
  // Values where a command's name goes, or near it: the reader must not take them for arguments.
  'W w',
  'x=1 W w',
  'time W w',
  '! W',
  'coproc W',
  'if true; then W; fi',
  'while W; do :; done',
  '{ W; }',
  'echo w | W',
  'true && W || W',
  'echo w; W',
  'then=1 w W',
  'echo w\n  W w',
];

/** A few thousand commands: statements joined by ; newline && |, with values in many kinds of words. */
function generated(count: number): string[] {
  const random = seeded(11);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    const statements = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
      pick(STATEMENTS)
        .replace(/\bW\b/g, () => (random() < 0.7 ? pick(VALUE_WORDS) : pick(PLAIN_WORDS)))
        .replace(/\bw\b/g, () => pick(PLAIN_WORDS)),
    );
    // A statement ending in a here-document is joined by a newline: after its terminator, nothing more may follow on that line.
    out.push(
      statements.reduce((all, s) => (all === '' ? s : `${all}${/\n/.test(all) ? '\n' : pick(['; ', '\n', ' && ', ' | '])}${s}`), ''),
    );
  }
  return out;
}

async function expectAgreement(commands: readonly string[], options: { allParse: boolean }): Promise<number> {
  const failures: string[] = [];
  let parsed = 0;
  for (const command of commands) {
    if (!command.includes('{{')) continue;
    const result = await disagreements(command);
    if (result.parsed) parsed += 1;
    else if (options.allParse) failures.push(`${JSON.stringify(command)}: the grammar does not parse it`);
    for (const p of result.problems) failures.push(`${JSON.stringify(command)}: ${p}`);
  }
  expect(failures).toEqual([]);
  return parsed;
}

describe('the shell reader reads commands as a real shell grammar does', () => {
  it('in both DC/OS runbooks and the examples', async () => {
    const commands = [
      'runbooks/dcos-1.11-patch.yaml',
      'runbooks/dcos-1.11-patch.zh-CN.yaml',
      'runbooks/examples/hello.yaml',
      'runbooks/examples/rolling-restart.yaml',
    ].flatMap(runbookCommands);
    expect(commands.filter((c) => c.includes('{{')).length).toBeGreaterThan(60);
    await expectAgreement(commands, { allParse: true });
  }, 90_000);

  it("in the runbook format's documentation", async () => {
    const commands = docCommands();
    expect(commands.filter((c) => c.includes('{{')).length).toBeGreaterThan(5);
    await expectAgreement(commands, { allParse: true });
  });

  it('in the attack corpus of the template tests', async () => {
    const commands = attackCommands();
    expect(commands.length).toBeGreaterThan(150);
    // Some attacks are not valid shell on purpose (an unclosed quote): the grammar has nothing to say there.
    expect(await expectAgreement(commands, { allParse: false })).toBeGreaterThan(120);
  }, 90_000);

  it('in a generated corpus of 1000 commands (seeded)', async () => {
    const commands = generated(1000);
    expect(await expectAgreement(commands, { allParse: false })).toBeGreaterThan(750);
  }, 120_000);

  it('sees a reader that misreads: the check itself can fail', async () => {
    // The probes tell the contexts apart...
    expect(await grammarContext(`echo ${MARK} "${MARK}" '${MARK}' # ${MARK}`, 5)).toBe('unquoted');
    expect(await grammarContext(`echo ${MARK} "${MARK}" '${MARK}' # ${MARK}`, 11)).toBe('double');
    expect(await grammarContext(`echo ${MARK} "${MARK}" '${MARK}' # ${MARK}`, 18)).toBe('single');
    expect(await grammarContext(`echo ${MARK} "${MARK}" '${MARK}' # ${MARK}`, 26)).toBe('comment');
    expect(await grammarContext(`cat <<E\n${MARK}\nE`, 8)).toBe('heredoc');
    expect(await grammarContext(`cat <<'E'\n${MARK}\nE`, 10)).toBe('quoted-heredoc');
    // ...and a reader that misread is caught: each kind of mistake, made on purpose.
    const template = `cat <<'EOF' | grep x\n${V}\nEOF\necho "a ${V}" '${V}' # ${V}`;
    expect((await disagreements(template)).problems).toEqual([]);
    const contexts: PlacementContext[] = ['quoted-heredoc', 'double', 'single', 'comment'];
    for (const [i, wrong] of (['heredoc', 'unquoted', 'double', 'single'] as const).entries()) {
      const { problems } = await disagreements(template, (view) => ({
        ...view,
        placements: view.placements.map((p, j) => (j === i ? { ...p, context: wrong } : p)),
      }));
      expect(problems, `${contexts[i]} misread as ${wrong}`).toEqual([
        expect.stringContaining(`the reader reads ${wrong}, the grammar ${contexts[i]}`),
      ]);
    }
    const shifted = await disagreements(`cat <<EOF >/dev/null\nline ${V}\nEOF`, (view) => ({
      ...view,
      heredocs: view.heredocs.map((d) => ({ ...d, end: d.end + 1 })),
    }));
    expect(shifted.problems).toEqual([expect.stringContaining('the grammar reads a here-document body "line QVAL\\n"')]);
    const argument = await disagreements(`true && ${V} x`, (view) => ({
      ...view,
      placements: view.placements.map((p) => ({ ...p, commandWord: false })),
    }));
    expect(argument.problems).toEqual([expect.stringContaining("the reader reads an argument, the grammar a command's name")]);
    const unquoted = await disagreements(`cat <<"EOF" >/dev/null\nline\nEOF`, (view) => ({
      ...view,
      heredocs: view.heredocs.map((d) => ({ ...d, quoted: false })),
    }));
    expect(unquoted.problems).toEqual([expect.stringContaining('(quoted: true)')]);
  });
});
