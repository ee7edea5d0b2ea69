// Input text shown back to the operator must not be able to drive the terminal: names, keys and
// values taken from a file are escaped before they land in a message.
import { findControl } from '../input/controls.js';

/** Control characters (C0, DEL, C1) and the invisible format characters that reorder text. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'gu');

export const hasUnsafeChars = (text: string): boolean => UNSAFE.test(text);

const MAX_SHOWN = 80;

/** A value quoted for a message: control characters escaped, long values cut. */
export const showText = (text: string): string => `"${escapeText(text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text)}"`;

/** Text (a path) made safe for a message, without quotes and without cutting. */
export function escapeText(text: string): string {
  return text
    .replace(/["\\]/g, (c) => `\\${c}`)
    .replace(UNSAFE_ALL, (c) => {
      const code = c.codePointAt(0) ?? 0;
      if (c === '\n') return '\\n';
      if (c === '\t') return '\\t';
      if (c === '\r') return '\\r';
      return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    });
}

/**
 * Why a node variable cannot be kept: its name or value holds a control character (tab and
 * newline aside). Runbooks show vars in confirmations, where an escape sequence, a carriage
 * return or a conceal code could show another command than the one that runs.
 */
export function varControlProblem(key: string, value: string): string | undefined {
  const inKey = findControl(key);
  const inValue = inKey ? undefined : findControl(value);
  const found = inKey ?? inValue;
  if (!found) return undefined;
  return `the variable ${showText(key)} has the control character ${found.name} in its ${inKey ? 'name' : 'value'} (character ${found.index + 1}); inventory values are shown in confirmations, on screen and in exports, where it could show another command than the one that runs: remove it`;
}
