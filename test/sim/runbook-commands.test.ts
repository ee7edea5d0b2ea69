// Every command the DC/OS runbooks run on a node (steps, troubleshooting, follow variants, health
// probes, files the built-in checks read) is played, section by section, against a simulated
// cluster over SSH, interpolated by the runbook's own template code. None may be "not found",
// and steps that expect an exit status get it on the happy-path cluster.
import { existsSync, readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeScope, render, type Scope } from '../../src/runbook/template.js';
import { type SimCluster, startSimulator } from '../../src/sim/index.js';
import { captureSpec, shapeProblem } from '../../src/runbook/capture-shape.js';
import type { Capture } from '../../src/runbook/schema.js';
import { connect, type RunResult, type Session, sq } from './ssh-client.js';

interface RawStep {
  id: string;
  run?: string;
  expect?: unknown;
  when?: string;
  capture?: Record<string, Capture>;
  check?: { builtin: string; with?: Record<string, unknown> };
}
interface RawSection {
  id: string;
  on?: string | string[];
  steps: RawStep[];
}
interface RawRole {
  troubleshoot?: { title: string; run: string; follow?: string }[];
  health?: { run: string } | { run: string }[];
}
interface RawRunbook {
  params?: Record<string, { default?: string | number | boolean }>;
  sections: RawSection[];
  roles?: Record<string, RawRole>;
}

const RUNBOOKS = ['runbooks/dcos-1.11-patch.yaml', 'runbooks/dcos-1.11-patch.zh-CN.yaml'].filter((f) => existsSync(f));

let sim: SimCluster;
const sessions = new Map<string, Session>();

async function session(node: string): Promise<Session> {
  let s = sessions.get(node);
  if (!s) {
    s = await connect(sim, node);
    sessions.set(node, s);
  }
  return s;
}

function nodeScope(name: string): NodeScope {
  const n = sim.inventory.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`no node ${name}`);
  return {
    name: n.name,
    ip: n.ip,
    address: n.address,
    role: n.roles[0] ?? '',
    roles: n.roles,
    vars: {},
    ...(n.user ? { user: n.user } : {}),
    ...(n.port ? { port: n.port } : {}),
  };
}

/** The first node of each role a section targets. */
function targets(on: string | string[] | undefined): string[] {
  const roles = on === undefined ? ['local'] : Array.isArray(on) ? on : [on];
  return roles
    .filter((r) => r !== 'local')
    .map((r) => sim.inventory.nodes.find((n) => n.roles.includes(r))?.name ?? '')
    .filter(Boolean);
}

function notFound(r: RunResult): boolean {
  return r.exit === 127 || /command not found|: not found\b/.test(r.stderr + r.stdout);
}

