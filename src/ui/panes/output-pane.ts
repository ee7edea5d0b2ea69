// The output pane: the selected node's output of its current step, live, scrollable. The lines
// come from the runner's bounded store, sanitised by the transport and with secrets redacted.
import type { ShownLine } from './attempt-output.js';
import { outputRow } from './output-lines.js';
import type { Theme } from '../terminal/theme.js';
import { fit, padEnd, textWidth, truncate } from '../terminal/text-width.js';
import { en, type UiWords } from '../../words/words.js';

export interface OutputPaneProps {
  node?: string;
  step?: string;
  /** The command as shown (secrets masked). */
  command?: string;
  /** The lines in view, oldest first; a rule opens each attempt when the step ran more than once. */
  lines: readonly ShownLine[];
  /** Lines scrolled up from the end (0 follows). */
  scroll: number;
  /** Lines kept for this step, and how many went through. */
  total: number;
  width: number;
  height: number;
  focused: boolean;
  theme: Theme;
  /** Changes with every new line (the lines array may be reused). */
  version: number;
  /** The node's deadline, as the run shows it: `⏲ 04:12 the agent expires`. */
  deadline?: string;
  /** How long lines are shown and the keys to read them whole (line-view.ts's lineHint). */
  hint?: string;
  /** The step has ended (or never ran a command): no output is coming, so none is awaited. */
  ended?: boolean;
  words?: UiWords;
}

export function outputTitle(label: string, parts: readonly string[], right: string, width: number, focused: boolean, theme: Theme): string {
  const head = `${focused ? ` ${label} ◂` : ` ${label}`}`;
  const r = right ? ` ${right} ` : '';
  const body = truncate(`${head}  ${parts.filter(Boolean).join('  ')}`, Math.max(0, width - textWidth(r)));
  return theme.paint(padEnd(body, width - textWidth(r)) + r, 'title', { underline: focused });
}

export function outputPaneLines(p: OutputPaneProps): string[] {
  const w = p.words ?? en;
  const lines = p.scroll > 0 ? w.scrolled(p.scroll) : p.total > 0 ? w.lines(p.total) : '';
  // The deadline's text explains the countdown; it never takes more than about a third of the row.
  const deadline = p.deadline ? truncate(p.deadline, Math.max(10, Math.floor(p.width * 0.35))) : '';
  const right = [deadline, p.hint ?? '', lines].filter(Boolean).join('  ');
  const title = outputTitle(
    w.output,
    [p.node ?? w.noNodeSelected, p.step ?? '', p.command ? `$ ${p.command}` : ''],
    right,
    p.width,
    p.focused,
    p.theme,
  );
  const empty = p.node ? `  ${p.ended ? w.noOutput : w.noOutputYet}` : '';
  const body =
    p.lines.length === 0
      ? [p.theme.paint(fit(empty, p.width), 'muted')]
      : p.lines.map((l) => (l.rule ? ruleRow(l.text, p.width, p.theme) : outputRow(l, p.width, p.theme)));
  return [title, ...body];
}

/** `── attempt 2 of x, 12:03:04, exit 1 ─────`: the rule between attempts of a step. */
function ruleRow(text: string, width: number, theme: Theme): string {
  const head = truncate(`── ${text} `, width);
  return theme.paint(head + '─'.repeat(Math.max(0, width - textWidth(head))), 'muted');
}
