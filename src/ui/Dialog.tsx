// A dialog in a box: the confirmation, the quit dialog, the reason prompt.
import React, { memo, useMemo } from 'react';
import { boxed } from './box.js';
import { dialogBody, type DialogText } from './dialogs.js';
import { Lines } from './Lines.js';
import type { Theme } from './theme.js';

export interface DialogProps {
  dialog: DialogText;
  width: number;
  height: number;
  theme: Theme;
}

/** The dialog's rows in its box (none without a dialog). */
export function useDialogLines(dialog: DialogText | undefined, width: number, height: number, theme: Theme): string[] {
  return useMemo(() => (dialog ? boxed(dialog.title, dialogBody(dialog, height, theme), width, height, theme, dialog.tone) : []), [dialog, width, height, theme]);
}

export const Dialog = memo(function Dialog({ dialog, width, height, theme }: DialogProps) {
  return <Lines lines={useDialogLines(dialog, width, height, theme)} width={width} height={height} />;
});
