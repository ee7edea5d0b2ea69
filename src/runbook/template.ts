// Interpolation of {{params.x}}, {{vars.y}}, {{node.ip}}, {{run.id}} into commands and text.
//
// In a command ('shell' mode) every value lands as data, never as code. The renderer reads the
// author's command the way /bin/sh will (quotes, $(...), comments, here-documents) and writes each
// value in the form that is literal at that spot:
//   unquoted        curl http://{{node.ip}}:5050   -> bare when harmless, else '...' (one word)
//   "..."           "x={{vars.url}}"               -> as is when harmless, else "x="'...'""
//   '...'           'x={{vars.url}}'               -> as is when harmless, else 'x='\''...'\'''
//   # comment       as is (a newline in it would end the comment: refused)
//   here-document   with \ $ ` escaped (or as is under <<'EOF'); a newline, or a line that would
//                   read as the terminator, is refused
// Places where no form is safe are refused with a TemplateError naming the ref: inside `...`,
// ${...}, $((...)), $'...', right after $, and anything the shell runs as code a second time (the
// script of sh -c, eval, trap, watch, alias, ssh's remote command, a here-document fed to a
// shell, python -c and the like, awk's program and sed's script). So are the spots where bash evaluates a word as arithmetic or as a
// variable name, because there a quoted a[$(cmd)] still runs cmd: ((...)), $[...], let,
// [[ ... -eq ... ]], [[ -v ]], test -v, printf -v, read, unset, declare NAME, declare -i, and an
// array subscript. Whatever follows `| raw` is pasted as written: the author's choice.
import { MASK as SECRET_MASK } from '../transport/mask.js';
import { maskForms, secretForms } from './secret-forms.js';
import { isShellSafeWord, RESERVED_WORDS, shellQuoteAlways } from './shell-quote.js';

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'ref'; ref: string; raw: boolean; start: number; end: number };

/** A syntax error in a template; offset is a UTF-16 index into the source. */
export interface TemplateProblem {
  message: string;
  offset: number;
}

/** A node as templates see it ({{node.role}} is the first role). */
export interface NodeScope {
  name: string;
  ip: string;
  address: string;
  role: string;
  roles: string[];
  user?: string;
  port?: number;
  vars: Record<string, string>;
}

/** Everything a template or condition may refer to. */
export interface Scope {
  params: Record<string, string | number | boolean | undefined>;
  vars: Record<string, string>;
  node?: NodeScope;
  run?: { id: string };
  /** Names of secret params: their values are redacted when rendering for display. */
  secrets?: ReadonlySet<string>;
}

export type RenderMode = 'shell' | 'text';

/** What replaces a secret when showing, journalling or exporting. */
export { SECRET_MASK };

