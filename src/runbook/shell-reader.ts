// Reading a command the way /bin/sh does, to place each value where it is read once as data.
//
// The reader follows quoting, $(...), comments and here-documents exactly (bash and dash agree on
// everything it accepts), and the words of each simple command, its pipes and its definitions.
// A value is placed only where it can prove the value is data: an argument of a simple command
// whose program, looked through its wrappers, is a literal not known to run its arguments as code
// (shell-programs.ts), whose output and input reach no program that runs them, in no variable, no
// arithmetic, no ${...}, no `...`. Everywhere else the value is refused and the author is pointed to
// the safe form: env: hands it to the command as a variable, read as "$NAME".
import { isShellSafeWord, RESERVED_WORDS, shellQuoteAlways } from '../shell/quote.js';
import { argumentReason, commandIndex, isAssignment, programName, resolveProgram, stdinReason, unquote } from './shell-programs.js';
import { TemplateError, type Filled, type RefPart } from './template-types.js';

interface Heredoc {
  delim: string;
  quoted: boolean;
  strip: boolean;
  /** The words of the command it feeds (complete once its body is read). */
  words: string[];
  /** Placements before this many count as before it, for pipes that follow. */
  order: number;
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
  /** The next word is a here-string (<<< word): the command's standard input. */
  herestring: boolean;
  /** This command reads the output of a pipe opened when this many values were placed. */
  receiver: number | null;
  /** For $(...) and process substitutions: why the spot its output lands in is not data, if it is not. */
  outer: string | undefined;
  /** ...and whether that output lands in the arguments of a process, which ps shows. */
  outerArgv: boolean;
}

/** A value placed, kept for the checks only the rest of the command can settle. */
interface Placement {
  part: RefPart;
  /** Its position among placements; a value in a here-document counts from its command. */
  order: number;
  /** The program whose argument it is, when it is one. */
  program: string | undefined;
}

/** The quoting a value lands in, as the reader sees it. */
export type PlacementContext =
  'lost' | 'unquoted' | 'double' | 'single' | 'ansi' | 'backtick' | 'param' | 'arith' | 'comment' | 'heredoc' | 'quoted-heredoc';

export interface ReaderView {
  /** at: the offset of the value in the command as fed (text and placed values). */
  placements: Array<{
    ref: string;
    at: number;
    context: PlacementContext;
    /** For a bare value that starts a word: whether the shell takes that word for a command's name. */
    commandWord?: boolean;
  }>;
  /** Each here-document body, [start, end) in the same offsets; quoted: its delimiter was ('EOF', \EOF). */
  heredocs: Array<{ start: number; end: number; quoted: boolean }>;
}

type Frame =
  | CmdFrame
  | { t: 'single' | 'double' | 'backtick' | 'ansi' | 'param'; sink: CmdFrame | null }
  /** $((...)) and ((...)) close with )), bash's old $[...] with ]. */
  | { t: 'arith'; sink: CmdFrame | null; depth: number; close: ')' | ']' }
  | { t: 'comment' }
  /** start: where its body begins in the command, for the reader's view. */
  | { t: 'heredoc'; doc: Heredoc; rest: Heredoc[]; start: number };

const EVALUATED = 'bash evaluates it, and a[$(...)] in it runs code however it is quoted';
/** Commands after which a name may run another program than its own (dash expands aliases in scripts). */
const REDEFINERS = new Set(['alias', 'hash', 'enable', 'shopt']);

/** Words before this one leave it in command position: only keywords and ! precede it. */
const inCommandPosition = (words: readonly string[]) => words.every((w) => RESERVED_WORDS.has(unquote(w)) || w === '!' || w === '{');

/** The sentence a refusal ends with: what to write instead. */
export function safeForm(ref: string): string {
  return `use env: and "$NAME" instead (env: { NAME: '{{${ref}}}' } on the step, and "$NAME" in the command)`;
}

