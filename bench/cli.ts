// The binary as a user starts it (dist/, built by `npm run build`): how long `runbook --version`,
// `runbook --help` and `runbook validate` of the shipped DC/OS runbooks take, wall clock from
// spawn to exit, median of several runs. Target: --version under 100 ms.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../src/cli/package-files.js';

const root = packageRoot();
const bin = path.join(root, 'bin', 'runbook.js');
const RUNS = 15;
const TARGET_VERSION_MS = 100;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median wall time of `runbook ...args`, after one warm-up run; fails if the command fails. */
function time(args: string[]): number {
  const once = () => {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`runbook ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  once();
  return median(Array.from({ length: RUNS }, once));
}

export async function run(): Promise<Record<string, number | string>> {
  if (!existsSync(path.join(root, 'dist', 'cli.js'))) throw new Error('build first: npm run build');
  const bare = (() => {
    const once = () => {
      const started = process.hrtime.bigint();
      spawnSync(process.execPath, ['-e', ''], { encoding: 'utf8' });
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    once();
    return median(Array.from({ length: RUNS }, once));
  })();
  const version = time(['--version']);
  const results = {
    'node -e "" (the floor), ms': Math.round(bare),
    'runbook --version, ms': Math.round(version),
    'runbook --help, ms': Math.round(time(['--help'])),
    'runbook validate dcos-1.11-patch.yaml, ms': Math.round(time(['validate', 'runbooks/dcos-1.11-patch.yaml'])),
    'runbook validate both DC/OS runbooks, ms': Math.round(time(['validate', 'runbooks/dcos-1.11-patch.yaml', 'runbooks/dcos-1.11-patch.zh-CN.yaml'])),
    runs: `median of ${RUNS}`,
    [`target: --version under ${TARGET_VERSION_MS} ms`]: version < TARGET_VERSION_MS ? 'met' : 'MISSED',
  };
  return results;
}