/** A template that cannot be rendered; the message never contains a value. */
export class TemplateError extends Error {
  constructor(
    message: string,
    /** The ref concerned ('params.x'), or '' for a syntax error. */
    readonly ref: string,
    /** Where in the template source (UTF-16 index). */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NODE_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const NODE_FIELDS: readonly string[] = ['name', 'ip', 'address', 'role', 'user', 'port'];
const REF_FORMS = 'params.NAME, vars.NAME, node.name, node.ip, node.address, node.role, node.user, node.port, node.vars.NAME or run.id';

/** Why a string is not a valid reference, or undefined when it is one. */
export function refProblem(ref: string): string | undefined {
  const [head, ...rest] = ref.split('.');
  const [first, second] = rest;
  switch (head) {
    case 'params':
    case 'vars':
      return rest.length === 1 && NAME.test(first ?? '') ? undefined : `"${ref}" is not a reference: expected ${head}.NAME (letters, digits and _)`;
    case 'node':
      if (rest.length === 1 && NODE_FIELDS.includes(first ?? '')) return undefined;
      if (rest.length === 2 && first === 'vars' && NODE_VAR_NAME.test(second ?? '')) return undefined;
      return `"${ref}" is not a reference: expected node.name, node.ip, node.address, node.role, node.user, node.port or node.vars.NAME`;
    case 'run':
      return rest.length === 1 && first === 'id' ? undefined : `"${ref}" is not a reference: expected run.id`;
    default:
      return `"${ref}" is not a reference: expected ${REF_FORMS}`;
  }
}

/**
 * Splits a template into text and refs. `\{{` is a literal `{{` (so a backslash cannot directly
 * precede a ref). Never throws: syntax errors come back with their offsets.
 */
export function parseTemplate(source: string): { parts: TemplatePart[]; errors: TemplateProblem[] } {
  const parts: TemplatePart[] = [];
  const errors: TemplateProblem[] = [];
  let text = '';
  const flush = () => {
    if (text !== '') parts.push({ kind: 'text', text });
    text = '';
  };
  let i = 0;
  while (i < source.length) {
    if (source.startsWith('\\{{', i)) {
      text += '{{';
      i += 3;
      continue;
    }
    if (!source.startsWith('{{', i)) {
      text += source[i];
      i += 1;
      continue;
    }
    const close = source.indexOf('}}', i + 2);
    const reopen = source.indexOf('{{', i + 2);
    if (close < 0 || (reopen >= 0 && reopen < close)) {
      errors.push({ message: 'unclosed {{: expected }} (write \\{{ for a literal {{)', offset: i });
      text += '{{';
      i += 2;
      continue;
    }
    if (source[i + 2] === '{') {
      errors.push({ message: '{{{ is not a template form: write {{ ref | raw }} for text pasted as is, or \\{{ for a literal {{', offset: i });
      text += source.slice(i, close + 2);
      i = close + 2;
      continue;
    }
    const before = errors.length;
    const segments = source.slice(i + 2, close).split('|');
    let segStart = i + 2;
    let ref = '';
    let raw = false;
    segments.forEach((segment, index) => {
      const name = segment.trim();
      const at = segStart + (name === '' ? 0 : segment.indexOf(name));
      segStart += segment.length + 1;
      if (index === 0) {
        ref = name;
        if (name === '') {
          errors.push({
            message: segments.length === 1 ? `empty {{}}: expected a reference (${REF_FORMS})` : 'expected a reference before |',
            offset: i,
          });
        } else {
          const problem = refProblem(name);
          if (problem) errors.push({ message: problem, offset: at });
        }
      } else if (name === 'raw') {
        raw = true;
      } else {
        errors.push({ message: name === '' ? 'expected a filter name after | (the only filter is raw)' : `unknown filter "${name}": the only filter is raw`, offset: at });
      }
    });
    if (errors.length > before) {
      text += source.slice(i, close + 2);
    } else {
      flush();
      parts.push({ kind: 'ref', ref, raw, start: i, end: close + 2 });
    }
    i = close + 2;
  }
  flush();
  return { parts, errors };
}

/** Every ref a template uses ('params.x', 'vars.y', 'node.ip', ...), once each, in order. */
export function templateRefs(source: string): string[] {
  const refs = new Set<string>();
  for (const part of parseTemplate(source).parts) if (part.kind === 'ref') refs.add(part.ref);
  return [...refs];
}

/** A ref looked up in a scope: a value, declared but without one, or not there at all. */
export type Resolution =
  | { kind: 'value'; value: string | number | boolean }
  | { kind: 'unset'; message: string }
  | { kind: 'unknown'; message: string };

/** Looks a valid ref up; messages name the ref and never a value. */
export function resolveRef(ref: string, scope: Scope): Resolution {
  const [head, field = '', sub = ''] = ref.split('.');
  const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
  if (head === 'params') {
    if (!own(scope.params, field)) return { kind: 'unknown', message: `unknown param "${field}" in ${ref}: the runbook declares no such param` };
    const value = scope.params[field];
    return value === undefined ? { kind: 'unset', message: `${ref} has no value (the param was not asked, or its "when" did not hold)` } : { kind: 'value', value };
  }
  if (head === 'vars') {
    const value = own(scope.vars, field) ? scope.vars[field] : undefined;
    return value === undefined ? { kind: 'unset', message: `${ref} is not set: no step has captured it yet` } : { kind: 'value', value };
  }
  if (head === 'node') {
    const node = scope.node;
    if (!node) return { kind: 'unknown', message: `${ref} is used outside a node: this part of the runbook runs locally` };
    let value: string | number | undefined;
    if (field === 'vars') value = own(node.vars, sub) ? node.vars[sub] : undefined;
    else if (field === 'name' || field === 'ip' || field === 'address' || field === 'role' || field === 'user' || field === 'port') value = node[field];
    if (value === undefined) return { kind: 'unset', message: `${ref} is not set for node ${node.name} in the inventory` };
    return { kind: 'value', value };
  }
  if (head === 'run' && scope.run) return { kind: 'value', value: scope.run.id };
  return { kind: 'unknown', message: `${ref} is not available here` };
}

/** For running: refs are shell-quoted in 'shell' mode unless `| raw`. Throws TemplateError for an unknown or missing ref. */
export function render(source: string, scope: Scope, mode: RenderMode): string {
  return renderWith(source, mode, (part) => {
    const r = resolveRef(part.ref, scope);
    if (r.kind !== 'value') throw new TemplateError(r.message, part.ref, part.start);
    return { value: String(r.value) };
  });
}

/** Options for showing a template where not every value exists yet (an export before a run). */
export interface DisplayOptions {
  /**
   * What an unknown or unset ref shows instead of throwing: 'keep' as written ({{node.ip}}),
   * 'placeholder' as <node.ip> (paper, where braces would read as syntax).
   */
  missing?: 'throw' | 'keep' | 'placeholder';
}

/** For showing, journalling, exporting: the same, but secret param values become •••••• (never the value, even partially). */
export function renderForDisplay(source: string, scope: Scope, mode: RenderMode, options: DisplayOptions = {}): string {
  const secrets = scope.secrets ?? new Set<string>();
  const out = renderWith(source, mode, (part) => {
    if (part.ref.startsWith('params.') && secrets.has(part.ref.slice('params.'.length))) return { shown: SECRET_MASK };
    const r = resolveRef(part.ref, scope);
    if (r.kind === 'value') return { value: String(r.value) };
    if (options.missing === 'keep') return { shown: `{{${part.ref}${part.raw ? ' | raw' : ''}}}` };
    if (options.missing === 'placeholder') return { shown: `<${part.ref}>` };
    throw new TemplateError(r.message, part.ref, part.start);
  });
  return redactSecrets(out, scope);
}

/**
 * Removes every secret param value from a text, in every form the renderer may write it (see
 * secretForms). For anything shown that did not come through a secret ref: a var or another
 * param that happens to contain the secret.
 */
export function redactSecrets(text: string, scope: Scope): string {
  return maskForms(text, secretForms(scope.params, scope.secrets ?? []));
}

/**
 * Problems a shell command template has whatever the values: syntax errors and refs placed where
 * no quoting is safe (inside backquotes, after $, in the script of sh -c, ...). For validation.
 */
export function shellTemplateProblems(source: string): TemplateProblem[] {
  const { parts, errors } = parseTemplate(source);
  const problems: TemplateProblem[] = [...errors];
  renderParts(parts, 'shell', () => ({ value: 'x' }), (e) => problems.push({ message: e.message, offset: e.offset }));
  return problems.sort((a, b) => a.offset - b.offset);
}

type RefPart = Extract<TemplatePart, { kind: 'ref' }>;
/** A value to place (quoted for its spot), or text to show as is (a mask, a placeholder). */
type Filled = { value: string } | { shown: string };

function renderWith(source: string, mode: RenderMode, fill: (part: RefPart) => Filled): string {
  const { parts, errors } = parseTemplate(source);
  const first = errors[0];
  if (first) throw new TemplateError(first.message, '', first.offset);
  return renderParts(parts, mode, fill, (e) => {
    throw e;
  });
}

function renderParts(parts: TemplatePart[], mode: RenderMode, fill: (part: RefPart) => Filled, onError: (e: TemplateError) => void): string {
  // Raw values and text become one stream first: the shell reads them alike.
  const pieces: Array<{ text: string } | { part: RefPart; filled: Filled }> = [];
  const addText = (text: string) => {
    const last = pieces[pieces.length - 1];
    if (last && 'text' in last) last.text += text;
    else pieces.push({ text });
  };
  for (const part of parts) {
    if (part.kind === 'text') {
      addText(part.text);
      continue;
    }
    const filled = fill(part);
    // Raw text is the author's own shell code: the reader must see it like the rest of the command.
    if (mode === 'text' || part.raw) addText('value' in filled ? filled.value : filled.shown);
    else pieces.push({ part, filled });
  }
  if (mode === 'text') return pieces.map((p) => ('text' in p ? p.text : '')).join('');

  const lexer = new ShellLexer();
  let out = '';
  pieces.forEach((piece, index) => {
    if ('text' in piece) {
      lexer.feed(piece.text);
      out += piece.text;
      return;
    }
    const nextPiece = pieces[index + 1];
    const next = nextPiece === undefined ? '' : 'text' in nextPiece ? nextPiece.text.charAt(0) : '{';
    try {
      const text = lexer.place(piece.part, piece.filled, next);
      out += text;
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      onError(e);
    }
  });
  const end = lexer.finish();
  if (end) onError(end);
  return out;
}

// ---- Reading a command the way /bin/sh does ---------------------------------------------------

interface Heredoc {
  delim: string;
  quoted: boolean;
  strip: boolean;
  /** Fed to a shell or interpreter (sh <<EOF, ssh host <<EOF): its body is code. */
  script: boolean;
}

interface CmdFrame {
  t: 'cmd';
  /** Inside $( ... ): the matching ) ends it. */
  sub: boolean;
  depth: number;
  /** The word being read, as written; and the words before it in this simple command. */
  word: string;
  words: string[];
  delimNext: { strip: boolean } | null;
  pending: Heredoc[];
  /** The next word is the target of a redirection (> file, <<< word), not an argument. */
  redirect: boolean;
  /** ...of >& or <&, whose word bash expands a second time when it is not a number. */
  duplicate: '>&' | '<&' | null;
  /** Inside [[ ... ]]: the values placed in it, and the operator that makes bash evaluate them. */
  test: { refs: RefPart[]; evaluates: string | null } | null;
}

type Frame =
  | CmdFrame
  | { t: 'single' | 'double' | 'backtick' | 'ansi' | 'param'; sink: CmdFrame | null }
  /** $((...)) and ((...)) close with )), bash's old $[...] with ]. */
  | { t: 'arith'; sink: CmdFrame | null; depth: number; close: ')' | ']' }
  | { t: 'comment' }
  | { t: 'heredoc'; doc: Heredoc; rest: Heredoc[] };

/** Programs whose -c takes a command line for a shell (flock and script hand it to sh -c). */
const SHELL_NAMES = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'busybox', 'su', 'runuser', 'flock', 'script']);
const INTERPRETERS = new Set(['python', 'python2', 'python3', 'perl', 'ruby', 'node', 'php', 'lua', 'expect', 'Rscript', 'pwsh']);
// alias: dash expands aliases in scripts, so an alias's text runs as code where it is used.
const EVALUATORS = new Set(['eval', 'trap', 'watch', 'alias']);
const AWKS = new Set(['awk', 'gawk', 'mawk', 'nawk']);
/** ssh options that take a value as the next word. */
const SSH_VALUE_OPTIONS = new Set(['-B', '-b', '-c', '-D', '-E', '-e', '-F', '-I', '-i', '-J', '-L', '-l', '-m', '-O', '-o', '-p', '-Q', '-R', '-S', '-W', '-w']);

