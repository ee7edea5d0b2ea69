// A run's tallies, counted one way for every place that prints them (plain summary, the TUI, the
// run report, the trainee's report). A task is a step on a node; each is counted once, by how it
// stands last: a failure that was retried and passed counts as passed (its attempts keep the
// failure). Skipped by the operator and not run because a `when:` was false are kept apart.
import type { JournalRecord } from './events.js';
import type { Counters, NodeState, RunState } from './state.js';

/** Who decides what the runbook itself decides (a false `when:`). */
export const BY_RUNBOOK = 'runbook';

/** A skip the operator chose, with the reason they gave. */
export interface OperatorSkip {
  /** `section/step@node` */
  task: string;
  by: string;
  reason: string;
}

export interface Tally {
  total: number;
  passed: number;
  /** Failed or refused, as they stand last. */
  failed: number;
  /** Skipped by the operator (each in `skips`). */
  skipped: number;
  /** Not run because a `when:` of the step or its section was false. */
  notRunWhen: number;
  interrupted: number;
  /** Never reached: not started, still running or waiting, or left out after a node failed. */
  notReached: number;
  skips: OperatorSkip[];
}

/** How a task stands last, the only input of the count. */
interface TaskEnd {
  status: 'passed' | 'failed' | 'refused' | 'skipped' | 'interrupted' | 'other';
  by?: string;
  reason?: string;
}

function count(ends: Iterable<[string, TaskEnd]>, total: number, sectionsNotRun: number): Tally {
  const t: Tally = { total, passed: 0, failed: 0, skipped: 0, notRunWhen: sectionsNotRun, interrupted: 0, notReached: 0, skips: [] };
  for (const [task, end] of ends) {
    if (end.status === 'passed') t.passed += 1;
    else if (end.status === 'failed' || end.status === 'refused') t.failed += 1;
    else if (end.status === 'interrupted') t.interrupted += 1;
    else if (end.status === 'skipped' && end.by === BY_RUNBOOK) t.notRunWhen += 1;
    else if (end.status === 'skipped') {
      t.skipped += 1;
      t.skips.push({ task, by: end.by ?? '', reason: end.reason ?? '' });
    }
  }
  t.notReached = Math.max(0, total - t.passed - t.failed - t.skipped - t.notRunWhen - t.interrupted);
  return t;
}

/** The tallies of a run as its state holds it (the TUI, plain mode). */
export const tallyOfState = (state: RunState): Tally => tallyOfNodes(state.nodes.values(), state.counters);

/** The same from the nodes and counters (the reducer's, while it writes the run's last record). */
export function tallyOfNodes(nodes: Iterable<NodeState>, counters: Counters): Tally {
  const ends: [string, TaskEnd][] = [];
  let taskSkips = 0;
  for (const node of nodes) {
    for (const [key, task] of node.tasks) {
      const end: TaskEnd =
        task.status === 'skipped'
          ? { status: 'skipped', by: task.by, reason: task.reason }
          : task.status === 'passed' || task.status === 'failed' || task.status === 'refused' || task.status === 'interrupted'
            ? { status: task.status }
            : { status: 'other' };
      if (end.status === 'skipped') taskSkips += 1;
      ends.push([`${key}@${node.name}`, end]);
    }
  }
  // The state counts the tasks of skipped sections only in its counters.
  return count(ends, counters.total, Math.max(0, counters.skipped - taskSkips));
}

/** The tallies of a run from its journal (the run report, the trainee's report): the same count. */
export function tallyOfRecords(records: readonly JournalRecord[]): Tally {
  const ends = new Map<string, TaskEnd>();
  let total = 0;
  let sectionsNotRun = 0;
  for (const r of records) {
    if (r.event === 'run-started') total = r.total;
    else if (r.event === 'section-skipped') sectionsNotRun += r.tasks;
    else if (r.event === 'step-finished') {
      ends.set(`${r.section}/${r.step}@${r.node}`, {
        status: r.status,
        ...(r.by !== undefined ? { by: r.by } : {}),
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
      });
    } else if (r.event === 'interrupted') ends.set(`${r.section}/${r.step}@${r.node}`, { status: 'interrupted' });
    else if (r.event === 'step-started' || r.event === 'retry' || r.event === 'confirmation-asked')
      ends.set(`${r.section}/${r.step}@${r.node}`, { status: 'other' });
  }
  return count(ends, total, sectionsNotRun);
}

/** The words of the tallies (English; the catalog of words takes them over). */
export const TALLY_WORDS = {
  passed: 'passed',
  failed: 'failed',
  skipped: 'skipped',
  interrupted: 'interrupted',
  notRunWhen: 'not run (when)',
  notReached: 'not reached',
} as const;

/** `passed 3, failed 0, skipped 1, interrupted 0, not run (when) 22, not reached 2`: the last two only when not 0. */
export function tallyText(t: Tally): string {
  const parts = [
    `${TALLY_WORDS.passed} ${t.passed}`,
    `${TALLY_WORDS.failed} ${t.failed}`,
    `${TALLY_WORDS.skipped} ${t.skipped}`,
    `${TALLY_WORDS.interrupted} ${t.interrupted}`,
  ];
  if (t.notRunWhen > 0) parts.push(`${TALLY_WORDS.notRunWhen} ${t.notRunWhen}`);
  if (t.notReached > 0) parts.push(`${TALLY_WORDS.notReached} ${t.notReached}`);
  return parts.join(', ');
}
