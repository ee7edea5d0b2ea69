// The panes as what they are: functions from props to rows, checked at fixed sizes.
import { describe, expect, it } from 'vitest';
import { dialogLines } from '../../src/ui/panes/dialog.js';
import { confirmText, quitText, reasonText, type QuitInfo } from '../../src/ui/panes/dialogs.js';
import { headerLine } from '../../src/ui/panes/header.js';
import { helpBarLine } from '../../src/ui/panes/help-bar.js';
import { helpOverlayLines } from '../../src/ui/panes/help-overlay.js';
import { nodeGridLines, type NodeGridProps } from '../../src/ui/panes/node-grid.js';
import { outputPaneLines } from '../../src/ui/panes/output-pane.js';
import { stepListLines } from '../../src/ui/panes/step-list.js';
import { troubleshootPaneLines } from '../../src/ui/panes/troubleshoot-pane.js';
import { createTheme } from '../../src/ui/terminal/theme.js';
import { stripStyle, textWidth } from '../../src/ui/terminal/text-width.js';
import { LineRing } from '../../src/engine/output.js';
import { headerView, nodeVersion, nodeView, stepRows, NO_FACTS, type NodeView } from '../../src/ui/app/view-model.js';
import type { RunState } from '../../src/engine/state.js';
import { atFirstConfirmation, freshState, masterPolling, T0 } from './fixtures.js';

const mono = createTheme('mono');
const dark = createTheme('dark');

function gridProps(state: RunState, over: Partial<NodeGridProps> = {}): NodeGridProps {
  return {
    views: [...state.nodes.values()].map((n) => nodeView(state, n)),
    version: (v: NodeView) => nodeVersion(state, v, NO_FACTS),
    health: new Map(),
    healthVersion: 0,
    probed: new Set(['master']),
    roleTitles: { master: 'Masters', agent: 'Agents' },
    filter: '',
    focused: false,
    width: 60,
    height: 12,
    now: T0 + 60_000,
    theme: mono,
    spinner: '⠋',
    ...over,
  };
}

const widths = (frame: string) => frame.split('\n').map(textWidth);

/** A pane's rows as a terminal shows them: styles removed, trailing blanks removed. */
const shown = (rows: readonly string[]) => ({
  frame: () => rows.map((l) => stripStyle(l).trimEnd()).join('\n'),
  raw: () => rows.join('\n'),
});

describe('the node grid', () => {
  it('3 masters: one row each', async () => {
    const r = shown(nodeGridLines(gridProps(masterPolling(3, 0).state, { selected: 'master-1' })));
    expect(r.frame()).toBe(
      [
        ' Nodes',
        '  node     address         version c h  state',
        '  local    127.0.0.1                    ✔ Supported patch p…',
        '› master-1 10.0.4.1        1.11.1  ◐ ·  ◔ Mesos registrar r…',
        '  master-2 10.0.4.2        1.11.1  ○ ·  ○ pending',
        '  master-3 10.0.4.3        1.11.1  ○ ·  ○ pending',
        ...Array(6).fill(''),
      ].join('\n'),
    );
  });

  it('20 agents: rows when the pane is tall, a dot map when it is not', async () => {
    const state = masterPolling(3, 20).state;
    const tall = shown(nodeGridLines(gridProps(state, { height: 30 })));
    expect(tall.frame().match(/agent-\d+/g)).toHaveLength(20);
    const short = shown(nodeGridLines(gridProps(state, { height: 9 })));
    expect(short.frame()).toContain('Agents 20  ○20 not started');
    expect(short.frame()).toContain('  ○○○○○○○○○○○○○○○○○○○○');
  });

  it('2,000 agents: a summary and a dot map in a few rows; the filter reaches one node', async () => {
    const state = freshState(3, 2000);
    const r = shown(nodeGridLines(gridProps(state, { selected: 'agent-1500', width: 80 })));
    const frame = r.frame();
    expect(frame.split('\n')).toHaveLength(12);
    expect(frame).toContain('Nodes  2004 nodes');
    expect(frame).toContain('Agents 2000  ○2000 not started');
    expect(frame.split('\n').filter((l) => /^ {2}○+$/.test(l))).toHaveLength(3);
    expect(frame).toMatch(/› agent-1500 /);
    const one = shown(nodeGridLines(gridProps(state, { filter: 'agent-1500', width: 80 })));
    expect(one.frame()).toContain('filter: agent-1500 (1/2004)');
    expect(one.frame()).toMatch(/\n {2}agent-1500 /);
  });
});

