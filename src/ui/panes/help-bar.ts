// The help bar: the keys that apply now, from the keymap. A key that would do nothing (retry with
// nothing failed, enter while the run goes) is not shown; an interrupted step shows v/r/d/s, each
// with what it does. When the row is too narrow the least needed keys give way first, and q
// never does.
import { keyWords } from '../key-words.js';
import { BINDINGS, keyLabel, type CommandId, type Mode } from '../app/keymap.js';
import type { Prompt, RunState } from '../../engine/state.js';
import type { Theme } from '../terminal/theme.js';
import { padEnd, textWidth, truncateStyled } from '../terminal/text-width.js';
import { en, type UiWords } from '../../words/words.js';

export interface HelpBarProps {
  mode: Mode;
  /** Several nodes wait on the confirmation's step (its `a` applies). */
  group?: boolean;
  /** The run's phase: enter applies only before the start and during a pause. */
  phase?: RunState['phase'];
  /** The decision the operator owes (a failure, an interruption), if any. */
  decision?: Extract<Prompt, { kind: 'failure' | 'interrupted' }>;
  width: number;
  theme: Theme;
  words?: UiWords;
}

interface Item {
  id: CommandId;
  key: string;
  label: string;
}

/** Lower gives way later; q (quit) never gives way. */
const PRIORITY: Partial<Record<CommandId, number>> = {
  verify: 9,
  retry: 9,
  'mark-done': 9,
  skip: 9,
  run: 8,
  troubleshoot: 6,
  help: 5,
  filter: 3,
  'focus.next': 2,
};

/** Whether a pane key does something now. */
function applies(id: CommandId, p: Pick<HelpBarProps, 'phase' | 'decision'>): boolean {
  switch (id) {
    case 'run':
      return p.phase === undefined || p.phase === 'ready' || p.phase === 'paused';
    case 'retry':
    case 'skip':
      return p.decision !== undefined;
    case 'verify':
      return p.decision?.kind === 'interrupted' && p.decision.choices.includes('verify');
    case 'mark-done':
      return p.decision?.kind === 'interrupted';
    default:
      return true;
  }
}

/** The bar's items for a mode and the moment: `key label`, in keymap order. */
export function helpItems(mode: Mode, group = false, words: UiWords = en, now: Pick<HelpBarProps, 'phase' | 'decision'> = {}): Item[] {
  const out: Item[] = [];
  const interrupted = now.decision?.kind === 'interrupted';
  const c = words.interruptedChoice;
  // What each key does to an interrupted step, in its own words.
  const onInterrupted: Partial<Record<CommandId, string>> = { verify: c.verify, retry: c.rerun, 'mark-done': c['mark-done'], skip: c.skip };
  for (const b of BINDINGS) {
    if (!b.modes.includes(mode)) continue;
    if (b.barWhen === 'group' && !group) continue;
    const pane = !['confirm', 'typed', 'quit', 'reason', 'filter', 'help'].includes(mode);
    if (pane && !applies(b.id, now)) continue;
    const special = pane && interrupted ? onInterrupted[b.id] : undefined;
    if (!b.bar && !special) continue;
    if (special) {
      const [key, ...rest] = special.split(' ');
      out.push({ id: b.id, key: key!, label: rest.join(' ') });
      continue;
    }
    const key = b.id === 'confirm.yes' || b.id === 'confirm.no' ? b.keys[0]! : keyLabel(b.keys[0]!);
    out.push({ id: b.id, key, label: keyWords(words).commands[b.id].label });
  }
  // The interrupted step's keys first, in the order the status line gives them.
  if (interrupted) {
    const order: CommandId[] = ['verify', 'retry', 'mark-done', 'skip'];
    out.sort((a, b) => rank(a.id, order) - rank(b.id, order));
  }
  return out;
}

const rank = (id: CommandId, order: readonly CommandId[]): number => {
  const i = order.indexOf(id);
  return i === -1 ? order.length : i;
};

const itemWidth = (i: Item): number => textWidth(`${i.key} ${i.label}`) + 2;

export function helpBarLine({ mode, group, width, theme, words, phase, decision }: HelpBarProps): string {
  const items = helpItems(mode, group, words, { ...(phase ? { phase } : {}), ...(decision ? { decision } : {}) });
  // Drop the least needed key (the rightmost of the lowest priority) until the rest fit; never q.
  const kept = [...items];
  // The last item's two trailing spaces may fall off the row.
  const fits = () => kept.reduce((n, i) => n + itemWidth(i), 1) - 2 <= width;
  while (!fits()) {
    let drop = -1;
    kept.forEach((i, at) => {
      if (i.id === 'quit' || i.id === 'quit.yes' || i.id === 'help.close') return;
      if (drop === -1 || (PRIORITY[i.id] ?? 4) <= (PRIORITY[kept[drop]!.id] ?? 4)) drop = at;
    });
    if (drop === -1) break;
    kept.splice(drop, 1);
  }
  let line = ' ';
  for (const item of kept) line += `${theme.paint(item.key, 'accent', { bold: true })} ${item.label}  `;
  return padEnd(truncateStyled(line.trimEnd(), width), width);
}
