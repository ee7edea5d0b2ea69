// The pre-flight on screen, with a real runner over fake transports: while it connects to every
// node the status line says so and the engine's refusals come back there; when it refuses nodes,
// each one's whole message is readable (scrolled at 80x24, at once at 250x70), the grid marks
// them, and the run's outcome says nothing ran. Nothing runs anywhere.
import { describe, expect, it } from 'vitest';
import type { RunState } from '../../src/engine/state.js';
import type { InventoryNode } from '../../src/inventory/types.js';
import { computeLayout } from '../../src/ui/terminal/layout.js';
import { textWidth } from '../../src/ui/terminal/text-width.js';
import { initialUiState, uiUpdate, type UiContext } from '../../src/ui/app/ui-state.js';
import { nodeView } from '../../src/ui/app/view-model.js';
import { filterNodes } from '../../src/ui/panes/grid.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { runbook, section, stateOf } from '../engine/fixtures.js';
import { patchCluster } from './fixtures.js';
import { mount, wait } from './mount.js';

type Refusal = { ok: false; failure: string; message: string };

/** An SSH-like fake: connect() waits until the test lets the pre-flight finish, then answers per node. */
class ConnectingFake extends FakeTransport {
  connected: string[] = [];
  private release!: () => void;
  private readonly gate = new Promise<void>((r) => (this.release = r));
  constructor(private readonly replies: Record<string, Refusal>) {
    super();
  }
  answer(): void {
    this.release();
  }
  async connect(node: InventoryNode): Promise<{ ok: true } | Refusal> {
    await this.gate;
    this.connected.push(node.name);
    return this.replies[node.name] ?? { ok: true };
  }
}

// The transport's own sentences (see src/transport/ssh-host-key.ts and ssh.ts).
const REFUSED: Record<string, Refusal> = {
  'master-2': {
    ok: false,
    failure: 'host-key-unknown',
    message:
      "The SSH host key of master-2 (10.0.4.2) is not known, so nothing was run there. It offers ED25519 key SHA256:q3Yv0lW2b7cX1eZ9rT4uI8oP6aS5dF3gH2jK1lZ0xC4. If that is the host's key (see ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the host), add it with: ssh-keyscan -t ssh-ed25519 '10.0.4.2' >> '/home/alice/.ssh/known_hosts'; or run again with --accept-new-host-keys to add the keys of hosts never seen before.",
  },
  'agent-1': {
    ok: false,
    failure: 'host-key-changed',
    message:
      "WARNING: THE SSH HOST KEY OF agent-1 (10.0.1.1) HAS CHANGED, so nothing was run there. Someone may be doing something nasty (intercepting the connection), or the host was reinstalled. It now offers ED25519 key SHA256:Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg; /home/alice/.ssh/known_hosts:4 holds ED25519 key SHA256:b2xkb2xkb2xkb2xkb2xkb2xkb2xkb2xkb2xkb2xkb2w for it. Only if you know why it changed, remove the old key with: ssh-keygen -R '10.0.1.1' -f '/home/alice/.ssh/known_hosts', then connect again.",
  },
  'agent-3': {
    ok: false,
    failure: 'auth-failed',
    message: 'Could not log in to agent-3 (10.0.1.3) as core: the server refused every key offered (publickey).',
  },
  'agent-4': {
    ok: false,
    failure: 'connect-failed',
    message: 'Could not connect to agent-4 (10.0.1.4): connect ECONNREFUSED 10.0.1.4:22.',
  },
};

const rb = runbook(
  [
    section('prep', [{ id: 'check', title: 'Supported patch path', run: 'true' }], { on: 'local', title: 'Prerequisites' }),
    section('masters', [{ id: 'patch', title: 'Patch', run: 'patch', destructive: true }], { on: 'master', title: 'Patch the masters' }),
    section('agents', [{ id: 'patch', title: 'Patch', run: 'patch', destructive: true }], {
      on: 'agent',
      strategy: 'parallel',
      title: 'Patch the agents',
    }),
  ],
  { title: 'Patch a live DC/OS 1.11 cluster' },
);

function state(): RunState {
  return stateOf(rb, patchCluster(2, 4));
}

function setup(replies: Record<string, Refusal>) {
  const local = new FakeTransport();
  const ssh = new ConnectingFake(replies);
  return { local, ssh, transportFor: (n: InventoryNode) => (n.name === 'local' ? local : ssh) };
}

