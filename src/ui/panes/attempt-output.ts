// A step's output as the pane shows it: each attempt's lines under a labelled rule, so a retry
// never runs its output into the failure before it. An attempt whose lines are not in the store
// (the run was resumed, so they were printed by an earlier process) shows the last lines its
// journal record kept.
import type { StoredLine } from '../../engine/output.js';
import type { Attempt, NodeState } from '../../engine/state.js';
import type { OutputLine } from '../../transport/types.js';
import { en, type UiWords } from '../../words/words.js';

/** A row of the output pane: a line of output, or the rule that opens an attempt. */
export type ShownLine = OutputLine & { rule?: true };

/** Clock time of day, as the rules show it (the operator's local time). */
export const timeOfDay = (ms: number): string => new Date(ms).toTimeString().slice(0, 8);

function ending(a: Attempt, w: UiWords): string {
  if (a.status === 'running') return w.state('running');
  if (a.status !== 'interrupted' && a.exit !== undefined) return w.attempt.exit(a.exit);
  return w.state(a.status);
}

/** The rule that opens an attempt: `attempt 2 of run-patch-script, 12:03:04, exit 1`. */
export const attemptRule = (a: Attempt, step: string, w: UiWords = en): string =>
  w.attempt.rule(a.number, step, timeOfDay(a.startedAt), ending(a, w));

/**
 * The lines of one step on one node with a rule before each attempt. With one attempt whose lines
 * are all in the store nothing is added: the pane looks as it always did.
 */
export function withAttemptRules(
  lines: readonly StoredLine[],
  attempts: readonly Attempt[],
  step: string,
  w: UiWords = en,
): readonly ShownLine[] {
  const byAttempt = new Map<number, StoredLine[]>();
  const unnumbered: StoredLine[] = [];
  for (const line of lines) {
    if (line.attempt === undefined) unnumbered.push(line);
    else {
      const list = byAttempt.get(line.attempt);
      if (list) list.push(line);
      else byAttempt.set(line.attempt, [line]);
    }
  }
  const fromJournal = (a: Attempt) => !byAttempt.has(a.number) && (a.output?.tail.length ?? 0) > 0;
  if (attempts.length <= 1 && !attempts.some(fromJournal)) return lines;
  const shown: ShownLine[] = [...unnumbered];
  for (const a of attempts) {
    shown.push({ stream: 'stdout', text: attemptRule(a, step, w), rule: true });
    const kept = byAttempt.get(a.number);
    if (kept) shown.push(...kept);
    else if (a.output && a.output.tail.length > 0) {
      shown.push({ stream: 'stdout', text: w.attempt.fromJournal(a.output.tail.length, a.output.lines), rule: true });
      for (const text of a.output.tail) shown.push({ stream: 'stdout', text });
    }
  }
  return shown;
}

/** The output of the step a node is on (`lines`: the store's lines of that step), with its attempts' rules. */
export function stepOutput(node: NodeState, lines: readonly StoredLine[], w: UiWords = en): readonly ShownLine[] {
  if (!node.current) return lines;
  return withAttemptRules(lines, node.attempts?.get(node.current) ?? [], node.current.slice(node.current.indexOf('/') + 1), w);
}
