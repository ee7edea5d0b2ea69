// What the programs of a simple command do with their words and their standard input, as far as
// a reader of the command can prove it. The rule is one of proof: a value may sit only where it is
// read once as data, so every doubt (a program named by an expansion, a wrapper option this table
// does not know, an interpreter's unknown flag) counts as code. The lists below name programs known
// to run their arguments or their input as code; a program not listed is read as taking data.
import { RESERVED_WORDS } from '../shell/quote.js';

/** A word with its quotes removed, roughly as the shell would: enough to recognise a name or an option. */
export function unquote(word: string): string {
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

/**
 * bash's brace expansion ({a,b}, {1..3}) outside quotes: one word becomes several, so the words
 * after it are not the ones written ({sh,-c,X} runs sh -c X; perl {-e,CODE} X reads X as options).
 */
export function bracesExpand(word: string): boolean {
  // Quoted and escaped text takes no part; ${...} is a parameter, not a brace.
  let bare = '';
  for (let i = 0; i < word.length; i++) {
    const c = word[i]!;
    if (c === '\\') {
      i += 1;
      bare += 'q';
    } else if (c === "'" || c === '"') {
      const end = word.indexOf(c, i + 1);
      i = end < 0 ? word.length : end;
      bare += 'q';
    } else bare += c;
  }
  return /(?<!\$)\{[^{}\s]*(,|\.\.)[^{}\s]*\}/.test(bare);
}

/** The word expands ($X, "$(...)", `...`, {a,b}) or globs outside quotes: its text is not known before it runs. */
export function expands(word: string): boolean {
  if (bracesExpand(word)) return true;
  let single = false;
  let double = false;
  for (let i = 0; i < word.length; i++) {
    const c = word[i]!;
    if (single) single = c !== "'";
    else if (c === "'" && !double) single = true;
    else if (c === '"') double = !double;
    else if (c === '\\') i += 1;
    else if (c === '$' || c === '`') return true;
    else if (!double && (c === '*' || c === '?' || (c === '[' && word.includes(']', i + 1)))) return true;
  }
  return false;
}

/**
 * The name a program is known by: its path and version stripped (/usr/bin/python3.11 -> python,
 * ksh93 -> ksh, perl5.36 -> perl), so that no spelling of an interpreter passes for another program.
 */
export function programName(word: string): string {
  const base = unquote(word).split('/').pop() ?? '';
  const stripped = base.replace(/[-_.]?[0-9][0-9.]*$/, '');
  return stripped === '' ? base : stripped;
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;
/** The word is a variable assignment (X=1, a[i]=1, X+=1) as the shell sees it before a command name. */
export const isAssignment = (word: string): boolean => ASSIGNMENT.test(word);

/** Where the command word is: after keywords, !, { and assignments. */
export function commandIndex(words: readonly string[]): number {
  let k = 0;
  while (k < words.length) {
    const w = words[k]!;
    const u = unquote(w);
    if ((RESERVED_WORDS.has(u) && u === w) || w === '{' || w === '!' || isAssignment(w)) k++;
    else break;
  }
  return k;
}

/** Shells: their -c operand is a script, and with no script file they read code from standard input. */
const SHELLS = new Set([
  'sh',
  'bash',
  'dash',
  'zsh',
  'ksh',
  'mksh',
  'pdksh',
  'oksh',
  'lksh',
  'ash',
  'yash',
  'posh',
  'rbash',
  'rksh',
  'rzsh',
  'csh',
  'tcsh',
  'fish',
]);
/** Interpreters: -c/-e and the like take code; with no script they read code from standard input. */
const INTERPRETERS = new Set([
  'python',
  'pypy',
  'perl',
  'ruby',
  'irb',
  'node',
  'nodejs',
  'deno',
  'bun',
  'php',
  'lua',
  'luajit',
  'tclsh',
  'wish',
  'expect',
  'Rscript',
  'R',
  'pwsh',
  'powershell',
  'osascript',
  'julia',
  'guile',
  'racket',
  'sbcl',
  'clisp',
  'ocaml',
  'groovy',
  'scala',
  'jshell',
]);
/** Options of interpreters after which the next word is code (python -c, perl -e, node --eval). */
const CODE_OPTIONS = new Set(['-c', '-e', '-E', '-p', '--eval', '--print', '--command', '-r']);

/**
 * Programs and builtins known to run some argument as code (or to evaluate it as arithmetic or a
 * variable name, where bash runs a quoted a[$(...)]). A value anywhere in their words is refused;
 * the safe form hands it to them through env:. Each says why.
 */
const CODE_RUNNERS: ReadonlyMap<string, string> = new Map([
  ...['eval', 'trap', 'alias', 'source', '.', 'fc', 'bind', 'complete', 'compgen', 'coproc', 'enable', 'hash'].map(
    (n) => [n, `${n} runs or defines shell code from its arguments`] as const,
  ),
  ...[
    'let',
    '[[',
    '((',
    'declare',
    'typeset',
    'local',
    'readonly',
    'export',
    'unset',
    'read',
    'mapfile',
    'readarray',
    'getopts',
    'set',
    'shopt',
    'exit',
    'return',
    'shift',
    'break',
    'continue',
    'ulimit',
    'wait',
  ].map((n) => [n, `bash reads the arguments of ${n} as names or arithmetic, where a quoted a[$(...)] still runs code`] as const),
  ...['awk', 'gawk', 'mawk', 'nawk'].map(
    (n) => [n, `${n}'s program runs shell commands through system() and |; read the value in the program as ENVIRON["NAME"]`] as const,
  ),
  ...['sed', 'gsed'].map((n) => [n, `${n}'s e command and s///e flag run shell commands`] as const),
  ['ssh', 'ssh joins the words after the host into a command for the remote shell, and -o options such as ProxyCommand run locally'],
  ['scp', 'scp hands remote paths to the remote shell'],
  ['rsync', 'rsync hands remote paths and -e to a shell'],
  ['sftp', 'sftp runs the command that -S or -o names'],
  ['git', 'git runs commands named in -c options, ext:: URLs and --upload-pack'],
  ['find', 'find runs the commands of -exec, -execdir, -ok and -okdir'],
  ['xargs', 'xargs builds and runs commands from its arguments and input'],
  ['parallel', 'parallel runs its arguments as shell commands'],
  ['watch', 'watch hands its arguments to sh -c'],
  ['su', 'su -c hands its argument to a shell'],
  ['runuser', 'runuser -c hands its argument to a shell'],
  ['script', 'script -c hands its argument to a shell'],
  ['flock', 'flock -c hands its argument to a shell'],
  ['systemd-run', 'systemd-run runs its arguments as a command'],
  ['at', 'at runs its input as shell commands'],
  ['batch', 'batch runs its input as shell commands'],
  ['crontab', 'crontab installs shell commands'],
  ['dc', 'dc runs shell commands with !'],
  ['m4', 'm4 runs shell commands with syscmd'],
  ['make', 'make runs its variables and targets through a shell'],
  ['socat', 'socat runs the commands of EXEC: and SYSTEM: addresses'],
  ['nc', 'nc -e and -c run commands'],
  ['ncat', 'ncat -e and -c run commands'],
  ['netcat', 'netcat -e and -c run commands'],
  ['tmux', 'tmux runs shell commands'],
  ['screen', 'screen runs shell commands'],
  ['gdb', 'gdb runs commands from -ex'],
  ['vi', 'vi runs commands from + and -c'],
  ['vim', 'vim runs commands from + and -c'],
  ['nvim', 'nvim runs commands from + and -c'],
  ['ex', 'ex runs commands from + and -c'],
  ['sudoedit', 'sudoedit runs an editor named by the environment'],
  ['pkexec', 'pkexec runs its arguments as a command'],
  ['strace', 'strace runs its arguments as a command'],
  ['ltrace', 'ltrace runs its arguments as a command'],
  ['busybox', 'busybox runs the applet its first argument names, sh among them'],
  ['toybox', 'toybox runs the applet its first argument names, sh among them'],
]);

/** Programs that read standard input as code whatever their arguments. */
const STDIN_RUNNERS = new Set([
  'xargs',
  'parallel',
  'at',
  'batch',
  'crontab',
  'dc',
  'm4',
  'ssh',
  'su',
  'psql',
  'mysql',
  'mariadb',
  'sqlite3',
  'ftp',
  'sftp',
  'ed',
  'ex',
  'gdb',
  'busybox',
  'toybox',
  'tmux',
  'screen',
  'expect',
  'socat',
  'nc',
  'ncat',
  'netcat',
]);

const AWKS_AND_SEDS = new Set(['awk', 'gawk', 'mawk', 'nawk', 'sed', 'gsed']);

/** Paths that name standard input: a program told to run one of these runs its input. */
const STDIN_PATH = /^(-|\/dev\/stdin|\/dev\/fd\/\d+|\/proc\/[^/]+\/fd\/\d+)$/;

/** How a wrapper's own words are read before the command it runs. */
interface WrapperSpec {
  /** One-letter options that take the next word (or the rest of their word) as a value. */
  values: string;
  /** One-letter options without a value. */
  flags: string;
  /** Options that make the wrapper run a shell or split a string into a command: the value is code. */
  code?: readonly string[];
  /** Long options (--name or --name=value) it has; those in longValues take the next word when written without =. */
  long?: readonly string[];
  longValues?: readonly string[];
  /** Operands before the command (timeout's duration, chroot's new root). */
  operands?: number;
  /** VAR=value words may come before the command (env, sudo). */
  assignments?: boolean;
}

const WRAPPERS: ReadonlyMap<string, WrapperSpec> = new Map<string, WrapperSpec>([
  [
    'sudo',
    {
      values: 'ugphCDUrtTR',
      flags: 'nEHPSbkABN',
      code: ['-s', '-i', '-e', '--shell', '--login', '--edit'],
      long: ['--user', '--group', '--preserve-env', '--non-interactive', '--chdir', '--prompt', '--set-home'],
      longValues: ['--user', '--group', '--chdir', '--prompt'],
      assignments: true,
    },
  ],
  ['doas', { values: 'uC', flags: 'nL', code: ['-s'] }],
  [
    'env',
    {
      values: 'uCP',
      flags: 'i0v',
      code: ['-S', '--split-string'],
      long: ['--ignore-environment', '--null', '--unset', '--chdir', '--debug'],
      longValues: ['--unset', '--chdir'],
      assignments: true,
    },
  ],
  ['nice', { values: 'n', flags: '', long: ['--adjustment'], longValues: ['--adjustment'] }],
  ['nohup', { values: '', flags: '' }],
  ['setsid', { values: '', flags: 'cfw', long: ['--ctty', '--fork', '--wait'] }],
  ['time', { values: 'fo', flags: 'pav', long: ['--portability', '--verbose', '--append'] }],
  ['stdbuf', { values: 'ioe', flags: '', long: ['--input', '--output', '--error'] }],
  ['ionice', { values: 'cn', flags: 't', long: ['--class', '--classdata', '--ignore'], longValues: ['--class', '--classdata'] }],
  ['taskset', { values: '', flags: 'ac', long: ['--all-tasks', '--cpu-list'], operands: 1 }],
  [
    'timeout',
    {
      values: 'sk',
      flags: 'v',
      long: ['--preserve-status', '--foreground', '--kill-after', '--signal', '--verbose'],
      longValues: ['--kill-after', '--signal'],
      operands: 1,
    },
  ],
  [
    'chroot',
    { values: '', flags: '', long: ['--userspec', '--groups', '--skip-chdir'], longValues: ['--userspec', '--groups'], operands: 1 },
  ],
  [
    'nsenter',
    {
      values: 'tSG',
      flags: 'muinpUCTrwFZa',
      long: [
        '--target',
        '--mount',
        '--uts',
        '--ipc',
        '--net',
        '--pid',
        '--user',
        '--cgroup',
        '--time',
        '--root',
        '--wd',
        '--setuid',
        '--setgid',
        '--preserve-credentials',
        '--no-fork',
        '--all',
      ],
      longValues: ['--target', '--setuid', '--setgid'],
    },
  ],
  ['chrt', { values: '', flags: 'frobidRva', code: ['-p', '--pid'], operands: 1 }],
  ['unbuffer', { values: '', flags: 'p' }],
  ['command', { values: '', flags: 'p', code: ['-v', '-V'] }],
  ['builtin', { values: '', flags: '' }],
  ['exec', { values: 'a', flags: 'cl' }],
]);

/** The program a simple command runs, once its wrappers are looked through. */
export type Resolved =
  | { kind: 'program'; name: string; index: number; wrapped: boolean }
  /** The words end before a program is named: the next word would be the program (or a wrapper's option). */
  | { kind: 'open'; reason: string }
  | { kind: 'unproven'; reason: string };

/**
 * Follows the words of one simple command through its wrappers (sudo -u app, timeout 5m, env X=1,
 * command, exec ...) to the program that runs. Anything this reader cannot follow exactly is
 * unproven: a program named by an expansion, an option it does not know, a shell started by -s.
 */
export function resolveProgram(words: readonly string[]): Resolved {
  let i = commandIndex(words);
  let wrapped = false;
  for (;;) {
    const word = words[i];
    if (word === undefined)
      return {
        kind: 'open',
        reason: wrapped ? 'it would be the command the wrapper runs, or one of its options' : 'it would name the program to run',
      };
    if (expands(word))
      return {
        kind: 'unproven',
        reason: `the program is named by an expansion (${word}), so nothing proves it reads the value as data; write the program's name out`,
      };
    const name = programName(word);
    const spec = WRAPPERS.get(name);
    if (!spec) return { kind: 'program', name, index: i, wrapped };
    const next = skipWrapper(words, i + 1, spec, name);
    if (typeof next === 'string') return { kind: next.startsWith('it ') ? 'open' : 'unproven', reason: next };
    i = next;
    wrapped = true;
  }
}

/** The index of the wrapped command, or why the wrapper's words cannot be followed. */
function skipWrapper(words: readonly string[], start: number, spec: WrapperSpec, name: string): number | string {
  let i = start;
  let operands = spec.operands ?? 0;
  for (; i < words.length; i++) {
    const raw = words[i]!;
    if (spec.assignments && isAssignment(raw)) continue;
    if (expands(raw)) return `${name}'s words include an expansion (${raw}), so which command it runs is not known before it runs`;
    const w = unquote(raw);
    if (spec.code?.includes(w.split('=')[0]!)) return `${name} ${w} runs a shell or splits a string into a command`;
    if (w === '--') {
      i += 1;
      break;
    }
    if (w.startsWith('--')) {
      const key = w.split('=')[0]!;
      if (!spec.long?.includes(key)) return `${name} ${key} is an option this reader does not know`;
      if (!w.includes('=') && spec.longValues?.includes(key)) i += 1;
      continue;
    }
    if (w.startsWith('-') && w.length > 1) {
      if (name === 'nice' && /^-\d+$/.test(w)) continue;
      for (let j = 1; j < w.length; j++) {
        const c = w[j]!;
        if (spec.code?.includes(`-${c}`)) return `${name} -${c} runs a shell or splits a string into a command`;
        if (spec.values.includes(c)) {
          if (j === w.length - 1) i += 1; // the value is the next word
          break;
        }
        if (!spec.flags.includes(c)) return `${name} -${c} is an option this reader does not know`;
      }
      continue;
    }
    if (operands > 0) {
      operands -= 1;
      continue;
    }
    break;
  }
  if (i > words.length) return `it would be the value of an option of ${name}`;
  return i;
}

/**
 * Why a value in word number `at` of this simple command (words before it given; the value's own
 * word may be unfinished, so it is not among them) is not proven to be read once as data.
 */
export function argumentReason(words: readonly string[], at: number): string | undefined {
  const resolved = resolveProgram(words.slice(0, at));
  if (resolved.kind !== 'program') return resolved.reason;
  const { name, index } = resolved;
  const runner = CODE_RUNNERS.get(name);
  if (runner) return runner;
  const braces = words.slice(index + 1, at).find(bracesExpand);
  if (braces !== undefined && (SHELLS.has(name) || INTERPRETERS.has(name)))
    return `bash expands ${braces} into several words, so which of ${name}'s words are options or code is not known before it runs`;
  const args = words.slice(index + 1, at).map(unquote);
  if (SHELLS.has(name)) return shellArgumentReason(name, args);
  if (INTERPRETERS.has(name)) return interpreterArgumentReason(name, args);
  if ((name === 'printf' && args.includes('-v')) || ((name === 'test' || name === '[') && args.some((a) => a === '-v' || a === '-R'))) {
    return `${name} -v reads a variable name, where bash runs a quoted a[$(...)]`;
  }
  return undefined;
}

/** A shell's words: only the positional arguments after its script (file or -c text) are data. */
function shellArgumentReason(name: string, args: readonly string[]): string | undefined {
  const { script, stdin, operand } = shellOptions(args);
  if (operand === undefined)
    return `it would be an option of ${name}, or the ${script === 'text' ? `script that ${name} -c runs` : 'script it runs'}`;
  if (operand === args.length) {
    if (script === 'text') return `it is the script of ${name} -c, which a second shell reads as code`;
    if (!stdin) return `it names the script that ${name} runs`;
  }
  return undefined;
}

/** Reads a shell's options: -c (script text), -s or -i (code from standard input), and where its first operand is. */
function shellOptions(args: readonly string[]): { script: 'text' | 'file'; stdin: boolean; operand: number | undefined } {
  let script: 'text' | 'file' = 'file';
  let stdin = false;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--' || a === '-') {
      i += 1;
      break;
    }
    if (/^[-+][A-Za-z]+$/.test(a)) {
      if (a.includes('c')) script = 'text';
      if (a.startsWith('-') && /[si]/.test(a)) stdin = true;
      if (/[oO]/.test(a)) i += 1; // -o pipefail, +O extglob
      continue;
    }
    if (a.startsWith('--')) {
      if (a === '--rcfile' || a === '--init-file') i += 1;
      continue;
    }
    break;
  }
  return { script, stdin, operand: i > args.length ? undefined : i };
}

