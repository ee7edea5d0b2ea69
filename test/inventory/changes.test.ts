import { describe, expect, it } from 'vitest';
import type { NodeAddress } from '../../src/inventory/types.js';
import { inventoryChanges } from '../../src/inventory/changes.js';

const n = (name: string, address: string, roles: string[], extra: Partial<NodeAddress> = {}): NodeAddress => ({
  name,
  address,
  roles,
  ...extra,
});

describe('what changed in an inventory between start and resume', () => {
  it('names each node whose address, port, private address or roles changed, and those added or removed', () => {
    const before = [
      n('bootstrap', '10.0.0.10', ['bootstrap']),
      n('master-1', '10.0.0.11', ['master']),
      n('master-2', '10.0.0.12', ['master'], { port: 2222 }),
      n('agent-1', 'a1', ['agent'], { ip: '10.0.1.1' }),
    ];
    const after = [
      n('bootstrap', '10.0.0.10', ['bootstrap']),
      n('master-1', '10.0.0.12', ['master'], { port: 2222 }),
      n('master-2', '10.0.0.11', ['agent']),
      n('agent-1', 'a1', ['agent'], { ip: '10.0.1.9' }),
      n('agent-2', 'a2', []),
    ];
    expect(inventoryChanges(before, after)).toEqual([
      'master-1: address 10.0.0.11 -> 10.0.0.12:2222',
      'master-2: address 10.0.0.12:2222 -> 10.0.0.11',
      'master-2: roles master -> agent',
      'agent-1: ip 10.0.1.1 -> 10.0.1.9',
      'agent-2: added (a2, roles (none))',
    ]);
    expect(inventoryChanges(after, before)).toContain('agent-2: removed (was a2, roles (none))');
  });

  it('says when the nodes are the same (the file changed elsewhere) and when the journal kept no nodes', () => {
    const same = [n('master-1', '10.0.0.11', ['master'])];
    expect(inventoryChanges(same, same)).toEqual(['no node changed its name, address or roles (the file changed elsewhere)']);
    expect(inventoryChanges(undefined, same)[0]).toMatch(/does not list its nodes/);
  });

  it('says when the same nodes are listed in another order (serial sections take them in order)', () => {
    const m1 = n('master-1', 'a', ['master']);
    const m2 = n('master-2', 'b', ['master']);
    expect(inventoryChanges([m1, m2], [m2, m1])).toEqual([
      'the nodes are in another order: master-1, master-2 then, master-2, master-1 now (serial sections take them in this order)',
    ]);
  });
});
