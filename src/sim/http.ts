// HTTP as the cluster answers it. Addresses are labels: a request to 10.0.4.1:5050 is answered
// from the model of master-1, never dialled. TLS and authentication follow each node's security
// mode (strict: https and a token; permissive: both; disabled: http only).
import type { ClusterModel } from './model/cluster.js';
import { caCertificate } from './model/image.js';
import type { NodeInfo, NodeState } from './model/node.js';
import { marathonVersion, mesosVersion, packageId } from './model/versions.js';

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** curl -k */
  insecure: boolean;
  /** The content of the --cacert file, or null when none was given. */
  cacert: string | null;
}

export type HttpOutcome =
  | { kind: 'response'; status: number; reason: string; headers: [string, string][]; body: string; program?: string; location?: string }
  | { kind: 'error'; code: number; message: string };

const REASONS: Record<number, string> = {
  200: 'OK',
  307: 'Temporary Redirect',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  503: 'Service Unavailable',
};

function response(status: number, body: string, contentType = 'application/json', extra: [string, string][] = []): HttpOutcome {
  return {
    kind: 'response',
    status,
    reason: REASONS[status] ?? '',
    headers: [['Content-Type', contentType], ['Content-Length', String(Buffer.byteLength(body))], ...extra],
    body,
  };
}

const refused = (host: string, port: number): HttpOutcome => ({
  kind: 'error',
  code: 7,
  message: `Failed connect to ${host}:${port}; Connection refused`,
});

