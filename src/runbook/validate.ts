// Validation of a runbook: its shape against the schema, then what the schema cannot say
// (references, plan order, regular expressions, confirmations, roles). Problems are data with a
// place; nothing here throws for bad input.
import { normalizeRole } from '../inventory/roles.js';
import type { Inventory } from '../inventory/types.js';
import { boundedTest } from './bounded-regex.js';
import { builtins } from './builtins.js';
import { checkShape } from './check-shape.js';
import { parseCondition } from './condition.js';
import { didYouMean } from '../input/did-you-mean.js';
import { parseDuration } from './duration.js';
import { formatPath, describeValue, type Place, type YamlDocument, type YamlPath } from '../input/load-yaml.js';
import type { Problem } from '../input/problem.js';
import { findControl } from '../input/controls.js';
import { Runbook as RunbookSchema } from './schema.js';
import { envNameProblem } from '../shell/env-names.js';
import { parseTemplate, shellTemplateProblems } from './template.js';

// Kept here too: callers found it in this module first.
export { boundedTest } from './bounded-regex.js';

export interface ValidateOptions {
  /** With an inventory, roles the runbook targets must exist in it. */
  inventory?: Inventory;
}

/** Roles a section may name without declaring them under roles: (the DC/OS node roles), and local. */
export const STANDARD_ROLES: readonly string[] = ['bootstrap', 'master', 'agent', 'public_agent'];
export const LOCAL = 'local';

type Path = (string | number)[];

const ZERO_TIMEOUT = 'timeout must be longer than 0s: a command with no time at all is stopped as soon as it starts';
type Dict = Record<string, unknown>;

const isDict = (v: unknown): v is Dict => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const dict = (v: unknown): Dict => (isDict(v) ? v : {});

/** Where a template is used: what it may refer to, and whether it is shown to people. */
interface Scope {
  /** Words for messages: "the header", "step \"x\"". */
  where: string;
  node: boolean;
  /** Vars captured so far (name -> capturing step); undefined: vars are not available here. */
  vars?: ReadonlyMap<string, Path>;
  /** Shown on screen, journalled or exported: secrets must not appear. */
  shown: boolean;
  /** For a param's when: the params declared before it. */
  params?: readonly string[];
  paramSelf?: string;
}

/** Every problem of a runbook document, errors and warnings, in file order. */
export function validateRunbook(doc: YamlDocument, options: ValidateOptions = {}): Problem[] {
  return new Validator(doc, options).run();
}

class Validator {
  private readonly problems: Problem[] = [];
  private readonly root: Dict;
  private readonly params: Dict;
  private readonly roles: Dict;
  private readonly lines: string[];
  /** Every var some step captures, with the step that does: for "captured later" messages. */
  private readonly allCaptures = new Map<string, Path>();

  constructor(
    private readonly doc: YamlDocument,
    private readonly options: ValidateOptions,
  ) {
    this.root = dict(doc.value);
    this.params = dict(this.root.params);
    this.roles = dict(this.root.roles);
    this.lines = doc.text.split(/\r\n|\r|\n/);
  }

  run(): Problem[] {
    const value = this.doc.value;
    if (!isDict(value)) {
      this.error([], `expected a runbook: a mapping with id, title and sections, found ${describeValue(value)}`);
      return this.problems;
    }
    for (const issue of checkShape(RunbookSchema, value, [], { owner: (p) => this.owner(p) })) {
      this.report('error', issue.path, issue.message, issue.onKey ? { onKey: true } : {});
    }
    this.checkControls(value, []);
    this.checkParams();
    this.checkRoles();
    this.checkHeader();
    if (parseDuration(str(this.root.step_timeout) ?? '') === 0)
      this.error(['step_timeout'], ZERO_TIMEOUT.replace('timeout', 'step_timeout'));
    this.checkSections();
    return this.problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  }

