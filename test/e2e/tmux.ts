// A real tmux server for end-to-end tests of the terminal UI: a private socket, a detached
// session of a given size, keys sent with send-keys, the screen read with capture-pane.
import { execFileSync, execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { processAlive } from '../helpers/real-shell.js';
import { descendantsOf } from '../helpers/sshd.js';

const run = promisify(execFile);

export const hasTmux = (): boolean => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

export class Tmux {
  constructor(readonly socket: string) {}

  private async tmux(...args: string[]): Promise<string> {
    const { stdout } = await run('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { timeout: 10_000 });
    return stdout;
  }

  /** Starts `command` (a shell command line) in a detached session of `columns` x `rows`. */
  async start(command: string, columns: number, rows: number, env: Record<string, string>): Promise<void> {
    // CI sets CI=true, which makes Ink print only a last frame; the UI under test is interactive.
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    await this.tmux(
      'new-session',
      '-d',
      '-s',
      'e2e',
      '-x',
      String(columns),
      '-y',
      String(rows),
      ...envArgs,
      `${command}; echo "[exit $?]"; sleep 60`,
    );
  }

  /** The screen as text, one string per row: the session's current window, or `target` (e2e:1). */
  async screen(target = 'e2e'): Promise<string> {
    return this.tmux('capture-pane', '-p', '-t', target);
  }

  async keys(...keys: string[]): Promise<void> {
    await this.keysTo('e2e', ...keys);
  }

  /** Keys to a window (e2e:1); `{ text }` is typed literally. */
  async keysTo(target: string, ...keys: (string | { text: string })[]): Promise<void> {
    for (const k of keys) {
      if (typeof k === 'string') await this.tmux('send-keys', '-t', target, k);
      else await this.tmux('send-keys', '-t', target, '-l', k.text);
      await new Promise((r) => setTimeout(r, 60));
    }
  }

  /** The session's windows: index, name and the command its pane started with. */
  async windows(): Promise<{ index: number; name: string; command: string }[]> {
    const out = await this.tmux('list-windows', '-t', 'e2e', '-F', '#{window_index}\t#{window_name}\t#{pane_start_command}');
    return out
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [index, name, ...command] = l.split('\t');
        return { index: Number(index), name: name!, command: command.join('\t') };
      });
  }

  async resize(columns: number, rows: number): Promise<void> {
    await this.tmux('resize-window', '-t', 'e2e', '-x', String(columns), '-y', String(rows));
  }

  /** Waits until the screen (of `target`, default the current window) shows `text` (or the test holds); fails with the screen. */
  async waitFor(want: string | RegExp | ((screen: string) => boolean), ms = 15_000, target = 'e2e'): Promise<string> {
    const test = typeof want === 'function' ? want : (s: string) => (typeof want === 'string' ? s.includes(want) : want.test(s));
    const until = Date.now() + ms;
    let last = '';
    while (Date.now() < until) {
      last = await this.screen(target).catch(() => last);
      if (test(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`waited ${ms} ms for ${String(want)}; the screen:\n${last}`);
  }

  /**
   * Stops the server, removes its socket file (tmux leaves it behind) and waits, at most 5 s, for
   * what ran in its panes to end: a player hung up on writes its last records on its way out, and
   * a test that removes the state directory meanwhile finds it growing under it.
   */
  async kill(): Promise<void> {
    const panes = await this.tmux('list-panes', '-a', '-F', '#{pane_pid}').catch(() => '');
    const pids = panes
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .flatMap((pid) => [pid, ...descendantsOf(pid)]);
    await this.tmux('kill-server').catch(() => undefined);
    rmSync(socketPath(this.socket), { force: true });
    const until = Date.now() + 5000;
    while (Date.now() < until && pids.some(processAlive)) await new Promise((r) => setTimeout(r, 50));
  }
}

/** Where tmux keeps the socket of `-L name`. */
export function socketPath(name: string): string {
  return path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, name);
}