const TITLE = /^ Pre-flight(?: ◂)? {2}/;

/** The report's rows on screen, and where they are in it (from the title's "a-b of n"). */
function reportOnScreen(frame: string): { rows: string[]; from: number; total?: number } {
  const lines = frame.split('\n');
  const at = lines.findIndex((l) => TITLE.test(l));
  expect(at, frame).toBeGreaterThan(0);
  const where = /(\d+)-(\d+) of (\d+)/.exec(lines[at]!);
  // The pane ends above the status line and the help bar.
  const rows = lines.slice(at + 1, lines.length - 2);
  return where
    ? { rows: rows.slice(0, Number(where[2]) - Number(where[1]) + 1), from: Number(where[1]) - 1, total: Number(where[3]) }
    : { rows, from: 0 };
}

/** Wrapped rows back to their sentences. */
const unwrap = (rows: readonly string[]): string =>
  rows
    .map((r) => r.trim())
    .filter(Boolean)
    .join(' ');

describe('the pre-flight', () => {
  it('80x24: the status line says what is checked, a refused action says why; every refused node is readable by scrolling, marked in the grid; nothing ran', async () => {
    const { local, ssh, transportFor } = setup(REFUSED);
    const { r, runner } = await mount(state(), transportFor, { columns: 80, rows: 24 });
    await r.press('enter');
    let frame = await r.waitFor('Pre-flight: checking host keys and logins on 6 nodes…');
    expect(frame.split('\n')[0]).toContain('pre-flight');
    expect(frame).toMatch(/^ Pre-flight {2}checking 6 nodes {2}00:00:0\d/m);
    expect(unwrap(reportOnScreen(frame).rows)).toContain('Nothing runs until every node has answered.');

    // p asks the engine to pause: it says no while the pre-flight runs, and the status line says why.
    await r.press('p');
    frame = await r.waitFor("can't pause: the pre-flight is checking every node first");
    expect(runner.getState().phase).toBe('running');

    ssh.answer();
    frame = await r.waitFor('Nothing ran: the pre-flight failed on 4 of 6 nodes. q quits');
    expect(await runner.done).toBe('failed');
    expect(frame.split('\n')[0]).toContain('failed');
    // The grid: the first refused node is selected and says why; the report has the focus.
    expect(frame).toMatch(/› master-2 .*✖ host key unknown/);
    frame = await r.waitFor((f) => /^ Pre-flight ◂ {2}4 of 6 nodes cannot be used: nothing ran +1-\d+ of \d+ ↓$/m.test(f));
    for (const l of frame.split('\n')) expect(textWidth(l)).toBeLessThanOrEqual(80);

    // Scroll the report to its end (j, then page down), keeping every row seen in its place.
    const seen: string[] = [];
    let total = Infinity;
    for (let i = 0; i < 60 && seen.filter((x) => x !== undefined).length < total; i++) {
      const { rows, from, total: n } = reportOnScreen(r.frame());
      total = n ?? rows.length;
      rows.forEach((row, k) => (seen[from + k] = row));
      await r.press(i < 3 ? 'j' : 'pagedown');
    }
    expect(seen.length).toBe(total);
    const text = unwrap(seen);
    for (const [node, refusal] of Object.entries(REFUSED)) expect(text, node).toContain(refusal.message);
    expect(text).toContain('✖ master-2  10.0.4.2  host key unknown');
    expect(text).toContain('✖ agent-1  10.0.1.1  host key changed');
    expect(text).toContain('✖ agent-3  10.0.1.3  login refused');
    expect(text).toContain('✖ agent-4  10.0.1.4  unreachable');
    expect(text).toContain('Nothing ran, on any node.');

    // Nothing ran: not on this machine, not on any node.
    local.verify();
    ssh.verify();
    expect(ssh.connected.sort()).toEqual(['agent-1', 'agent-2', 'agent-3', 'agent-4', 'master-1', 'master-2']);
  });

  it('250x70: every refused node and its whole message at once; the grid marks exactly those nodes', async () => {
    const { ssh, transportFor } = setup(REFUSED);
    const { r } = await mount(state(), transportFor, { columns: 250, rows: 70 });
    await r.press('enter');
    await r.waitFor('Pre-flight: checking');
    ssh.answer();
    const frame = await r.waitFor('Nothing ran: the pre-flight failed on 4 of 6 nodes. q quits');
    const { rows, total } = reportOnScreen(frame);
    expect(total).toBeUndefined();
    const text = unwrap(rows);
    for (const refusal of Object.values(REFUSED)) expect(text).toContain(refusal.message);
    for (const [node, label] of [
      ['master-2', 'host key unknown'],
      ['agent-1', 'host key changed'],
      ['agent-3', 'login refused'],
      ['agent-4', 'unreachable'],
    ]) {
      expect(frame).toMatch(new RegExp(` ${node} +10\\.0\\.\\d\\.\\d .*✖ ${label} \\(pre-flight\\)$`, 'm'));
    }
    for (const node of ['master-1', 'agent-2']) expect(frame).toMatch(new RegExp(` ${node} +10\\.0\\.\\d\\.\\d .* ○$`, 'm'));
  });

  it('a passed pre-flight gives the output pane back and the run goes on', async () => {
    const { ssh, transportFor, local } = setup({});
    local.expect('true');
    ssh.expect('patch', {}, { times: 6 });
    const { r } = await mount(state(), transportFor, { columns: 100, rows: 30 });
    await r.press('enter');
    await r.waitFor('Pre-flight: checking');
    ssh.answer();
    const frame = await r.waitFor('Run on master-1?');
    expect(frame).not.toContain('Pre-flight');
    local.verify();
  });

  it('the grid, the filter and the layout: refused nodes are failed, "preflight" finds them, the report takes the rows it needs', async () => {
    const s = state();
    const failed: RunState = {
      ...s,
      phase: 'finished',
      outcome: 'failed',
      preflight: { status: 'failed', nodes: 6, startedAt: 0, failures: [{ node: 'agent-3', failure: 'auth-failed', message: 'no' }] },
    };
    const views = [...failed.nodes.values()].map((n) => nodeView(failed, n));
    expect(views.find((v) => v.name === 'agent-3')).toMatchObject({
      state: 'failed',
      preflight: { label: 'login refused', message: 'no' },
    });
    expect(filterNodes(views, 'preflight', new Map()).map((v) => v.name)).toEqual(['agent-3']);
    expect(filterNodes(views, 'failed', new Map()).map((v) => v.name)).toEqual(['agent-3']);
    // The same node object, another pre-flight: its view is made again.
    expect(nodeView(s, s.nodes.get('agent-3')!).state).toBe('idle');

    expect(computeLayout({ columns: 80, rows: 24, troubleshoot: false, modal: false, reportRows: 40 })).toMatchObject({
      body: 6,
      output: 15,
    });
    expect(computeLayout({ columns: 80, rows: 24, troubleshoot: false, modal: false, reportRows: 5 })).toMatchObject({
      body: 11,
      output: 10,
    });
    expect(computeLayout({ columns: 250, rows: 70, troubleshoot: false, modal: false, reportRows: 40 })).toMatchObject({
      body: 27,
      output: 40,
    });

    // j/k and the page keys scroll the report from its top, within it.
    const ctx = {
      phase: 'finished',
      running: 0,
      stepKeys: [],
      nodeOrder: [],
      nodePage: 1,
      outputLines: 0,
      outputHeight: 9,
      report: { lines: 30, height: 9 },
      troubleshootLines: 0,
      troubleshootHeight: 0,
      troubleshootCount: 0,
      helpLines: 0,
      inTmux: false,
      paneWidth: 80,
      outputWidest: 0,
      troubleshootWidest: 0,
      outputScrollToggled: 0,
      troubleshootScrollToggled: 0,
    } satisfies UiContext;
    let ui = uiUpdate(initialUiState(), { type: 'preflight-failed', at: 0 }, ctx).ui;
    expect(ui.focus).toBe('output');
    const key = (name: string) => (ui = uiUpdate(ui, { type: 'key', name, input: name.length === 1 ? name : '', at: 1 }, ctx).ui);
    key('j');
    key('j');
    expect(ui.reportScroll).toBe(2);
    key('pagedown');
    expect(ui.reportScroll).toBe(10);
    key('end');
    expect(ui.reportScroll).toBe(21);
    key('k');
    expect(ui.reportScroll).toBe(20);
    key('home');
    expect(ui.reportScroll).toBe(0);
    await wait(0);
  });
});