  /**
   * Every key and string of the runbook is text some terminal or export shows: a control
   * character in it (written as an escape in a quoted scalar, "\e]52;..." or "\r") could set the
   * window title, fill the clipboard or make a confirmation show another command than the one
   * that runs. Refused where it is written.
   */
  private checkControls(value: unknown, path: Path): void {
    const refuse = (text: string, at: Path, onKey: boolean): void => {
      const found = findControl(text);
      if (!found) return;
      const what = onKey ? 'this key' : 'this text';
      this.error(
        at,
        `${what} contains the control character ${found.name} at character ${found.index + 1}; text is shown on terminals and in exports, where a control character could rewrite what the operator sees: remove it (a command can still print one with printf '\\033')`,
        onKey ? { onKey } : { offset: found.index },
      );
    };
    if (typeof value === 'string') refuse(value, path, false);
    else if (Array.isArray(value)) value.forEach((v, i) => this.checkControls(v, [...path, i]));
    else if (isDict(value)) {
      for (const [k, v] of Object.entries(value)) {
        refuse(k, [...path, k], true);
        this.checkControls(v, [...path, k]);
      }
    }
  }

  // --- reporting ------------------------------------------------------------------------

  private report(severity: Problem['severity'], path: YamlPath, message: string, at: { onKey?: boolean; offset?: number } = {}): void {
    const place = at.onKey ? this.doc.locateKey(path) : this.placeIn(path, at.offset);
    this.problems.push({ file: this.doc.file, line: place.line, column: place.column, path: formatPath(path), message, severity });
  }
  private error(path: YamlPath, message: string, at: { onKey?: boolean; offset?: number } = {}): void {
    this.report('error', path, message, at);
  }
  private warn(path: YamlPath, message: string, at: { onKey?: boolean; offset?: number } = {}): void {
    this.report('warning', path, message, at);
  }

  /** The place of a character inside the string at path, when the source shows it plainly. */
  private placeIn(path: YamlPath, offset: number | undefined): Place {
    const start = this.doc.locate(path);
    const value = this.get(path);
    if (offset === undefined || offset < 0 || typeof value !== 'string') return start;
    const line = this.lines[start.line - 1] ?? '';
    const head = value.slice(0, offset);
    const c = line[start.column - 1];
    if (!head.includes('\n')) {
      const col = start.column - 1 + (c === '"' || c === "'" ? 1 : 0);
      if (line.slice(col, col + offset) === head) return { line: start.line, column: col + offset + 1 };
    }
    if (c === '|' || c === '>') {
      // A block scalar: its lines follow, indented; find the line the offset falls on.
      const before = head.split('\n');
      const lineNo = start.line + before.length;
      const text = this.lines[lineNo - 1] ?? '';
      const indent = text.length - text.trimStart().length;
      const within = before.at(-1) ?? '';
      if (text.slice(indent, indent + within.length) === within) return { line: lineNo, column: indent + within.length + 1 };
    }
    return start;
  }

  private get(path: YamlPath): unknown {
    let v: unknown = this.root;
    for (const part of path) {
      if (typeof part === 'number') v = Array.isArray(v) ? v[part] : undefined;
      else v = isDict(v) ? v[part] : undefined;
    }
    return v;
  }

  /** Names the mapping at path: the runbook, param "x", section "y", step "z", ... */
  private owner(path: YamlPath): string {
    const named = (kind: string, obj: unknown, index: number): string => {
      const id = str(dict(obj).id);
      return id ? `${kind} "${id}"` : `${kind} ${index + 1}`;
    };
    const [head, a, b, c] = path;
    let base = 'the runbook';
    let rest: YamlPath = path;
    if (head === 'params' && typeof a === 'string') [base, rest] = [`param "${a}"`, path.slice(2)];
    else if (head === 'roles' && typeof a === 'string') [base, rest] = [`role "${a}"`, path.slice(2)];
    else if (head === 'sections' && typeof a === 'number') {
      const section = list(this.root.sections)[a];
      if (b === 'steps' && typeof c === 'number') [base, rest] = [named('step', list(dict(section).steps)[c], c), path.slice(4)];
      else [base, rest] = [named('section', section, a), path.slice(2)];
    }
    return rest.length === 0 ? base : `${formatPath(rest)} of ${base}`;
  }

