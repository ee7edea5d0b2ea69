// Secrets are masked in a command's output before anything else reads it: before the sanitiser
// (which would turn a secret holding an escape sequence or a carriage return into other text),
// before lines are split (a secret may hold line breaks), and across the chunks the wire
// delivers (a node may echo a secret one byte at a time). So the masker sees the decoded stream
// and holds back only the end of it that could still become a secret.

/** What a secret becomes wherever it is shown. */
export const MASK = '••••••';

/**
 * Streaming replacement of every occurrence of any of `forms` by `mask`. At one position the
 * longest form wins; text is handed on as soon as no form can start in it any more.
 */
export class StreamMasker {
  private readonly forms: string[];
  private readonly mask: string;
  private held = '';

  constructor(forms: Iterable<string>, mask: string = MASK) {
    this.forms = [...new Set([...forms].filter((f) => f !== ''))].sort((a, b) => b.length - a.length);
    // A secret made of mask characters would survive its own mask: hide it with nothing instead.
    this.mask = this.forms.some((f) => mask.includes(f)) ? '' : mask;
  }

  /** Whether there is anything to mask at all (when not, write returns its input). */
  get active(): boolean {
    return this.forms.length > 0;
  }

  /** Feeds text; returns what can be handed on now, masked. */
  write(text: string): string {
    if (this.forms.length === 0) return text;
    const buf = this.held + text;
    const hold = this.holdFrom(buf);
    const { out, end } = this.replace(buf, hold);
    this.held = buf.slice(end);
    return out;
  }

  /** Ends the stream: what was held back, masked. */
  end(): string {
    if (this.held === '') return '';
    const { out } = this.replace(this.held, this.held.length);
    this.held = '';
    return out;
  }

  /**
   * Masks every form that starts before `hold`; returns the text up to where it stopped (the
   * end of the last mask, or `hold`).
   */
  private replace(buf: string, hold: number): { out: string; end: number } {
    let out = '';
    let i = 0;
    // The next occurrence of each form at or after i (-1: none left), found again only once passed.
    const next = this.forms.map(() => -2);
    for (;;) {
      let at = -1;
      let len = 0;
      for (let n = 0; n < this.forms.length; n++) {
        const f = this.forms[n]!;
        if (next[n] !== -1 && next[n]! < i) next[n] = buf.indexOf(f, i);
        const k = next[n]!;
        // Forms are longest first: at an equal position the first found is the longest.
        if (k !== -1 && (at === -1 || k < at)) {
          at = k;
          len = f.length;
        }
      }
      if (at === -1 || at >= hold) break;
      out += buf.slice(i, at) + this.mask;
      i = at + len;
    }
    const end = Math.max(i, hold);
    return { out: out + buf.slice(i, end), end };
  }

  /** The first position from which the rest of `buf` is the beginning of a form, but not all of it. */
  private holdFrom(buf: string): number {
    let hold = buf.length;
    for (const f of this.forms) {
      const first = f.charCodeAt(0);
      for (let s = Math.max(0, buf.length - f.length + 1); s < hold; s++) {
        if (buf.charCodeAt(s) === first && f.startsWith(buf.slice(s))) {
          hold = s;
          break;
        }
      }
    }
    return hold;
  }
}
