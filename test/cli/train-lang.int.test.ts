// What `runbook train` says around a run, in the run's language: Ctrl-C on the Chinese training
// says in Chinese how to continue it; --lang en says it in English (the built binary, the
// simulator over real SSH, plain mode).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBinary, spawnCli, type Spawned } from '../engine/binary.js';
import { tempDir } from '../helpers/real-shell.js';

let cli: string;
let removeBinary: () => void;
let dir: string;
let removeDir: () => void;
const spawned: Spawned[] = [];
beforeAll(async () => {
  ({ cli, remove: removeBinary } = await buildBinary());
  ({ dir, remove: removeDir } = tempDir('runbook-train-lang-'));
}, 60_000);
afterAll(() => {
  for (const p of spawned) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  removeBinary?.();
  removeDir?.();
});

const stateDir = () => path.join(dir, 'state');
const env = () => ({ PATH: process.env.PATH, HOME: dir, TMPDIR: dir, RUNBOOK_CONFIG_DIR: path.join(dir, 'config'), TZ: 'UTC' });
const zhRunbook = path.join(import.meta.dirname, '..', '..', 'runbooks', 'dcos-1.11-patch.zh-CN.yaml');
const train = (args: string[]) => {
  const p = spawnCli(cli, ['train', '--runbook', zhRunbook, '--nodes', '1,1', '--plain', '--yes', '--state-dir', stateDir(), ...args], {
    cwd: dir,
    env: env(),
  });
  spawned.push(p);
  return p;
};
const journals = () => {
  try {
    return readdirSync(path.join(stateDir(), 'runs')).filter((n) => n.endsWith('.jsonl'));
  } catch {
    return [];
  }
};

/** Starts a training, waits until its journal exists and a step passed, then sends Ctrl-C. */
async function stopped(args: string[]): Promise<string> {
  const before = journals().length;
  const p = train(args);
  const end = Date.now() + 60_000;
  while (!(journals().length > before && / passed/.test(p.stdout()))) {
    if (Date.now() > end) throw new Error(`no step passed:\n${p.stdout()}\n${p.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  p.child.kill('SIGINT');
  expect(await p.exit).toEqual({ code: 130, signal: null });
  return p.stdout();
}

describe('runbook train speaks the run language around it', () => {
  it('Chinese training: the trainee report and how to continue, in Chinese; --lang en: in English', async () => {
    const zh = await stopped([]);
    expect(zh).toMatch(/^继续本次训练：runbook train --resume \S+ --state-dir \S+$/m);
    expect(zh).not.toContain('To continue this training');
    // The trainee report's frame too (the scenario's own title and lesson are the simulator's).
    expect(zh).toMatch(/^训练报告：.*（场景 happy）$/m);
    expect(zh).toContain('各阶段耗时（集群时间）：');
    expect(zh).not.toContain('Time per phase');
    const en = await stopped(['--lang', 'en']);
    expect(en).toMatch(/^To continue this training: runbook train --resume \S+ --state-dir \S+$/m);
    expect(en).toMatch(/^Training report: .* \(scenario happy\)$/m);
  }, 150_000);
});
