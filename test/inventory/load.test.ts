import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { detectInventoryKind, loadInventory, nodesWithRole } from '../../src/inventory/load.js';
import type { Inventory } from '../../src/inventory/types.js';
import { InputError, formatProblem } from '../../src/input/problem.js';
import { tempHome, type TempHome } from './fixture.js';

let home: TempHome;
beforeAll(async () => {
  home = await tempHome();
});
afterAll(() => home.cleanup());

describe('the kind of inventory comes from the content, not the file name', () => {
  test.each([
    ['[masters]\nm1\n', 'ansible-ini'],
    ['# comment\n; another\n\n[masters]  # trailing\nm1\n', 'ansible-ini'],
    ['m1 ansible_host=10.0.4.1\n', 'ansible-ini'],
    ['m1\nm2\n', 'ansible-ini'],
    ['m1:2222\n', 'ansible-ini'],
    ['m1 ansible_ssh_common_args=\'-o ProxyCommand="ssh -W %h:%p a: b"\' # x\n', 'ansible-ini'],
    ['name: a=b\nnodes: []\n', 'yaml'],
    ['all:\n  hosts:\n    m1:\n', 'ansible-yaml'],
    ['masters:\n  hosts: { m1: }\n', 'ansible-yaml'],
    ['nodes:\n  - { name: a, address: 10.0.0.1 }\n', 'yaml'],
    ['name: typo\nnode: []\n', 'yaml'],
    ['---\ndefaults: {}\nnodes: []\n', 'yaml'],
  ])('%j is %s', (text, kind) => {
    expect(detectInventoryKind(text, 'inv').kind).toBe(kind);
  });

  test.each([
    [
      '- a\n- b\n',
      'inv:1:1: error: this is not an inventory: expected our YAML inventory (name, defaults, nodes), an Ansible YAML inventory (all: {children: ...}) or an Ansible INI inventory ([group] sections)',
    ],
    ['nodes:\n  - { name: a\n', 'inv:3:1: error: invalid YAML: unexpected end of the stream within a flow collection'],
    ['# only a comment\n\n', 'inv: error: the inventory is empty: it holds only blank lines or comments'],
  ])('%j is refused', (text, message) => {
    let thrown: unknown;
    try {
      detectInventoryKind(text, 'inv');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as InputError).problems.map(formatProblem)).toEqual([message]);
  });
});

describe('loadInventory', () => {
  test('the same cluster written three ways loads to the same nodes', async () => {
    const ours = await home.write(
      'ours.yaml',
      'nodes:\n  - { name: m1, address: 10.0.4.1, roles: [master], user: core }\n  - { name: a1, address: 10.0.1.5, roles: [agent], user: core }\n',
    );
    const ini = await home.write(
      'hosts',
      '[masters]\nm1 ansible_host=10.0.4.1\n[agents]\na1 ansible_host=10.0.1.5\n[all:vars]\nansible_user=core\n',
    );
    const yml = await home.write(
      'hosts.yml',
      'all:\n  vars: { ansible_user: core }\n  children:\n    masters: { hosts: { m1: { ansible_host: 10.0.4.1 } } }\n    agents: { hosts: { a1: { ansible_host: 10.0.1.5 } } }\n',
    );
    const load = (file: string): Promise<Inventory> => loadInventory(file, { sshConfig: null, home: home.dir });
    const [a, b, c] = await Promise.all([load(ours), load(ini), load(yml)]);
    expect(b.nodes).toEqual(a.nodes);
    expect(c.nodes).toEqual(a.nodes);
    expect(nodesWithRole(b, 'masters').map((n) => n.name)).toEqual(['m1']);
    expect(nodesWithRole(b, 'bootstrap')).toEqual([]);
  });

  test('files that cannot be read are bad input, with the file named', async () => {
    await home.write('dir/placeholder', '');
    const problems = async (file: string): Promise<string[]> => {
      const error = await loadInventory(file, { sshConfig: null, home: home.dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      return home.show((error as InputError).problems);
    };
    expect(await problems(`${home.dir}/missing.yaml`)).toEqual(['~/missing.yaml: error: no such file']);
    expect(await problems(`${home.dir}/dir`)).toEqual(['~/dir: error: is a directory, not an inventory']);
  });

  test('warnings do not stop loading; they reach onWarning', async () => {
    const file = await home.write('warn.yaml', 'nodes:\n  - { name: a, address: 10.0.0.1, identity_file: nokey }\n');
    const warnings: string[] = [];
    const inventory = await loadInventory(file, { sshConfig: null, home: home.dir, onWarning: (p) => warnings.push(formatProblem(p)) });
    expect(inventory.nodes).toHaveLength(1);
    expect(warnings.map((w) => w.split(home.dir).join('~'))).toEqual([
      '~/warn.yaml:2:50: warning: the identity file "nokey" does not exist (looked for ~/nokey) (at nodes[0].identity_file)',
    ]);
  });
});
