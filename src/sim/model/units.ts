// The systemd units of a DC/OS 1.11 Enterprise node, and their state over simulated time.

export type NodeRole = 'bootstrap' | 'master' | 'agent' | 'public_agent';

export type ActiveState = 'active' | 'inactive' | 'failed' | 'activating' | 'deactivating';

export interface UnitSpec {
  /** Full unit name, e.g. dcos-mesos-master.service. */
  name: string;
  description: string;
  /** service: a long-running daemon; oneshot: runs once ("active exited"); socket; timer. */
  type: 'service' | 'oneshot' | 'socket' | 'timer';
  /** SYSLOG_IDENTIFIER of its process in the journal. */
  ident: string;
  /** Part of DC/OS (restarted by the node patch script), or of the operating system. */
  dcos: boolean;
  /** The package it comes from, for the unit file path shown by systemctl status. */
  pkg?: string;
  /** The command line shown under CGroup by systemctl status. */
  exec?: string;
}

export interface UnitPhase {
  at: number;
  active: ActiveState;
  sub: string;
  pid: number;
  /** For failed units: exit-code, signal, timeout. */
  result?: string;
}

const u = (name: string, description: string, type: UnitSpec['type'], ident: string, pkg?: string, exec?: string): UnitSpec => ({
  name,
  description,
  type,
  ident,
  dcos: name.startsWith('dcos-'),
  ...(pkg ? { pkg } : {}),
  ...(exec ? { exec } : {}),
});

const SYSTEM: UnitSpec[] = [
  u('chronyd.service', 'NTP client/server', 'service', 'chronyd', undefined, '/usr/sbin/chronyd'),
  u('crond.service', 'Command Scheduler', 'service', 'crond', undefined, '/usr/sbin/crond -n'),
  u('docker.service', 'Docker Application Container Engine', 'service', 'dockerd', undefined, '/usr/bin/dockerd --storage-driver=overlay'),
  u('sshd.service', 'OpenSSH server daemon', 'service', 'sshd', undefined, '/usr/sbin/sshd -D'),
  u('systemd-journald.service', 'Journal Service', 'service', 'systemd-journald', undefined, '/usr/lib/systemd/systemd-journald'),
  u('rsyslog.service', 'System Logging Service', 'service', 'rsyslogd', undefined, '/usr/sbin/rsyslogd -n'),
  u('network.service', 'LSB: Bring up/down networking', 'oneshot', 'network'),
];

const COMMON: UnitSpec[] = [
  u(
    'dcos-diagnostics.service',
    'DC/OS Diagnostics Agent: DC/OS Diagnostics Service',
    'service',
    'dcos-diagnostics',
    'dcos-diagnostics',
    '/opt/mesosphere/bin/dcos-diagnostics daemon',
  ),
  u(
    'dcos-diagnostics.socket',
    'DC/OS Diagnostics Agent Socket: socket for DC/OS Diagnostics Agent',
    'socket',
    'systemd',
    'dcos-diagnostics',
  ),
  u('dcos-download.service', 'Pkgpanda: Download DC/OS to this host.', 'oneshot', 'curl', 'dcos-setup'),
  u('dcos-setup.service', 'Pkgpanda: Specialize DC/OS for this host.', 'oneshot', 'pkgpanda', 'dcos-setup'),
  u(
    'dcos-net.service',
    'DC/OS Net: A distributed systems & network overlay orchestration engine',
    'service',
    'dcos-net-env',
    'dcos-net',
    '/opt/mesosphere/active/dcos-net/dcos-net/bin/dcos-net-env foreground',
  ),
  u(
    'dcos-net-watchdog.service',
    'DC/OS Net Watchdog: Monitor DC/OS Net and restart it when it stops answering',
    'service',
    'dcos-net-watchdog',
    'dcos-net',
  ),
  u('dcos-pkgpanda-api.service', 'Pkgpanda API: Package management API', 'service', 'pkgpanda-api', 'dcos-pkgpanda-api'),
  u('dcos-pkgpanda-api.socket', 'Pkgpanda API socket: Pkgpanda API socket', 'socket', 'systemd', 'dcos-pkgpanda-api'),
  u(
    'dcos-checks-poststart.timer',
    'DC/OS Poststart Checks Timer: Periodically run DC/OS post-start checks',
    'timer',
    'systemd',
    'dcos-checks',
  ),
  u(
    'dcos-gen-resolvconf.timer',
    'Generate resolv.conf Timer: Periodically update systemd-resolved for Mesos DNS',
    'timer',
    'systemd',
    'dcos-net',
  ),
];

