// Any runbook against the simulator started alone: `runbook sim` writes an inventory that names
// the cluster's known_hosts file, and `runbook play --inventory` checks the nodes' host keys
// against it (and refuses them when the file does not hold them): no accept-new, no trust.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/inventory/load.js';
import { inventoryToYaml, startSimulator, type SimCluster } from '../../src/sim/index.js';
import { runMain } from '../helpers/cli-io.js';

let dir: string;
let sim: SimCluster;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'runbook-play-sim-'));
  sim = await startSimulator({ masters: 1, agents: 1, timeScale: 50 });
  writeFileSync(path.join(dir, 'inventory.yaml'), inventoryToYaml(sim.inventory));
  writeFileSync(
    path.join(dir, 'runbook.yaml'),
    [
      'id: hello-sim',
      'title: Hello',
      'sections:',
      '  - id: m',
      '    title: Masters',
      '    on: master',
      '    steps:',
      '      - id: name',
      '        run: hostname',
      '',
    ].join('\n'),
  );
}, 60_000);

afterAll(async () => {
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function play(inventory: string) {
  const home = mkdtempSync(path.join(dir, 'home-'));
  const argv = ['play', path.join(dir, 'runbook.yaml'), '--inventory', inventory, '--plain', '--state-dir', path.join(home, 'state')];
  const { status, all } = await runMain(argv, { PATH: process.env.PATH, HOME: home, RUNBOOK_CONFIG_DIR: home }, dir);
  return { status, out: all };
}

describe('play against runbook sim', () => {
  it('the printed inventory names the known_hosts file, and the loader keeps it', async () => {
    const inventory = await loadInventory(path.join(dir, 'inventory.yaml'), { sshConfig: null });
    expect(inventory.knownHostsFiles).toEqual([sim.files.knownHosts]);
    expect(inventory.simulated).toBe(false);
  });

  it('checks host keys against that file: the run passes with an empty ~/.ssh', async () => {
    const { status, out } = await play(path.join(dir, 'inventory.yaml'));
    expect(out).toMatch(/m\/name@master-1 passed/);
    expect(status).toBe(0);
  }, 60_000);

  it('refuses the nodes when the named file does not hold their keys', async () => {
    const empty = path.join(dir, 'empty_known_hosts');
    writeFileSync(empty, '');
    const yaml = inventoryToYaml({ ...sim.inventory, knownHostsFiles: [empty] });
    writeFileSync(path.join(dir, 'inventory-nokeys.yaml'), yaml);
    const { status, out } = await play(path.join(dir, 'inventory-nokeys.yaml'));
    expect(status).toBe(1);
    expect(out).toMatch(/host key/i);
    expect(out).not.toMatch(/m\/name@master-1 passed/);
  }, 60_000);
});
