// Which dialog is shown and whether the nodes waiting with a confirmation are listed (so that `a`
// answers for them), decided once from the screen's state: a table of sizes and dialogs.
import { describe, expect, it } from 'vitest';
import type { Prompt } from '../../src/engine/state.js';
import { dialogLayout } from '../../src/ui/app/dialog-layout.js';
import { dialogRows, quitText, type ConfirmInfo } from '../../src/ui/panes/dialogs.js';
import { stripStyle } from '../../src/ui/terminal/text-width.js';
import { createTheme } from '../../src/ui/terminal/theme.js';
import { atFirstConfirmation, T0 } from './fixtures.js';

const theme = createTheme('mono');
const asked = { ...(atFirstConfirmation().state.prompts[0] as Extract<Prompt, { kind: 'confirm' }>), typed: undefined, node: 'agent-1' };

function confirm(nodes: number, perNode: boolean): ConfirmInfo {
  const group = Array.from({ length: nodes }, (_, i) => ({
    node: `agent-${i + 1}`,
    address: `10.0.1.${i + 1}`,
    command: perNode
      ? `ssh-keyscan 10.0.1.${i + 1} && sudo rm -f /opt/mesosphere/lib/libltdl.so.7`
      : 'sudo rm -f /opt/mesosphere/lib/libltdl.so.7',
  }));
  return {
    prompt: asked,
    typed: '',
    others: [],
    training: false,
    ...(nodes > 1 ? { group: { nodes: group, sameCommand: !perNode } } : {}),
  };
}
const quit = (columns: number) => quitText({ running: [], now: T0, phase: 'running' }, columns, theme);
const text = (d: { required: readonly string[]; optional: readonly string[] } | undefined) =>
  stripStyle([...(d?.required ?? []), ...(d?.optional ?? [])].join('\n'));

describe('dialogLayout', () => {
  it.each([
    // columns, rows, nodes waiting, a command each, quit open: listed, what the dialog says
    [100, 40, 3, true, false, true, 'a runs it on all 3, each its own command:'],
    [100, 40, 3, false, false, true, 'a runs it on all 3, the same command on each:'],
    [60, 14, 3, true, false, false, '2 more nodes wait on this step: too many to list at this size'],
    [100, 40, 1, false, false, false, 'node agent-1 command curl -fO'],
    // The quit dialog over a confirmation: what `a` means underneath does not change.
    [100, 40, 3, true, true, true, 'Quit?'],
    [60, 14, 3, true, true, false, 'Quit?'],
  ])('%ix%i, %i waiting (own commands: %s), quit open: %s -> listed %s', (columns, rows, nodes, perNode, quitOpen, listed, says) => {
    const placed = dialogLayout({
      columns,
      rows,
      troubleshoot: false,
      confirm: confirm(nodes, perNode),
      ...(quitOpen ? { quit: quit(columns) } : {}),
      theme,
    });
    expect(placed.listed).toBe(listed);
    expect(placed.dialog).toBeDefined();
    expect(`${placed.dialog!.title}\n${text(placed.dialog)}`.replace(/\s+/g, ' ')).toContain(says);
    // The dialog shown always has room for what it must say.
    expect(dialogRows(placed.dialog!).required).toBeLessThanOrEqual(placed.layout.modal);
  });

  it('no dialog: the layout has no modal rows', () => {
    const placed = dialogLayout({ columns: 100, rows: 40, troubleshoot: true, theme });
    expect(placed.dialog).toBeUndefined();
    expect(placed.listed).toBe(false);
    expect(placed.layout.modal).toBe(0);
    expect(placed.layout.troubleshoot).toBeGreaterThan(0);
  });
});
