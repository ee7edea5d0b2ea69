// The binary as a user starts it (dist/, built by `npm run build`): how long `runbook --version`,
// `runbook --help` and `runbook validate` of the shipped DC/OS runbooks take, wall clock from
// spawn to exit, median of several runs. Target: --version under 100 ms.
// NODE_EXTRA_CA_CERTS makes every Node start read and parse that bundle of certificates (about
// 80 ms on a small VM) before any of our code runs; where it is set, every number is given both
// ways, and the target is judged on a start without it, as an operator's shell starts node.
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

/** Median wall time of `node ...args` in `env`, after one warm-up run; fails if the command fails. */
function time(args: string[], env: NodeJS.ProcessEnv): number {
  const once = () => {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env });
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  once();
  return median(Array.from({ length: RUNS }, once));
}

function timings(env: NodeJS.ProcessEnv, label: string): { results: Record<string, number>; version: number } {
  const version = time([bin, '--version'], env);
  const results = {
    [`node -e "" (the floor)${label}, ms`]: Math.round(time(['-e', ''], env)),
    [`runbook --version${label}, ms`]: Math.round(version),
    [`runbook --help${label}, ms`]: Math.round(time([bin, '--help'], env)),
    [`runbook validate dcos-1.11-patch.yaml${label}, ms`]: Math.round(time([bin, 'validate', 'runbooks/dcos-1.11-patch.yaml'], env)),
    [`runbook validate both DC/OS runbooks${label}, ms`]: Math.round(
      time([bin, 'validate', 'runbooks/dcos-1.11-patch.yaml', 'runbooks/dcos-1.11-patch.zh-CN.yaml'], env),
    ),
  };
  return { results, version };
}

export async function run(): Promise<Record<string, number | string>> {
  if (!existsSync(path.join(root, 'dist', 'cli.js'))) throw new Error('build first: npm run build');
  const { NODE_EXTRA_CA_CERTS: extraCa, ...plain } = process.env;
  const clean = timings(plain, extraCa ? ' (no NODE_EXTRA_CA_CERTS)' : '');
  const asIs = extraCa ? timings(process.env, ' (NODE_EXTRA_CA_CERTS set here)').results : {};
  return {
    ...clean.results,
    ...asIs,
    runs: `median of ${RUNS}`,
    [`target: --version under ${TARGET_VERSION_MS} ms`]: clean.version < TARGET_VERSION_MS ? 'met' : 'MISSED',
  };
}
