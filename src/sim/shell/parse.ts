// A recursive-descent parser for the shell operators type: lists, && and ||, pipes, redirects,
// quoting as POSIX sh parses it, $(...) and backquotes, ${...}, $((...)), if/for/while/case and
// groups. Errors are worded as bash words them, because bash is the login shell on CentOS.
import type { AndOr, Case, Command, For, Group, If, List, Loop, ParamOp, Pipeline, Redirect, Simple, Word, WordPart } from './ast.js';

/** A syntax error; message is what bash prints after "bash: -c: line N: ". */
export class ShellSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShellSyntaxError';
  }
}

type Token =
  | { k: 'word'; word: Word; raw: string }
  | { k: 'op'; op: string }
  | { k: 'redir'; fd: number; op: Redirect['op'] }
  | { k: 'nl' }
  | { k: 'eof' };

const META = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);
const RESERVED_END = new Set(['then', 'else', 'elif', 'fi', 'do', 'done', 'esac', '}']);

export function parseScript(src: string): List {
  const p = new Parser(src, 0);
  const list = p.parseList(new Set());
  const t = p.peek();
  if (t.k !== 'eof') throw new ShellSyntaxError(`syntax error near unexpected token \`${tokenText(t)}'`);
  return list;
}

function tokenText(t: Token): string {
  switch (t.k) {
    case 'word':
      return t.raw;
    case 'op':
      return t.op;
    case 'redir':
      return t.op;
    case 'nl':
      return 'newline';
    case 'eof':
      return 'end of file';
  }
}

/** The bare text of a word made only of unquoted literals (reserved words, names), else null. */
function plain(word: Word): string | null {
  let out = '';
  for (const part of word) {
    if (part.t !== 'lit' || part.q) return null;
    out += part.v;
  }
  return out;
}

class Parser {
  private lookahead: { tok: Token; end: number } | undefined;

  constructor(
    private readonly src: string,
    public pos: number,
    /** Set when parsing inside $( ... ): a ")" ends the list. */
    private readonly inSubst = false,
  ) {}

  peek(): Token {
    if (!this.lookahead) {
      const save = this.pos;
      const tok = this.lex();
      this.lookahead = { tok, end: this.pos };
      this.pos = save;
    }
    return this.lookahead.tok;
  }

  next(): Token {
    const t = this.peek();
    this.pos = (this.lookahead as { end: number }).end;
    this.lookahead = undefined;
    return t;
  }

  private isReservedAt(t: Token, words: Set<string>): boolean {
    if (t.k !== 'word') return false;
    const text = plain(t.word);
    return text !== null && words.has(text);
  }

  private skipNewlines(): void {
    while (this.peek().k === 'nl') this.next();
  }

  parseList(terminators: Set<string>): List {
    const items: List['items'] = [];
    this.skipNewlines();
    for (;;) {
      const t = this.peek();
      if (t.k === 'eof') break;
      if (t.k === 'op' && (t.op === ')' || t.op === ';;')) break;
      if (this.isReservedAt(t, terminators) || this.isReservedAt(t, RESERVED_END)) break;
      const cmd = this.parseAndOr();
      let bg = false;
      const sep = this.peek();
      if (sep.k === 'op' && (sep.op === ';' || sep.op === '&')) {
        bg = sep.op === '&';
        this.next();
      } else if (sep.k === 'nl') {
        this.next();
      } else {
        items.push({ cmd, bg });
        break;
      }
      items.push({ cmd, bg });
      this.skipNewlines();
    }
    return { items };
  }

  private parseAndOr(): AndOr {
    const first = this.parsePipeline();
    const rest: AndOr['rest'] = [];
    for (;;) {
      const t = this.peek();
      if (t.k === 'op' && (t.op === '&&' || t.op === '||')) {
        this.next();
        this.skipNewlines();
        rest.push({ op: t.op, p: this.parsePipeline() });
      } else break;
    }
    return { first, rest };
  }

  private parsePipeline(): Pipeline {
    let neg = false;
    const t = this.peek();
    if (t.k === 'word' && plain(t.word) === '!') {
      this.next();
      neg = true;
    }
    const cmds: Command[] = [this.parseCommand()];
    for (;;) {
      const n = this.peek();
      if (n.k === 'op' && n.op === '|') {
        this.next();
        this.skipNewlines();
        cmds.push(this.parseCommand());
      } else break;
    }
    return { neg, cmds };
  }

  private expectWord(word: string): void {
    const t = this.next();
    if (t.k !== 'word' || plain(t.word) !== word) throw this.unexpected(t);
  }