  // --- params, roles, header ----------------------------------------------------------------

  private checkParams(): void {
    const names = Object.keys(this.params);
    names.forEach((name, index) => {
      const p = dict(this.params[name]);
      const path: Path = ['params', name];
      let pattern: RegExp | undefined;
      const source = str(p.pattern);
      if (source !== undefined) pattern = this.compile([...path, 'pattern'], source, '', `the pattern of param "${name}"`);
      const choices = list(p.choices).filter((c): c is string => typeof c === 'string');
      if (p.default !== undefined && p.default !== null && typeof p.default !== 'object') {
        const value = String(p.default);
        // Problems are printed and logged: a secret default is named, never shown.
        const secret = p.secret === true;
        const theDefault = secret ? `the default of param "${name}" (a secret, not shown)` : `the default "${value}" of param "${name}"`;
        if (choices.length > 0 && !choices.includes(value)) {
          this.error(
            [...path, 'default'],
            `${theDefault} is not one of its choices${secret ? '' : ` (${choices.join(', ')})${didYouMean(value, choices)}`}`,
          );
        }
        const matches = pattern && boundedTest(pattern, value);
        if (matches === false) this.error([...path, 'default'], `${theDefault} does not match its pattern ${source}`);
        if (matches === 'timeout') {
          this.error(
            [...path, 'pattern'],
            `the pattern of param "${name}" takes too long to match ${secret ? 'its default' : `"${value}"`} (catastrophic backtracking); simplify it`,
          );
        }
        if (secret) {
          this.warn([...path, 'default'], `param "${name}" is secret but has a default: the secret is then written in the runbook file`);
        }
      }
      if (pattern) {
        for (const [i, choice] of choices.entries()) {
          const matches = boundedTest(pattern, choice);
          if (matches === false)
            this.error([...path, 'choices', i], `the choice "${choice}" of param "${name}" does not match its pattern ${source}`);
          if (matches === 'timeout')
            this.error(
              [...path, 'pattern'],
              `the pattern of param "${name}" takes too long to match "${choice}" (catastrophic backtracking); simplify it`,
            );
        }
      }
      if (typeof p.when === 'string') {
        this.checkCondition([...path, 'when'], {
          where: `the when of param "${name}"`,
          node: false,
          shown: false,
          params: names.slice(0, index),
          paramSelf: name,
        });
      }
    });
  }

  private checkRoles(): void {
    for (const [name, value] of Object.entries(this.roles)) {
      const role = dict(value);
      const scope: Scope = { where: `role "${name}"`, node: true, shown: false };
      const seen = new Map<string, number>();
      list(role.troubleshoot).forEach((t, i) => {
        const path: Path = ['roles', name, 'troubleshoot', i];
        const title = str(dict(t).title);
        if (title !== undefined) {
          const first = seen.get(title);
          if (first !== undefined) {
            const at = this.doc.locate(['roles', name, 'troubleshoot', first, 'title']);
            this.error(
              [...path, 'title'],
              `duplicate troubleshooting command "${title}" in role "${name}" (first at line ${at.line}): steps name them by title`,
            );
          } else seen.set(title, i);
          this.checkText([...path, 'title'], { ...scope, shown: true });
        }
        this.checkCommand([...path, 'run'], scope);
        this.checkCommand([...path, 'follow'], scope);
      });
      // One probe, or a list of them told apart by when.
      const probes: Path[] = Array.isArray(role.health)
        ? role.health.map((_, i) => ['roles', name, 'health', i])
        : isDict(role.health)
          ? [['roles', name, 'health']]
          : [];
      for (const path of probes) {
        const probe = dict(this.get(path));
        this.checkCommand([...path, 'run'], scope);
        this.checkChecks([...path, 'expect']);
        if (typeof probe.when === 'string')
          this.checkCondition([...path, 'when'], { ...scope, where: `the when of a health probe of role "${name}"` });
        if (parseDuration(str(probe.every) ?? '') === 0) this.error([...path, 'every'], 'every must be longer than 0s');
        if (parseDuration(str(probe.timeout) ?? '') === 0) this.error([...path, 'timeout'], ZERO_TIMEOUT);
      }
    }
  }

