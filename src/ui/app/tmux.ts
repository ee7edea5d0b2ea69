// `o` and `O`: a new tmux window with an interactive SSH shell on the selected node, or following
// a troubleshooting command live. The ssh command line follows the transport's rules: the same
// user, identity file, port and jump host, and host keys checked against the same known_hosts
// files (strict, or accept-new when the operator allowed it), the jump host's included.
import { execFile } from 'node:child_process';
import type { InventoryNode } from '../../inventory/types.js';
import { LOCAL } from '../../engine/plan.js';
import { shellQuoteAlways } from '../../shell/quote.js';

export interface ShellOptions {
  /** User for nodes that name none. */
  user?: string;
  /** Identity file for nodes that name none. */
  identityFile?: string;
  /** known_hosts files, the first written by accept-new. */
  knownHostsFiles?: string[];
  /** known_hosts lines held in memory (the simulator's): written to a private file for ssh. */
  extraKnownHosts?: string[];
  acceptNewHostKeys?: boolean;
  /** Resolves a `jump` that names another node. */
  resolveJump?: (jump: string) => InventoryNode | undefined;
  /** The local shell for the `local` target. Default $SHELL, then /bin/sh. */
  shell?: string;
}

export const inTmux = (env: NodeJS.ProcessEnv): boolean => Boolean(env.TMUX);

const quoteOption = (path: string): string => (/[\s"]/.test(path) ? `"${path.replace(/"/g, '')}"` : path);

function hostKeyOptions(options: ShellOptions): string[] {
  const out = ['-o', `StrictHostKeyChecking=${options.acceptNewHostKeys ? 'accept-new' : 'yes'}`];
  if (options.knownHostsFiles && options.knownHostsFiles.length > 0)
    out.push('-o', `UserKnownHostsFile=${options.knownHostsFiles.map(quoteOption).join(' ')}`);
  return out;
}

function loginOptions(node: Pick<InventoryNode, 'user' | 'port' | 'identityFile'>, options: ShellOptions): string[] {
  const out: string[] = [];
  const user = node.user ?? options.user;
  if (user) out.push('-l', user);
  if (node.port !== undefined) out.push('-p', String(node.port));
  const identity = node.identityFile ?? options.identityFile;
  if (identity) out.push('-i', identity, '-o', 'IdentitiesOnly=yes');
  return out;
}

/** The jump host as its own ssh command (a ProxyCommand), so it gets the same host key rules. */
function jumpCommand(jump: string, options: ShellOptions): string | undefined {
  if (jump === 'none') return undefined;
  const viaNode = options.resolveJump?.(jump);
  let host: string;
  let login: string[];
  if (viaNode) {
    host = viaNode.address;
    login = loginOptions(viaNode, options);
    if (viaNode.hostKeyAlias) login.push('-o', `HostKeyAlias=${viaNode.hostKeyAlias}`);
  } else {
    const m = /^(?:([^@\s]+)@)?(\[[^\]\s]+\]|[^:@\s[\]]+)(?::(\d{1,5}))?$/.exec(jump.trim());
    if (!m) return undefined;
    host = m[2]!.replace(/^\[|\]$/g, '');
    login = loginOptions({ ...(m[1] ? { user: m[1] } : {}), ...(m[3] ? { port: Number(m[3]) } : {}) }, options);
  }
  return ['ssh', ...hostKeyOptions(options), ...login, '-W', '%h:%p', host].map(shellQuoteAlways).join(' ');
}

/**
 * The command line (argv) of an interactive shell on a node, or of `remote` run there with a
 * terminal. For this machine (`local`), the local shell.
 */
export function shellArgv(node: InventoryNode, options: ShellOptions, remote?: string): string[] {
  if (node.name === LOCAL) {
    const shell = options.shell ?? '/bin/sh';
    return remote === undefined ? [shell] : ['/bin/sh', '-c', remote];
  }
  const argv = ['ssh', '-t', ...hostKeyOptions(options), ...loginOptions(node, options)];
  if (node.hostKeyAlias) argv.push('-o', `HostKeyAlias=${node.hostKeyAlias}`);
  if (node.jump) {
    const proxy = jumpCommand(node.jump, options);
    if (proxy) argv.push('-o', `ProxyCommand=${proxy}`);
  }
  argv.push(node.address);
  if (remote !== undefined) argv.push(remote);
  return argv;
}

/** Opens a tmux window named `name` running argv; resolves to an error message, or undefined. */
export function openTmuxWindow(name: string, argv: readonly string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (!inTmux(env)) return Promise.resolve('runbook is not running inside tmux');
  // tmux hands a single string to the shell; every word is quoted, so a node name or a command
  // cannot become shell syntax. The window stays open after the program ends, to read why.
  const command = `${argv.map(shellQuoteAlways).join(' ')}; printf '\\n[%s ended: press enter to close this window]' ${shellQuoteAlways(name)}; read _`;
  return new Promise((resolve) => {
    execFile('tmux', ['new-window', '-n', name, command], { env, timeout: 5000 }, (error, _stdout, stderr) => {
      resolve(error ? `tmux new-window failed: ${String(stderr || error.message).trim()}` : undefined);
    });
  });
}