const MASTER: UnitSpec[] = [
  u(
    'dcos-adminrouter.service',
    'Admin Router: A high performance web server and a reverse proxy server',
    'service',
    'nginx',
    'adminrouter',
    '/opt/mesosphere/active/adminrouter/nginx/sbin/adminrouter',
  ),
  u('dcos-backup-master.service', 'DC/OS Backup: DC/OS Backup and Restore Service', 'service', 'dcos-backup', 'dcos-backup'),
  u(
    'dcos-bouncer.service',
    'Bouncer: DC/OS Identity and Access Management',
    'service',
    'bouncer',
    'bouncer',
    '/opt/mesosphere/active/bouncer/bouncer/bin/gunicorn',
  ),
  u('dcos-ca.service', 'DC/OS CA: The DC/OS certificate authority service', 'service', 'dcos-ca', 'dcos-ca'),
  u(
    'dcos-cockroach.service',
    'CockroachDB: A distributed SQL database',
    'service',
    'cockroach',
    'cockroach',
    '/opt/mesosphere/active/cockroach/bin/cockroach start --logtostderr --cache=100MiB --store=/var/lib/dcos/cockroach',
  ),
  u(
    'dcos-cosmos.service',
    'Package Service: DC/OS Packaging API',
    'service',
    'java',
    'cosmos',
    '/opt/mesosphere/active/java/usr/java/bin/java -jar /opt/mesosphere/active/cosmos/usr/cosmos.jar',
  ),
  u(
    'dcos-exhibitor.service',
    'Exhibitor: Zookeeper supervisor service',
    'service',
    'start_exhibitor.py',
    'exhibitor',
    '/opt/mesosphere/active/exhibitor/usr/exhibitor/start_exhibitor.py',
  ),
  u('dcos-history.service', 'DC/OS History: DC/OS History Service', 'service', 'dcos-history', 'dcos-history'),
  u('dcos-licensing.service', 'DC/OS Licensing: DC/OS Licensing Service', 'service', 'dcos-licensing', 'dcos-licensing'),
  u('dcos-log-master.service', 'DC/OS Log Master: DC/OS Log HTTP API', 'service', 'dcos-log', 'dcos-log'),
  u(
    'dcos-marathon.service',
    'Marathon: DC/OS Init System',
    'service',
    'java',
    'marathon',
    '/opt/mesosphere/active/marathon/marathon/bin/marathon',
  ),
  u(
    'dcos-mesos-dns.service',
    'Mesos DNS: DNS based Service Discovery',
    'service',
    'mesos-dns',
    'mesos-dns',
    '/opt/mesosphere/active/mesos-dns/bin/mesos-dns -config=/opt/mesosphere/etc/mesos-dns.json',
  ),
  u(
    'dcos-mesos-master.service',
    'Mesos Master: distributed systems kernel',
    'service',
    'mesos-master',
    'mesos',
    '/opt/mesosphere/packages/mesos--{sha}/bin/mesos-master',
  ),
  u('dcos-metrics-master.service', 'DC/OS Metrics Master: DC/OS Metrics Service', 'service', 'dcos-metrics', 'dcos-metrics'),
  u(
    'dcos-metronome.service',
    'Jobs Service: DC/OS Metronome',
    'service',
    'java',
    'metronome',
    '/opt/mesosphere/active/metronome/metronome/bin/metronome',
  ),
  u('dcos-networking_api.service', 'Networking API: REST API for DC/OS networking', 'service', 'networking_api', 'networking_api'),
  u('dcos-secrets.service', 'DC/OS Secrets: DC/OS Secret Store', 'service', 'dcos-secrets', 'dcos-secrets'),
  u('dcos-signal.timer', 'Signal Timer: Timer for DC/OS Signal Service', 'timer', 'systemd', 'dcos-signal'),
  u('dcos-vault.service', 'Vault: DC/OS Vault', 'service', 'vault', 'vault'),
  u('dcos-logrotate-master.timer', 'Logrotate Timer: Timer to trigger every 2 minutes', 'timer', 'systemd', 'logrotate'),
];

