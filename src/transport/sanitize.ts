// Remote programs print whatever they like, including sequences that move the cursor, set the
// window title, write the clipboard (OSC 52), ask the terminal to answer (CSI 6n) or reset it.
// Nothing a command prints may reach the operator's terminal or the journal raw, so every byte
// goes through this state machine first. It follows the shape of the VT500 parser (ground,
// escape, CSI, string states) but never executes anything: it keeps printable text, keeps tab,
// turns SGR colours into a parsed style, and drops everything else.
//
// Decisions, each tested in test/transport/sanitize.test.ts:
// - Bare carriage return: the line shows the text after the last `\r`, as a terminal shows a
//   progress bar that redraws itself. The overwritten text is dropped, not merged column by column.
//   `\r\n` is an ordinary line end.
// - Backspace deletes the character before it on the line (so `_\ba` overstrike becomes `a`).
// - A string sequence (OSC, DCS, SOS, PM, APC) ends at BEL, at ST (`ESC \` or U+009C), or at the
//   end of the line: an unterminated one never swallows more than the rest of its line.
// - C1 controls count as code points (U+0080..U+009F, e.g. U+009B is CSI); raw bytes that are not
//   UTF-8 become U+FFFD before they get here, so they can never act as C1 controls.
// - Bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069) are dropped: they would
//   let output show in another order than it was written. Joiners (U+200C, U+200D) stay.
// - A line longer than `maxLineChars` (UTF-16 units) is cut into pieces with `newline: false`
//   and `cut: true`.
// - OutputStream masks secrets before any of this (see mask.ts), keeps a bounded tail of the
//   output whole (`text`, for checks and captures), and hands on at most `maxShownLineChars` of a
//   line: a longer line's head, then how much of it was dropped.

import { StreamMasker } from './mask.js';
import type { OutputLine, StyledSegment, TextColor, TextStyle } from './types.js';

export type { StyledSegment, TextColor, TextStyle } from './types.js';

/** One line out of the sanitiser. */
export interface SanitizedLine {
  text: string;
  /** Only when some part of the line is styled. */
  segments?: StyledSegment[];
  /** False for the last piece of output without a final newline, and for pieces of a cut line. */
  newline: boolean;
  /** A piece of a line longer than maxLineChars: the line goes on in the next piece. */
  cut?: true;
  /** Characters of this line not handed on (set by OutputStream on a cut line's head or its end). */
  dropped?: number;
}

/** What `parse` returns: the plain text and the same text as styled segments. */
export interface ParsedText {
  text: string;
  segments: StyledSegment[];
}

export const DEFAULT_MAX_LINE_CHARS = 1024 * 1024;
export const DEFAULT_MAX_OUTPUT_CHARS = 4 * 1024 * 1024;
/** The longest line handed to onLine (the screen, the journal's tail): a longer one is cut, with a marker. */
export const DEFAULT_MAX_SHOWN_LINE_CHARS = 4096;

const enum State {
  Ground,
  Escape,
  EscapeIntermediate,
  Csi,
  String,
  StringEscape,
}

const ESC = 0x1b;
const BEL = 0x07;
const BS = 0x08;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const CAN = 0x18;
const SUB = 0x1a;
const DEL = 0x7f;
const C1_DCS = 0x90;
const C1_SOS = 0x98;
const C1_CSI = 0x9b;
const C1_ST = 0x9c;
const C1_OSC = 0x9d;
const C1_PM = 0x9e;
const C1_APC = 0x9f;
const MAX_CSI_CHARS = 64;

const PLAIN: TextStyle = Object.freeze({});