  private checkHeader(): void {
    for (const key of Object.keys(dict(this.root.header))) {
      this.checkText(['header', key], { where: 'the header', node: false, shown: true });
    }
  }

  // --- sections and steps, in plan order -------------------------------------------------------

  private checkSections(): void {
    const sections = list(this.root.sections);
    // Where each var is captured, to tell "captured later" from "never captured".
    sections.forEach((s, si) =>
      list(dict(s).steps).forEach((step, ti) => {
        for (const name of Object.keys(dict(dict(step).capture))) {
          if (!this.allCaptures.has(name)) this.allCaptures.set(name, ['sections', si, 'steps', ti]);
        }
      }),
    );

    const captured = new Map<string, Path>();
    const sectionIds = new Map<string, number>();
    sections.forEach((s, si) => {
      const section = dict(s);
      const path: Path = ['sections', si];
      const id = str(section.id);
      const name = id ? `section "${id}"` : `section ${si + 1}`;
      if (id !== undefined) {
        const first = sectionIds.get(id);
        if (first !== undefined) {
          const at = this.doc.locate(['sections', first, 'id']);
          this.error(
            [...path, 'id'],
            `duplicate section id "${id}" (first at line ${at.line}): the journal and --resume tell sections apart by id, so section ids must be unique in the runbook`,
          );
        } else sectionIds.set(id, si);
      }

      const sectionScope: Scope = { where: name, node: false, vars: captured, shown: true };
      this.checkText([...path, 'title'], sectionScope);
      this.checkText([...path, 'text'], sectionScope);
      this.checkText([...path, 'why'], sectionScope);
      if (typeof section.when === 'string')
        this.checkCondition([...path, 'when'], { ...sectionScope, where: `the when of ${name}`, shown: false });

      const roles = this.checkOn(path, section);
      const batch = dict(section.strategy).batch;
      if (typeof batch === 'string')
        this.checkText([...path, 'strategy', 'batch'], { ...sectionScope, where: `the batch of ${name}`, shown: false });
      if (section.concurrency !== undefined && section.strategy !== 'parallel') {
        this.warn(
          [...path, 'concurrency'],
          `concurrency applies only to strategy: parallel; ${name} runs ${isDict(section.strategy) ? 'in batches' : (str(section.strategy) ?? 'serial')}`,
          { onKey: true },
        );
      }

      const stepIds = new Map<string, number>();
      list(section.steps).forEach((st, ti) => {
        const step = dict(st);
        const stepPath: Path = [...path, 'steps', ti];
        const stepId = str(step.id);
        if (stepId !== undefined) {
          const first = stepIds.get(stepId);
          if (first !== undefined) {
            const at = this.doc.locate([...path, 'steps', first, 'id']);
            this.error(
              [...stepPath, 'id'],
              `duplicate step id "${stepId}" in ${name} (first at line ${at.line}): the journal and --resume tell steps apart by section and step id, so step ids must be unique within their section`,
            );
          } else stepIds.set(stepId, ti);
        }
        this.checkStep(stepPath, step, roles, captured);
        for (const v of Object.keys(dict(step.capture))) if (!captured.has(v)) captured.set(v, stepPath);
      });
      this.checkAnsweredBy(path, list(section.steps).map(dict));
    });
  }

  /** A deadline's answered_by names later steps of its own section: only their passing can end it. */
  private checkAnsweredBy(path: Path, steps: Dict[]): void {
    const ids = steps.map((st) => str(st.id));
    steps.forEach((st, ti) => {
      const answered = dict(st.deadline).answered_by;
      const names = typeof answered === 'string' ? [answered] : list(answered);
      names.forEach((name, i) => {
        if (typeof name !== 'string') return;
        const at: Path = [...path, 'steps', ti, 'deadline', 'answered_by', ...(typeof answered === 'string' ? [] : [i])];
        const index = ids.indexOf(name);
        if (index < 0)
          this.error(
            at,
            `answered_by names no step of this section: "${name}"${didYouMean(
              name,
              ids.filter((x): x is string => x !== undefined),
            )}`,
          );
        else if (index <= ti) this.error(at, `answered_by must name a later step: "${name}" comes before the countdown starts`);
      });
    });
  }