/** An interpreter's words: data only after `-c CODE` (or -e) or after a script file named first. */
function interpreterArgumentReason(name: string, args: readonly string[]): string | undefined {
  const first = args[0];
  const why = `${name} runs code from its arguments; only what follows its code (${name} -c CODE ...) or its script file is data`;
  if (first === undefined) return why;
  // python stops reading options at -c CODE; perl, ruby, node and the rest read on, so a value
  // such as -e;system(...) after the code would be more code: only -- ends their options.
  if (CODE_OPTIONS.has(first))
    return args.length >= 2 && (name === 'python' || name === 'pypy' || args[2] === '--')
      ? undefined
      : `${why}; after ${name} ${first} CODE, write -- before the arguments`;
  if (first.startsWith('-') || STDIN_PATH.test(first)) return why;
  return undefined;
}

/** Why a program reading this command's standard input may run it as code, or undefined. */
export function stdinReason(words: readonly string[]): string | undefined {
  const first = words[0];
  if (
    first !== undefined &&
    ['while', 'until', 'if', 'for', 'case', 'select', '{', '(', '[[', '((', 'function'].includes(unquote(first)) &&
    unquote(first) === first
  ) {
    return `its input goes to a compound command (${first} ...), which this reader does not follow`;
  }
  const resolved = resolveProgram(words);
  if (resolved.kind !== 'program') return resolved.kind === 'open' ? undefined : resolved.reason;
  const { name, index } = resolved;
  const args = words.slice(index + 1).map(unquote);
  if (STDIN_RUNNERS.has(name)) return `${name} runs what it reads as commands`;
  const braces = words.slice(index + 1).find(bracesExpand);
  if (braces !== undefined && (SHELLS.has(name) || INTERPRETERS.has(name)))
    return `bash expands ${braces} into several words, so whether ${name} reads code from its input is not known before it runs`;
  // A program that runs code hands that code its input: eval "$SHELL" <<EOF, find -exec sh.
  const runner = CODE_RUNNERS.get(name);
  if (runner && !AWKS_AND_SEDS.has(name)) return runner;
  if (name === 'source' || name === '.')
    return args.some((a) => a !== '-' && STDIN_PATH.test(a)) ? `${name} reads code from standard input` : undefined;
  if (AWKS_AND_SEDS.has(name)) {
    const fromStdin = args.some(
      (a, i) =>
        ((args[i - 1] === '-f' || args[i - 1] === '--file') && STDIN_PATH.test(a)) ||
        /^(-f|--file=)(-|\/dev\/stdin|\/dev\/fd\/\d+)$/.test(a),
    );
    return fromStdin ? `${name} reads its program from standard input` : undefined;
  }
  if (SHELLS.has(name)) {
    const { stdin, operand } = shellOptions(args);
    const script = operand === undefined ? undefined : args[operand];
    if (stdin || script === undefined || STDIN_PATH.test(script)) return `${name} reads its script from standard input`;
    return undefined;
  }
  if (INTERPRETERS.has(name)) {
    const a = args[0];
    if (a !== undefined && CODE_OPTIONS.has(a) && args.length >= 2) return undefined;
    if (a !== undefined && !a.startsWith('-') && !STDIN_PATH.test(a)) return undefined;
    return `${name} reads its program from standard input`;
  }
  return undefined;
}
