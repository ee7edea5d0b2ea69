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

export const Dialog = memo(function Dialog({ dialog, width, height, theme }: DialogProps) {
  const lines = useMemo(() => boxed(dialog.title, dialogBody(dialog, height, theme), width, height, theme, dialog.tone), [dialog, width, height, theme]);
  return <Lines lines={lines} width={width} height={height} />;
});