  /** Checks a section's on: and returns the roles it names (without local). */
  private checkOn(path: Path, section: Dict): string[] {
    const on = section.on;
    const names = typeof on === 'string' ? [on] : list(on).filter((r): r is string => typeof r === 'string');
    const onPath = (i: number): Path => (typeof on === 'string' ? [...path, 'on'] : [...path, 'on', i]);
    // Roles compare as the planner compares them: masters, slave, Public-Agent fold into
    // master, agent, public_agent.
    const declared = Object.keys(this.roles);
    const declaredRoles = new Set(declared.map(normalizeRole));
    const inventory = this.options.inventory;
    const inventoryRoles = new Set(inventory?.nodes.flatMap((n) => n.roles.map(normalizeRole)) ?? []);
    const absent: number[] = [];
    names.forEach((written, i) => {
      const role = normalizeRole(written);
      if (role === LOCAL) {
        if (names.length > 1) this.error(onPath(i), 'local cannot be combined with roles: a section runs either locally or on nodes');
        return;
      }
      if (!declaredRoles.has(role) && !STANDARD_ROLES.includes(role)) {
        this.warn(
          onPath(i),
          `role "${written}" is not declared under roles: and is not one of ${STANDARD_ROLES.join(', ')} or local${didYouMean(role, [...declared, ...STANDARD_ROLES, LOCAL])}`,
        );
      }
      if (inventory && !inventoryRoles.has(role)) absent.push(i);
    });
    // A section runs on the nodes that have any of its roles: a role no node has is worth a
    // warning (many clusters have no public agent); a section left with no node at all is an
    // error, unless the runbook says it may be (optional: true).
    if (inventory && absent.length > 0) {
      const known = [...inventoryRoles].sort();
      const theirs = known.length ? ` (its roles: ${known.join(', ')})` : ' (it has no node)';
      const none = absent.length === names.length;
      const sectionName = str(section.id) ? `section "${str(section.id)}"` : 'the section';
      for (const i of absent) {
        const written = names[i] as string;
        const text = `no node of the inventory ${inventory.source} has role "${written}"${didYouMean(normalizeRole(written), known)}${theirs}`;
        if (none && section.optional !== true)
          this.error(onPath(i), `${text}: ${sectionName} would run on no node (mark it optional: true if that is expected)`);
        else
          this.warn(
            onPath(i),
            none ? `${text}; the section is optional and will be skipped` : `${text}; the section runs on the nodes with its other roles`,
          );
      }
    }
    return names.filter((r) => normalizeRole(r) !== LOCAL);
  }