  private unexpected(t: Token): ShellSyntaxError {
    if (t.k === 'eof') return new ShellSyntaxError('syntax error: unexpected end of file');
    return new ShellSyntaxError(`syntax error near unexpected token \`${tokenText(t)}'`);
  }

  private parseCommand(): Command {
    const t = this.peek();
    if (t.k === 'op' && t.op === '(') {
      this.next();
      const body = this.parseList(new Set());
      const close = this.next();
      if (close.k !== 'op' || close.op !== ')') throw this.unexpected(close);
      return { t: 'group', sub: true, body, redirs: this.parseRedirects() } satisfies Group;
    }
    if (t.k === 'word') {
      const text = plain(t.word);
      if (text === '{') {
        this.next();
        const body = this.parseList(new Set(['}']));
        this.expectWord('}');
        return { t: 'group', sub: false, body, redirs: this.parseRedirects() } satisfies Group;
      }
      if (text === 'if') return this.parseIf();
      if (text === 'for') return this.parseFor();
      if (text === 'while' || text === 'until') return this.parseWhile(text === 'until');
      if (text === 'case') return this.parseCase();
      if (text !== null && RESERVED_END.has(text)) throw this.unexpected(t);
    }
    return this.parseSimple();
  }

  private parseIf(): If {
    this.next();
    const clauses: If['clauses'] = [];
    let otherwise: List | undefined;
    let cond = this.parseList(new Set(['then']));
    this.expectWord('then');
    let body = this.parseList(new Set());
    clauses.push({ cond, body });
    for (;;) {
      const t = this.next();
      const text = t.k === 'word' ? plain(t.word) : null;
      if (text === 'elif') {
        cond = this.parseList(new Set(['then']));
        this.expectWord('then');
        body = this.parseList(new Set());
        clauses.push({ cond, body });
      } else if (text === 'else') {
        otherwise = this.parseList(new Set());
        this.expectWord('fi');
        break;
      } else if (text === 'fi') break;
      else throw this.unexpected(t);
    }
    return { t: 'if', clauses, ...(otherwise ? { otherwise } : {}), redirs: this.parseRedirects() };
  }

  private parseFor(): For {
    this.next();
    const nameTok = this.next();
    const name = nameTok.k === 'word' ? plain(nameTok.word) : null;
    if (!name || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw this.unexpected(nameTok);
    let items: Word[] | undefined;
    let t = this.peek();
    if (t.k === 'nl') {
      this.skipNewlines();
      t = this.peek();
    }
    if (t.k === 'word' && plain(t.word) === 'in') {
      this.next();
      items = [];
      for (;;) {
        const w = this.peek();
        if (w.k !== 'word') break;
        this.next();
        items.push(w.word);
      }
    }
    const sep = this.peek();
    if (sep.k === 'op' && sep.op === ';') this.next();
    this.skipNewlines();
    this.expectWord('do');
    const body = this.parseList(new Set());
    this.expectWord('done');
    return { t: 'for', name, ...(items ? { items } : {}), body, redirs: this.parseRedirects() };
  }

  private parseWhile(until: boolean): Loop {
    this.next();
    const cond = this.parseList(new Set(['do']));
    this.expectWord('do');
    const body = this.parseList(new Set());
    this.expectWord('done');
    return { t: 'while', until, cond, body, redirs: this.parseRedirects() };
  }

  private parseCase(): Case {
    this.next();
    const subj = this.next();
    if (subj.k !== 'word') throw this.unexpected(subj);
    this.skipNewlines();
    this.expectWord('in');
    const arms: Case['arms'] = [];
    for (;;) {
      this.skipNewlines();
      let t = this.peek();
      if (t.k === 'word' && plain(t.word) === 'esac') {
        this.next();
        break;
      }
      if (t.k === 'op' && t.op === '(') this.next();
      const patterns: Word[] = [];
      for (;;) {
        t = this.next();
        if (t.k !== 'word') throw this.unexpected(t);
        patterns.push(t.word);
        const n = this.next();
        if (n.k === 'op' && n.op === '|') continue;
        if (n.k === 'op' && n.op === ')') break;
        throw this.unexpected(n);
      }
      const body = this.parseList(new Set(['esac']));
      arms.push({ patterns, body });
      const end = this.peek();
      if (end.k === 'op' && end.op === ';;') this.next();
    }
    return { t: 'case', subject: subj.word, arms, redirs: this.parseRedirects() };
  }

  private parseRedirects(): Redirect[] {
    const out: Redirect[] = [];
    for (;;) {
      const t = this.peek();
      if (t.k !== 'redir') break;
      this.next();
      const target = this.next();
      if (target.k !== 'word') throw this.unexpected(target);
      out.push({ fd: t.fd, op: t.op, target: target.word });
    }
    return out;
  }

  private parseSimple(): Simple {
    const cmd: Simple = { t: 'simple', assigns: [], words: [], redirs: [] };
    for (;;) {
      const t = this.peek();
      if (t.k === 'redir') {
        cmd.redirs.push(...this.parseRedirects());
        continue;
      }
      if (t.k !== 'word') break;
      if (cmd.words.length > 0 || !this.tryAssignment(t.word, cmd)) cmd.words.push(t.word);
      this.next();
    }
    if (cmd.words.length === 0 && cmd.assigns.length === 0 && cmd.redirs.length === 0) throw this.unexpected(this.peek());
    return cmd;
  }

  private tryAssignment(word: Word, cmd: Simple): boolean {
    const first = word[0];
    if (!first || first.t !== 'lit' || first.q) return false;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.v);
    if (!m) return false;
    const name = m[1] as string;
    const restText = first.v.slice(m[0].length);
    const value: Word = [...(restText ? [{ t: 'lit' as const, v: restText, q: false }] : []), ...word.slice(1)];
    cmd.assigns.push({ name, value });
    return true;
  }