/** Parses a URL the way curl does, with http:// assumed when no scheme is given. */
export function parseUrl(raw: string): { scheme: string; host: string; port: number; path: string } | null {
  const m = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):\/\/)?([^/:?#]+)(?::(\d+))?([^#]*)/.exec(raw);
  if (!m) return null;
  const scheme = (m[1] ?? 'http').toLowerCase();
  const port = m[3] ? Number(m[3]) : scheme === 'https' ? 443 : 80;
  return { scheme, host: m[2] as string, port, path: m[4] || '/' };
}

/** One metrics value as Mesos' JSON writer prints a double. */
function dbl(n: number): string {
  if (Number.isInteger(n)) return `${n}.0`;
  return String(Math.round(n * 1e6) / 1e6);
}

const MASTER_KEYS = [
  'master/slave_reregistrations',
  'allocator/mesos/allocation_run_ms/p50',
  'master/frameworks_inactive',
  'registrar/log/recovered',
  'master/tasks_lost',
  'system/load_15min',
  'master/cpus_used',
  'master/mem_percent',
  'master/slaves_disconnected',
  'overlay/log/recovered',
  'master/uptime_secs',
  'master/tasks_running',
  'registrar/queued_operations',
  'master/outstanding_offers',
  'system/mem_total_bytes',
  'master/elected',
  'master/slaves_active',
  'master/dropped_messages',
  'master/tasks_staging',
  'registrar/log/ensemble_size',
  'master/frameworks_active',
  'master/cpus_total',
  'master/disk_total',
  'master/slave_registrations',
  'master/slaves_inactive',
  'master/tasks_failed',
  'system/load_1min',
  'master/mem_total',
  'master/slaves_connected',
  'registrar/registry_size_bytes',
  'master/tasks_finished',
  'master/event_queue_messages',
  'master/slave_removals',
  'master/tasks_unreachable',
  'overlay/log/ensemble_size',
  'master/frameworks_connected',
  'master/mem_used',
  'master/slaves_unreachable',
  'master/tasks_killed',
  'system/load_5min',
  'master/cpus_percent',
  'master/gpus_total',
  'master/tasks_starting',
  'registrar/state_fetch_ms',
  'master/disk_used',
  'master/frameworks_disconnected',
  'system/cpus_total',
  'master/event_queue_dispatches',
  'master/tasks_error',
  'system/mem_free_bytes',
  'allocator/mesos/allocation_runs',
  'master/disk_percent',
  'master/messages_register_slave',
];

const AGENT_KEYS = [
  'slave/tasks_finished',
  'containerizer/mesos/container_destroy_errors',
  'slave/mem_percent',
  'system/load_5min',
  'slave/executors_terminated',
  'slave/registered',
  'slave/cpus_total',
  'slave/tasks_running',
  'system/mem_free_bytes',
  'slave/uptime_secs',
  'slave/disk_used',
  'slave/executors_running',
  'slave/tasks_failed',
  'slave/frameworks_active',
  'system/load_1min',
  'slave/mem_total',
  'slave/recovery_errors',
  'slave/cpus_used',
  'slave/tasks_staging',
  'system/cpus_total',
  'slave/executors_registering',
  'slave/valid_status_updates',
  'slave/disk_total',
  'slave/tasks_killed',
  'slave/gpus_total',
  'system/load_15min',
  'slave/mem_used',
  'slave/tasks_lost',
  'slave/cpus_percent',
  'slave/tasks_starting',
  'system/mem_total_bytes',
  'slave/executors_terminating',
  'slave/invalid_status_updates',
  'slave/container_launch_errors',
];

function load(t: number, node: NodeInfo, spread: number): number {
  const phase = (t / 60_000 + node.index * 7) % 17;
  return Math.round((0.25 + (Math.sin(phase) + 1) * spread) * 100) / 100;
}

function jsonMetrics(keys: string[], values: Record<string, number>): string {
  return `{${keys.map((k) => `"${k.replace(/\//g, '\\/')}":${dbl(values[k] ?? 0)}`).join(',')}}`;
}

export function masterMetrics(model: ClusterModel, st: NodeState, t: number): string {
  const info = st.info;
  const elected = model.leaderAt(t)?.name === info.name;
  const recovered = model.masterRecovered(info, t);
  const counts = model.agentCounts(t);
  const uptime = (t - (st.master?.mesosListeningAt ?? t)) / 1000 + ((info.index * 0.137) % 1);
  const agents = model.agents.length;
  const v: Record<string, number> = {
    'master/uptime_secs': uptime,
    'master/elected': elected ? 1 : 0,
    'registrar/log/recovered': recovered ? 1 : 0,
    'registrar/log/ensemble_size': model.masters.length,
    'overlay/log/recovered': recovered ? 1 : 0,
    'overlay/log/ensemble_size': model.masters.length,
    'system/load_1min': load(t, info, 0.3),
    'system/load_5min': load(t - 240_000, info, 0.25),
    'system/load_15min': load(t - 800_000, info, 0.2),
    'system/cpus_total': 4,
    'system/mem_total_bytes': 16_294_727_680,
    'system/mem_free_bytes': 6_979_321_856 + (info.index % 7) * 104_857_600,
  };
  if (elected) {
    Object.assign(v, {
      'master/slaves_active': counts.active,
      'master/slaves_connected': counts.active,
      'master/slaves_disconnected': counts.disconnected,
      'master/slaves_inactive': 0,
      'master/slaves_unreachable': 0,
      'master/frameworks_active': 3,
      'master/frameworks_connected': 3,
      'master/tasks_running': counts.tasks,
      'master/cpus_total': agents * 4,
      'master/cpus_used': Math.round(counts.tasks * 0.6 * 10) / 10,
      'master/cpus_percent': agents ? (counts.tasks * 0.6) / (agents * 4) : 0,
      'master/mem_total': agents * 14_895,
      'master/mem_used': counts.tasks * 640,
      'master/mem_percent': agents ? (counts.tasks * 640) / (agents * 14_895) : 0,
      'master/disk_total': agents * 35_577,
      'master/disk_used': counts.tasks * 128,
      'master/disk_percent': agents ? (counts.tasks * 128) / (agents * 35_577) : 0,
      'master/slave_registrations': agents,
      'master/slave_reregistrations': agents,
      'master/messages_register_slave': agents,
      'master/tasks_finished': 1_204,
      'master/tasks_failed': 17,
      'master/tasks_killed': 311,
      'master/event_queue_dispatches': 3,
      'allocator/mesos/allocation_runs': Math.floor(uptime),
      'allocator/mesos/allocation_run_ms/p50': 0.412,
      'registrar/registry_size_bytes': 1_840 + agents * 412,
      'registrar/state_fetch_ms': 12.33,
    });
  }
  return jsonMetrics(MASTER_KEYS, v);
}

export function agentMetrics(model: ClusterModel, st: NodeState, unitSince: number, t: number): string {
  const info = st.info;
  const registered = st.registeredAt(t);
  const tasks = st.agent?.tasks ?? 0;
  const v: Record<string, number> = {
    'slave/registered': registered ? 1 : 0,
    'slave/uptime_secs': (t - unitSince) / 1000,
    'slave/tasks_running': tasks,
    'slave/executors_running': tasks,
    'slave/frameworks_active': tasks > 0 ? 2 : 0,
    'slave/cpus_total': 4,
    'slave/cpus_used': Math.round(tasks * 0.6 * 10) / 10,
    'slave/cpus_percent': (tasks * 0.6) / 4,
    'slave/mem_total': 14_895,
    'slave/mem_used': tasks * 640,
    'slave/mem_percent': (tasks * 640) / 14_895,
    'slave/disk_total': 35_577,
    'slave/disk_used': tasks * 128,
    'slave/gpus_total': 0,
    'slave/tasks_finished': 40 + (info.index % 13),
    'slave/valid_status_updates': 120 + (info.index % 31),
    'system/load_1min': load(t, info, 0.4),
    'system/load_5min': load(t - 240_000, info, 0.35),
    'system/load_15min': load(t - 800_000, info, 0.3),
    'system/cpus_total': 4,
    'system/mem_total_bytes': 16_294_727_680,
    'system/mem_free_bytes': 4_118_523_904 + (info.index % 11) * 52_428_800,
  };
  void model;
  return jsonMetrics(AGENT_KEYS, v);
}

/** Checks TLS for an https request: what curl reports when the certificate is not trusted. */
function tlsCheck(req: HttpRequest): HttpOutcome | null {
  if (req.insecure) return null;
  if (req.cacert === null) {
    return {
      kind: 'error',
      code: 60,
      message:
        'Peer\'s Certificate issuer is not recognized.\nMore details here: http://curl.haxx.se/docs/sslcerts.html\n\ncurl performs SSL certificate verification by default, using a "bundle"\n of Certificate Authority (CA) public keys (CA certs). If the default\n bundle file isn\'t adequate, you can specify an alternate file\n using the --cacert option.',
    };
  }
  if (!req.cacert.includes(caCertificate().split('\n')[1] as string))
    return { kind: 'error', code: 60, message: "Peer's Certificate issuer is not recognized." };
  return null;
}

type Scheme = 'http' | 'https';

/** Mesos' HTTP endpoints (5050, 5051) under the node's security mode. */
function mesosAuth(model: ClusterModel, st: NodeState, scheme: Scheme, req: HttpRequest): HttpOutcome | null {
  const sec = model.securityOf(st);
  if (scheme === 'https' && sec === 'disabled')
    return { kind: 'error', code: 35, message: 'SSL received a record that exceeded the maximum permissible length.' };
  if (scheme === 'http' && sec === 'strict') return { kind: 'error', code: 56, message: 'Recv failure: Connection reset by peer' };
  if (scheme === 'https') {
    const tls = tlsCheck(req);
    if (tls) return tls;
  }
  const auth = req.headers.authorization;
  const valid = auth !== undefined && auth.trim() === `token=${model.token}`;
  if (sec === 'strict' && !valid) return response(401, '', 'text/plain', [['WWW-Authenticate', 'Mesos realm="mesos"']]);
  if (sec === 'permissive' && auth !== undefined && !valid)
    return response(401, '', 'text/plain', [['WWW-Authenticate', 'Mesos realm="mesos"']]);
  return null;
}

/** Answers a request made from `from`. */
export function httpRequest(model: ClusterModel, from: NodeInfo, req: HttpRequest): HttpOutcome {
  const url = parseUrl(req.url);
  if (!url) return { kind: 'error', code: 3, message: `<url> malformed` };
  if (url.scheme !== 'http' && url.scheme !== 'https')
    return { kind: 'error', code: 1, message: `Protocol ${url.scheme} not supported or disabled in libcurl` };
  const t = model.now();
  const scheme = url.scheme as Scheme;
  const { port, path } = url;
  let target: NodeInfo | undefined;
  let local = false;
  const host = url.host.toLowerCase();
  if (host === 'localhost' || host === '127.0.0.1' || host === from.hostname) {
    target = from;
    local = host !== from.hostname;
  } else if (host === 'leader.mesos') {
    target = model.leaderAt(t) ?? undefined;
    if (!target) return { kind: 'error', code: 6, message: 'Could not resolve host: leader.mesos; Name or service not known' };
  } else if (host === 'master.mesos') target = model.masters[0];
  else target = model.byIp(host) ?? model.node(host);
  if (!target) {
    if (/^\d+\.\d+\.\d+\.\d+$/.test(host))
      return { kind: 'error', code: 7, message: `Failed connect to ${url.host}:${port}; No route to host` };
    return { kind: 'error', code: 6, message: `Could not resolve host: ${url.host}; Name or service not known` };
  }
  const st = model.state(target.name);
  const shownHost = url.host;

  if (target.role === 'bootstrap') {
    const c = model.containers.find((x) => x.hostPort === port);
    if (!c || scheme !== 'http') return refused(shownHost, port);
    const file = `${c.mount}${decodeURIComponent(path.split('?')[0] ?? '/')}`.replace(/\/+$/, '') || '/';
    const entry = st.fs.get(file);
    const nginx: [string, string][] = [['Server', 'nginx/1.13.12']];
    if (!entry) return { ...(response(404, nginx404(404, 'Not Found'), 'text/html', nginx) as Extract<HttpOutcome, { kind: 'response' }>) };
    if (entry.kind === 'dir') return response(403, nginx404(403, 'Forbidden'), 'text/html', nginx);
    const body = st.fs.read(file, 'root');
    const out = response(200, body, 'application/octet-stream', [
      ...nginx,
      ['Last-Modified', new Date(entry.mtime).toUTCString()],
      ['ETag', `"${(entry.mtime / 1000).toString(16).slice(0, 8)}-${body.length.toString(16)}"`],
      ['Accept-Ranges', 'bytes'],
    ]) as Extract<HttpOutcome, { kind: 'response' }>;
    if (entry.program) out.program = entry.program;
    return out;
  }

  switch (port) {
    case 5050: {
      if (target.role !== 'master' || local || !model.masterListening(target, t)) return refused(shownHost, port);
      const denied = mesosAuth(model, st, scheme, req);
      if (denied) return denied;
      if (path.startsWith('/metrics/snapshot')) return response(200, masterMetrics(model, st, t));
      if (path === '/version')
        return response(
          200,
          `{"build_date":"2018-07-02 19:24:43","build_time":1530559483.0,"build_user":"centos","git_sha":"${packageId('mesos', st.version).slice(-40)}","version":"${mesosVersion(st.version)}"}`,
        );
      if (path === '/health' || path === '/master/health') return response(200, '', 'text/plain');
      if (path.startsWith('/redirect') || path.startsWith('/master/redirect')) {
        const l = model.leaderAt(t);
        return {
          kind: 'response',
          status: 307,
          reason: 'Temporary Redirect',
          headers: [
            ['Location', `//${l?.ip ?? target.ip}:5050`],
            ['Content-Length', '0'],
          ],
          body: '',
        };
      }
      if (/^\/(master\/)?slaves(\?|$)/.test(path)) {
        // Only the leader answers; another master redirects there, as Mesos does (curl without -L prints nothing).
        const l = model.leaderAt(t);
        if (!l) return response(503, 'No leader elected\n', 'text/plain');
        if (l.name !== target.name)
          return {
            kind: 'response',
            status: 307,
            reason: 'Temporary Redirect',
            headers: [
              ['Location', `//${l.ip}:5050/master/slaves`],
              ['Content-Length', '0'],
            ],
            body: '',
          };
        return response(200, model.agentsEndpoint(t));
      }
      if (path.startsWith('/state-summary') || path.startsWith('/master/state-summary')) {
        const counts = model.agentCounts(t);
        return response(
          200,
          `{"hostname":"${target.ip}","cluster":"${model.clusterName}","slaves":${counts.active},"frameworks":3,"tasks_running":${counts.tasks}}`,
        );
      }
      return response(404, '', 'text/plain');
    }
    case 5051: {
      if (target.role === 'master' || local) return refused(shownHost, port);
      const unit = st.unit(target.role === 'public_agent' ? 'dcos-mesos-slave-public' : 'dcos-mesos-slave');
      const phase = unit?.at(t);
      if (!unit || phase?.active !== 'active') return refused(shownHost, port);
      const denied = mesosAuth(model, st, scheme, req);
      if (denied) return denied;
      if (path.startsWith('/metrics/snapshot')) return response(200, agentMetrics(model, st, unit.since(t), t));
      if (path === '/health') return response(200, '', 'text/plain');
      if (path === '/version') return response(200, `{"version":"${mesosVersion(st.version)}"}`);
      return response(404, '', 'text/plain');
    }
    case 8181: {
      if (target.role !== 'master' || !st.active('dcos-exhibitor', t)) return refused(shownHost, port);
      if (scheme === 'https')
        return { kind: 'error', code: 35, message: 'SSL received a record that exceeded the maximum permissible length.' };
      if (path.startsWith('/exhibitor/v1/cluster/status')) return response(200, model.exhibitorStatus(t));
      if (path.startsWith('/exhibitor/v1/cluster/list'))
        return response(200, `{"servers":[${model.masters.map((m) => `"${m.ip}"`).join(',')}],"port":2181}`);
      if (path.startsWith('/exhibitor/v1/ui/index.html') || path === '/exhibitor/v1/ui/' || path === '/') {
        return response(
          200,
          '<!DOCTYPE html>\n<html>\n<head>\n<title>Exhibitor for ZooKeeper</title>\n</head>\n<body>\n<div id="app">Exhibitor</div>\n</body>\n</html>\n',
          'text/html',
        );
      }
      if (path.startsWith('/exhibitor/v1/cluster/state')) {
        const serving = model.exhibitorServing(target, t);
        return response(
          200,
          `{"response":{"switches":{"restarts":true,"cleanup":true,"backups":true},"state":${serving ? 3 : 2},"description":"${serving ? 'serving' : 'not serving'}","isLeader":${model.zkLeaderAt(t)?.name === target.name}},"errorMessage":"","success":true}`,
        );
      }
      return response(404, '', 'text/plain');
    }
    case 80:
    case 443: {
      if (target.role !== 'master' || !st.active('dcos-adminrouter', t)) return refused(shownHost, port);
      if ((port === 443) !== (scheme === 'https'))
        return {
          kind: 'error',
          code: scheme === 'https' ? 35 : 52,
          message: scheme === 'https' ? 'SSL received a record that exceeded the maximum permissible length.' : 'Empty reply from server',
        };
      if (scheme === 'https') {
        const tls = tlsCheck(req);
        if (tls) return tls;
      }
      const ar: [string, string][] = [['Server', 'openresty']];
      if (path === '/ca/dcos-ca.crt') return response(200, caCertificate(), 'application/x-x509-ca-cert', ar);
      if (path === '/dcos-metadata/dcos-version.json') {
        return response(
          200,
          `{\n  "version": "${st.version}",\n  "dcos-image-commit": "${packageId('commit', st.version).slice(-40)}",\n  "bootstrap-id": "${packageId('bootstrap', st.version).slice(-40)}"\n}\n`,
          'application/json',
          ar,
        );
      }
      if (path.startsWith('/exhibitor/exhibitor/v1/cluster/status')) return response(200, model.exhibitorStatus(t), 'application/json', ar);
      const auth = req.headers.authorization;
      if (auth === undefined || auth.trim() !== `token=${model.token}`) {
        return response(
          401,
          '{\n  "title": "Unauthorized",\n  "description": "Please provide a DC/OS authentication token in the Authorization header.",\n  "code": "401"\n}\n',
          'application/json',
          [...ar, ['WWW-Authenticate', 'acsjwt']],
        );
      }
      if (path.startsWith('/mesos/metrics/snapshot')) {
        const l = model.leaderAt(t);
        return l
          ? response(200, masterMetrics(model, model.state(l.name), t), 'application/json', ar)
          : response(503, 'Mesos master is not reachable\n', 'text/plain', ar);
      }
      return response(404, nginx404(404, 'Not Found'), 'text/html', ar);
    }
    case 8080: {
      if (target.role !== 'master' || !st.active('dcos-marathon', t)) return refused(shownHost, port);
      if (path === '/ping') return response(200, 'pong\n', 'text/plain');
      if (path.startsWith('/v2/info'))
        return response(
          200,
          `{"name":"marathon","version":"${marathonVersion(st.version)}","elected":${model.leaderAt(t)?.name === target.name},"leader":"${model.leaderAt(t)?.ip ?? target.ip}:8080"}`,
        );
      return response(404, '{"message":"Not Found"}');
    }
    case 8123: {
      if (target.role !== 'master' || !st.active('dcos-mesos-dns', t)) return refused(shownHost, port);
      if (path.startsWith('/v1/version'))
        return response(200, '{"Service":"Mesos-DNS","URL":"https://github.com/mesosphere/mesos-dns","Version":"v0.6.0"}');
      return response(404, '404 page not found\n', 'text/plain');
    }
    default:
      return refused(shownHost, port);
  }
}

function nginx404(status: number, reason: string): string {
  return `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body bgcolor="white">\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx/1.13.12</center>\r\n</body>\r\n</html>\r\n`;
}
