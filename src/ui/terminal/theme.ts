// Colours and glyphs. Panes build their rows as strings, so styling is done here with SGR codes
// (the only escape sequences the UI ever writes inside a row) rather than a Text element per
// word: rows of text keep a frame cheap at 2,000 nodes. Every state also has its own glyph,
// so a monochrome terminal (theme mono, NO_COLOR, --no-color) tells states apart by shape.
import type { TextColor, TextStyle } from '../../transport/types.js';
import cliSpinners from 'cli-spinners';

export type ThemeName = 'dark' | 'light' | 'mono';

/** What a piece of text means; each theme gives it a colour (or none). */
export type Tone = 'plain' | 'ok' | 'fail' | 'run' | 'wait' | 'ask' | 'warn' | 'muted' | 'accent' | 'title';

/** The state of a step or node, as the screen shows it. */
export type DisplayState =
  | 'idle'
  | 'pending'
  | 'running'
  | 'held'
  | 'polling'
  | 'confirm'
  | 'passed'
  | 'failed'
  /** Skipped by the operator (with a reason). */
  | 'skipped'
  /** Left out because a `when:` was false: the runbook's decision, not the operator's. */
  | 'not-run'
  | 'interrupted'
  | 'refused';

export interface PaintOptions {
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
  underline?: boolean;
}

export interface Theme {
  readonly name: ThemeName;
  /** False for mono: no colour codes at all, only bold, underline and inverse. */
  readonly color: boolean;
  /** Wraps text in the codes for a tone; text without codes when there is nothing to add. */
  paint(text: string, tone: Tone, options?: PaintOptions): string;
  /** A remote program's styled segment, in the codes this theme allows. */
  segment(text: string, style: TextStyle): string;
  /** The tone of a state. */
  tone(state: DisplayState): Tone;
}

/** One glyph per state, distinct in shape. In lists a running step shows a spinner instead. */
export const GLYPH: Readonly<Record<DisplayState, string>> = {
  idle: '○',
  pending: '○',
  running: '◐',
  held: '◇',
  polling: '◔',
  confirm: '?',
  passed: '✔',
  failed: '✖',
  skipped: '⊘',
  'not-run': '◌',
  interrupted: '!',
  refused: '✖',
};

/** The dot map's glyphs: a finished node is a filled dot, as on the design's screen. */
export const DOT: Readonly<Record<DisplayState, string>> = { ...GLYPH, passed: '●' };

/** The frames of the "dots" spinner, from cli-spinners, the data ink-spinner draws. */
export const SPINNER_FRAMES = cliSpinners.dots.frames as unknown as readonly [string, ...string[]];
export const SPINNER_INTERVAL_MS = cliSpinners.dots.interval;
/**
 * Where a spinner goes, in a frame: the screen writer draws the spinner's frames over it, a few
 * bytes and no render (a spinner drawn by Ink would re-render the whole screen 12 times a
 * second: docs/architecture.md).
 */
export const SPINNER_MARK = '\u{E000}';

const TONE_OF: Readonly<Record<DisplayState, Tone>> = {
  idle: 'muted',
  pending: 'muted',
  running: 'run',
  held: 'wait',
  polling: 'wait',
  confirm: 'ask',
  passed: 'ok',
  failed: 'fail',
  skipped: 'muted',
  'not-run': 'muted',
  interrupted: 'warn',
  refused: 'fail',
};

// SGR foreground codes per tone.
const PALETTES: Record<'dark' | 'light', Readonly<Record<Tone, string>>> = {
  dark: { plain: '', ok: '32', fail: '31', run: '36', wait: '33', ask: '35', warn: '33', muted: '90', accent: '36', title: '' },
  light: { plain: '', ok: '32', fail: '31', run: '34', wait: '35', ask: '35', warn: '31', muted: '90', accent: '34', title: '' },
};

const ESC = '\x1b[';
const RESET = '\x1b[0m';

function codes(options: PaintOptions | undefined, extra: string[]): string[] {
  const out = [...extra];
  if (options?.bold) out.push('1');
  if (options?.dim) out.push('2');
  if (options?.underline) out.push('4');
  if (options?.inverse) out.push('7');
  return out;
}

const wrapCodes = (text: string, list: string[]): string =>
  list.length === 0 || text === '' ? text : `${ESC}${list.join(';')}m${text}${RESET}`;

function colorCode(color: TextColor, background: boolean): string {
  if (typeof color === 'number') {
    if (color < 8) return String((background ? 40 : 30) + color);
    if (color < 16) return String((background ? 100 : 90) + color - 8);
    return `${background ? 48 : 38};5;${color}`;
  }
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!hex) return '';
  return `${background ? 48 : 38};2;${parseInt(hex[1]!, 16)};${parseInt(hex[2]!, 16)};${parseInt(hex[3]!, 16)}`;
}

export function createTheme(name: ThemeName): Theme {
  const palette = name === 'mono' ? undefined : PALETTES[name];
  return {
    name,
    color: palette !== undefined,
    paint(text, tone, options) {
      const fg = palette?.[tone];
      return wrapCodes(text, codes(tone === 'title' ? { ...options, bold: true } : options, fg ? [fg] : []));
    },
    segment(text, style) {
      const list: string[] = [];
      if (palette) {
        if (style.fg !== undefined) list.push(colorCode(style.fg, false));
        if (style.bg !== undefined) list.push(colorCode(style.bg, true));
      }
      if (style.bold) list.push('1');
      if (style.dim) list.push('2');
      if (style.italic) list.push('3');
      if (style.underline) list.push('4');
      if (style.inverse) list.push('7');
      if (style.strikethrough) list.push('9');
      return wrapCodes(
        text,
        list.filter((c) => c !== ''),
      );
    },
    tone: (state) => TONE_OF[state],
  };
}

export interface ThemeChoice {
  env: NodeJS.ProcessEnv;
  /** --theme or the settings' theme. */
  theme?: string;
  /** --no-color. */
  noColor?: boolean;
}

/**
 * mono when colour is refused (--no-color, NO_COLOR set and not empty, TERM=dumb), else the
 * named theme, else dark. An unknown theme name is a TypeError naming the option.
 */
export function chooseTheme(choice: ThemeChoice): Theme {
  if (choice.theme !== undefined && !['dark', 'light', 'mono'].includes(choice.theme)) {
    throw new TypeError(`--theme must be dark, light or mono, not "${choice.theme}"`);
  }
  const refused =
    choice.noColor === true || (choice.env.NO_COLOR !== undefined && choice.env.NO_COLOR !== '') || choice.env.TERM === 'dumb';
  if (refused) return createTheme('mono');
  return createTheme((choice.theme as ThemeName | undefined) ?? 'dark');
}
