// Which dialog is on screen and the layout around it, decided in one place from the screen's
// state: the quit dialog, then a reason being typed, then the confirmation. A confirmation that
// several nodes wait on lists them so that `a` can answer for all; when the list does not fit the
// room a dialog gets at this size, none is listed and `a` is not offered (y still answers this
// node). Whether it fits is decided on the confirmation itself, so opening the quit dialog over it
// does not change what `a` means underneath.
import { computeLayout, type Layout } from '../terminal/layout.js';
import type { Theme } from '../terminal/theme.js';
import { confirmText, dialogRows, type ConfirmInfo, type DialogText } from '../panes/dialogs.js';

export interface DialogLayoutInput {
  columns: number;
  rows: number;
  troubleshoot: boolean;
  /** Rows of the pre-flight report shown in the output pane's place, its title included. */
  reportRows?: number;
  quit?: DialogText;
  /** A training's briefing, before anything else (the quit dialog still goes over it). */
  briefing?: DialogText;
  reason?: DialogText;
  /** The confirmation asked first, with the nodes waiting on the same step (`group`) if any. */
  confirm?: ConfirmInfo;
  theme: Theme;
}

export interface DialogLayout {
  dialog?: DialogText;
  layout: Layout;
  /** The nodes waiting with the confirmation are listed, so `a` answers for them. */
  listed: boolean;
}

export function dialogLayout(input: DialogLayoutInput): DialogLayout {
  // `grow`: the step list and the grid give up their rows so that nothing required is cut. A
  // group's list is not worth that: it is shown only in the room a dialog gets anyway.
  const layoutFor = (d: DialogText | undefined, grow = true) =>
    computeLayout({
      columns: input.columns,
      rows: input.rows,
      troubleshoot: input.troubleshoot,
      modal: d !== undefined,
      ...(d ? { modalRows: dialogRows(d).all, ...(grow ? { modalRequired: dialogRows(d).required } : {}) } : {}),
      ...(input.reportRows !== undefined ? { reportRows: input.reportRows } : {}),
    });
  const info = input.confirm;
  let confirm = info ? confirmText(info, input.columns, input.theme) : undefined;
  let listed = info?.group !== undefined;
  if (info?.group && confirm && dialogRows(confirm).required > layoutFor(confirm, false).modal) {
    listed = false;
    const { group, ...alone } = info;
    confirm = confirmText({ ...alone, unlisted: group.nodes.length - 1 }, input.columns, input.theme);
  }
  const dialog = input.quit ?? input.briefing ?? input.reason ?? confirm;
  return { ...(dialog ? { dialog } : {}), layout: layoutFor(dialog), listed };
}