/** Bidirectional embeddings, overrides and isolates: they reorder what is shown around them. */
const isBidiControl = (c: number): boolean => (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
const isPrintable = (c: number): boolean => c >= 0x20 && c !== DEL && (c < 0x80 || c > 0x9f) && !isBidiControl(c);
const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/**
 * Streaming sanitiser: feed it decoded text in any chunks (a sequence or a line may be split
 * anywhere); it hands back complete lines. Style carries over from line to line as on a terminal.
 */
export class TerminalSanitizer {
  private state = State.Ground;
  private csi = '';
  private csiInvalid = false;
  private style: TextStyle = PLAIN;
  private styleKey = '';
  private segments: StyledSegment[] = [];
  private segmentKeys: string[] = [];
  private lineLength = 0;
  private pendingCR = false;
  private out: SanitizedLine[] = [];
  private readonly maxLineChars: number;

  constructor(options: { maxLineChars?: number } = {}) {
    this.maxLineChars = Math.max(2, options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS);
  }

  /** Feeds text; returns the lines completed by it. */
  write(text: string): SanitizedLine[] {
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (this.state === State.Ground && isPrintable(c)) {
        // Fast path: take the whole run of printable characters at once.
        let j = i + 1;
        while (j < n && isPrintable(text.charCodeAt(j))) j++;
        this.appendText(text.slice(i, j));
        i = j;
        continue;
      }
      this.step(c);
      i++;
    }
    return this.take();
  }

  /** Ends the stream: returns the last line if it has text (a dangling sequence is dropped). */
  end(): SanitizedLine[] {
    this.state = State.Ground;
    this.pendingCR = false;
    if (this.lineLength > 0) this.emit(false);
    return this.take();
  }

  private take(): SanitizedLine[] {
    const lines = this.out;
    this.out = [];
    return lines;
  }

  private step(c: number): void {
    switch (this.state) {
      case State.Ground:
        return this.ground(c);
      case State.Escape:
        return this.escape(c);
      case State.EscapeIntermediate:
        if (c >= 0x20 && c <= 0x2f) return;
        if (c >= 0x30 && c <= 0x7e) {
          this.state = State.Ground;
          return;
        }
        return this.abortAnd(c);
      case State.Csi:
        return this.csiChar(c);
      case State.String:
        if (c === BEL || c === C1_ST || c === CAN || c === SUB) this.state = State.Ground;
        else if (c === ESC) this.state = State.StringEscape;
        else if (c === LF) this.abortAnd(c);
        return;
      case State.StringEscape:
        if (c === 0x5c) {
          this.state = State.Ground;
          return;
        }
        // ESC followed by anything else ends the string and starts a new escape sequence.
        this.state = State.Escape;
        return this.escape(c);
    }
  }

  /** Drops the sequence in progress and handles `c` as if in the ground state. */
  private abortAnd(c: number): void {
    this.state = State.Ground;
    if (c === ESC) this.state = State.Escape;
    else if (c !== CAN && c !== SUB) this.ground(c);
  }

  private ground(c: number): void {
    if (isPrintable(c) || c === TAB) {
      this.appendText(String.fromCharCode(c));
      return;
    }
    switch (c) {
      case LF:
        this.pendingCR = false;
        this.emit(true);
        return;
      case CR:
        this.pendingCR = true;
        return;
      case BS:
        this.resolveCR();
        this.backspace();
        return;
      case ESC:
        this.state = State.Escape;
        return;
      case C1_CSI:
        this.startCsi();
        return;
      case C1_OSC:
      case C1_DCS:
      case C1_SOS:
      case C1_PM:
      case C1_APC:
        this.state = State.String;
        return;
      default:
        // BEL, other C0, DEL, the remaining C1 controls: dropped.
        return;
    }
  }

  private escape(c: number): void {
    if (c === 0x5b) return this.startCsi(); // [
    if (c === 0x5d || c === 0x50 || c === 0x58 || c === 0x5e || c === 0x5f) {
      // ] OSC, P DCS, X SOS, ^ PM, _ APC
      this.state = State.String;
      return;
    }
    if (c >= 0x20 && c <= 0x2f) {
      this.state = State.EscapeIntermediate;
      return;
    }
    if (c >= 0x30 && c <= 0x7e) {
      // A two-character sequence such as ESC c (reset), ESC 7, ESC M: dropped.
      this.state = State.Ground;
      return;
    }
    if (c === ESC) return;
    if (c < 0x20 && c !== LF && c !== CR && c !== CAN && c !== SUB) return;
    if (c === DEL) return;
    this.abortAnd(c);
  }

  private startCsi(): void {
    this.state = State.Csi;
    this.csi = '';
    this.csiInvalid = false;
  }

  private csiChar(c: number): void {
    if (c >= 0x40 && c <= 0x7e) {
      this.state = State.Ground;
      if (c === 0x6d && !this.csiInvalid) this.applySgr(this.csi); // m
      return;
    }
    if (c >= 0x20 && c <= 0x3f) {
      // Parameters (0x30-0x3f) may not follow intermediates (0x20-0x2f); SGR has neither
      // intermediates nor private markers, so anything unusual just makes it not SGR.
      if (c <= 0x2f || c >= 0x3c || this.csi.length >= MAX_CSI_CHARS) this.csiInvalid = true;
      else this.csi += String.fromCharCode(c);
      return;
    }
    if (c === LF || c === ESC || c === CAN || c === SUB || c >= 0x80) return this.abortAnd(c);
    // Other C0 controls and DEL inside a CSI are ignored.
  }

  private applySgr(params: string): void {
    const ps = params === '' ? ['0'] : params.split(';');
    let s: TextStyle = { ...this.style };
    const color = (sub: string[], rest: string[], at: number): { color?: TextColor; used: number } => {
      // Either 38:5:n / 38:2::r:g:b (sub-parameters) or 38;5;n / 38;2;r;g;b (following parameters).
      const args = sub.length > 1 ? sub.slice(1) : rest.slice(at + 1);
      const used = sub.length > 1 ? 0 : undefined;
      const kind = Number(args[0]);
      if (kind === 5) {
        const n = Number(args[1]);
        return { color: Number.isInteger(n) && n >= 0 && n <= 255 ? n : undefined, used: used ?? 2 };
      }
      if (kind === 2) {
        // With sub-parameters a colour-space id may come first (38:2::r:g:b).
        const rgb = sub.length > 1 && args.length >= 5 ? args.slice(2, 5) : args.slice(1, 4);
        const [r, g, b] = rgb.map((x) => Number(x === '' ? 0 : x));
        const ok = [r, g, b].every((x) => x !== undefined && Number.isInteger(x) && x >= 0 && x <= 255);
        const hex = (x: number | undefined): string => (x ?? 0).toString(16).padStart(2, '0');
        return { color: ok ? (`#${hex(r)}${hex(g)}${hex(b)}` as TextColor) : undefined, used: used ?? 4 };
      }
      return { used: used ?? ps.length };
    };
    for (let i = 0; i < ps.length; i++) {
      const sub = (ps[i] ?? '').split(':');
      const n = sub[0] === '' ? 0 : Number(sub[0]);
      if (!Number.isInteger(n)) continue;
      if (n === 0) s = {};
      else if (n === 1) s.bold = true;
      else if (n === 2) s.dim = true;
      else if (n === 3) s.italic = true;
      else if (n === 4) {
        if (sub.length > 1 && sub[1] === '0') delete s.underline;
        else s.underline = true;
      } else if (n === 7) s.inverse = true;
      else if (n === 9) s.strikethrough = true;
      else if (n === 21) s.underline = true;
      else if (n === 22) {
        delete s.bold;
        delete s.dim;
      } else if (n === 23) delete s.italic;
      else if (n === 24) delete s.underline;
      else if (n === 27) delete s.inverse;
      else if (n === 29) delete s.strikethrough;
      else if (n >= 30 && n <= 37) s.fg = n - 30;
      else if (n === 39) delete s.fg;
      else if (n >= 40 && n <= 47) s.bg = n - 40;
      else if (n === 49) delete s.bg;
      else if (n >= 90 && n <= 97) s.fg = n - 90 + 8;
      else if (n >= 100 && n <= 107) s.bg = n - 100 + 8;
      else if (n === 38 || n === 48 || n === 58) {
        const r = color(sub, ps, i);
        i += r.used;
        if (n === 58 || r.color === undefined) continue; // underline colour: not kept
        if (n === 38) s.fg = r.color;
        else s.bg = r.color;
      }
      // Anything else (blink, conceal, fonts, overline...) is dropped on purpose.
    }
    s = Object.freeze(s);
    this.style = s;
    this.styleKey = styleKey(s);
  }

  private resolveCR(): void {
    if (!this.pendingCR) return;
    this.pendingCR = false;
    this.segments = [];
    this.segmentKeys = [];
    this.lineLength = 0;
  }

  private appendText(text: string): void {
    this.resolveCR();
    let rest = text;
    while (rest.length > 0) {
      let room = this.maxLineChars - this.lineLength;
      if (rest.length <= room) {
        this.push(rest);
        return;
      }
      // Do not cut a surrogate pair in two.
      if (room > 0 && isHighSurrogate(rest.charCodeAt(room - 1))) room--;
      if (room > 0) this.push(rest.slice(0, room));
      rest = rest.slice(room);
      this.emit(false, true);
    }
  }

  private push(text: string): void {
    const last = this.segments.length - 1;
    if (last >= 0 && this.segmentKeys[last] === this.styleKey) {
      const seg = this.segments[last]!;
      this.segments[last] = { text: seg.text + text, style: seg.style };
    } else {
      this.segments.push({ text, style: this.style });
      this.segmentKeys.push(this.styleKey);
    }
    this.lineLength += text.length;
  }

  private backspace(): void {
    const last = this.segments.length - 1;
    const seg = this.segments[last];
    if (!seg) return;
    const t = seg.text;
    let cut = 1;
    if (t.length >= 2 && isLowSurrogate(t.charCodeAt(t.length - 1)) && isHighSurrogate(t.charCodeAt(t.length - 2))) cut = 2;
    const text = t.slice(0, t.length - cut);
    this.lineLength -= t.length - text.length;
    if (text === '') {
      this.segments.pop();
      this.segmentKeys.pop();
    } else {
      this.segments[last] = { text, style: seg.style };
    }
  }

  private emit(newline: boolean, cut = false): void {
    const segments = this.segments;
    const text = segments.length === 1 ? segments[0]!.text : segments.map((s) => s.text).join('');
    const styled = this.segmentKeys.some((k) => k !== '');
    const line: SanitizedLine = styled ? { text, segments, newline } : { text, newline };
    if (cut) line.cut = true;
    this.out.push(line);
    this.segments = [];
    this.segmentKeys = [];
    this.lineLength = 0;
  }
}