/** A word with its quotes removed, roughly as the shell would: enough to recognise a command name. */
function unquote(word: string): string {
  let out = '';
  for (let i = 0; i < word.length; i++) {
    const c = word[i]!;
    if (c === '\\') {
      const next = word[++i] ?? '';
      if (next !== '\n') out += next; // a line continuation vanishes
    } else if (c === "'") {
      const end = word.indexOf("'", i + 1);
      out += word.slice(i + 1, end < 0 ? undefined : end);
      i = end < 0 ? word.length : end;
    } else if (c !== '"') out += c;
  }
  return out;
}

const commandName = (word: string) => unquote(word).split('/').pop() ?? '';

/** Why the word after these (in one simple command) is code run a second time, or undefined. */
function scriptWordReason(words: readonly string[]): string | undefined {
  const names = words.map(commandName);
  const last = unquote(words[words.length - 1] ?? '');
  const evaluator = names.find((n) => EVALUATORS.has(n));
  if (evaluator) return `${evaluator} runs its arguments as shell code`;
  const shell = names.find((n) => SHELL_NAMES.has(n));
  if (shell && /^-[A-Za-z]*c[A-Za-z]*$/.test(last)) return `it is in the script of ${shell} ${last}, which a second shell reads as code`;
  const interpreter = names.find((n) => INTERPRETERS.has(n));
  if (interpreter && /^(-[A-Za-z]*[ceEpr]|--eval|--print|--command)$/.test(last)) return `it is in the code that ${interpreter} ${last} runs`;
  const awk = names.findIndex((n) => AWKS.has(n));
  if (awk >= 0 && programIsNext(words.slice(awk + 1).map(unquote), AWK_OPTIONS)) {
    return `it is in the program that ${names[awk]} runs, where system() and | run shell commands; pass the value as a variable instead: ${names[awk]} -v name=VALUE '... name ...'`;
  }
  const sed = names.findIndex((n) => n === 'sed' || n === 'gsed');
  if (sed >= 0 && programIsNext(words.slice(sed + 1).map(unquote), SED_OPTIONS)) {
    return `it is in the script that ${names[sed]} runs, where the e command and the s///e flag run shell commands; pass the value to awk as a variable instead: awk -v name=VALUE '... name ...'`;
  }
  const ssh = names.indexOf('ssh');
  if (ssh >= 0) {
    for (let i = ssh + 1; i < words.length; i++) {
      const w = unquote(words[i]!);
      if (SSH_VALUE_OPTIONS.has(w)) i += 1;
      else if (!w.startsWith('-')) return 'ssh joins the words after the host into a command for the remote shell';
    }
  }
  return undefined;
}

