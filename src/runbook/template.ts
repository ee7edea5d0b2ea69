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
import { ShellLexer } from './shell-reader.js';
import { programName, resolveProgram, unquote } from './shell-programs.js';
import { TemplateError, type Filled, type RefPart, type TemplatePart, type TemplateProblem } from './template-types.js';

export { TemplateError, type TemplatePart, type TemplateProblem } from './template-types.js';

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
      return rest.length === 1 && NAME.test(first ?? '')
        ? undefined
        : `"${ref}" is not a reference: expected ${head}.NAME (letters, digits and _)`;
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
      errors.push({
        message: '{{{ is not a template form: write {{ ref | raw }} for text pasted as is, or \\{{ for a literal {{',
        offset: i,
      });
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
        errors.push({
          message:
            name === '' ? 'expected a filter name after | (the only filter is raw)' : `unknown filter "${name}": the only filter is raw`,
          offset: at,
        });
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
  { kind: 'value'; value: string | number | boolean } | { kind: 'unset'; message: string } | { kind: 'unknown'; message: string };

/** Looks a valid ref up; messages name the ref and never a value. */
export function resolveRef(ref: string, scope: Scope): Resolution {
  const [head, field = '', sub = ''] = ref.split('.');
  const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
  if (head === 'params') {
    if (!own(scope.params, field))
      return { kind: 'unknown', message: `unknown param "${field}" in ${ref}: the runbook declares no such param` };
    const value = scope.params[field];
    return value === undefined
      ? { kind: 'unset', message: `${ref} has no value (the param was not asked, or its "when" did not hold)` }
      : { kind: 'value', value };
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
    else if (field === 'name' || field === 'ip' || field === 'address' || field === 'role' || field === 'user' || field === 'port')
      value = node[field];
    if (value === undefined) return { kind: 'unset', message: `${ref} is not set for node ${node.name} in the inventory` };
    return { kind: 'value', value };
  }
  if (head === 'run' && scope.run) return { kind: 'value', value: scope.run.id };
  return { kind: 'unknown', message: `${ref} is not available here` };
}

/** For running: refs are shell-quoted in 'shell' mode unless `| raw`. Throws TemplateError for an unknown or missing ref. */
export function render(source: string, scope: Scope, mode: RenderMode): string {
  return renderWith(
    source,
    mode,
    (part) => {
      const r = resolveRef(part.ref, scope);
      if (r.kind !== 'value') throw new TemplateError(r.message, part.ref, part.start);
      return { value: String(r.value) };
    },
    optionLikeValue,
  );
}

/** Interpreters whose words after their inline script are the script's arguments, not options. */
const SCRIPT_FLAG: Readonly<Record<string, string>> = {
  sh: '-c',
  bash: '-c',
  dash: '-c',
  ash: '-c',
  ksh: '-c',
  mksh: '-c',
  zsh: '-c',
  rbash: '-c',
  python: '-c',
  perl: '-e',
  ruby: '-e',
  node: '-e',
};

/**
 * A value that begins with - where it starts a program's argument: the program would read it as
 * an option (curl -O {{vars.url}} with a captured "-oProxyCommand=..."), however it is quoted.
 * Refused when the command is run, naming the ref and never the value, unless a -- before it
 * ends the program's options (printf's arguments after its format are never options).
 */
function optionLikeValue(lexer: ShellLexer, part: RefPart, filled: Filled): TemplateError | undefined {
  if (!('value' in filled) || !filled.value.startsWith('-')) return undefined;
  const words = lexer.argumentStart();
  if (!words) return undefined;
  // Through wrappers (env, nice, timeout, sudo ...) to the program that reads the value.
  const resolved = resolveProgram(words);
  const index = resolved.kind === 'program' ? resolved.index : 0;
  const program = resolved.kind === 'program' ? resolved.name : programName(words[0] ?? '');
  const args = words.slice(index + 1).map(unquote);
  if (args.includes('--')) return undefined;
  if (program === 'printf' && args.length > 0) return undefined;
  // After an interpreter's script (sh -c '...' NAME, perl -e '...'), words are the script's own.
  const script = SCRIPT_FLAG[program.replace(/[\d.]+$/, '')];
  if (script !== undefined && args.slice(0, -1).includes(script)) return undefined;
  return new TemplateError(
    `{{${part.ref}}} has a value that begins with "-" where ${program} reads an argument, so ${program} would take it for an option; put -- before it (${program} ... -- {{${part.ref}}}), or write {{${part.ref} | raw}} if it is meant as an option`,
    part.ref,
    part.start,
  );
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
export function shellTemplateProblems(source: string, options: { secrets?: ReadonlySet<string> } = {}): TemplateProblem[] {
  const { parts, errors } = parseTemplate(source);
  const problems: TemplateProblem[] = [...errors];
  const secretRefs = new Set([...(options.secrets ?? [])].map((name) => `params.${name}`));
  for (const part of parts) {
    // Pasted as written, a secret is out of the reader's sight: it may become any program's argument.
    if (part.kind === 'ref' && part.raw && secretRefs.has(part.ref)) {
      problems.push({
        message: `{{${part.ref} | raw}} pastes a secret where this reader cannot tell whether ps would show it; leave out | raw`,
        offset: part.start,
      });
    }
  }
  renderParts(
    parts,
    'shell',
    () => ({ value: 'x' }),
    (e) => problems.push({ message: e.message, offset: e.offset }),
    secretRefs,
  );
  return problems.sort((a, b) => a.offset - b.offset);
}

/** A check of a value against the spot it lands in, before it is placed (for running only). */
type ValueCheck = (lexer: ShellLexer, part: RefPart, filled: Filled) => TemplateError | undefined;

function renderWith(source: string, mode: RenderMode, fill: (part: RefPart) => Filled, check?: ValueCheck): string {
  // Without {{ there is nothing to fill, check or unescape: the text is the author's as written
  // (most steps; reading them through the shell lexer was a third of preparing a command).
  if (!source.includes('{{')) return source;
  const { parts, errors } = parseTemplate(source);
  const first = errors[0];
  if (first) throw new TemplateError(first.message, '', first.offset);
  return renderParts(
    parts,
    mode,
    fill,
    (e) => {
      throw e;
    },
    undefined,
    check,
  );
}

function renderParts(
  parts: TemplatePart[],
  mode: RenderMode,
  fill: (part: RefPart) => Filled,
  onError: (e: TemplateError) => void,
  secretRefs?: ReadonlySet<string>,
  check?: ValueCheck,
): string {
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

  const lexer = new ShellLexer(secretRefs);
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
      const refused = check?.(lexer, piece.part, piece.filled);
      if (refused) throw refused;
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