function styleKey(s: TextStyle): string {
  const parts: string[] = [];
  for (const k of Object.keys(s).sort()) parts.push(`${k}=${String(s[k as keyof TextStyle])}`);
  return parts.join(',');
}

/** Parses a whole string: the plain text (lines joined by `\n`) and its styled segments. */
export function parse(input: string): ParsedText {
  const t = new TerminalSanitizer({ maxLineChars: Number.MAX_SAFE_INTEGER });
  const lines = [...t.write(input), ...t.end()];
  const segments: StyledSegment[] = [];
  let text = '';
  for (const line of lines) {
    const segs = line.segments ?? (line.text ? [{ text: line.text, style: PLAIN }] : []);
    for (const seg of segs) segments.push(seg);
    text += line.text;
    if (line.newline) {
      text += '\n';
      const prev = segments[segments.length - 1];
      if (prev && prev.style === PLAIN) segments[segments.length - 1] = { text: prev.text + '\n', style: PLAIN };
      else segments.push({ text: '\n', style: PLAIN });
    }
  }
  return { text, segments };
}

/** The plain text of `input`, with every control sequence made harmless. */
export function sanitize(input: string): string {
  return parse(input).text;
}

export interface OutputStreamOptions {
  /** Longest line before it is cut (UTF-16 units). Default 1 MiB. */
  maxLineChars?: number;
  /** How much of the output `text` keeps: the last this many UTF-16 units. Default 4 MiB. */
  maxChars?: number;
  /** Texts (secrets) masked in the decoded output before it is sanitised or split into lines. */
  mask?: readonly string[];
  /**
   * The longest line handed to onLine. A longer line is handed on as its head, then, once it
   * ends, a line saying how much of it was dropped (`text` keeps it whole). Default 4,096.
   */
  maxShownLineChars?: number;
}

