// Text of our own making (runbook text, params, inventory values, journal records) has no
// business carrying control characters to a terminal or an export: tab and newline aside, the
// C0 and C1 controls, DEL, and the marks that reorder text shown around them (bidirectional
// overrides, isolates and marks). The same set the screen writer refuses.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const CONTROL_ALL = new RegExp(CONTROL.source, 'g');

/** `text` without control characters (tab and newline stay); an escape sequence loses its ESC and shows as text. */
export function stripControls(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROL_ALL, '') : text;
}

/** `text` with each control character written out as an escape (`\x1b`, `\u202e`), for a message that quotes input. */
export function escapeControls(text: string): string {
  return CONTROL.test(text)
    ? text.replace(CONTROL_ALL, (c) => {
        const code = c.charCodeAt(0);
        return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
      })
    : text;
}

/** The first control character in `text` (tab and newline allowed): where, and its name for a message. */
export function findControl(text: string): { index: number; name: string } | undefined {
  const m = CONTROL.exec(text);
  if (!m) return undefined;
  const c = m[0].charCodeAt(0);
  return { index: m.index, name: controlName(c) };
}

const C0_NAMES = [
  'NUL',
  'SOH',
  'STX',
  'ETX',
  'EOT',
  'ENQ',
  'ACK',
  'BEL',
  'BS',
  'TAB',
  'LF',
  'VT',
  'FF',
  'CR',
  'SO',
  'SI',
  'DLE',
  'DC1',
  'DC2',
  'DC3',
  'DC4',
  'NAK',
  'SYN',
  'ETB',
  'CAN',
  'EM',
  'SUB',
  'ESC',
  'FS',
  'GS',
  'RS',
  'US',
];

/** "ESC (U+001B)", "U+202E": a control character named so a message can show it without sending it. */
export function controlName(c: number): string {
  const code = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = c < 0x20 ? C0_NAMES[c] : c === 0x7f ? 'DEL' : c === 0x9b ? 'CSI' : c === 0x9d ? 'OSC' : undefined;
  return name ? `${name} (${code})` : code;
}