  // ---- lexing ----

  private lex(): Token {
    const s = this.src;
    for (;;) {
      const c = s[this.pos];
      if (c === ' ' || c === '\t') this.pos++;
      else if (c === '\\' && s[this.pos + 1] === '\n') this.pos += 2;
      else if (c === '#') {
        while (this.pos < s.length && s[this.pos] !== '\n') this.pos++;
      } else break;
    }
    if (this.pos >= s.length) return { k: 'eof' };
    const c = s[this.pos] as string;
    const two = s.slice(this.pos, this.pos + 2);
    const three = s.slice(this.pos, this.pos + 3);
    if (c === '\n') {
      this.pos++;
      return { k: 'nl' };
    }
    // A leading digit followed by < or > names the file descriptor.
    const io = /^(\d)(>>|>&|>\||<&|<<<|>|<)/.exec(s.slice(this.pos, this.pos + 5));
    if (io) {
      this.pos += io[0].length;
      const op = io[2] === '>|' ? '>' : (io[2] as Redirect['op']);
      return { k: 'redir', fd: Number(io[1]), op };
    }
    if (three === '&>>') {
      this.pos += 3;
      return { k: 'redir', fd: 1, op: '&>>' };
    }
    if (three === '<<<') {
      this.pos += 3;
      return { k: 'redir', fd: 0, op: '<<<' };
    }
    if (two === '<<') throw new ShellSyntaxError('here-documents are not supported by this shell; use printf or echo instead');
    if (two === '&&' || two === '||' || two === ';;') {
      this.pos += 2;
      return { k: 'op', op: two };
    }
    if (two === '&>') {
      this.pos += 2;
      return { k: 'redir', fd: 1, op: '&>' };
    }
    if (two === '>>' || two === '>&' || two === '<&') {
      this.pos += 2;
      return { k: 'redir', fd: two[0] === '<' ? 0 : 1, op: two as Redirect['op'] };
    }
    if (two === '>|') {
      this.pos += 2;
      return { k: 'redir', fd: 1, op: '>' };
    }
    if (c === '>' || c === '<') {
      this.pos++;
      return { k: 'redir', fd: c === '<' ? 0 : 1, op: c };
    }
    if (c === ';' || c === '&' || c === '|' || c === '(' || c === ')') {
      this.pos++;
      return { k: 'op', op: c };
    }
    const start = this.pos;
    const word = this.lexWord('normal');
    return { k: 'word', word, raw: s.slice(start, this.pos) };
  }