/**
 * One output stream of one command: bytes in (split anywhere, even inside a UTF-8 character),
 * secrets masked, sanitised lines out through `onLine`, and a bounded copy of the tail in `text`.
 */
export class OutputStream {
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  private readonly sanitizer: TerminalSanitizer;
  private readonly masker: StreamMasker;
  private readonly maxChars: number;
  private readonly maxShown: number;
  /** Characters of the line being cut that were not handed on; -1 when no line is being cut. */
  private dropped = -1;
  private kept: string[] = [];
  private keptStart = 0;
  private keptChars = 0;
  private ended = false;
  /** True once some of the output had to be dropped to stay within `maxChars`. */
  truncated = false;

  constructor(
    private readonly onLine?: (line: SanitizedLine) => void,
    options: OutputStreamOptions = {},
  ) {
    this.sanitizer = new TerminalSanitizer({ maxLineChars: options.maxLineChars });
    this.masker = new StreamMasker(options.mask ?? []);
    this.maxChars = Math.max(1, options.maxChars ?? DEFAULT_MAX_OUTPUT_CHARS);
    this.maxShown = Math.max(1, options.maxShownLineChars ?? DEFAULT_MAX_SHOWN_LINE_CHARS);
  }

  write(chunk: Uint8Array | string): void {
    if (this.ended) return;
    const decoded = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const text = this.masker.write(decoded);
    if (text) this.deliver(this.sanitizer.write(text));
  }

