// No text is cut without saying so (issue 13): a step's explanation under the list ends with …
// and the key that reads it whole; a dialog on a 50x16 terminal keeps its question, the command
// it names and its keys, and says where it left rows out. Through the App into a headless terminal.
import { describe, expect, it } from 'vitest';
import { textWidth } from '../../src/ui/terminal/text-width.js';
import { explanation } from '../../src/ui/panes/step-list.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { runbook, section, stateOf } from '../engine/fixtures.js';
import { patchCluster } from './fixtures.js';
import { mount } from './mount.js';
import type { TermScreen } from './terminal.js';

const WHY =
  'The IAM database is copied to the patched master; the last column, ranges_underreplicated, must fall to zero before the next master goes down for its patch, or IAM ranges lose their quorum and logins fail across the cluster until they re-replicate. Re-run the check each minute and wait.';
const COMMAND = 'curl -fO http://10.0.0.10/upgrade/5f0c1e2d3c4b/dcos_node_upgrade.sh && sudo bash dcos_node_upgrade.sh';

function fits(r: TermScreen): void {
  expect(r.lines()).toHaveLength(r.size.rows);
  for (const l of r.lines()) expect(textWidth(l)).toBeLessThanOrEqual(r.size.columns);
}

describe("a step's explanation under the list", () => {
  it('cut: its last row ends with … and the key; at any width the row fits', () => {
    for (const width of [20, 33, 46]) {
      const rows = explanation(WHY, width, 3);
      expect(rows).toHaveLength(3);
      expect(rows[2]).toMatch(/… e more$/);
      for (const r of rows) expect(textWidth(r)).toBeLessThanOrEqual(width);
    }
    // Whole when it fits: no mark.
    expect(explanation('Short.', 40, 3)).toEqual(['Short.']);
  });

  it('80x24 in training: … e more under the list; e shows it whole in the place of the output pane, e again closes it', async () => {
    const rb = runbook([
      section('masters', [{ id: 'iam', title: 'No under-replicated IAM ranges', run: 'check', why: WHY }], { on: 'master' }),
    ]);
    const t = new FakeTransport().expect('check', { hang: true }, { times: Infinity });
    const { r } = await mount(stateOf(rb, patchCluster(1, 0)), () => t, { columns: 80, rows: 24, training: true });
    const cut = await r.waitFor('… e more');
    expect(cut).not.toContain('Re-run the check each minute and wait.');
    await r.press('e');
    const whole = await r.waitFor(' Why ');
    // In the output pane's place, at the screen's width: every word of it, in order.
    const rows = whole.split('\n');
    const from = rows.findIndex((l) => l.startsWith(' Why '));
    expect(rows[from]).toMatch(/^ Why +No under-replicated IAM ranges +e closes$/);
    const text = rows
      .slice(from + 1, -2)
      .map((l) => l.trim())
      .join(' ');
    expect(text).toContain(WHY);
    fits(r);
    await r.press('e');
    await r.waitFor((f) => !f.includes(' Why ') && f.includes('… e more') && f.includes(' Output '));
  });
});

describe('a dialog at 50x16', () => {
  const destructive = (text?: string) =>
    runbook([
      section(
        'masters',
        [
          {
            id: 'run-patch-script',
            title: 'Run the node patch script',
            run: COMMAND,
            destructive: true,
            confirm: { typed: '{{node.name}}' },
            ...(text ? { text } : {}),
          },
        ],
        { on: 'master' },
      ),
    ]);

  it('a typed confirmation: the question, the whole command, the input and the keys', async () => {
    const t = new FakeTransport();
    const { r } = await mount(stateOf(destructive(), patchCluster(1, 0)), () => t, { columns: 50, rows: 16 });
    await r.press('enter');
    const frame = await r.waitFor('Run on master-1?');
    fits(r);
    // The command whole, across its rows (the label column, then the text).
    const rows = frame.split('\n');
    const at = rows.findIndex((l) => l.startsWith('│ command  '));
    let command = rows[at]!.slice(11, -1).trimEnd();
    for (let i = at + 1; rows[i]!.startsWith('│          ') && rows[i]!.trim() !== '│'; i++) command += rows[i]!.slice(11, -1).trimEnd();
    expect(command.replace(/ /g, '')).toBe(COMMAND.replace(/ /g, ''));
    expect(frame).toMatch(/Type master-1 and press/);
    // The keys, whole, inside the box.
    expect(frame).toContain('enter run it (when the text matches)');
    expect(frame).toContain('esc refuse');
    expect(t.calls).toEqual([]);
  });

  it('a long text with it: cut where it may be, said so; the command and keys stay', async () => {
    const text = Array.from({ length: 12 }, (_, i) => `Line ${i + 1} of what the operator must know before this runs.`).join(' ');
    const t = new FakeTransport();
    const { r } = await mount(stateOf(destructive(text), patchCluster(1, 0)), () => t, { columns: 50, rows: 16 });
    await r.press('enter');
    const frame = await r.waitFor('Run on master-1?');
    fits(r);
    expect(frame).toMatch(/│ … \d+ more rows: a taller terminal shows them +│/);
    // The step list and the grid gave up their rows to it first: only their titles are left.
    expect(frame.split('\n')[1]).toMatch(/^ Steps +Nodes$/);
    expect(frame.split('\n')[2]).toMatch(/^┌ Run on master-1\? ─+┐$/);
    expect(frame).toContain('dcos_node_upgrade.sh');
    expect(frame).toContain('esc refuse');
  });

  it('the quit dialog: its keys wrap inside the box instead of running off it', async () => {
    const rb = runbook([section('masters', [{ id: 'long', title: 'Long', run: 'sleep 600' }], { on: 'master' })]);
    const t = new FakeTransport().expect('sleep 600', { hang: true });
    const { r } = await mount(stateOf(rb, patchCluster(1, 0)), () => t, { columns: 50, rows: 16 });
    await r.press('enter');
    await r.waitFor('sleep 600');
    await r.press('q');
    const frame = await r.waitFor('Quit?');
    fits(r);
    expect(frame).toContain('y quit now');
    expect(frame).toContain('a abort the run (running commands finish)');
    expect(frame).toContain('n stay');
  });
});
