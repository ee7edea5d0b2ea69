// Every form in which a secret param's value may be printed, for masking: as is, as the renderer
// quotes it, as a JSON string holds it, and, for a secret of several lines, each line long enough
// to be told from ordinary text (a node may print one line of it, or prefix each). What a
// terminal would make of it (escape sequences and carriage returns applied) is a form too, for
// text already sanitised.
import { MASK } from '../transport/mask.js';
import { sanitize } from '../transport/sanitize.js';

/** A line of a multi-line secret shorter than this is not masked on its own (it would hide ordinary words). */
export const MIN_SECRET_LINE = 4;

/** The values of the secret params, in every form worth masking; longest first. */
export function secretForms(params: Record<string, unknown>, secrets: Iterable<string>): string[] {
  const forms = new Set<string>();
  for (const name of secrets) {
    const value = params[name];
    if (value === undefined || String(value) === '') continue;
    const v = String(value);
    // What a terminal shows of it counts only when long enough to be told from ordinary text.
    const shown = sanitize(v);
    const variants = new Set(shown.trim().length >= MIN_SECRET_LINE ? [v, shown] : [v]);
    for (const variant of variants) {
      forms.add(variant);
      forms.add(variant.replaceAll("'", `'\\''`));
      forms.add(variant.replace(/[\\$`]/g, '\\$&'));
      // Inside a JSON string (an API that returns the token, a key file as JSON).
      forms.add(JSON.stringify(variant).slice(1, -1));
      for (const line of variant.split(/\r\n|\r|\n/)) if (line !== variant && line.trim().length >= MIN_SECRET_LINE) forms.add(line);
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** `text` with every one of `forms` (longest first, as secretForms gives them) replaced by the mask. */
export function maskForms(text: string, forms: readonly string[]): string {
  if (forms.length === 0) return text;
  // A secret made of mask characters would survive its own mask: hide it with nothing instead.
  const mask = forms.some((f) => MASK.includes(f)) ? '' : MASK;
  let out = text;
  // Replacing one form can join text into another occurrence: repeat until none is left.
  for (let changed = true; changed;) {
    changed = false;
    for (const form of forms) {
      if (out.includes(form)) {
        out = out.split(form).join(mask);
        changed = true;
      }
    }
  }
  return out;
}