  /** Flushes a partial character and the last line. Safe to call twice. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const tail = this.masker.write(this.decoder.decode()) + this.masker.end();
    const lines = tail ? this.sanitizer.write(tail) : [];
    this.deliver([...lines, ...this.sanitizer.end()]);
  }

  /** The sanitised output kept so far (its tail, when truncated). */
  get text(): string {
    if (this.keptStart > 0) this.compact();
    return this.kept.join('');
  }

  private deliver(lines: SanitizedLine[]): void {
    for (const line of lines) {
      this.keep(line.newline ? line.text + '\n' : line.text);
      if (this.onLine) this.show(line, this.onLine);
    }
  }

  /**
   * Hands a line on, bounded: what is shown and journalled of a node that prints gigabytes
   * without a newline is its first characters and a count of the rest, never the rest.
   */
  private show(line: SanitizedLine, onLine: (line: SanitizedLine) => void): void {
    if (this.dropped >= 0) {
      this.dropped += line.text.length;
      if (line.cut) return;
      onLine({
        text: `[… ${this.dropped.toLocaleString('en-US')} more characters of the line above not kept]`,
        newline: line.newline,
        dropped: this.dropped,
      });
      this.dropped = -1;
      return;
    }
    if (line.text.length <= this.maxShown) {
      onLine(line);
      return;
    }
    const rest = line.text.length - this.maxShown;
    if (line.cut) {
      // The line goes on: its head now, how much was dropped once it ends.
      this.dropped = rest;
      onLine({ ...headOf(line, this.maxShown, ' …'), newline: false, cut: true });
    } else
      onLine({
        ...headOf(line, this.maxShown, ` … [${rest.toLocaleString('en-US')} more characters of this line not kept]`),
        newline: line.newline,
        dropped: rest,
      });
  }

  private keep(piece: string): void {
    if (piece.length > this.maxChars) {
      piece = piece.slice(piece.length - this.maxChars);
      this.truncated = true;
    }
    this.kept.push(piece);
    this.keptChars += piece.length;
    while (this.keptChars > this.maxChars) {
      const first = this.kept[this.keptStart]!;
      const excess = this.keptChars - this.maxChars;
      this.truncated = true;
      if (first.length <= excess) {
        // Let go of it now: the array is compacted only now and then, and a piece may be a megabyte.
        this.kept[this.keptStart] = '';
        this.keptStart++;
        this.keptChars -= first.length;
      } else {
        // Do not leave half a surrogate pair at the start.
        const cut = isLowSurrogate(first.charCodeAt(excess)) ? excess + 1 : excess;
        this.kept[this.keptStart] = first.slice(cut);
        this.keptChars -= cut;
      }
    }
    if (this.keptStart > 1024 && this.keptStart * 2 > this.kept.length) this.compact();
  }

  private compact(): void {
    this.kept = this.kept.slice(this.keptStart);
    this.keptStart = 0;
  }
}

/**
 * A copy of a string that does not hold on to the one it was cut from: V8 keeps a slice as a view
 * of its parent, and the head of a megabyte line must not keep the megabyte alive.
 */
const detached = (text: string): string => Buffer.from(text, 'utf16le').toString('utf16le');

/** The first `max` characters of a line (a surrogate pair kept whole), then `marker`, unstyled. */
export function headOf<L extends { text: string; segments?: StyledSegment[] }>(line: L, max: number, marker: string): L {
  const n = max > 0 && isHighSurrogate(line.text.charCodeAt(max - 1)) ? max - 1 : max;
  const text = detached(line.text.slice(0, n) + marker);
  if (!line.segments) return { ...line, text };
  const segments: StyledSegment[] = [];
  let left = n;
  for (const seg of line.segments) {
    if (left <= 0) break;
    segments.push({ text: detached(seg.text.length <= left ? seg.text : seg.text.slice(0, left)), style: seg.style });
    left -= seg.text.length;
  }
  segments.push({ text: marker, style: PLAIN });
  return { ...line, text, segments };
}

/** Makes the OutputLine a transport hands to `onOutput`. */
export function toOutputLine(stream: OutputLine['stream'], line: SanitizedLine): OutputLine {
  const out: OutputLine = line.segments ? { stream, text: line.text, segments: line.segments } : { stream, text: line.text };
  if (line.cut) out.cut = true;
  if (line.dropped !== undefined) out.dropped = line.dropped;
  return out;
}
