// A dialog in a box: the confirmation, the quit dialog, the reason prompt.
import { boxed } from '../terminal/box.js';
import { dialogBody, type DialogText } from './dialogs.js';
import type { Theme } from '../terminal/theme.js';

export interface DialogProps {
  dialog: DialogText;
  width: number;
  height: number;
  theme: Theme;
}

/** The dialog's rows in its box. */
export function dialogLines({ dialog, width, height, theme }: DialogProps): string[] {
  return boxed(dialog.title, dialogBody(dialog, height, theme), width, height, theme, dialog.tone);
}
