// config.yaml on the bootstrap node, in the 1.11 Enterprise template's shape.
import { load } from 'js-yaml';

export interface ConfigFacts {
  clusterName: string;
  bootstrapIp: string;
  masterIps: string[];
  security: 'disabled' | 'permissive' | 'strict';
  enableIpv6: boolean;
  exhibitorBackend: 'static' | 'zookeeper';
  /** Custom node and cluster health checks (custom_checks). */
  customChecks?: boolean;
}

/** The text of config.yaml for these facts. */
export function configYaml(f: ConfigFacts): string {
  const lines = [
    `bootstrap_url: http://${f.bootstrapIp}:80`,
    `cluster_name: ${f.clusterName}`,
    'superuser_username: bootstrapuser',
    'superuser_password_hash: $6$rounds=656000$8CXbMqwuglDt3Yai$ZkLEj8zS.GmPGWt.dhwAv0.XsjYXwVHuS9aHh3DMcfGaz45OpGxC5oQPXUUpFLMkqlXCfhXMloIzE0Xh8VwHJ.',
    `exhibitor_storage_backend: ${f.exhibitorBackend}`,
  ];
  if (f.exhibitorBackend === 'zookeeper') {
    lines.push(`exhibitor_zk_hosts: ${f.masterIps.map((ip) => `${ip}:2181`).join(',')}`, 'exhibitor_zk_path: /dcos');
  }
  lines.push(
    'master_discovery: static',
    'ip_detect_public_filename: genconf/ip-detect-public',
    'master_list:',
    ...f.masterIps.map((ip) => `- ${ip}`),
    'resolvers:',
    '- 169.254.169.253',
    `security: ${f.security}`,
    "use_proxy: 'false'",
    'fault_domain_enabled: false',
    `enable_ipv6: '${f.enableIpv6 ? 'true' : 'false'}'`,
  );
  if (f.customChecks) {
    lines.push(
      'custom_checks:',
      '  cluster_checks:',
      '    marathon-lb-healthy:',
      '      description: The edge load balancer answers its health check',
      '      cmd: [/opt/checks/marathon-lb-health.sh]',
      '      timeout: 5s',
      '  node_checks:',
      '    checks:',
      '      data-disk:',
      '        description: /var/lib/mesos has room for sandboxes',
      '        cmd: [/opt/checks/data-disk.sh]',
      '        timeout: 3s',
      '    poststart: [data-disk]',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The settings the node patch script bakes in from config.yaml (what the packages carry). */
export interface BakedConfig {
  security: string;
  enableIpv6: boolean;
  exhibitorBackend: string;
}

/** Reads config.yaml the way the installer does; returns the first validation error as "key: message". */
export function readConfig(text: string): { ok: true; config: BakedConfig; raw: Record<string, unknown> } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = load(text);
  } catch (e) {
    const mark = (e as { mark?: { line: number; column: number } }).mark;
    return {
      ok: false,
      error: `config.yaml: Unable to parse: ${(e as Error).message.split('\n')[0]}${mark ? ` (line ${mark.line + 1}, column ${mark.column + 1})` : ''}`,
    };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return { ok: false, error: 'config.yaml: must be a YAML mapping of settings' };
  const c = raw as Record<string, unknown>;
  const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
  for (const key of ['bootstrap_url', 'cluster_name', 'master_discovery']) {
    if (c[key] === undefined) return { ok: false, error: `${key}: Must set ${key}, no way to calculate value.` };
  }
  const security = str(c.security || 'permissive');
  if (!['disabled', 'permissive', 'strict'].includes(security)) {
    return { ok: false, error: `security: Must be one of ['disabled', 'permissive', 'strict']. Got ${security}.` };
  }
  const ipv6 = str(c.enable_ipv6 ?? 'true');
  if (ipv6 !== 'true' && ipv6 !== 'false') return { ok: false, error: `enable_ipv6: Must be one of ['true', 'false']. Got ${ipv6}.` };
  const resolvers = c.resolvers;
  if (Array.isArray(resolvers) && resolvers.length > 3) return { ok: false, error: 'resolvers: Must contain at most 3 DNS resolvers.' };
  return {
    ok: true,
    config: { security, enableIpv6: ipv6 === 'true', exhibitorBackend: str(c.exhibitor_storage_backend || 'static') },
    raw: c,
  };
}