const PREV_OK = /[\s;&|(/:.,\-@=%'"<>]/;
const NEXT_OK = /[\s;&|)/:.,\-@%'"]/;

/** The program a simple command runs, when the reader can name it. */
function programOf(words: readonly string[]): string | undefined {
  const resolved = resolveProgram(words);
  return resolved.kind === 'program' ? resolved.name : undefined;
}

/** Builtins of every shell we meet: their arguments start no process, so ps never shows them. */
const NO_PROCESS = new Set(['echo', 'printf', 'test', '[', ':', 'true', 'false']);

export class ShellLexer {
  constructor(
    /** Refs whose values are secrets: they may not become arguments of a process. */
    private readonly secretRefs: ReadonlySet<string> = new Set(),
  ) {}

  private readonly stack: Frame[] = [newCmd(false)];
  /** Set when the two shells would read what follows differently, or this reader lost track. */
  private lost: string | null = null;
  /** The last character consumed was a $ that expands (so a value after it would join it). */
  private dollar = false;
  /** A backslash at the end of a piece escapes whatever comes next. */
  private escape = false;
  private prev = '';
  private deferred: TemplateError | null = null;
  private readonly placements: Placement[] = [];
  /** Pipes, each with the program reading it and why that program may run its input as code. */
  private readonly receivers: Array<{ order: number; reason: string | undefined; program: string | undefined }> = [];
  /** Functions the command defines: a value given to one of them reaches code this reader does not follow. */
  private readonly functions = new Set<string>();
  /** From here on, aliases or hashed paths may change what a name runs. */
  private redefined: { order: number; name: string } | null = null;
  private processSubstitution = false;
  /** bash's coproc: a command whose input any later redirection (>&"${COPROC[1]}") may feed, even in a loop before it. */
  private coprocess = false;
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

  /** Where each value landed and which here-documents were read, in offsets of the command as fed. */
  private readonly seen: ReaderView = { placements: [], heredocs: [] };
  /** How much of the command has been read: the offset of the character being read. */
  private offset = 0;

  /**
   * What this reader made of the command: the quoting context each value landed in and each
   * here-document body. The tests hold it to a real shell grammar (mvdan/sh), so that where the
   * two disagree the reader is wrong and is fixed, not the proof built on it.
   */
  view(): ReaderView {
    return this.seen;
  }

  private heredocRead(frame: Extract<Frame, { t: 'heredoc' }>, end: number): void {
    this.seen.heredocs.push({ start: frame.start, end: Math.max(frame.start, end), quoted: frame.doc.quoted });
  }

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

  /**
   * When a value placed now would begin an argument of a program (not a redirection's file, a
   * here-document or a comment): the words of its simple command from the program on. For the
   * render-time check of values that begin with - (template.ts).
   */
  argumentStart(): readonly string[] | undefined {
    const top = this.top;
    if (top.t !== 'cmd' && top.t !== 'double' && top.t !== 'single') return undefined;
    const cmd = this.sink();
    if (!cmd || cmd.redirect || cmd.herestring || cmd.delimNext || cmd.duplicate || unquote(cmd.word) !== '') return undefined;
    const k = commandIndex(cmd.words);
    return k < cmd.words.length ? cmd.words.slice(k) : undefined;
  }

  /** The text that puts a value at the current spot, or a TemplateError when no text can. */
  place(part: RefPart, filled: Filled, next: string): string {
    const top = this.top;
    const startsWord =
      !this.lost && top.t === 'cmd' && top.word === '' && !top.redirect && !top.duplicate && !top.delimNext && !top.herestring;
    this.seen.placements.push({
      ref: part.ref,
      at: this.offset,
      context: this.context(),
      ...(startsWord ? { commandWord: commandIndex(top.words) === top.words.length } : {}),
    });
    const text = this.placeText(part, filled, next);
    this.raw(text);
    this.lineRefs.push(part);
    return text;
  }

  private placeText(part: RefPart, filled: Filled, next: string): string {
    const fail = (why: string) =>
      new TemplateError(`{{${part.ref}}} cannot be placed safely in this command: ${why}`, part.ref, part.start);
    if (this.lost) throw fail(this.lost);
    if (this.escape) throw fail('a backslash right before a value would change its first character');
    if (this.dollar) throw fail("it directly follows $, so the two would read as one expansion; write '$' or \\$, or leave a space");
    for (const frame of this.stack) {
      if (frame.t === 'heredoc' && frame !== this.top && 'value' in filled) {
        if (filled.value.includes('\n')) throw fail('it is inside a here-document, and a line of the value could end it early');
        if (filled.value.endsWith('\\') && next === '\n' && !this.outerHeredoc()?.doc.quoted) {
          throw fail('it ends with a backslash before a newline in a here-document, which joins the two lines');
        }
      }
    }
    const spot = this.spot();
    if (spot.reason) throw fail(`${spot.reason}; ${safeForm(part.ref)}`);
    if (spot.argv && this.secretRefs.has(part.ref)) {
      throw fail(
        `it is a secret, and here it would be an argument of ${spot.program ?? 'a program'}, which ps shows to every user of the node; pass it on standard input from a shell builtin instead, e.g. printf '%s' {{${part.ref}}} | PROGRAM (curl: printf 'header = "Authorization: token=%s"\\n' {{${part.ref}}} | curl -K - ...)`,
      );
    }
    this.placements.push({ part, order: this.orderHere(), program: spot.program });
    const top = this.top;
    if (!('value' in filled)) return this.inserted(filled.shown);
    const value = filled.value;
    if (value.includes('\0')) throw fail('the value contains a NUL byte, which no shell argument can hold');
    switch (top.t) {
      case 'cmd': {
        const bare =
          isShellSafeWord(value) &&
          (this.prev === '' || PREV_OK.test(this.prev)) &&
          (next === '' || NEXT_OK.test(next)) &&
          !top.word.includes('~');
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
        if (top.doc.strip && /^\t*$/.test(this.rawLine) && value.startsWith('\t'))
          throw fail('<<- would strip the leading tabs of the value');
        return this.inserted(top.doc.quoted ? value : value.replace(/[\\$`]/g, '\\$&'));
      }
      default:
        throw fail('this spot is not understood');
    }
  }

  /** Why a value at the current spot is not proven to be data, and whose argument it is. */
  private spot(): { reason?: string; program?: string; argv?: boolean } {
    const enclosed = this.stack.some((f) => f.t === 'cmd' && f.outerArgv);
    const data = (program?: string, argv = false) => ({ ...(program !== undefined ? { program } : {}), argv: argv || enclosed });
    for (const frame of this.stack) {
      if (frame.t === 'backtick') return { reason: 'inside `...` quotes follow other rules; write $(...) instead' };
      if (frame.t === 'param') return { reason: 'inside ${...} bash and dash treat quotes differently; use the value outside ${...}' };
      if (frame.t === 'arith') return { reason: `inside an arithmetic expression ($((...)), ((...)) or $[...]) ${EVALUATED}` };
      if (frame.t === 'ansi') return { reason: "inside $'...' (a bash form) the value's backslashes would be read as escapes" };
      if (frame.t === 'cmd' && frame.outer) return { reason: frame.outer };
    }
    const top = this.top;
    if (top.t === 'comment') return data();
    if (top.t === 'heredoc') {
      const why = stdinReason(top.doc.words);
      return why ? { reason: `it is in a here-document, the input of a program that may run it: ${why}` } : data(programOf(top.doc.words));
    }
    const cmd = this.sink();
    if (!cmd) return { reason: 'this spot is not understood' };
    if (cmd.delimNext) return { reason: 'a here-document terminator must be written out' };
    if (cmd.duplicate)
      return {
        reason: `it is the target of ${cmd.duplicate}, which bash expands a second time when it is not a number, running $(...) in it`,
      };
    if (cmd.herestring) {
      const why = cmd.words.length === 0 ? 'the command is named after it' : stdinReason(cmd.words);
      return why ? { reason: `it is a here-string, the input of a program that may run it: ${why}` } : data(programOf(cmd.words));
    }
    if (cmd.redirect) return data(); // the name of a file
    const k = commandIndex(cmd.words);
    const keyword = cmd.words.slice(0, k).find((w) => ['for', 'case', 'select', 'in'].includes(w));
    if (keyword) return { reason: `it is in the words of ${keyword}, which go into a variable or a pattern this reader does not follow` };
    if (k === cmd.words.length) {
      if (isAssignment(cmd.word))
        return { reason: 'it is assigned to a variable, and this reader does not follow where the variable goes' };
      return { reason: 'it would name the program to run' };
    }
    const reason = argumentReason(cmd.words, cmd.words.length);
    if (reason) return { reason };
    const resolved = resolveProgram(cmd.words);
    if (resolved.kind !== 'program') return data(undefined, true);
    return data(resolved.name, resolved.wrapped || !NO_PROCESS.has(resolved.name));
  }

  /** The position a value placed now takes among the values; in a here-document, that of its command. */
  private orderHere(): number {
    let order = this.placements.length;
    for (const frame of this.stack) if (frame.t === 'heredoc') order = Math.min(order, frame.doc.order);
    return order;
  }

  /** A simple command ends: note what only its whole words tell (a pipe's reader, a definition). */
  private endCommand(frame: CmdFrame): void {
    const words = frame.words;
    if (words.length === 0) return;
    if (words[0] === 'function' && words[1] !== undefined) this.functions.add(programName(words[1]));
    if (words.slice(0, commandIndex(words) + 1).includes('coproc')) this.coprocess = true;
    const resolved = resolveProgram(words);
    if (resolved.kind === 'program' && REDEFINERS.has(resolved.name))
      this.redefined ??= { order: this.placements.length, name: resolved.name };
    if (frame.receiver !== null) {
      this.receivers.push({ order: frame.receiver, reason: stdinReason(words), program: programOf(words) });
      frame.receiver = null;
    }
  }

  /** Why a placed value may still reach code through what follows it in the command. */
  private flowReason(p: Placement): string | undefined {
    if (this.processSubstitution) return 'the command uses process substitution (<(...) or >(...)), whose data this reader does not follow';
    if (this.coprocess)
      return 'the command starts a coprocess (coproc), whose input any redirection may feed, and this reader does not follow what reaches it';
    for (const r of this.receivers) {
      if (p.order >= r.order) continue;
      if (r.reason) return `a pipe after it feeds a program that may run its input as code (${r.reason})`;
      if (r.program !== undefined && this.functions.has(r.program))
        return `a pipe after it feeds ${r.program}, a function of this command whose body this reader does not follow`;
    }
    if (p.program !== undefined && this.functions.has(p.program))
      return `${p.program} is a function of this command, whose body this reader does not follow`;
    if (this.redefined && p.order >= this.redefined.order)
      return `after ${this.redefined.name}, a name may run another program than its own`;
    return undefined;
  }

  /** An error that only the end of the command reveals. */
  finish(): TemplateError | null {
    for (const frame of this.stack) {
      if (frame.t !== 'heredoc') continue;
      this.heredocRead(frame, this.checkTerminator(frame) ? this.offset - this.rawLine.length : this.offset);
    }
    for (const frame of this.stack) {
      if (frame.t !== 'cmd') continue;
      this.endWord(frame);
      this.endCommand(frame);
    }
    if (this.deferred) return this.deferred;
    for (const p of this.placements) {
      const why = this.flowReason(p);
      if (why)
        return new TemplateError(
          `{{${p.part.ref}}} cannot be placed safely in this command: ${why}; ${safeForm(p.part.ref)}`,
          p.part.ref,
          p.part.start,
        );
    }
    return null;
  }

  /** The outermost here-document being read: its kind decides how its lines are read. */
  private outerHeredoc(): Extract<Frame, { t: 'heredoc' }> | undefined {
    for (const frame of this.stack) if (frame.t === 'heredoc') return frame;
    return undefined;
  }

  /** The quoting a value placed now is in: the innermost construct that decides how it is read. */
  private context(): PlacementContext {
    if (this.lost) return 'lost'; // it refuses every value from here on
    const top = this.top;
    switch (top.t) {
      case 'cmd':
        return 'unquoted';
      case 'heredoc':
        return top.doc.quoted ? 'quoted-heredoc' : 'heredoc';
      default:
        return top.t;
    }
  }

  /** Follows the raw lines; a line that ends a here-document from inside $(...) is checked here. */
  private raw(text: string): void {
    this.offset += text.length;
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
      // What $(...) prints lands at this spot: a value inside is data only if this spot is.
      const spot = this.spot();
      const reason = spot.reason;
      this.consumed('$(');
      this.push({
        ...newCmd(true),
        outer: reason && `it is inside $(...), whose output lands where ${reason}`,
        outerArgv: spot.argv ?? false,
      });
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
          this.endCommand(top);
          top.words = [];
          this.prev = c;
          if (top.pending.length > 0) {
            const [doc, ...rest] = top.pending as [Heredoc, ...Heredoc[]];
            top.pending = [];
            this.push({ t: 'heredoc', doc, rest, start: this.offset + 1 });
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
          this.endCommand(top);
          top.words = [];
          this.prev = c;
          if (c === '|' && text[i + 1] === '|') return i + 2; // || is a list, not a pipe
          if (c === '|') top.receiver = this.placements.length;
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
          // name() { ...; }: a function, whose arguments reach a body this reader does not follow.
          const name = top.words[top.words.length - 1];
          if (c === '(' && text[i + 1] === ')' && name !== undefined) {
            this.functions.add(programName(name));
            top.words = [];
          }
          this.endCommand(top);
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
        if ((c === '<' || c === '>') && text[i + 1] === '(') {
          // <(...) and >(...): bash hands a pipe to the command, and the data flows where this reader does not look.
          this.endWord(top);
          this.processSubstitution = true;
          this.prev = '(';
          this.push({ ...newCmd(true), outer: 'it is inside a process substitution, whose data this reader does not follow' });
          return i + 2;
        }
        if (c === '<' || c === '>' || c === '&') {
          // 2>file, {fd}>file: the digits name a descriptor, they are no argument.
          if (c !== '&' && /^(\d+|\{[A-Za-z_][A-Za-z0-9_]*\})$/.test(top.word)) top.word = '';
          else this.endWord(top);
          if (c !== '&') top.redirect = true;
          else top.duplicate = this.prev === '<' ? '<&' : '>&';
          this.prev = c;
          if (c === '<' && text[i + 1] === '<') {
            if (text[i + 2] === '<') {
              top.herestring = true; // an ordinary word follows, and becomes the command's input
              return i + 3;
            }
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
            this.heredocRead(top, this.offset - this.rawLine.length);
            const [doc, ...rest] = top.rest;
            if (doc) this.push({ t: 'heredoc', doc, rest, start: this.offset + 1 });
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
      this.deferred = new TemplateError(
        `{{${ref.ref}}} cannot be placed safely in this command: its value would end the here-document early`,
        ref.ref,
        ref.start,
      );
    }
    return true;
  }

  private endWord(frame: CmdFrame): void {
    if (frame.word === '') return;
    // The target of a redirection is no argument of the command (sh -c >out SCRIPT).
    const target = frame.redirect || frame.duplicate !== null;
    frame.redirect = false;
    frame.duplicate = null;
    frame.herestring = false;
    if (frame.delimNext) {
      frame.pending.push({
        delim: unquote(frame.word),
        quoted: /['"\\]/.test(frame.word),
        strip: frame.delimNext.strip,
        words: frame.words,
        order: this.placements.length - 0.5,
      });
      frame.delimNext = null;
    } else if (!target) {
      frame.words.push(frame.word);
      // A case inside $(...) has patterns ending in ) that this reader would take for the end.
      if (frame.sub && unquote(frame.word) === 'case' && frame.words.length === 1)
        this.lost = 'a case statement inside $(...) is not supported before a value';
    }
    frame.word = '';
  }
}

function newCmd(sub: boolean): CmdFrame {
  return {
    t: 'cmd',
    sub,
    depth: 0,
    word: '',
    words: [],
    delimNext: null,
    pending: [],
    redirect: false,
    duplicate: null,
    herestring: false,
    receiver: null,
    outer: undefined,
    outerArgv: false,
  };
}
