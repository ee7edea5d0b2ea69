// The status line, above the help bar: the filter being typed, the last message, the decision
// waiting for the operator (a failure, an interruption), or what the run is doing. The keys that
// answer a decision are in the help bar below it.
import type { Tally } from '../../engine/tally.js';
import type { Prompt, RunState } from '../../engine/state.js';
import type { Theme } from '../terminal/theme.js';
import { formatClock } from '../../runbook/duration.js';
import { fit } from '../terminal/text-width.js';
import type { Activity } from '../app/view-model.js';
import { en, type UiWords } from '../../words/words.js';

export interface StatusLineProps {
  phase: RunState['phase'];
  outcome?: RunState['outcome'];
  /** Once the run finished: its tallies (tally.ts), as plain mode and the reports count them. */
  tally?: Tally;
  /** How to go on with the run after quitting (resumeCommand); default `runbook play --resume`. */
  resume?: string;
  decision?: Extract<Prompt, { kind: 'failure' | 'interrupted' }>;
  /** Confirmations waiting (the first is on screen). */
  waiting: number;
  /** The confirmation on screen: its node, and whether it is typed or runs a command. */
  confirm?: { node: string; typed: boolean; command: boolean };
  /** What runs now, when nothing is asked. */
  activity?: Activity;
  filterInput?: string;
  message?: { text: string; error: boolean };
  /** The pre-flight while it checks the nodes, or once it refused some (then nothing ran). */
  preflight?: { status: 'running' | 'passed' | 'failed'; nodes: number; failed: number; elapsed: string };
  width: number;
  theme: Theme;
  /** The UI's words, in the run's language. */
  words?: UiWords;
}

export function statusLine(p: StatusLineProps): string {
  const { theme, width } = p;
  const w = p.words ?? en;
  if (p.filterInput !== undefined) return theme.paint(fit(` ${w.filterPrompt}${p.filterInput}█`, width), 'accent');
  // An error (a key refused) first; a decision waiting outranks a mere notice.
  if (p.message?.error) return theme.paint(fit(` ${p.message.text}`, width), 'fail');
  const d = p.decision;
  if (!d && p.message && p.phase !== 'finished') return theme.paint(fit(` ${p.message.text}`, width), 'accent');
  if (d) {
    if (d.kind === 'failure') return theme.paint(fit(` ${w.failedOn(d.step, d.node, w.reason(d.reason))}`, width), 'fail', { bold: true });
    return theme.paint(fit(` ${w.interruptedOn(d.step, d.node, d.command)}`, width), 'warn', { bold: true });
  }
  switch (p.phase) {
    case 'ready':
      return theme.paint(fit(` ${w.ready}`, width), 'accent');
    case 'paused':
      return theme.paint(fit(` ${w.paused}`, width), 'warn');
    case 'aborting':
      return theme.paint(fit(` ${w.aborting}`, width), 'warn');
    case 'finished': {
      const pf = p.preflight;
      if (pf?.status === 'failed' && pf.failed > 0) {
        return theme.paint(fit(` ${w.preflightFailed(pf.failed, pf.nodes, p.resume)}`, width), 'fail', { bold: true });
      }
      return theme.paint(fit(` ${w.runEnded(p.outcome, p.tally, p.resume)}`, width), p.outcome === 'passed' ? 'ok' : 'fail', {
        bold: true,
      });
    }
    default: {
      const pf = p.preflight;
      if (pf?.status === 'running') {
        return theme.paint(fit(` ${w.preflightRunning(pf.nodes, pf.elapsed)}`, width), 'wait');
      }
      if (p.confirm)
        return theme.paint(fit(` ? ${w.confirmWaits(p.confirm.node, p.waiting - 1, p.confirm.typed, p.confirm.command)}`, width), 'ask');
      const a = p.activity;
      if (a) {
        const clock = (ms: number) => formatClock(Math.max(0, ms)).replace(/^00:/, '');
        const next = a.gate ? Math.ceil(a.gate.nextInMs / 1000) : 0;
        const text = w.activity({
          title: a.title,
          where: a.nodes.length === 1 ? a.nodes[0]! : w.nodes(a.nodes.length),
          elapsed: clock(a.elapsedMs),
          ...(a.gate
            ? { gate: { attempt: a.gate.attempt, ...(next > 0 ? { next: next > 90 ? clock(a.gate.nextInMs) : w.seconds(next) } : {}) } }
            : {}),
          ...(a.deadlineMs !== undefined ? { deadline: clock(a.deadlineMs) } : {}),
          others: a.others,
        });
        return theme.paint(fit(` ${text}`, width), a.gate ? 'wait' : 'run');
      }
      if (p.phase === 'running') return theme.paint(fit(` ${w.between}`, width), 'muted');
      return theme.paint(fit(p.waiting > 1 ? ` ${w.confirmationsWaiting(p.waiting)}` : '', width), 'muted');
    }
  }
}
