/** One machine of the inventory, as every transport and the runbook see it. */
export interface InventoryNode {
  /** Unique within the inventory; what the operator sees and the journal records. */
  name: string;
  /** What to connect to: a host name or an address. */
  address: string;
  /** The node's private address, as the cluster knows it; {{node.ip}}. Defaults to address. */
  ip: string;
  /** Roles such as bootstrap, master, agent, public_agent, or any word the runbook uses. */
  roles: string[];
  /** SSH user; default from settings or the current user. */
  user?: string;
  port?: number;
  identityFile?: string;
  /** Jump host, as "user@host:port" or the name of another node. */
  jump?: string;
  /** The host name to look up in known_hosts when it differs from address (an ssh_config alias). */
  hostKeyAlias?: string;
  /** Free-form values a runbook may interpolate as {{node.vars.x}}. */
  vars: Record<string, string>;
}

export interface Inventory {
  /** The file it came from, or "sim:<scenario>" for the simulator. */
  source: string;
  /** A name shown in the header (the cluster name). */
  name?: string;
  nodes: InventoryNode[];
  /** True when every node is the built-in simulator: the only target --yes accepts. */
  simulated: boolean;
  /** For the simulator: the known_hosts lines of its nodes, so host keys are still checked. */
  knownHosts?: string[];
  /** known_hosts files the inventory names (absolute), checked before the operator's own. */
  knownHostsFiles?: string[];
}

/** A node as the journal remembers it, so that a resume can say what changed in the inventory. */
export interface NodeAddress {
  name: string;
  address: string;
  port?: number;
  /** {{node.ip}}, when it differs from the address. */
  ip?: string;
  roles: string[];
}
