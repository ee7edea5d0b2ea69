// The procedure's steps as an operator types them, shared by the simulator's tests.
import type { SimCluster } from '../../src/sim/index.js';
import { connect, type RunResult, sq } from './ssh-client.js';

export const BOOTSTRAP_DIR = '/opt/dcos-bootstrap';
export const COCKROACH_STATUS =
  'sudo /opt/mesosphere/bin/cockroach node status --ranges --certs-dir=/run/dcos/pki/cockroach --host=$(/opt/mesosphere/bin/detect_ip)';

/** Generates the node patch script for `installed` and serves genconf/serve with nginx; returns the URL. */
export async function buildScript(sim: SimCluster, installed = '1.11.4', serve = true): Promise<string> {
  const boot = await connect(sim, 'bootstrap');
  try {
    const gen = await boot.run(
      `cd ${sq(BOOTSTRAP_DIR)} && sudo bash dcos_generate_config.ee.sh --generate-node-upgrade-script ${sq(installed)}`,
      { timeoutMs: 30_000 },
    );
    const url = /Node upgrade script URL: (\S+)/.exec(gen.stdout)?.[1];
    if (!url) throw new Error(`installer failed (${gen.exit}):\n${gen.stdout}${gen.stderr}`);
    if (serve && !sim.model.containers.some((c) => c.hostPort === 80)) {
      const r = await boot.run(`sudo docker run -d -p 80:80 -v ${sq(BOOTSTRAP_DIR)}/genconf/serve:/usr/share/nginx/html:ro nginx`);
      if (r.exit !== 0) throw new Error(`nginx failed: ${r.stderr}`);
    }
    return url;
  } finally {
    boot.close();
  }
}

/** curl -fO <url> && sudo bash dcos_node_upgrade.sh on a node. */
export async function patchNode(sim: SimCluster, node: string, url: string): Promise<RunResult> {
  const s = await connect(sim, node);
  try {
    return await s.run(`curl -fO ${sq(url)} && sudo bash dcos_node_upgrade.sh`, { timeoutMs: 30_000 });
  } finally {
    s.close();
  }
}

/** The values of one column of a cockroach table. */
export function column(table: string, name: string): string[] {
  const rows = table.split('\n').filter((l) => l.startsWith('|'));
  const header = (rows[0] ?? '').split('|').map((c) => c.trim());
  const i = header.indexOf(name);
  return rows.slice(1).map((r) => r.split('|').map((c) => c.trim())[i] ?? '');
}

export function metric(r: RunResult, key: string): number | undefined {
  try {
    return (JSON.parse(r.stdout) as Record<string, number>)[key];
  } catch {
    return undefined;
  }
}
