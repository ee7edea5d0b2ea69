// The syntax tree of the small POSIX shell the simulated nodes run.

export type WordPart =
  /** Literal text; q = quoted (no field splitting, no globbing). */
  | { t: 'lit'; v: string; q: boolean }
  /** $name, ${name}, ${name:-word}, ${#name}, ... */
  | { t: 'param'; name: string; q: boolean; op?: ParamOp; arg?: Word }
  /** $(...) or `...` */
  | { t: 'cmd'; list: List; q: boolean }
  /** $((...)) */
  | { t: 'arith'; src: string; q: boolean }
  /** ~ or ~user at the start of a word */
  | { t: 'tilde'; user: string };

export type ParamOp = ':-' | '-' | ':=' | '=' | ':+' | '+' | ':?' | '?' | '#' | '##' | '%' | '%%' | 'len';

export type Word = WordPart[];

export interface Redirect {
  fd: number;
  op: '>' | '>>' | '<' | '>&' | '<&' | '&>' | '&>>' | '<<<';
  target: Word;
}

export interface Simple {
  t: 'simple';
  assigns: { name: string; value: Word }[];
  words: Word[];
  redirs: Redirect[];
}

export interface Group {
  t: 'group';
  /** ( ... ) runs in a subshell; { ...; } in the current shell. */
  sub: boolean;
  body: List;
  redirs: Redirect[];
}

export interface If {
  t: 'if';
  clauses: { cond: List; body: List }[];
  otherwise?: List;
  redirs: Redirect[];
}

export interface For {
  t: 'for';
  name: string;
  items?: Word[];
  body: List;
  redirs: Redirect[];
}

export interface Loop {
  t: 'while';
  until: boolean;
  cond: List;
  body: List;
  redirs: Redirect[];
}

export interface Case {
  t: 'case';
  subject: Word;
  arms: { patterns: Word[]; body: List }[];
  redirs: Redirect[];
}

export type Command = Simple | Group | If | For | Loop | Case;

export interface Pipeline {
  neg: boolean;
  cmds: Command[];
}

export interface AndOr {
  first: Pipeline;
  rest: { op: '&&' | '||'; p: Pipeline }[];
}

export interface List {
  items: { cmd: AndOr; bg: boolean }[];
}
