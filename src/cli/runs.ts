// `runbook runs [--json]`: the runs in the state directory, newest first, with what each is now:
// finished ok, failed, aborted, interrupted, or being played now (its lock has a live player).
import type { CommandInput } from './command-types.js';
import { alignColumns } from './columns.js';
import type { Outcome } from '../engine/events.js';

export type RunState = 'finished ok' | 'failed' | 'aborted' | 'interrupted' | 'player gone' | 'being played now';

const STATE_OF: Record<Outcome, RunState> = { passed: 'finished ok', failed: 'failed', aborted: 'aborted', interrupted: 'interrupted' };

export async function run({ options, io }: CommandInput): Promise<number> {
  const [{ listRuns, runsDir }, { runHolder }, { loadSettings }] = await Promise.all([
    import('../engine/journal.js'),
    import('../engine/run-lock.js'),
    import('../config/settings.js'),
  ]);
  const stateDir = (options['state-dir'] as string | undefined) ?? loadSettings(io.env).stateDir;
  const runs = (await listRuns(stateDir)).reverse().map((r) => {
    const holder = runHolder(stateDir, r.id);
    // A player that died (kill -9, a lost machine) wrote no run-finished and holds no live lock.
    const state: RunState = holder ? 'being played now' : r.status ? STATE_OF[r.status] : 'player gone';
    return { ...r, state, holder };
  });
  if (options.json) {
    const list = runs.map((r) => ({
      id: r.id,
      runbook: r.runbook,
      by: r.by,
      startedAt: r.startedAt,
      state: r.state,
      ...(r.holder
        ? { player: { user: r.holder.owner.user, host: r.holder.owner.host, pid: r.holder.owner.pid, since: r.holder.owner.since } }
        : {}),
      journal: r.file,
    }));
    io.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  if (runs.length === 0) {
    io.stdout.write(`No runs in ${runsDir(stateDir)} yet: \`runbook train\` or \`runbook play\` starts one.\n`);
    return 0;
  }
  const started = (iso: string) => iso.replace('T', ' ').replace(/(:\d\d)(\.\d+)?Z$/, '$1');
  const state = (r: (typeof runs)[number]) =>
    r.holder
      ? `${r.state} (${r.holder.owner.user}@${r.holder.owner.host}, pid ${r.holder.owner.pid}${r.holder.checkable ? '' : ', another host'})`
      : r.state;
  const rows = [
    ['RUN', 'RUNBOOK', 'WHO', 'STARTED (UTC)', 'STATE'],
    ...runs.map((r) => [r.id, r.runbook.title, r.by, started(r.startedAt), state(r)]),
  ];
  const lines = alignColumns(rows);
  lines.push(
    '',
    `Journals: ${runsDir(stateDir)}. \`runbook report RUN\` writes a run's report; \`runbook play --resume RUN\` (a training: \`runbook train --resume RUN\`) goes on with one that stopped.`,
  );
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
