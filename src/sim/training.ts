// What a training's cluster will be, without starting it: its nodes (names, roles, 10.0.x.x
// labels), the params it suggests to the runbook, the --nodes option. Loads neither ssh2 nor the
// SSH servers, so `runbook train` can draw its first frame before they load.
import type { InventoryNode } from '../inventory/types.js';
import { SimClock } from './clock.js';
import { ClusterModel } from './model/cluster.js';
import { BOOTSTRAP_DIR, PREVIOUS_CONFIG } from './model/image.js';
import { nextPatch } from './model/versions.js';
import { ZK_SUPER } from './programs/backups.js';
import { findScenario, type ScenarioDefinition } from './scenarios.js';

export function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new TypeError(`${name} must be a whole number from ${min} to ${max}, not ${String(value)}`);
}

/** The params a training suggests to the runbook: what the cluster is, as its operator would say it. */
export function suggestedParamsOf(def: ScenarioDefinition, installedVersion: string, targetVersion: string): Record<string, string> {
  return {
    installed_version: installedVersion,
    target_version: targetVersion,
    security: 'permissive',
    security_change: 'keep',
    bootstrap_dir: BOOTSTRAP_DIR,
    previous_config: PREVIOUS_CONFIG,
    nginx_port: '80',
    // The training cluster keeps the default ZooKeeper super credentials (zk_super_credentials).
    zk_user: ZK_SUPER.user,
    zk_password: ZK_SUPER.password,
    ...def.params,
  };
}

/**
 * The nodes a training's inventory names (names, roles, the 10.0.x.x labels), without starting a
 * cluster: what a watcher of a training needs to lay out the run's plan. Addresses are loopback
 * and no port is given: a watcher never connects.
 */
export function simulatedNodes(options: { scenario: string; masters?: number; agents?: number }): InventoryNode[] {
  return simulatedTraining(options).nodes;
}

/**
 * simulatedNodes and the params startSimulator would suggest for the same scenario: what the first
 * frame of `runbook train` is drawn from while the cluster starts behind it.
 */
export function simulatedTraining(options: { scenario: string; masters?: number; agents?: number }): {
  nodes: InventoryNode[];
  suggestedParams: Record<string, string>;
} {
  const def = findScenario(options.scenario);
  if (!def) throw new TypeError(`unknown scenario "${options.scenario}"`);
  const clock = new SimClock({ manual: true });
  try {
    const installedVersion = '1.11.4';
    const model = new ClusterModel({
      clock,
      seed: 1,
      masters: options.masters ?? 3,
      agents: options.agents ?? 5,
      publicAgents: def.shape?.publicAgents ?? 1,
      installedVersion,
      targetVersion: def.configOnly ? installedVersion : nextPatch(installedVersion),
      security: def.security,
      clusterName: `sim-${def.name}`,
      faults: def.faults,
    });
    const privateAgents = model.agents.filter((a) => a.role === 'agent');
    const unlisted = def.faults.unlistedAgent && privateAgents.length > 1 ? privateAgents.at(-1)?.name : undefined;
    const nodes = model.nodes
      .filter((info) => info.name !== unlisted)
      .map((info) => ({ name: info.name, address: '127.0.0.1', ip: info.ip, roles: [info.role], vars: {} }));
    return { nodes, suggestedParams: suggestedParamsOf(def, installedVersion, model.targetVersion) };
  } finally {
    clock.dispose();
  }
}

/** Parses `--nodes M,A` (masters, agents; e.g. "3,20"); throws a TypeError worded for the user. */
export function parseNodesOption(text: string): { masters: number; agents: number } {
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(text);
  if (!m) throw new TypeError(`--nodes takes masters and agents as two numbers, e.g. --nodes 3,20, not "${text}"`);
  const masters = Number(m[1]);
  const agents = Number(m[2]);
  checkRange('--nodes masters', masters, 1, 5);
  checkRange('--nodes agents', agents, 1, 2000);
  return { masters, agents };
}