  /** Reads word parts until an unquoted metacharacter (normal), a closing quote (dquote) or "}" (param). */
  private lexWord(mode: 'normal' | 'dquote' | 'param'): Word {
    const s = this.src;
    const parts: WordPart[] = [];
    const q = mode === 'dquote';
    let lit = '';
    const flush = (quoted: boolean): void => {
      if (lit) parts.push({ t: 'lit', v: lit, q: quoted });
      lit = '';
    };
    if (mode === 'normal' && s[this.pos] === '~') {
      const m = /^~([A-Za-z0-9_.-]*)(?=\/|$|[\s;&|()<>])/.exec(s.slice(this.pos));
      if (m) {
        parts.push({ t: 'tilde', user: m[1] as string });
        this.pos += m[0].length;
      }
    }
    while (this.pos < s.length) {
      const c = s[this.pos] as string;
      if (mode === 'normal' && META.has(c)) break;
      if (mode === 'normal' && c === ')' && this.inSubst) break;
      if (mode === 'dquote' && c === '"') break;
      if (mode === 'param' && c === '}') break;
      if (c === '\\') {
        const n = s[this.pos + 1];
        if (n === undefined) {
          lit += '\\';
          this.pos++;
          continue;
        }
        if (n === '\n') {
          this.pos += 2;
          continue;
        }
        if (mode === 'dquote' && !'$`"\\'.includes(n)) {
          lit += '\\';
          this.pos++;
          continue;
        }
        flush(q);
        parts.push({ t: 'lit', v: n, q: true });
        this.pos += 2;
        continue;
      }
      if (c === "'" && mode !== 'dquote') {
        const end = s.indexOf("'", this.pos + 1);
        if (end < 0) throw new ShellSyntaxError("unexpected EOF while looking for matching `''");
        flush(q);
        parts.push({ t: 'lit', v: s.slice(this.pos + 1, end), q: true });
        this.pos = end + 1;
        continue;
      }
      if (c === '"' && mode !== 'dquote') {
        flush(q);
        this.pos++;
        const inner = this.lexWord('dquote');
        if (s[this.pos] !== '"') throw new ShellSyntaxError('unexpected EOF while looking for matching `"\'');
        this.pos++;
        parts.push(...inner);
        // "" still makes an (empty) argument.
        if (inner.length === 0) parts.push({ t: 'lit', v: '', q: true });
        continue;
      }
      if (c === '`') {
        flush(q);
        const end = this.findBackquote(this.pos + 1);
        const inner = s.slice(this.pos + 1, end).replace(/\\([`$\\])/g, '$1');
        parts.push({ t: 'cmd', list: parseScript(inner), q });
        this.pos = end + 1;
        continue;
      }
      if (c === '$') {
        const part = this.lexDollar(q);
        if (part) {
          flush(q);
          parts.push(part);
          continue;
        }
        lit += '$';
        this.pos++;
        continue;
      }
      lit += c;
      this.pos++;
    }
    flush(q);
    return parts;
  }

  private findBackquote(from: number): number {
    for (let i = from; i < this.src.length; i++) {
      if (this.src[i] === '\\') i++;
      else if (this.src[i] === '`') return i;
    }
    throw new ShellSyntaxError("unexpected EOF while looking for matching ``'");
  }

  private lexDollar(q: boolean): WordPart | null {
    const s = this.src;
    const n = s[this.pos + 1];
    if (n === '(' && s[this.pos + 2] === '(') {
      let depth = 0;
      let i = this.pos + 3;
      for (; i < s.length; i++) {
        if (s[i] === '(') depth++;
        else if (s[i] === ')') {
          if (depth === 0 && s[i + 1] === ')') break;
          depth--;
        }
      }
      if (i >= s.length) throw new ShellSyntaxError("unexpected EOF while looking for matching `)'");
      const src = s.slice(this.pos + 3, i);
      this.pos = i + 2;
      return { t: 'arith', src, q };
    }
    if (n === '(') {
      const inner = new Parser(s, this.pos + 2, true);
      const list = inner.parseList(new Set());
      const close = inner.next();
      if (close.k !== 'op' || close.op !== ')') {
        if (close.k === 'eof') throw new ShellSyntaxError("unexpected EOF while looking for matching `)'");
        throw new ShellSyntaxError(`syntax error near unexpected token \`${tokenText(close)}'`);
      }
      this.pos = inner.pos;
      return { t: 'cmd', list, q };
    }
    if (n === '{') {
      this.pos += 2;
      let op: ParamOp | undefined;
      if (s[this.pos] === '#' && /[A-Za-z_0-9?@*#]/.test(s[this.pos + 1] ?? '') && s[this.pos + 1] !== '}') {
        op = 'len';
        this.pos++;
      }
      const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9]|[?$#@*!-])/.exec(s.slice(this.pos));
      if (!m) throw new ShellSyntaxError(`\${${s.slice(this.pos).split('}')[0]}}: bad substitution`);
      const name = m[1] as string;
      this.pos += name.length;
      let arg: Word | undefined;
      if (!op) {
        const om = /^(:-|:=|:\+|:\?|##|%%|-|=|\+|\?|#|%)/.exec(s.slice(this.pos));
        if (om) {
          op = om[1] as ParamOp;
          this.pos += om[1]!.length;
          arg = this.lexWord('param');
        }
      }
      if (s[this.pos] !== '}') throw new ShellSyntaxError("unexpected EOF while looking for matching `}'");
      this.pos++;
      return { t: 'param', name, q, ...(op ? { op } : {}), ...(arg ? { arg } : {}) };
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9]|[?$#@*!-])/.exec(s.slice(this.pos + 1));
    if (!m) return null;
    this.pos += 1 + (m[1] as string).length;
    return { t: 'param', name: m[1] as string, q };
  }
}