/** How a program's options carry its code: which take program text, a program file, or another value. */
interface ProgramOptions {
  text: string;
  file: string;
  other: string;
  /** Letters whose value is optional and only ever attached (sed -i.bak). */
  suffix?: string;
  long: Readonly<Record<string, 'text' | 'file' | 'other'>>;
}

const AWK_OPTIONS: ProgramOptions = {
  text: 'e',
  file: 'f',
  other: 'FviW',
  long: { '--source': 'text', '--file': 'file', '--assign': 'other', '--field-separator': 'other', '--include': 'other' },
};
const SED_OPTIONS: ProgramOptions = { text: 'e', file: 'f', other: 'l', suffix: 'i', long: { '--expression': 'text', '--file': 'file', '--line-length': 'other' } };

/** After a program and these arguments, is the next word program text (awk's program, sed's script)? */
function programIsNext(args: readonly string[], o: ProgramOptions): boolean {
  let fromOption = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const last = i === args.length - 1;
    if (a === '--') return last && !fromOption;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const kind = o.long[eq < 0 ? a : a.slice(0, eq)];
      if (kind === 'text' || kind === 'file') fromOption = true;
      if (kind && eq < 0) {
        if (last) return kind === 'text'; // the option's value comes next
        i += 1;
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // A cluster of one-letter options; one that takes a value takes the rest of the word or the next word.
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        if (o.suffix?.includes(c)) break;
        const kind = o.text.includes(c) ? 'text' : o.file.includes(c) ? 'file' : o.other.includes(c) ? 'other' : undefined;
        if (!kind) continue;
        if (kind !== 'other') fromOption = true;
        if (j === a.length - 1) {
          if (last) return kind === 'text';
          i += 1;
        }
        break;
      }
      continue;
    }
    return false; // the program or script was an earlier word; this one is an operand
  }
  return !fromOption;
}