  private checkStep(path: Path, step: Dict, roles: string[], captured: ReadonlyMap<string, Path>): void {
    const id = str(step.id);
    const name = id ? `step "${id}"` : `step ${Number(path.at(-1)) + 1}`;
    const shown: Scope = { where: name, node: true, vars: captured, shown: true };
    const command: Scope = { ...shown, shown: false };
    const has = (key: string): boolean => step[key] !== undefined && step[key] !== null;

    for (const key of ['title', 'text', 'why', 'hint']) this.checkText([...path, key], shown);
    list(step.checklist).forEach((_, i) => this.checkText([...path, 'checklist', i], shown));
    this.checkCommand([...path, 'run'], command);
    if (isDict(step.env)) {
      if (!has('run')) this.error([...path, 'env'], `${name} has env: but no run: env: is for its command`, { onKey: true });
      for (const key of Object.keys(step.env)) {
        const problem = envNameProblem(key);
        if (problem) this.error([...path, 'env', key], `env: ${problem}`, { onKey: true });
        this.checkText([...path, 'env', key], command);
      }
    }
    if (typeof step.when === 'string') this.checkCondition([...path, 'when'], { ...command, where: `the when of ${name}` });

    // Confirmation
    const confirm = step.confirm;
    if (typeof confirm === 'string') this.checkText([...path, 'confirm'], shown);
    if (isDict(confirm)) {
      this.checkText([...path, 'confirm', 'text'], shown);
      this.checkText([...path, 'confirm', 'typed'], shown);
    }
    const confirmText =
      typeof confirm === 'string' || (isDict(confirm) && (typeof confirm.text === 'string' || typeof confirm.typed === 'string'));
    // An invalid confirm is reported by its shape; here it still counts as the step's purpose.
    const confirms = confirm !== undefined && confirm !== null && confirm !== false;

    if (!has('run') && !has('check') && !has('text') && !has('checklist') && !confirms) {
      this.error(path, `${name} does nothing: give it run, check, text, checklist or confirm`);
    }
    if (step.destructive === true) {
      if (!has('run'))
        this.error([...path, 'destructive'], `${name} is destructive but has no run: only a command can be destructive`, { onKey: true });
      else if (!confirmText) {
        this.error(
          [...path, 'destructive'],
          `${name} is destructive, so it needs a confirmation text: confirm: "what the operator confirms" or confirm: { typed: "{{node.name}}" }${confirm === true ? ' (confirm: true alone is not enough)' : ''}`,
          { onKey: true },
        );
      }
    }

    // Polling and timing
    if (has('until')) {
      if (!has('run')) this.error([...path, 'until'], `until re-runs the command of ${name}, but it has no run`, { onKey: true });
      if (!has('timeout'))
        this.error([...path, 'until'], `until needs a timeout: how long to keep polling (e.g. timeout: 15m)`, { onKey: true });
    }
    if (has('every') && !has('until'))
      this.error([...path, 'every'], 'every is only used with until: it is how often to poll', { onKey: true });
    const every = parseDuration(str(step.every) ?? '');
    const timeout = parseDuration(str(step.timeout) ?? '');
    if (every === 0) this.error([...path, 'every'], 'every must be longer than 0s');
    if (timeout === 0) this.error([...path, 'timeout'], ZERO_TIMEOUT);
    if (every !== undefined && timeout !== undefined && every > timeout && has('until')) {
      this.warn(
        [...path, 'every'],
        `every (${String(step.every)}) is longer than timeout (${String(step.timeout)}): the command is polled only once`,
      );
    }
    if (has('expect') && !has('run'))
      this.error([...path, 'expect'], `expect checks the result of a command, but ${name} has no run`, { onKey: true });
    this.checkChecks([...path, 'expect']);
    this.checkChecks([...path, 'until']);
    if (isDict(step.deadline)) this.checkText([...path, 'deadline', 'text'], shown);

    // Capture
    if (has('capture') && !has('run'))
      this.error([...path, 'capture'], `capture reads the output of a command, but ${name} has no run`, { onKey: true });
    for (const [v, written] of Object.entries(dict(step.capture))) {
      // The short form is the regex; the long form has it under regex:, with a shape or a pattern.
      const at: Path = typeof written === 'string' ? [...path, 'capture', v] : [...path, 'capture', v, 'regex'];
      const source = typeof written === 'string' ? written : isDict(written) ? written.regex : undefined;
      if (typeof source !== 'string') continue;
      const re = this.compile(at, source, 'm', `capture "${v}"`);
      if (re && groupCount(source) === 0) {
        this.error(at, `the regular expression of capture "${v}" has no group: put what goes into vars.${v} in ( )`);
      }
      if (isDict(written) && typeof written.pattern === 'string')
        this.compile([...path, 'capture', v, 'pattern'], written.pattern, 'u', `the pattern of capture "${v}"`);
    }

    // Built-in check
    if (isDict(step.check)) this.checkBuiltin([...path, 'check'], step.check, command);

    // Troubleshooting
    const title = str(step.troubleshoot);
    if (title !== undefined) this.checkTroubleshoot([...path, 'troubleshoot'], title, roles);
  }