describe('the confirmation', () => {
  const long =
    'curl -fO http://10.0.0.10:80/upgrade/5f0c3e2a9b7d4c1e8f6a0b3c2d1e4f5a/dcos_node_upgrade.sh && sudo bash dcos_node_upgrade.sh   --verbose';

  it('names the node and the command exactly as it will run, whole, spaces kept', async () => {
    const d = atFirstConfirmation();
    const prompt = {
      ...(d.state.prompts[0] as Extract<RunState['prompts'][number], { kind: 'confirm' }>),
      command: long,
      typed: undefined,
    };
    const dialog = confirmText(
      { prompt, address: '10.0.4.1', role: 'master', typed: '', others: ['agent-1', 'agent-2'], training: false },
      60,
      mono,
    );
    const r = shown(dialogLines({ dialog, width: 60, height: 14, theme: mono }));
    const frame = r.frame();
    expect(frame).toContain('┌ Run on master-1? ');
    expect(frame).toContain('node     master-1  10.0.4.1  master');
    // The command's rows, joined again, give the command back, every character of it.
    const commandRows = frame
      .split('\n')
      .filter((l) => /^│ (command | {8}) \S/.test(l))
      .map((l) => l.slice(11).replace(/\s*│$/, ''));
    expect(commandRows.join('')).toBe(long.replace(/\s+$/, ''));
    expect(frame).toContain('y run it   n refuse   s skip (asks why)');
    expect(frame).toContain('2 more waiting: agent-1, agent-2');
    expect(widths(frame).every((w) => w === 60)).toBe(true);
  });

  it('a typed confirmation shows what has been typed and how to confirm', async () => {
    const d = atFirstConfirmation();
    const prompt = d.state.prompts[0] as Extract<RunState['prompts'][number], { kind: 'confirm' }>;
    const dialog = confirmText({ prompt, typed: 'mast', others: [], training: true, why: 'Installs the new packages.' }, 70, mono);
    const r = shown(dialogLines({ dialog, width: 70, height: 12, theme: mono }));
    expect(r.frame()).toContain('Type master-1 and press enter to run it: mast█');
    expect(r.frame()).toContain('enter run it (when the text matches)   esc refuse');
    expect(r.frame()).toContain('why: Installs the new packages.');
  });

  it('a long reason, typed in Chinese, wraps inside the dialog and keeps its end and cursor on screen', async () => {
    const typed = '主节点三的注册表在重启单元后恢复了，已在日志中确认，继续下一个节点';
    const dialog = reasonText('skip', 'masters/registrar-recovered on master-3', typed, mono, 40);
    const r = shown(dialogLines({ dialog, width: 40, height: 16, theme: mono }));
    const frame = r.frame();
    expect(widths(frame).every((w) => w <= 40)).toBe(true);
    // Every character typed is there, in order, across the rows, and the cursor follows the last.
    const inside = frame
      .split('\n')
      .map((l) => l.replace(/^│ ?| ?│$/g, '').trimEnd())
      .join('');
    expect(inside).toContain(`reason: ${typed}█`);
  });

  it('the quit dialog says what keeps running on the nodes', async () => {
    const dialog = quitText(
      {
        running: [{ node: 'master-2', key: 'masters/run-patch-script', command: 'sudo bash dcos_node_upgrade.sh', startedAt: T0 }],
        now: T0 + 41_000,
        phase: 'running',
      },
      80,
      mono,
    );
    const r = shown(dialogLines({ dialog, width: 80, height: 12, theme: mono }));
    expect(r.frame()).toContain('master-2  masters/run-patch-script  00:00:41');
    expect(r.frame()).toContain('$ sudo bash dcos_node_upgrade.sh');
    expect(r.frame()).toContain('keeps running on its');
    expect(r.frame()).toContain('y quit now   a abort the run (running commands finish)   n stay');
  });

  it('the quit dialog of a training names the command that resumes a training', () => {
    const text = (training: boolean, running: QuitInfo['running']) => {
      const d = quitText({ running, now: T0, phase: 'running', training }, 80, mono);
      return [...d.required, ...d.optional].join(' ');
    };
    const running = [{ node: 'master-2', key: 'masters/run-patch-script', startedAt: T0 }];
    for (const r of [[], running]) {
      expect(text(true, r)).toContain('`runbook train --resume`');
      expect(text(true, r)).not.toContain('play --resume');
      expect(text(false, r)).toContain('`runbook play --resume`');
    }
  });
});

