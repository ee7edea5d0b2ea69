// A section runs on the nodes that have any of its roles: the DC/OS runbooks against inventories
// without public agents (validate, export, play all accept them, with a warning), and against
// one with no agent at all (refused with exit 2 naming the roles the inventory has, nothing run).
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli-io.js';
import { tempDir } from '../helpers/real-shell.js';
import { dcosInventoryYaml } from '../export/dcos-inventory.js';

const root = path.join(import.meta.dirname, '..', '..');
const RUNBOOKS = ['runbooks/dcos-1.11-patch.yaml', 'runbooks/dcos-1.11-patch.zh-CN.yaml'];

let dir: string;
let remove: () => void;
let noPublic: string;
let mastersOnly: string;
beforeAll(() => {
  ({ dir, remove } = tempDir('runbook-roles-'));
  noPublic = path.join(dir, 'no-public.yaml');
  writeFileSync(noPublic, dcosInventoryYaml(3, 4, 0));
  mastersOnly = path.join(dir, 'masters-only.yaml');
  writeFileSync(mastersOnly, dcosInventoryYaml(3, 0, 0));
});
afterAll(() => remove());

const run = (argv: string[]) => runMain(argv, { PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: dir }, root);

describe.each(RUNBOOKS)('%s and the roles of the inventory', (file) => {
  it('validate --inventory: no public agent is a warning, not an error', async () => {
    const r = await run(['validate', file, '--inventory', noPublic]);
    expect(r.err).toMatch(
      /warning: no node of the inventory .*no-public\.yaml has role "public_agent" \(its roles: agent, bootstrap, master\); the section runs on the nodes with its other roles/,
    );
    expect(r.err).toMatch(/warning: no node of the inventory .*has role "public_agent" .*; the section is optional and will be skipped/);
    expect(r.err).not.toMatch(/error/);
    expect(r.status).toBe(0);
  });

  it('export --inventory: the public agents section says it is skipped; the agents are all there', async () => {
    const out = path.join(dir, `${path.basename(file)}.md`);
    const r = await run(['export', file, '--inventory', noPublic, '--format', 'md', '-o', out]);
    expect(r.status).toBe(0);
    const { readFileSync } = await import('node:fs');
    const md = readFileSync(out, 'utf8');
    expect(md).toContain('agent-4');
    expect(md).not.toContain('public-1');
  });

  it('a section left with no node at all is refused before anything runs, naming the roles the inventory has', async () => {
    for (const command of [
      ['validate', file],
      ['export', file, '--format', 'md'],
      ['play', file, '--plain', '--state-dir', path.join(dir, 'state')],
    ]) {
      const r = await run([...command, '--inventory', mastersOnly]);
      expect(r.status, command[0]).toBe(2);
      expect(r.all).toMatch(
        /error: no node of the inventory .*masters-only\.yaml has role "agent" \(its roles: bootstrap, master\): section "agents" would run on no node/,
      );
      expect(r.all).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(path.join(dir, 'state'))).toBe(false);
  });
});