  private checkBuiltin(path: Path, check: Dict, scope: Scope): void {
    const name = str(check.builtin);
    if (name === undefined) return;
    const def = builtins.get(name);
    if (!def) {
      const known = [...builtins.keys()];
      this.error([...path, 'builtin'], `unknown built-in check "${name}"${didYouMean(name, known)} (built-in checks: ${known.join(', ')})`);
      return;
    }
    const args = dict(check.with);
    const allowed = Object.keys(def.args);
    for (const key of Object.keys(args)) {
      if (!Object.hasOwn(def.args, key)) {
        const free = allowed.filter((a) => !Object.hasOwn(args, a));
        this.error(
          [...path, 'with', key],
          `unknown argument "${key}" of built-in check "${name}"${didYouMean(key, free)} (its arguments: ${allowed.join(', ')})`,
          { onKey: true },
        );
      }
    }
    for (const [arg, spec] of Object.entries(def.args)) {
      if (spec.required && (args[arg] === undefined || args[arg] === null)) {
        this.error(
          isDict(check.with) ? [...path, 'with'] : path,
          `built-in check "${name}" needs the argument "${arg}": ${spec.description}`,
        );
      }
    }
    for (const [key, value] of Object.entries(args)) {
      if (typeof value === 'string') this.checkText([...path, 'with', key], scope);
      else list(value).forEach((item, i) => typeof item === 'string' && this.checkText([...path, 'with', key, i], scope));
    }
  }

  private checkTroubleshoot(path: Path, title: string, roles: string[]): void {
    if (roles.length === 0) {
      this.error(
        path,
        `troubleshoot "${title}" needs a section that runs on roles; this section runs locally, where there are no troubleshooting commands`,
      );
      return;
    }
    const titles = (role: string): string[] =>
      Object.entries(this.roles)
        .filter(([name]) => normalizeRole(name) === normalizeRole(role))
        .flatMap(([, r]) => list(dict(r).troubleshoot))
        .map((t) => str(dict(t).title))
        .filter((t): t is string => t !== undefined);
    const having = roles.filter((r) => titles(r).includes(title));
    if (having.length === 0) {
      const all = roles.flatMap(titles);
      const which = roles.map((r) => `"${r}"`).join(', ');
      this.error(
        path,
        `troubleshoot "${title}" names no troubleshooting command of role ${which}${didYouMean(title, all)}${all.length ? ` (they have: ${[...new Set(all)].join(', ')})` : ''}`,
      );
    } else if (having.length < roles.length) {
      const missing = roles.filter((r) => !having.includes(r));
      this.warn(
        path,
        `troubleshoot "${title}" exists for ${having.map((r) => `role "${r}"`).join(', ')} but not for ${missing.map((r) => `role "${r}"`).join(', ')}`,
      );
    }
  }

  /** expect / until / health.expect: one check or a list; compile their regular expressions. */
  private checkChecks(path: Path): void {
    const value = this.get(path);
    const checks = Array.isArray(value) ? value.map((c, i) => [c, [...path, i]] as const) : [[value, path] as const];
    for (const [check, at] of checks) {
      const regex = str(dict(check).regex);
      if (regex !== undefined) this.compile([...at, 'regex'], regex, 'm', 'the regex check');
    }
  }

  private compile(path: Path, source: string, flags: string, what: string): RegExp | undefined {
    try {
      return new RegExp(source, flags);
    } catch (e) {
      const reason = String((e as Error).message).replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
      this.error(path, `the regular expression of ${what} does not compile: ${reason}`);
      return undefined;
    }
  }

  // --- templates and conditions --------------------------------------------------------------

  /** Text that is interpolated and shown: refs must resolve; secrets must not appear. */
  private checkText(path: Path, scope: Scope): void {
    const source = this.get(path);
    if (typeof source !== 'string') return;
    const { parts, errors } = parseTemplate(source);
    for (const e of errors) this.error(path, e.message, { offset: e.offset });
    for (const part of parts) if (part.kind === 'ref') this.checkRef(path, part.ref, scope, part.start);
  }

