// The faults a scenario puts in the simulated cluster, and the record of what the trainee met and
// did, for the report after the run. Each fault's behaviour lives with the service it breaks
// (grep its name: rangesSlow in cockroach.ts, agentExpires and registrarStuck in patch.ts, ...).

/** The faults a scenario puts in the cluster. Each shows only through what a node answers. */
export interface ScenarioFaults {
  /** CockroachDB ranges take many minutes to re-replicate after a master rejoins. */
  rangesSlow?: boolean;
  /** The first master patched does not recover its registrar until its unit is restarted. */
  registrarStuck?: boolean;
  /** These agents' libltdl.so.7 carries the immutable attribute, so rm fails. */
  libltdlImmutable?: boolean;
  /** The first agent patched cannot reach the masters for over 5 minutes and expires. */
  agentExpires?: boolean;
  /** The nodes run the patch release before the one the operator was told. */
  wrongVersion?: boolean;
  /** genconf/config.yaml changes exhibitor_storage_backend against the previous file. */
  forbiddenConfig?: boolean;
  /** IPv6 is disabled in every node's kernel while config.yaml says enable_ipv6: 'true'. */
  ipv6Disabled?: boolean;
  /** The last master's registrar has not recovered since it booted, before anything is patched. */
  masterUnhealthy?: boolean;
  /** The inventory given to the trainee leaves out the last private agent, which Mesos knows. */
  unlistedAgent?: boolean;
  /** A colleague edits genconf/config.yaml (adds a resolver) right after it was first read. */
  configEditedAfterRead?: boolean;
  /** The previous config.yaml has enable_ipv6 'true'; the merged one in genconf/ has 'false'. */
  ipv6Change?: boolean;
  /** Both config.yaml files declare custom health checks; genconf/ already says security: permissive. */
  customChecks?: boolean;
}

/** A fault the trainee met, for the report after the run. */
export interface FaultRecord {
  id: string;
  node: string;
  at: number;
  text: string;
}

/** Something the trainee did that changed the cluster. */
export interface ActionRecord {
  at: number;
  node: string;
  kind:
    | 'unit-restart'
    | 'unit-stop'
    | 'unit-start'
    | 'patch-started'
    | 'patch-finished'
    | 'patch-failed'
    | 'installer'
    | 'nginx'
    | 'file-removed'
    | 'sysctl'
    /** A command line the trainee typed in a login shell on the node (the player's `o`): the player never sees these. */
    | 'command';
  detail: string;
}
