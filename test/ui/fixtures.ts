// Runs for UI tests: a small patch runbook in the shape of the DC/OS one (a local check, masters
// one at a time with a destructive step and a gate, agents in batches with a deadline), driven
// through the real reducer to the state a test needs.
import { Driver, cluster, runbook, section, stateOf } from '../engine/fixtures.js';
import type { Inventory } from '../../src/inventory/types.js';
import type { RunState } from '../../src/engine/state.js';

export { Driver, T0 } from '../engine/fixtures.js';

export const patchRunbook = runbook(
  [
    section('prep', [{ id: 'check', title: 'Supported patch path', run: 'true' }], { on: 'local', title: 'Prerequisites' }),
    section(
      'masters',
      [
        {
          id: 'run-patch-script',
          title: 'Run the node patch script',
          run: 'curl -fO http://10.0.0.10/dcos_node_upgrade.sh && sudo bash dcos_node_upgrade.sh',
          destructive: true,
          confirm: { typed: '{{node.name}}' },
          why: 'Installs the new packages and restarts the DC/OS units on this master.',
          hint: 'Read the last lines of the script.',
        },
        {
          id: 'recovered',
          title: 'Mesos registrar recovered',
          run: 'curl -fsS http://{{node.ip}}:5050/metrics/snapshot',
          until: { json: 'registrar/log/recovered', equals: 1 },
          every: '10s',
          timeout: '15m',
          troubleshoot: 'dcos-mesos-master',
        },
      ],
      { on: 'master', strategy: 'serial', title: 'Patch the masters' },
    ),
    section(
      'agents',
      [
        {
          id: 'run-patch-script',
          title: 'Run the node patch script',
          run: 'sudo bash dcos_node_upgrade.sh',
          destructive: true,
          deadline: { after: '5m', text: 'the agent expires' },
        },
        {
          id: 'registered',
          title: 'Agent registered',
          run: 'curl -fsS http://{{node.ip}}:5051/metrics/snapshot',
          until: { json: 'slave/registered', equals: 1 },
          every: '10s',
          timeout: '10m',
        },
      ],
      { on: 'agent', strategy: { batch: 5 }, title: 'Patch the agents' },
    ),
  ],
  {
    title: 'Patch a live DC/OS 1.11 cluster',
    header: { patch: '1.11.1 -> 1.11.2', security: 'permissive' },
    roles: {
      master: {
        title: 'Masters',
        troubleshoot: [
          {
            title: 'dcos-mesos-master',
            run: 'sudo journalctl -u dcos-mesos-master -n 200 --no-pager',
            follow: 'sudo journalctl -f -u dcos-mesos-master',
          },
          { title: 'dcos-exhibitor', run: 'sudo journalctl -u dcos-exhibitor -n 200 --no-pager' },
        ],
        health: {
          run: 'curl -fsS http://{{node.ip}}:5050/metrics/snapshot',
          expect: { json: 'registrar/log/recovered', equals: 1 },
          every: '15s',
        },
      },
      agent: { title: 'Agents', troubleshoot: [{ title: 'mesos agent', run: 'sudo journalctl -u dcos-mesos-slave -n 200 --no-pager' }] },
    },
  },
);

export function patchCluster(masters = 3, agents = 20): Inventory {
  const inv = cluster(masters, agents);
  // No bootstrap section in this runbook: keep the node out of the plan's targets.
  return { ...inv, nodes: inv.nodes.filter((n) => n.name !== 'bootstrap') };
}

export function freshState(masters = 3, agents = 20): RunState {
  // The session interpolates the runbook's header into the state; these values need none.
  return {
    ...stateOf(patchRunbook, patchCluster(masters, agents)),
    run: { ...stateOf(patchRunbook, patchCluster(0, 0)).run, header: { ...patchRunbook.header } },
  };
}

/** Started, the local check passed: master-1's typed confirmation is asked. */
export function atFirstConfirmation(masters = 3, agents = 20): Driver {
  const d = new Driver(freshState(masters, agents));
  d.start();
  d.done('prep/check@local');
  return d;
}

/** master-1 patched and its gate polling (attempt 1 failed). */
export function masterPolling(masters = 3, agents = 20): Driver {
  const d = atFirstConfirmation(masters, agents);
  d.act({ type: 'confirm', prompt: 'confirm:masters/run-patch-script@master-1', typed: 'master-1' });
  d.advance(41_000);
  d.done('masters/run-patch-script@master-1', { stdout: 'Upgrading DC/OS master 1.11.1 -> 1.11.2\n' });
  d.done('masters/recovered@master-1', { stdout: '{"registrar\\/log\\/recovered":0.0}' });
  return d;
}