  /** A command: the same, plus values placed where no shell quoting is safe. */
  private checkCommand(path: Path, scope: Scope): void {
    const source = this.get(path);
    if (typeof source !== 'string') return;
    // Secret params may not become a process's arguments (ps shows those): the reader says where.
    const secrets = new Set(Object.keys(this.params).filter((name) => dict(this.params[name]).secret === true));
    for (const e of shellTemplateProblems(source, { secrets })) this.error(path, e.message, { offset: e.offset });
    for (const part of parseTemplate(source).parts) if (part.kind === 'ref') this.checkRef(path, part.ref, scope, part.start);
  }

  private checkCondition(path: Path, scope: Scope): void {
    const source = this.get(path);
    if (typeof source !== 'string') return;
    const parsed = parseCondition(source);
    if (!parsed.ok) {
      this.error(path, `the condition does not parse: ${parsed.message}`, { offset: parsed.offset });
      return;
    }
    const seen = new Set<string>();
    for (const { ref, offset } of parsed.refOffsets) {
      if (seen.has(ref)) continue;
      seen.add(ref);
      this.checkRef(path, ref, scope, offset);
    }
  }

  private checkRef(path: Path, ref: string, scope: Scope, offset?: number): void {
    const [head, field = '', sub] = ref.split('.');
    const at = offset === undefined ? {} : { offset };
    const shownAs = `{{${ref}}}`;
    switch (head) {
      case 'params': {
        const names = scope.params ?? Object.keys(this.params);
        if (field === scope.paramSelf) {
          this.error(path, `param "${field}" cannot depend on itself`, at);
        } else if (!names.includes(field)) {
          if (scope.params && field in this.params) {
            this.error(
              path,
              `params.${field} is declared after param "${scope.paramSelf}"; declare it first, since params are asked in order`,
              at,
            );
          } else {
            this.error(
              path,
              `${ref} names no param: the runbook declares no param "${field}"${didYouMean(field, Object.keys(this.params))}`,
              at,
            );
          }
        } else if (scope.shown && dict(this.params[field]).secret === true) {
          this.error(
            path,
            `${shownAs} would show the secret param "${field}" in ${scope.where}; secrets may be used only in commands, which are masked when shown`,
            at,
          );
        }
        return;
      }
      case 'vars': {
        if (scope.vars === undefined) {
          this.error(path, `${ref} is not available in ${scope.where}: vars are captured by steps while the runbook plays`, at);
          return;
        }
        if (scope.vars.has(field)) return;
        const later = this.allCaptures.get(field);
        if (later) {
          const p = this.doc.locate(later);
          this.error(
            path,
            `${ref} is used before it is captured: ${this.owner(later)} (line ${p.line}) captures it, later in the plan`,
            at,
          );
        } else {
          this.error(
            path,
            `${ref} is not captured by any step${didYouMean(field, [...this.allCaptures.keys()])}; a step sets vars.NAME with capture: { NAME: 'regex with (group)' }`,
            at,
          );
        }
        return;
      }
      case 'node':
        if (!scope.node) this.error(path, `${ref} is not available in ${scope.where}: it is not run on a node`, at);
        else if (field === 'vars' && sub !== undefined) this.checkNodeVar(path, sub, at);
        return;
      default:
        // run.id needs nothing; parseTemplate and parseCondition report malformed references.
        return;
    }
  }

  /** With an inventory: warn when no node has the var. */
  private checkNodeVar(path: Path, name: string, at: { offset?: number }): void {
    const inventory = this.options.inventory;
    if (!inventory || inventory.nodes.length === 0) return;
    if (inventory.nodes.some((n) => Object.prototype.hasOwnProperty.call(n.vars, name))) return;
    this.warn(path, `no node of the inventory ${inventory.source} has vars.${name}`, at);
  }
}

/** The number of capturing groups in a regular expression that compiles. */
function groupCount(source: string): number {
  // An alternative that matches the empty string makes exec report every group.
  return (new RegExp(`${source}|`).exec('')?.length ?? 1) - 1;
}