describe.each(RUNBOOKS)('%s', (file) => {
  const book = load(readFileSync(file, 'utf8')) as RawRunbook;
  // Params the briefing does not set take their defaults, as in a run.
  const defaults = Object.fromEntries(
    Object.entries(book.params ?? {}).flatMap(([k, p]) => (p.default === undefined ? [] : [[k, p.default]])),
  );
  const played: { node: string; command: string; result: RunResult }[] = [];

  // A fresh cluster per runbook: playing one patches it.
  beforeAll(async () => {
    sim = await startSimulator({ masters: 3, agents: 2, publicAgents: 1, timeScale: 300, seed: 21 });
  });

  afterAll(async () => {
    for (const s of sessions.values()) s.close();
    sessions.clear();
    await sim?.close();
  });

  it('extracts commands to play', () => {
    const count = book.sections.flatMap((s) => s.steps.filter((st) => st.run)).length;
    expect(count).toBeGreaterThan(10);
  });

  it('plays every step command on a node of its role: none is "not found", expected exits hold', async () => {
    const scope: Scope = {
      params: { ...defaults, ...sim.suggestedParams, jwt: sim.token },
      vars: {},
      secrets: new Set(['jwt', 'zk_password']),
      run: { id: '20261206-090000-abcd' },
    };
    for (const section of book.sections) {
      for (const node of targets(section.on)) {
        const s = await session(node);
        for (const step of section.steps) {
          const nodeScoped: Scope = { ...scope, node: nodeScope(node) };
          // Built-in checks read files on the node with cat, after the step's command (as the runner does).
          const readFiles = async (): Promise<void> => {
            for (const v of Object.values(step.check?.with ?? {})) {
              if (typeof v !== 'string') continue;
              const path = render(v, nodeScoped, 'text');
              if (!path.startsWith('/')) continue;
              const r = await s.run(`cat -- ${sq(path)}`);
              played.push({ node, command: `cat -- ${path}`, result: r });
              expect(r.exit, `${node}: cat -- ${path}\n${r.stderr}`).toBe(0);
            }
          };
          if (!step.run) {
            await readFiles();
            continue;
          }
          const command = render(step.run, nodeScoped, 'shell');
          const r = await s.run(command, { timeoutMs: 60_000 });
          played.push({ node, command, result: r });
          expect(notFound(r), `${file} ${section.id}.${step.id} on ${node}: ${command}\n${r.stderr}`).toBe(false);
          for (const [name, written] of Object.entries(step.capture ?? {})) {
            const spec = captureSpec(written);
            const m = new RegExp(spec.regex, 'm').exec(`${r.stdout}${r.stderr}`);
            // The simulator's values have the shapes the runbook declares.
            if (m?.[1] !== undefined) expect(shapeProblem(spec, m[1]), `${step.id} capture ${name}`).toBeUndefined();
            if (m?.[1] !== undefined) scope.vars[name] = m[1];
          }
          await readFiles();
          const want = (step.expect as { exit?: number } | undefined)?.exit;
          if (want !== undefined && step.when === undefined) {
            expect(r.exit, `${file} ${section.id}.${step.id} on ${node}: ${command}\n${r.stdout}\n${r.stderr}`).toBe(want);
          }
        }
      }
    }
    expect(scope.vars.patch_url).toMatch(/^http:\/\/10\.0\.0\.10:80\/upgrade\/[0-9a-f]{32}\/dcos_node_upgrade\.sh$/);
    expect(played.length).toBeGreaterThan(20);
    expect(sim.internalErrors).toEqual([]);
  });

  it('answers every troubleshooting command and health probe of every role', async () => {
    const scope: Scope = { params: { ...defaults, ...sim.suggestedParams, jwt: sim.token }, vars: {}, secrets: new Set(['jwt']) };
    for (const [role, def] of Object.entries(book.roles ?? {})) {
      const node = sim.inventory.nodes.find((n) => n.roles.includes(role))?.name;
      if (!node) continue;
      const s = await session(node);
      const nodeScoped: Scope = { ...scope, node: nodeScope(node) };
      const health = def.health === undefined ? [] : Array.isArray(def.health) ? def.health : [def.health];
      for (const cmd of [...(def.troubleshoot ?? []).map((t) => t.run), ...health.map((h) => h.run)]) {
        const command = render(cmd, nodeScoped, 'shell');
        const r = await s.run(command);
        expect(notFound(r), `${role} on ${node}: ${command}\n${r.stderr}`).toBe(false);
        expect(r.stdout.length + r.stderr.length, `${role} on ${node}: ${command} printed nothing`).toBeGreaterThan(0);
      }
      for (const t of def.troubleshoot ?? []) {
        if (!t.follow) continue;
        const command = render(t.follow, nodeScoped, 'shell');
        const channel = await s.stream(command);
        let out = '';
        channel.on('data', (d: Buffer) => {
          out += d.toString();
        });
        channel.stderr.on('data', (d: Buffer) => {
          out += d.toString();
        });
        let exited: number | null = null;
        channel.on('exit', (code: number) => {
          exited = code;
        });
        await new Promise((r) => setTimeout(r, 150));
        channel.close();
        expect(exited, `${role}: follow "${command}" ended by itself:\n${out}`).toBeNull();
        expect(out, `${role}: ${command}`).not.toMatch(/command not found/);
        expect(out.length, `${role}: ${command} printed nothing`).toBeGreaterThan(0);
      }
    }
    expect(sim.internalErrors).toEqual([]);
  });
});
