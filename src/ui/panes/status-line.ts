// The status line, above the help bar: the filter being typed, the last message, the decision
// waiting for the operator (a failure, an interruption), or what the run is doing.
import type { Prompt, RunState } from '../../engine/state.js';
import type { Theme } from '../terminal/theme.js';
import { fit } from '../terminal/text-width.js';

export interface StatusLineProps {
  phase: RunState['phase'];
  outcome?: RunState['outcome'];
  /** Once the run finished: its tallies (tallyText), as plain mode and the reports count them. */
  tally?: string;
  /** How to go on with the run after quitting (resumeCommand); default `runbook play --resume`. */
  resume?: string;
  decision?: Extract<Prompt, { kind: 'failure' | 'interrupted' }>;
  /** Confirmations waiting (the first is on screen). */
  waiting: number;
  filterInput?: string;
  message?: { text: string; error: boolean };
  /** The pre-flight while it checks the nodes, or once it refused some (then nothing ran). */
  preflight?: { status: 'running' | 'passed' | 'failed'; nodes: number; failed: number; elapsed: string };
  width: number;
  theme: Theme;
}

export function statusLine(p: StatusLineProps): string {
  const { theme, width } = p;
  if (p.filterInput !== undefined) return theme.paint(fit(` filter nodes (name, address or state): ${p.filterInput}█`, width), 'accent');
  // An error (a key refused) first; a decision waiting outranks a mere notice.
  if (p.message?.error) return theme.paint(fit(` ${p.message.text}`, width), 'fail');
  const d = p.decision;
  if (!d && p.message && p.phase !== 'finished') return theme.paint(fit(` ${p.message.text}`, width), 'accent');
  if (d) {
    if (d.kind === 'failure')
      return theme.paint(
        fit(` ✖ ${d.step} failed on ${d.node}: ${d.reason}   r retry  s skip  t troubleshoot  q then a aborts`, width),
        'fail',
        { bold: true },
      );
    const choices = [d.choices.includes('verify') ? 'v verify' : '', 'r run again', 'd mark done', 's skip'].filter(Boolean).join('  ');
    return theme.paint(
      fit(` ! ${d.step} on ${d.node} was interrupted${d.command ? ` while running ${d.command}` : ''}: ${choices}`, width),
      'warn',
      { bold: true },
    );
  }
  switch (p.phase) {
    case 'ready':
      return theme.paint(fit(' Ready. Press enter to start the run; ? shows every key.', width), 'accent');
    case 'paused':
      return theme.paint(fit(' Paused: nothing new starts. Press enter to continue.', width), 'warn');
    case 'aborting':
      return theme.paint(fit(' Aborting: nothing new starts; running commands are let finish. q leaves.', width), 'warn');
    case 'finished': {
      const pf = p.preflight;
      if (pf?.status === 'failed' && pf.failed > 0) {
        const which = pf.nodes === 1 ? 'the node' : `${pf.failed} of ${pf.nodes} nodes`;
        return theme.paint(
          fit(
            ` Nothing ran: the pre-flight failed on ${which}. q quits; fix ${pf.failed === 1 ? 'it' : 'them'}, then ${p.resume ?? 'runbook play --resume'}.`,
            width,
          ),
          'fail',
          { bold: true },
        );
      }
      return theme.paint(
        fit(
          ` The run ${p.outcome === 'passed' ? 'passed' : `ended: ${p.outcome ?? 'finished'}`}${p.tally ? ` (${p.tally})` : ''}. q quits${p.outcome !== 'passed' && p.resume ? `; ${p.resume} continues it` : ''}.`,
          width,
        ),
        p.outcome === 'passed' ? 'ok' : 'fail',
        { bold: true },
      );
    }
    default: {
      const pf = p.preflight;
      if (pf?.status === 'running') {
        const nodes = pf.nodes === 1 ? '1 node' : `${pf.nodes} nodes`;
        return theme.paint(
          fit(
            ` Pre-flight: checking host keys and logins on ${nodes}… ${pf.elapsed}. Nothing runs until every node has answered; q then a aborts.`,
            width,
          ),
          'wait',
        );
      }
      return theme.paint(fit(p.waiting > 1 ? ` ${p.waiting} confirmations waiting` : '', width), 'muted');
    }
  }
}
