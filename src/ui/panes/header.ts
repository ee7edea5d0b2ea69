// The header row: runbook title, its header fields (versions from and to, security mode),
// step n/N, elapsed time and the target (the cluster's name or sim:<scenario>).
import type { Theme } from '../terminal/theme.js';
import { padEnd, textWidth, truncate } from '../terminal/text-width.js';
import type { HeaderView } from '../app/view-model.js';
import { en, type StateWord, type UiWords } from '../../words/words.js';

const PHASE_WORDS = ['ready', 'paused', 'aborting'] as const;
const isPhaseWord = (p: string): p is (typeof PHASE_WORDS)[number] => (PHASE_WORDS as readonly string[]).includes(p);

export interface HeaderProps {
  view: HeaderView;
  width: number;
  theme: Theme;
  words?: UiWords;
}

export function headerLine({ view, width, theme, words: w = en }: HeaderProps): string {
  // Narrow terminals drop the word "step", "ready" (the status line says it) and the fields'
  // names before anything else.
  const narrow = width < 100;
  const state =
    view.phase === 'finished'
      ? w.state((view.outcome ?? 'finished') as StateWord)
      : view.preflight
        ? w.preflightWord
        : narrow && view.phase === 'ready'
          ? ''
          : isPhaseWord(view.phase)
            ? w.phase[view.phase]
            : '';
  const right = [state, w.stepOf(view.current, view.total, narrow), view.elapsed, view.target].filter(Boolean).join('  ') + ' ';
  const room = Math.max(0, width - textWidth(right) - 2);
  const full = view.fields.map((f) => (/(->|→)/.test(f.value) ? f.value : `${f.name}${w.sep}${f.value}`)).join('  ');
  const short = view.fields.map((f) => f.value).join('  ');
  // The fields (versions, security) matter more than the whole title: the title gives way first.
  const fields = textWidth(full) + 2 + 16 <= room || !narrow ? full : short;
  const fieldsWidth = fields ? textWidth(fields) + 2 : 0;
  const title = truncate(` ${view.title}`, Math.max(Math.min(room, 10), room - fieldsWidth));
  const rest = textWidth(title) + 2 < room ? truncate(`  ${fields}`, room - textWidth(title)) : '';
  const left = theme.paint(title, 'title') + rest;
  const stateTone =
    view.phase === 'finished'
      ? view.outcome === 'passed'
        ? 'ok'
        : 'fail'
      : view.preflight
        ? 'wait'
        : view.phase === 'running'
          ? 'muted'
          : 'warn';
  const rightStyled =
    (state ? `${theme.paint(state, stateTone, { bold: true })}  ` : '') + theme.paint(right.slice(state ? state.length + 2 : 0), 'muted');
  return padEnd(left, Math.max(0, width - textWidth(right))) + rightStyled;
}