const AGENT: UnitSpec[] = [
  u(
    'dcos-adminrouter-agent.service',
    'Admin Router Agent: A high performance web server and a reverse proxy server',
    'service',
    'nginx',
    'adminrouter',
  ),
  u('dcos-docker-gc.timer', 'Docker GC Timer: periodically garbage collect unused Docker images', 'timer', 'systemd', 'docker-gc'),
  u('dcos-log-agent.service', 'DC/OS Log Agent: DC/OS Log HTTP API', 'service', 'dcos-log', 'dcos-log'),
  u('dcos-metrics-agent.service', 'DC/OS Metrics Agent: DC/OS Metrics Service', 'service', 'dcos-metrics', 'dcos-metrics'),
  u('dcos-rexray.service', 'REX-Ray: Docker volume driver', 'service', 'rexray', 'rexray'),
  u('dcos-logrotate-agent.timer', 'Logrotate Timer: Timer to trigger every 2 minutes', 'timer', 'systemd', 'logrotate'),
];

const PRIVATE_AGENT = u(
  'dcos-mesos-slave.service',
  'Mesos Agent: distributed systems kernel agent',
  'service',
  'mesos-agent',
  'mesos',
  '/opt/mesosphere/packages/mesos--{sha}/bin/mesos-agent',
);
const PUBLIC_AGENT = u(
  'dcos-mesos-slave-public.service',
  'Mesos Agent Public: distributed systems kernel public agent',
  'service',
  'mesos-agent',
  'mesos',
  '/opt/mesosphere/packages/mesos--{sha}/bin/mesos-agent',
);

/** Units of a node, sorted by name as systemctl lists them. */
export function unitsFor(role: NodeRole): UnitSpec[] {
  const list =
    role === 'bootstrap'
      ? SYSTEM
      : role === 'master'
        ? [...SYSTEM, ...COMMON, ...MASTER]
        : [...SYSTEM, ...COMMON, ...AGENT, role === 'public_agent' ? PUBLIC_AGENT : PRIVATE_AGENT];
  return [...list].sort((a, b) => a.name.localeCompare(b.name));
}

/** The Mesos agent unit name for an agent role. */
export function agentUnit(role: NodeRole): string {
  return role === 'public_agent' ? 'dcos-mesos-slave-public.service' : 'dcos-mesos-slave.service';
}

/** How a unit looks while running: what systemctl shows as ACTIVE and SUB. */
export function runningPhase(spec: UnitSpec, at: number, pid: number): UnitPhase {
  switch (spec.type) {
    case 'oneshot':
      return { at, active: 'active', sub: 'exited', pid };
    case 'socket':
      return { at, active: 'active', sub: 'listening', pid: 0 };
    case 'timer':
      return { at, active: 'active', sub: 'waiting', pid: 0 };
    default:
      return { at, active: 'active', sub: 'running', pid };
  }
}

/** A unit's state over time: phases in time order; the state at t is the last phase at or before t. */
export class UnitRuntime {
  phases: UnitPhase[];

  constructor(
    readonly spec: UnitSpec,
    initial: UnitPhase,
  ) {
    this.phases = [initial];
  }

  at(t: number): UnitPhase {
    let current = this.phases[0] as UnitPhase;
    for (const p of this.phases) {
      if (p.at > t) break;
      current = p;
    }
    return current;
  }

  /** Replaces what was planned after `t` with new phases. */
  plan(t: number, phases: UnitPhase[]): void {
    this.phases = this.phases.filter((p) => p.at <= t).concat(phases);
    this.phases.sort((a, b) => a.at - b.at);
  }

  /** The last run up to t: when it became active and when it stopped (t if still running). */
  lastRun(t: number): { start: number; end: number } {
    let start = this.phases[0]?.at ?? 0;
    let end = t;
    let running = false;
    for (const p of this.phases) {
      if (p.at > t) break;
      if (p.active === 'active' && !running) {
        start = p.at;
        running = true;
        end = t;
      } else if (p.active !== 'active' && running) {
        running = false;
        end = p.at;
      }
    }
    return { start, end: running ? t : end };
  }

  /** When the current run started (the last change to active), for "since" and uptime. */
  since(t: number): number {
    const now = this.at(t);
    let since = now.at;
    for (let i = this.phases.indexOf(now); i >= 0; i--) {
      const p = this.phases[i] as UnitPhase;
      if (p.active !== now.active || p.pid !== now.pid) break;
      since = p.at;
    }
    return since;
  }
}