/** Builtins whose plain arguments are variable names (bash evaluates a subscript in a name). */
const NAME_TAKERS = new Set(['declare', 'typeset', 'local', 'unset', 'read']);
const DECLARERS = new Set(['declare', 'typeset', 'local']);
/** Options of read that take a value which is not a name. */
const READ_VALUE_OPTIONS = new Set(['-d', '-i', '-n', '-N', '-p', '-t', '-u']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;
const EVALUATED = "bash evaluates it, and a[$(...)] in it runs code however it is quoted";

/** Where the command name is among the words of a simple command (after keywords and assignments). */
function commandIndex(words: readonly string[]): number {
  let k = 0;
  while (k < words.length) {
    const w = unquote(words[k]!);
    if (RESERVED_WORDS.has(w) || w === '{' || w === '!' || w === 'builtin' || w === 'command' || ASSIGNMENT.test(words[k]!)) k++;
    else break;
  }
  return k;
}

/** Commands that run the command given in their arguments. */
const WRAPPERS = new Set(['sudo', 'doas', 'env', 'exec', 'eval', 'nice', 'nohup', 'stdbuf', 'setsid', 'xargs', 'time', 'ionice', 'taskset', 'unbuffer']);
/** Options of those wrappers that take the next word as their value (sudo -u app, nice -n 5). */
const WRAPPER_VALUE_OPTIONS = new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-U', '-r', '-t', '-T', '-n', '-c', '-s', '-I', '-L', '-P', '-d']);

/** The word expands ($X, "$(...)", `...`) outside single quotes. */
function expands(word: string): boolean {
  let single = false;
  for (let i = 0; i < word.length; i++) {
    const c = word[i]!;
    if (single) single = c !== "'";
    else if (c === "'") single = true;
    else if (c === '\\') i += 1;
    else if (c === '$' || c === '`') return true;
  }
  return false;
}

/**
 * Why a value after these words is out of this reader's reach: the program the command runs is
 * named by an expansion ($SHELL -c, "$(command -v bash)", `...`eval), so it may be any of the
 * programs that run their arguments as code.
 */
function expandedProgramReason(words: readonly string[]): string | undefined {
  let i = commandIndex(words);
  while (i < words.length) {
    const word = words[i]!;
    if (expands(word)) return `the program this command runs is named by an expansion (${word}), so nothing tells whether it runs the value as code; write the program's name out`;
    if (!WRAPPERS.has(commandName(word))) return undefined;
    // The wrapped command: the next word that is no option, option value or assignment.
    i += 1;
    while (i < words.length) {
      const w = unquote(words[i]!);
      if (WRAPPER_VALUE_OPTIONS.has(w)) i += 2;
      else if (w.startsWith('-') || ASSIGNMENT.test(words[i]!)) i += 1;
      else break;
    }
  }
  return undefined;
}

/** Words before this one leave it in command position: only keywords and ! precede it. */
const inCommandPosition = (words: readonly string[]) => words.every((w) => RESERVED_WORDS.has(unquote(w)) || w === '!' || w === '{');

/** Why bash would evaluate a value placed in the current word of this command, or undefined. */
function evaluationReason(frame: CmdFrame): string | undefined {
  const k = commandIndex(frame.words);
  const cmd = commandName(frame.words[k] ?? '');
  const args = frame.words.slice(k + 1).map(unquote);
  const current = unquote(frame.word);
  if (k === frame.words.length) {
    // The word being written is itself an assignment or the command name.
    if (/^[A-Za-z_][A-Za-z0-9_]*\[[^\]]*$/.test(frame.word)) return `it is inside an array subscript, which ${EVALUATED} as arithmetic`;
    return undefined;
  }
  if (cmd === 'let') return `let evaluates its arguments as arithmetic, where a[$(...)] runs code however it is quoted`;
  if (DECLARERS.has(cmd)) {
    const flag = args.find((a) => /^-[A-Za-z]*[in]/.test(a));
    if (flag) {
      const what = /^-[A-Za-z]*i/.test(flag) ? 'an integer, whose value' : 'a reference, whose value names a variable that';
      return `${cmd} ${flag} makes the variable ${what} ${EVALUATED}`;
    }
  }
  if (frame.redirect || current.includes('=') || current.startsWith('-')) return undefined;
  const last = args.at(-1);
  const name =
    (NAME_TAKERS.has(cmd) && !(cmd === 'read' && last !== undefined && READ_VALUE_OPTIONS.has(last))) ||
    ((cmd === 'test' || cmd === '[' || cmd === 'printf') && last === '-v');
  if (name) return `${cmd} reads it as a variable name, which ${EVALUATED}; pass it as a value instead`;
  return undefined;
}

// A program named by an expansion ($SHELL <<EOF) may be a shell as well.
const heredocFeedsCode = (words: readonly string[]) =>
  words.map(commandName).some((n) => SHELL_NAMES.has(n) || INTERPRETERS.has(n) || n === 'ssh') || expandedProgramReason(words) !== undefined;

const PREV_OK = /[\s;&|(/:.,\-@=%'"<>]/;
const NEXT_OK = /[\s;&|)/:.,\-@%'"]/;

class ShellLexer {
  private readonly stack: Frame[] = [newCmd(false)];
  /** Set when the two shells would read what follows differently, or this reader lost track. */
  private lost: string | null = null;
  /** The last character consumed was a $ that expands (so a value after it would join it). */
  private dollar = false;
  /** A backslash at the end of a piece escapes whatever comes next. */
  private escape = false;
  private prev = '';
  private deferred: TemplateError | null = null;
  /**
   * The line as a shell reading here-documents sees it: every character since the last newline,
   * whatever construct it is in. The shell finds a here-document's end by whole lines before it
   * reads the $(...) in them, so this, not the construct being read, decides where one ends.
   */
  private rawLine = '';
  /** The raw line ends in a backslash that escapes the next character. */
  private rawEscape = false;
  /** Values placed on the current raw line. */
  private lineRefs: RefPart[] = [];

  feed(text: string): void {
    let i = 0;
    if (this.escape && text.length > 0) {
      this.escape = false;
      this.consumed(text[0]!);
      this.raw(text[0]!);
      i = 1;
    }
    while (i < text.length) {
      const next = this.step(text, i);
      this.raw(text.slice(i, next));
      i = next;
    }
  }

  /** The text that puts a value at the current spot, or a TemplateError when no text can. */
  place(part: RefPart, filled: Filled, next: string): string {
    const text = this.placeText(part, filled, next);
    this.raw(text);
    this.lineRefs.push(part);
    return text;
  }

  private placeText(part: RefPart, filled: Filled, next: string): string {
    const fail = (why: string) => new TemplateError(`{{${part.ref}}} cannot be placed safely in this command: ${why}`, part.ref, part.start);
    if (this.lost) throw fail(this.lost);
    if (this.escape) throw fail('a backslash right before a value would change its first character');
    if (this.dollar) throw fail("it directly follows $, so the two would read as one expansion; write '$' or \\$, or leave a space");
    for (const frame of this.stack) {
      if (frame.t === 'backtick') throw fail('inside `...` quotes follow other rules; write $(...) instead');
      if (frame.t === 'param') throw fail('inside ${...} bash and dash treat quotes differently; use the value outside ${...}');
      if (frame.t === 'arith') throw fail(`inside an arithmetic expression ($((...)), ((...)) or $[...]) ${EVALUATED}`);
      if (frame.t === 'ansi') throw fail("inside $'...' (a bash form) the value's backslashes would be read as escapes");
      if (frame.t === 'heredoc' && frame.doc.script) throw fail('this here-document is fed to a program that runs it as code');
      if (frame.t === 'heredoc' && frame !== this.top && 'value' in filled) {
        if (filled.value.includes('\n')) throw fail('it is inside a here-document, and a line of the value could end it early');
        if (filled.value.endsWith('\\') && next === '\n' && !this.outerHeredoc()?.doc.quoted) {
          throw fail('it ends with a backslash before a newline in a here-document, which joins the two lines');
        }
      }
      if (frame.t === 'cmd') {
        if (frame.delimNext && frame === this.sink()) throw fail('a here-document terminator must be written out');
        if (frame.duplicate) throw fail(`it is the target of ${frame.duplicate}, which bash expands a second time when it is not a number, running $(...) in it`);
        const reason = scriptWordReason(frame.words);
        if (reason) throw fail(`${reason}; pass the value as an argument instead, e.g. sh -c '... "$1"' sh {{${part.ref}}}`);
        const evaluated = evaluationReason(frame) ?? expandedProgramReason(frame.words);
        if (evaluated) throw fail(evaluated);
        if (frame.test?.evaluates) throw fail(testReason(frame.test.evaluates));
        frame.test?.refs.push(part);
      }
    }
    const top = this.top;
    if (!('value' in filled)) return this.inserted(filled.shown);
    const value = filled.value;
    if (value.includes('\0')) throw fail('the value contains a NUL byte, which no shell argument can hold');
    switch (top.t) {
      case 'cmd': {
        const bare = isShellSafeWord(value) && (this.prev === '' || PREV_OK.test(this.prev)) && (next === '' || NEXT_OK.test(next)) && !top.word.includes('~');
        return this.inserted(bare ? value : shellQuoteAlways(value));
      }
      case 'double':
        return this.inserted(/[$`\\"!]/.test(value) ? `"${shellQuoteAlways(value)}"` : value);
      case 'single':
        return this.inserted(value.includes("'") ? `'${shellQuoteAlways(value)}'` : value);
      case 'comment':
        if (value.includes('\n')) throw fail('it is in a comment, and a newline in the value would end the comment');
        return this.inserted(value);
      case 'heredoc': {
        if (value.includes('\n')) throw fail('it is in a here-document, and a line of the value could end it early');
        if (top.doc.strip && /^\t*$/.test(this.rawLine) && value.startsWith('\t')) throw fail('<<- would strip the leading tabs of the value');
        return this.inserted(top.doc.quoted ? value : value.replace(/[\\$`]/g, '\\$&'));
      }
      default:
        throw fail('this spot is not understood');
    }
  }

  /** An error that only the end of the command reveals. */
  finish(): TemplateError | null {
    for (const frame of this.stack) if (frame.t === 'heredoc') this.checkTerminator(frame);
    return this.deferred;
  }

  /** The outermost here-document being read: its kind decides how its lines are read. */
  private outerHeredoc(): Extract<Frame, { t: 'heredoc' }> | undefined {
    for (const frame of this.stack) if (frame.t === 'heredoc') return frame;
    return undefined;
  }

  /** Follows the raw lines; a line that ends a here-document from inside $(...) is checked here. */
  private raw(text: string): void {
    for (const c of text) {
      if (c === '\n') {
        const outer = this.outerHeredoc();
        if (this.rawEscape && outer && !outer.doc.quoted) {
          // In an unquoted here-document, backslash-newline joins the lines before the end is sought.
          this.rawLine = this.rawLine.slice(0, -1);
          this.rawEscape = false;
          continue;
        }
        // The top here-document was checked by step(); those around a $(...) are checked here.
        for (const frame of this.stack) {
          if (frame.t !== 'heredoc' || frame === this.top) continue;
          if (this.checkTerminator(frame) && this.lineRefs.length === 0) {
            this.lost ??= 'a line inside $(...) ends the here-document around it, and this reader cannot follow the shell there';
          }
        }
        this.rawLine = '';
        this.rawEscape = false;
        this.lineRefs = [];
        continue;
      }
      this.rawLine += c;
      this.rawEscape = c === '\\' ? !this.rawEscape : false;
    }
  }

  private get top(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  private inserted(text: string): string {
    const top = this.top;
    this.dollar = false;
    if (text !== '') this.prev = text[text.length - 1]!;
    if (top.t === 'cmd') top.word += text;
    else if (top.t !== 'comment' && top.t !== 'heredoc' && top.sink) top.sink.word += text;
    return text;
  }

  /** The nearest command whose word a quoted part belongs to. */
  private sink(): CmdFrame | null {
    const top = this.top;
    if (top.t === 'cmd') return top;
    if (top.t === 'comment' || top.t === 'heredoc') return null;
    return top.sink;
  }

  private push(frame: Frame): void {
    this.stack.push(frame);
  }

  private pop(): void {
    if (this.stack.length > 1) this.stack.pop();
  }

  private consumed(text: string): void {
    const sink = this.sink();
    if (sink) sink.word += text;
    this.prev = text[text.length - 1] ?? this.prev;
    this.dollar = false;
  }

  /** $-forms common to unquoted text, "...", ${...}, $((...)) and here-documents. Returns chars used, 0 for none. */
  private dollarForm(text: string, i: number, allowQuotes: boolean): number {
    const sink = this.sink();
    const a = text[i + 1];
    const b = text[i + 2];
    if (a === '(' && b === '(') {
      this.consumed('$((');
      this.push({ t: 'arith', sink, depth: 0, close: ')' });
      return 3;
    }
    if (a === '(') {
      this.consumed('$(');
      this.push(newCmd(true));
      return 2;
    }
    if (a === '{') {
      this.consumed('${');
      this.push({ t: 'param', sink });
      return 2;
    }
    if (a === '[') {
      this.consumed('$[');
      this.push({ t: 'arith', sink, depth: 0, close: ']' });
      return 2;
    }
    if (allowQuotes && a === "'") {
      this.consumed("$'");
      this.push({ t: 'ansi', sink });
      return 2;
    }
    if (allowQuotes && a === '"') {
      this.consumed('$"');
      this.push({ t: 'double', sink });
      return 2;
    }
    this.consumed('$');
    this.dollar = i + 1 >= text.length; // only a $ at the very end of a piece can meet a value
    return 1;
  }

  /** Reads from text[i]; returns the next index. */
  private step(text: string, i: number): number {
    const c = text[i]!;
    const top = this.top;
    const backslash = () => {
      if (i + 1 >= text.length) {
        this.consumed('\\');
        this.escape = true;
        return i + 1;
      }
      // A line continuation vanishes: what comes next joins the word and the character before it.
      if (text[i + 1] === '\n') {
        this.dollar = false;
        return i + 2;
      }
      this.consumed(c + text[i + 1]);
      return i + 2;
    };
    switch (top.t) {
      case 'cmd': {
        if (c === '\\') return backslash();
        if (c === '\n') {
          this.endWord(top);
          top.words = [];
          this.prev = c;
          if (top.pending.length > 0) {
            const [doc, ...rest] = top.pending as [Heredoc, ...Heredoc[]];
            top.pending = [];
            this.push({ t: 'heredoc', doc, rest });
          }
          return i + 1;
        }
        if (c === ' ' || c === '\t') {
          this.endWord(top);
          this.prev = c;
          return i + 1;
        }
        if (c === '#' && top.word === '') {
          this.prev = c;
          this.push({ t: 'comment' });
          return i + 1;
        }
        if (c === "'" || c === '"' || c === '`') {
          this.consumed(c);
          this.push({ t: c === "'" ? 'single' : c === '"' ? 'double' : 'backtick', sink: top });
          return i + 1;
        }
        if (c === '$') return i + this.dollarForm(text, i, true);
        if (c === '&' && text[i + 1] === '>') {
          // bash's &> and &>> redirect both outputs; they separate nothing (dash reads & and >).
          this.endWord(top);
          top.redirect = true;
          this.prev = '>';
          return i + 2;
        }
        if (c === ';' || c === '|' || (c === '&' && this.prev !== '>' && this.prev !== '<')) {
          this.endWord(top);
          top.words = [];
          this.prev = c;
          return i + 1;
        }
        if (c === '(' && text[i + 1] === '(' && top.word === '' && inCommandPosition(top.words)) {
          // ((...)) and for ((...)): bash's arithmetic command (dash reads two subshells).
          this.prev = c;
          this.push({ t: 'arith', sink: null, depth: 0, close: ')' });
          return i + 2;
        }
        if (c === '(' || c === ')') {
          this.endWord(top);
          top.words = [];
          this.prev = c;
          if (top.sub && c === '(') top.depth += 1;
          if (top.sub && c === ')') {
            if (top.depth === 0) {
              this.pop();
              const outer = this.sink();
              if (outer) outer.word += ')';
            } else top.depth -= 1;
          }
          return i + 1;
        }
        if (c === '<' || c === '>' || c === '&') {
          // 2>file, {fd}>file: the digits name a descriptor, they are no argument.
          if (c !== '&' && /^(\d+|\{[A-Za-z_][A-Za-z0-9_]*\})$/.test(top.word)) top.word = '';
          else this.endWord(top);
          if (c !== '&') top.redirect = true;
          else top.duplicate = this.prev === '<' ? '<&' : '>&';
          this.prev = c;
          if (c === '<' && text[i + 1] === '<') {
            if (text[i + 2] === '<') return i + 3; // a here-string: an ordinary word follows
            const strip = text[i + 2] === '-';
            top.delimNext = { strip };
            return i + (strip ? 3 : 2);
          }
          return i + 1;
        }
        this.consumed(c);
        return i + 1;
      }
      case 'comment':
        if (c === '\n') {
          this.pop();
          return i; // the newline ends the command line too
        }
        this.prev = c;
        return i + 1;
      case 'single':
        this.consumed(c);
        if (c === "'") this.pop();
        return i + 1;
      case 'double':
        if (c === '\\') return backslash();
        if (c === '$') return i + this.dollarForm(text, i, false);
        this.consumed(c);
        if (c === '"') this.pop();
        else if (c === '`') this.push({ t: 'backtick', sink: top.sink });
        return i + 1;
      case 'backtick':
        if (c === '\\') return backslash();
        this.consumed(c);
        if (c === '`') this.pop();
        return i + 1;
      case 'ansi':
        if (c === '\\') {
          if (text[i + 1] === "'") this.lost = "after $'...\\'...', bash and dash disagree on where the quote ends";
          return backslash();
        }
        this.consumed(c);
        if (c === "'") this.pop();
        return i + 1;
      case 'param':
      case 'arith':
        if (c === '\\') return backslash();
        if (c === '$') return i + this.dollarForm(text, i, false);
        if (c === "'" && this.stack.some((f) => f.t === 'double')) {
          this.lost = 'a quote inside "${...}" is read differently by bash and dash';
        }
        if (top.t === 'param' && c === '}') {
          this.consumed(c);
          this.pop();
          return i + 1;
        }
        if (top.t === 'arith' && top.close === ']') {
          if (c === '[') top.depth += 1;
          else if (c === ']') {
            if (top.depth === 0) {
              this.consumed(c);
              this.pop();
              return i + 1;
            }
            top.depth -= 1;
          }
        }
        if (top.t === 'arith' && top.close === ')' && c === '(') top.depth += 1;
        if (top.t === 'arith' && top.close === ')' && c === ')') {
          if (top.depth > 0) top.depth -= 1;
          else if (text[i + 1] === ')') {
            this.consumed('))');
            this.pop();
            return i + 2;
          } else this.lost = 'a $(( )) is closed by a single )';
        }
        this.consumed(c);
        if (c === "'" || c === '"' || c === '`') this.push({ t: c === "'" ? 'single' : c === '"' ? 'double' : 'backtick', sink: top.sink });
        return i + 1;
      case 'heredoc':
        if (c === '\n') {
          if (this.checkTerminator(top)) {
            this.pop();
            const [doc, ...rest] = top.rest;
            if (doc) this.push({ t: 'heredoc', doc, rest });
          }
          this.prev = c;
          return i + 1;
        }
        if (!top.doc.quoted) {
          if (c === '\\') return backslash();
          if (c === '$') return i + this.dollarForm(text, i, false);
          if (c === '`') {
            this.consumed(c);
            this.push({ t: 'backtick', sink: null });
            return i + 1;
          }
        }
        this.consumed(c);
        return i + 1;
    }
  }

  /** True when the line just read ends the here-document; a value that would end it is an error. */
  private checkTerminator(frame: Extract<Frame, { t: 'heredoc' }>): boolean {
    const line = frame.doc.strip ? this.rawLine.replace(/^\t+/, '') : this.rawLine;
    if (line !== frame.doc.delim) return false;
    const ref = this.lineRefs[0];
    if (ref && !this.deferred) {
      this.deferred = new TemplateError(`{{${ref.ref}}} cannot be placed safely in this command: its value would end the here-document early`, ref.ref, ref.start);
    }
    return true;
  }

  private endWord(frame: CmdFrame): void {
    if (frame.word === '') return;
    // The target of a redirection is no argument of the command (sh -c >out SCRIPT).
    const target = frame.redirect || frame.duplicate !== null;
    frame.redirect = false;
    frame.duplicate = null;
    if (frame.test) {
      if (frame.word === ']]') frame.test = null;
      else if (/^-(eq|ne|lt|le|gt|ge|v)$/.test(frame.word)) {
        // An operator after a value: the value was placed before we knew.
        frame.test.evaluates ??= frame.word;
        const ref = frame.test.refs[0];
        if (ref && !this.deferred) this.deferred = new TemplateError(`{{${ref.ref}}} cannot be placed safely in this command: ${testReason(frame.word)}`, ref.ref, ref.start);
      }
    } else if (frame.word === '[[' && inCommandPosition(frame.words)) {
      frame.test = { refs: [], evaluates: null };
    }
    if (frame.delimNext) {
      frame.pending.push({ delim: unquote(frame.word), quoted: /['"\\]/.test(frame.word), strip: frame.delimNext.strip, script: heredocFeedsCode(frame.words) });
      frame.delimNext = null;
    } else if (!target || frame.test) {
      frame.words.push(frame.word);
      // A case inside $(...) has patterns ending in ) that this reader would take for the end.
      if (frame.sub && commandName(frame.word) === 'case' && frame.words.length === 1) this.lost = 'a case statement inside $(...) is not supported before a value';
    }
    frame.word = '';
  }
}

function newCmd(sub: boolean): CmdFrame {
  return { t: 'cmd', sub, depth: 0, word: '', words: [], delimNext: null, pending: [], redirect: false, duplicate: null, test: null };
}

function testReason(op: string): string {
  return `inside [[ ... ]] with ${op} ${EVALUATED} as ${op === '-v' ? 'a variable name' : 'arithmetic'}; compare with [ ... ] (test) instead`;
}
