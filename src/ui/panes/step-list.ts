// The step list: every section with its state and progress, the steps of the current section
// (and of the one holding the cursor) with theirs, a spinner on running steps, and
// in training the selected step's `why` (or, once it failed, its hint) under the list.
import { GLYPH, SPINNER_FRAMES, SPINNER_MARK, type DisplayState, type Theme } from '../terminal/theme.js';
import { fit, padEnd, textWidth, truncate, wrap } from '../terminal/text-width.js';
import type { StepRow } from '../app/view-model.js';
import { en, type UiWords } from '../../words/words.js';

export interface StepListProps {
  rows: readonly StepRow[];
  /** The row key the cursor is on. */
  cursor?: string;
  width: number;
  height: number;
  focused: boolean;
  training: boolean;
  theme: Theme;
  /** A running step's glyph: the mark the screen writer animates, or a frozen frame. */
  spinner: string;
  words?: UiWords;
}

export interface StepLine {
  /** The cursor mark and the indent. */
  prefix: string;
  state: DisplayState;
  /** After the glyph, to the row's end: title and detail. */
  rest: string;
  selected: boolean;
}

/** The rows that fit (the cursor kept in view) and the `why` lines under them. Pure. */
export function stepListLayout(props: Pick<StepListProps, 'rows' | 'cursor' | 'width' | 'height' | 'training' | 'words'>): {
  lines: StepLine[];
  why: string[];
} {
  const { rows, cursor, width, height, training, words = en } = props;
  const selected = rows.find((r) => r.key === cursor);
  const explain = training && selected ? explanationOf(selected, words) : undefined;
  const why = explain ? explanation(explain, width - 2, 3, words).map((l) => ` ${l}`) : [];
  const listHeight = Math.max(0, height - 1 - why.length);
  const at = Math.max(
    0,
    rows.findIndex((r) => r.key === cursor),
  );
  const start = Math.max(0, Math.min(at - Math.floor(listHeight / 3), rows.length - listHeight));
  return {
    why,
    lines: rows.slice(start, start + listHeight).map((r): StepLine => {
      const isCursor = r.key === cursor;
      const prefix = `${isCursor ? '›' : ' '}${r.kind === 'step' ? '  ' : ''}`;
      const body = width - textWidth(prefix) - 2;
      const detail = r.detail ? truncate(r.detail, Math.max(0, Math.floor(body * 0.5))) : '';
      const title = fit(r.title, Math.max(0, body - (detail ? textWidth(detail) + 1 : 0)));
      return {
        prefix,
        state: r.state,
        rest: padEnd(` ${title}${detail ? ` ${detail}` : ''}`, width - textWidth(prefix) - 1),
        selected: isCursor,
      };
    }),
  };
}

/** What the list explains of a step: its `why`, or once it failed, its hint. */
export function explanationOf(row: StepRow, words: UiWords = en): string | undefined {
  return row.state === 'failed' && row.hint ? words.hint(row.hint) : row.why;
}

/** An explanation wrapped to `width`, at most `max` rows; cut, its last row ends with `…` and the key that shows it all. */
export function explanation(text: string, width: number, max: number, words: UiWords = en): string[] {
  const lines = wrap(text, width);
  if (lines.length <= max) return lines;
  const kept = lines.slice(0, max);
  const more = words.explainMore;
  const room = Math.max(1, width - textWidth(more));
  const last = kept[max - 1]!;
  kept[max - 1] = (textWidth(last) < room ? `${last}…` : truncate(last, room)) + more;
  return kept;
}

/** The pane's rows, each exactly `width` columns: the title, the step rows, blanks, the why. */
export function stepListLines(props: StepListProps): string[] {
  const { width, height, focused, theme, spinner, words = en } = props;
  const layout = stepListLayout(props);
  const rows: string[] = [theme.paint(fit(focused ? ` ${words.steps} ◂` : ` ${words.steps}`, width), 'title', { underline: focused })];
  for (const l of layout.lines) {
    const inverse = l.selected && focused;
    // A running step's spinner: the screen writer animates the mark (frozen in tests).
    const glyph = l.state === 'running' ? spinner : GLYPH[l.state];
    rows.push(
      theme.paint(l.prefix, 'plain', { inverse }) +
        theme.paint(glyph, theme.tone(l.state), { inverse }) +
        theme.paint(l.rest, l.state === 'pending' && !inverse ? 'muted' : 'plain', { inverse }),
    );
  }
  const blank = Math.max(0, height - 1 - layout.lines.length - layout.why.length);
  for (let i = 0; i < blank; i++) rows.push(' '.repeat(width));
  for (const l of layout.why) rows.push(theme.paint(fit(l, width), 'muted'));
  return rows.slice(0, Math.max(0, height));
}