describe('panes', () => {
  it('the step list: states, progress, a frozen spinner, the why in training', async () => {
    const d = masterPolling();
    const rows = stepRows(d.state, new Set(['masters']), T0 + 60_000);
    const r = shown(
      stepListLines({
        rows,
        cursor: 'masters/run-patch-script',
        width: 50,
        height: 9,
        focused: true,
        training: true,
        theme: mono,
        spinner: '⠋',
      }),
    );
    expect(r.frame()).toBe(
      [
        ' Steps ◂',
        ' ✔ Prerequisites',
        ' ⠋ Patch the masters                           0/3',
        '›  ○ Run the node patch script                 1/3',
        '   ◔ Mesos registrar recove… master-1 #1 00:14:41…',
        ' ○ Patch the agents                           0/20',
        '',
        ' Installs the new packages and restarts the DC/OS',
        ' units on this master.',
      ].join('\n'),
    );
  });

  it('the output pane: the lines in view, styled in colour themes only, and where it is scrolled', async () => {
    const lines = [
      {
        stream: 'stdout' as const,
        text: 'Upgrading DC/OS master 1.11.1 -> 1.11.2',
        segments: [
          { text: 'Upgrading', style: { fg: 2, bold: true } },
          { text: ' DC/OS master 1.11.1 -> 1.11.2', style: {} },
        ],
      },
      { stream: 'stderr' as const, text: 'warning:\tslow' },
    ];
    const props = {
      node: 'master-2',
      step: 'run-patch-script',
      command: 'sudo bash dcos_node_upgrade.sh',
      lines,
      scroll: 0,
      total: 2,
      width: 70,
      height: 4,
      focused: false,
      version: 1,
    };
    const r = shown(outputPaneLines({ ...props, theme: dark }));
    expect(r.frame()).toBe(
      [
        ' Output  master-2  run-patch-script  $ sudo bash dcos_node_u… 2 lines',
        'Upgrading DC/OS master 1.11.1 -> 1.11.2',
        'warning:        slow',
      ].join('\n'),
    );
    expect(r.raw()).toMatch(/\x1b\[[0-9;]*32[0-9;]*m(\x1b\[[0-9;]*m)?Upgrading/);
    const m = shown(outputPaneLines({ ...props, theme: mono, scroll: 3 }));
    expect(m.raw()).not.toMatch(/\x1b\[3\d/);
    expect(m.frame()).toContain('↑3 (End follows)');
  });

  it('the troubleshooting pane: numbered commands, the one running live, its output', async () => {
    const lines = new LineRing<{ stream: 'stdout'; text: string }>(10);
    lines.push({ stream: 'stdout', text: 'Mar 08 13:31:02 master-1 mesos-master[2027]: I0308 elected' });
    const r = shown(
      troubleshootPaneLines({
        node: 'master-1',
        commands: [
          { title: 'dcos-mesos-master', live: true },
          { title: 'dcos-exhibitor', live: false },
        ],
        index: 0,
        display: 'sudo journalctl -f -u dcos-mesos-master',
        status: 'running',
        lines: lines.slice(0),
        scroll: 0,
        width: 80,
        height: 5,
        focused: true,
        theme: mono,
        version: 1,
      }),
    );
    expect(r.frame()).toBe(
      [
        ' Troubleshoot ◂  master-1                                                  live',
        ' 1 dcos-mesos-master  2 dcos-exhibitor',
        '  $ sudo journalctl -f -u dcos-mesos-master',
        'Mar 08 13:31:02 master-1 mesos-master[2027]: I0308 elected',
      ].join('\n'),
    );
  });

  it('the header: title, versions, security, step n/N, elapsed, target; CJK title aligned', async () => {
    const state = masterPolling().state;
    const r = shown([headerLine({ view: headerView(state, T0 + 3_723_000, 'sim:happy'), width: 100, theme: mono })]);
    expect(r.frame()).toBe(' Patch a live DC/OS 1.11 c…  1.11.1 -> 1.11.2  security: permissive  step 3/47  01:02:03  sim:happy');
    const wide = shown([headerLine({ view: headerView(state, T0 + 3_723_000, 'sim:happy'), width: 120, theme: mono })]);
    expect(wide.frame()).toMatch(
      /^ Patch a live DC\/OS 1\.11 cluster  1\.11\.1 -> 1\.11\.2  security: permissive +step 3\/47  01:02:03  sim:happy$/,
    );
    const zh = { ...headerView(state, T0, 'sim:happy'), title: '修补正在运行的 DC/OS 1.11 集群' };
    const z = shown([headerLine({ view: zh, width: 80, theme: mono })]);
    // Wide characters counted as two columns: the right part ends where it ends with an ASCII title.
    expect(z.frame()).toBe(' 修补正在运行的 DC/OS…  1.11.1 -> 1.11.2  permissive  3/47  00:00:00  sim:happy');
    const ascii = shown([headerLine({ view: headerView(state, T0, 'sim:happy'), width: 80, theme: mono })]);
    expect(textWidth(z.frame())).toBe(textWidth(ascii.frame()));
    expect(textWidth(z.frame())).toBe(79);
  });

  it('the help bar and the ? overlay come from the keymap', async () => {
    const bar = shown([helpBarLine({ mode: 'confirm', width: 80, theme: mono })]);
    expect(bar.frame()).toBe(' y yes  n no  s skip  q quit');
    const group = shown([helpBarLine({ mode: 'confirm', group: true, width: 80, theme: mono })]);
    expect(group.frame()).toBe(' y yes  a all  n no  s skip  q quit');
    const help = shown(helpOverlayLines({ scroll: 0, width: 90, height: 20, theme: mono }));
    expect(help.frame()).toContain('In the panes');
    expect(help.frame()).toMatch(/enter\s+Start the run, or continue it after a pause\./);
  });
});
