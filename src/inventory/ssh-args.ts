// Reading ssh command lines as operators write them in Ansible (ansible_ssh_common_args) and in
// ProxyCommand: enough to find the jump host, the user, the port and the key, and to say
// clearly what we cannot honour.

/** A word of a command line and the offset it starts at (for columns). */
export interface Word {
  text: string;
  offset: number;
}

/**
 * Splits a line as a POSIX shell (and Python's shlex) would: whitespace separates words,
 * single quotes are literal, double quotes and backslashes escape; a `#` that starts a word
 * starts a comment when `comments` is set. Returns an error for an unclosed quote.
 */
export function splitWords(line: string, comments = false): { words: Word[]; error?: string } {
  const words: Word[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && /\s/.test(line[i]!)) i++;
    if (i >= n) break;
    if (comments && line[i] === '#') break;
    const start = i;
    let text = '';
    while (i < n && !/\s/.test(line[i]!)) {
      const c = line[i]!;
      if (c === "'") {
        const end = line.indexOf("'", i + 1);
        if (end === -1) return { words, error: "a single quote (') is not closed" };
        text += line.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        i++;
        while (i < n && line[i] !== '"') {
          if (line[i] === '\\' && i + 1 < n && '"\\$`'.includes(line[i + 1]!)) i++;
          text += line[i];
          i++;
        }
        if (i >= n) return { words, error: 'a double quote (") is not closed' };
        i++;
      } else if (c === '\\' && i + 1 < n) {
        text += line[i + 1];
        i += 2;
      } else {
        text += c;
        i++;
      }
    }
    words.push({ text, offset: start });
  }
  return { words };
}

/** What an ssh command line says about where and how to connect. */
export interface SshArgs {
  jump?: string;
  /** A ProxyCommand that is not a plain `ssh -W %h:%p host`: we cannot honour it. */
  proxyCommand?: string;
  user?: string;
  port?: string;
  identityFile?: string;
  /** Options we read but do not honour, by name (e.g. StrictHostKeyChecking). */
  ignored: string[];
  error?: string;
}

/** Options that change security or routing; the operator is told they are not honoured. */
const NOTABLE = ['stricthostkeychecking', 'userknownhostsfile', 'globalknownhostsfile', 'forwardagent', 'controlpath', 'controlmaster'];

/** Reads the -o, -J, -l, -p, -i options of ssh arguments. Like ssh, the first value of each wins. */
export function parseSshArgs(line: string): SshArgs {
  const out: SshArgs = { ignored: [] };
  const { words, error } = splitWords(line);
  if (error) return { ...out, error };
  const first = <K extends 'jump' | 'proxyCommand' | 'user' | 'port' | 'identityFile'>(key: K, value: string): void => {
    if (out[key] === undefined) out[key] = value;
  };
  const option = (text: string): void => {
    const m = /^\s*([A-Za-z]+)\s*(?:=\s*|\s+)(.*)$/s.exec(text);
    if (!m) return;
    const name = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    if (name === 'proxyjump') {
      if (out.jump === undefined && out.proxyCommand === undefined) out.jump = value;
    } else if (name === 'proxycommand') {
      if (out.jump === undefined && out.proxyCommand === undefined) {
        const jump = jumpFromProxyCommand(value);
        if (jump === 'none') out.jump = 'none';
        else if (jump) out.jump = jump;
        else out.proxyCommand = value;
      }
    } else if (name === 'user') first('user', value);
    else if (name === 'port') first('port', value);
    else if (name === 'identityfile') first('identityFile', value);
    else if (NOTABLE.includes(name)) out.ignored.push(m[1]!);
  };
  const texts = words.map((w) => w.text);
  for (let i = 0; i < texts.length; i++) {
    const w = texts[i]!;
    const flag = /^-([oJlpi])(.*)$/s.exec(w);
    if (!flag) continue;
    const value = flag[2] !== '' ? flag[2]! : texts[++i];
    if (value === undefined) return { ...out, error: `${w} needs a value` };
    switch (flag[1]) {
      case 'o':
        option(value);
        break;
      case 'J':
        if (out.jump === undefined && out.proxyCommand === undefined) out.jump = value;
        break;
      case 'l':
        first('user', value);
        break;
      case 'p':
        first('port', value);
        break;
      case 'i':
        first('identityFile', value);
        break;
    }
  }
  return out;
}

/**
 * The jump host of a ProxyCommand that only relays through another ssh
 * (`ssh -W %h:%p [-l user] [-p port] [user@]bastion`, or `ssh bastion nc %h %p`), as
 * [user@]host[:port]; "none" for `none`; undefined for anything else.
 */
export function jumpFromProxyCommand(command: string): string | undefined {
  if (command.trim().toLowerCase() === 'none') return 'none';
  const { words, error } = splitWords(command);
  if (error) return undefined;
  const argv = words.map((w) => w.text);
  if (argv[0] === 'exec') argv.shift();
  if (!argv[0] || !/(^|\/)ssh$/.test(argv[0])) return undefined;
  let user: string | undefined;
  let port: string | undefined;
  let relay = false;
  const rest: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const w = argv[i]!;
    if (w === '-W') {
      const target = argv[++i];
      if (target === undefined || !/^\[?%h\]?:%p$/.test(target)) return undefined;
      relay = true;
    } else if (/^-[lpioFJ]$/.test(w)) {
      const value = argv[++i];
      if (value === undefined) return undefined;
      if (w === '-l') user = value;
      else if (w === '-p') port = value;
      else if (w === '-J' || w === '-F')
        return undefined; // a second hop or another config: not ours to follow
      else if (w === '-o' && /^\s*(proxycommand|proxyjump)\b/i.test(value)) return undefined;
    } else if (/^-[46AaCgKkNnqsTtvXxY]+$/.test(w)) {
      // flags without a value
    } else if (w.startsWith('-')) {
      return undefined;
    } else rest.push(w);
  }
  const [host, ...command_] = rest;
  if (!host) return undefined;
  const nc = command_.join(' ');
  if (!relay && !/^(nc|netcat|ncat)( -q0| -w ?\d+)* %h %p$/.test(nc)) return undefined;
  if (relay && command_.length > 0) return undefined;
  let target = host;
  if (user && !target.includes('@')) target = `${user}@${target}`;
  if (port && !/:\d+$/.test(target)) target = `${target}:${port}`;
  return target;
}
