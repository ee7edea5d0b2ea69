// dcos_generate_config.ee.sh --generate-node-upgrade-script and the dcos_node_upgrade.sh it
// writes, with the 1.11 sources' messages and order of checks (see DCOS-FACTS).
import { FsFailure } from '../fs.js';
import { readConfig } from '../model/config.js';
import { BOOTSTRAP_DIR } from '../model/image.js';
import { packageId } from '../model/versions.js';
import { Rng } from '../rng.js';
import type { Program, ProgramContext } from '../shell/interpreter.js';
import { fail, simHost } from './host.js';
import { checksJson } from './dcos.js';

const S = 1000;

/** The text of a generated dcos_node_upgrade.sh; the simulator reads its settings back from it. */
export function upgradeScriptText(o: { from: string; to: string; id: string; bootstrapUrl: string; listId: string }): string {
  return `#!/bin/bash
#
# BASH script to upgrade DC/OS on a node
#
# Metadata:
#   dcos image commit: ${packageId('commit', o.to).slice(-40)}
#   generation date: 2018-03-08 13:20:11.531023
#
# Copyright 2018 Mesosphere, Inc.
#
set -o errexit -o pipefail -o nounset

source /opt/mesosphere/environment.export

readonly INSTALLED_VERSION="${o.from}"
readonly TARGET_VERSION="${o.to}"
readonly BOOTSTRAP_URL="${o.bootstrapUrl}"
readonly CLUSTER_PACKAGE_LIST_ID="${o.listId}"
readonly UPGRADE_ID="${o.id}"

SKIP_CHECKS=false
VERBOSE=false
for arg in "$@"; do
    case "$arg" in
        --skip-checks) SKIP_CHECKS=true; echo "Skipping checks" ;;
        --verbose) VERBOSE=true; echo "Verbose mode on" ;;
    esac
done

if [ "$(id -u)" != "0" ]; then
    echo "This script must be run as root" >&2
    exit 1
fi

found_version=$(/opt/mesosphere/bin/python -c "import json; print(json.load(open('/opt/mesosphere/etc/dcos-version.json'))['version'])")
if [ "$found_version" != "$INSTALLED_VERSION" ]; then
    echo "ERROR: Expecting to upgrade DC/OS from $INSTALLED_VERSION to $TARGET_VERSION. Version found on node: $found_version"
    exit 1
fi
# ... (role detection, pkgpanda fetch, pkgpanda activate --no-block, post-upgrade checks)
`;
}

function scriptSettings(text: string): { from: string; to: string; url: string; listId: string; id: string } | null {
  const get = (name: string): string | undefined => new RegExp(`^readonly ${name}="([^"]*)"`, 'm').exec(text)?.[1];
  const from = get('INSTALLED_VERSION');
  const to = get('TARGET_VERSION');
  const url = get('BOOTSTRAP_URL');
  const listId = get('CLUSTER_PACKAGE_LIST_ID');
  const id = get('UPGRADE_ID');
  if (!from || !to || !url || !listId || !id) return null;
  return { from, to, url, listId, id };
}

const installer: Program = async (ctx) => {
  const host = simHost(ctx);
  const model = host.model;
  const clock = host.clock;
  const fs = ctx.sh.host.fs;
  const args = ctx.argv.slice(1);
  if (args.includes('--help') || args.includes('-h')) {
    ctx.io.stdout.write(
      'usage: dcos_generate_config.ee.sh [-h] [-v] [--hash-password HASH_PASSWORD]\n                                   [--generate-node-upgrade-script GENERATE_NODE_UPGRADE_SCRIPT]\n                                   [--genconf] [--validate-config] [--version]\n',
    );
    return 0;
  }
  if (args.includes('--version')) {
    ctx.io.stdout.write(`{"version": "${model.targetVersion}", "variant": "ee"}\n`);
    return 0;
  }
  // The installer runs the genconf image in docker: root (or the docker group) is needed.
  if (ctx.sh.user !== 'root') {
    ctx.io.stdout.write('Extracting image from this script and loading into docker daemon, this step can take a few minutes\n');
    await clock.sleep(3 * S, ctx.signal);
    return fail(
      ctx,
      1,
      'Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Post http://%2Fvar%2Frun%2Fdocker.sock/v1.35/images/load?quiet=1: dial unix /var/run/docker.sock: connect: permission denied',
    );
  }
  const cwd = ctx.sh.cwd;
  const genconf = `${cwd}/genconf`;
  const firstRun = model.scripts.size === 0;
  if (firstRun) {
    ctx.io.stdout.write('Extracting image from this script and loading into docker daemon, this step can take a few minutes\n');
    await clock.sleep(45 * S, ctx.signal);
    ctx.io.stdout.write(
      `dcos-genconf.${packageId('genconf', model.targetVersion).slice(-20)}-${packageId('image', model.targetVersion).slice(-10)}.tar\n`,
    );
  }
  ctx.io.stdout.write(`Running mesosphere/dcos-genconf docker with BUILD_DIR set to ${genconf}\n`);
  await clock.sleep(4 * S, ctx.signal);
  const flagIndex = args.indexOf('--generate-node-upgrade-script');
  if (flagIndex < 0) {
    if (args.includes('--validate-config')) {
      const v = validate(ctx, genconf);
      if (typeof v === 'number') return v;
      ctx.io.stderr.write('====> VALIDATING CONFIGURATION\n');
      return 0;
    }
    return fail(
      ctx,
      1,
      'usage: dcos_generate_config.ee.sh [-h] [-v] [--generate-node-upgrade-script GENERATE_NODE_UPGRADE_SCRIPT] ...\ndcos_generate_config.ee.sh: error: only --generate-node-upgrade-script is available in this simulated cluster',
    );
  }
  const from = args[flagIndex + 1];
  ctx.io.stderr.write('====> EXECUTING UPGRADE SCRIPT GENERATION\n');
  if (!from || from.startsWith('-')) return fail(ctx, 1, 'Must provide the version of the cluster upgrading from');
  const v = validate(ctx, genconf);
  if (typeof v === 'number') return v;
  ctx.io.stderr.write('Generating configuration files...\n');
  await clock.sleep(20 * S, ctx.signal);
  const n = model.scripts.size + 1;
  const id = Rng.for(model.seed, 'upgrade-script', n).hex(32);
  const listId = packageId('list', `${model.targetVersion}:${JSON.stringify(v.config)}`).slice(-40);
  const bootstrapUrl = String(v.raw.bootstrap_url ?? `http://${model.bootstrap.ip}:80`).replace(/\/$/, '');
  ctx.io.stderr.write(`Cluster package list: package_lists/${listId}.package_list.json\n`);
  ctx.io.stderr.write('Generating Bash configuration files for DC/OS\n');
  const serve = `${genconf}/serve`;
  try {
    fs.mkdir(`${serve}/upgrade/${id}`, 'root', true);
    fs.mkdir(`${serve}/package_lists`, 'root', true);
    fs.mkdir(`${serve}/bootstrap`, 'root', true);
    fs.write(
      `${serve}/package_lists/${listId}.package_list.json`,
      JSON.stringify(
        ['adminrouter', 'cockroach', 'dcos-config', 'dcos-net', 'exhibitor', 'marathon', 'mesos', 'mesos-dns', 'metronome'].map((p) =>
          packageId(p, model.targetVersion),
        ),
      ),
      'root',
    );
    fs.write(
      `${serve}/bootstrap/${packageId('bootstrap', model.targetVersion).slice(-40)}.bootstrap.tar.xz`,
      '(bootstrap tarball)\n',
      'root',
    );
    fs.write(
      `${serve}/upgrade/${id}/dcos_node_upgrade.sh`,
      upgradeScriptText({ from, to: model.targetVersion, id, bootstrapUrl, listId }),
      'root',
      false,
      'dcos-node-upgrade',
    );
  } catch (e) {
    if (!(e instanceof FsFailure)) throw e;
    return fail(ctx, 1, `Unable to write ${e.path}: ${e.reason}`);
  }
  model.scripts.set(id, { id, from, to: model.targetVersion, baked: v.config, at: clock.now() });
  model.recordAction(host.node.info.name, 'installer', `node upgrade script ${id} from ${from} to ${model.targetVersion}`);
  ctx.io.stdout.write(`Node upgrade script URL: ${bootstrapUrl}/upgrade/${id}/dcos_node_upgrade.sh\n`);
  return 0;
};

function validate(ctx: ProgramContext, genconf: string): number | (ReturnType<typeof readConfig> & { ok: true }) {
  const fs = ctx.sh.host.fs;
  let text: string;
  try {
    text = fs.read(`${genconf}/config.yaml`, 'root');
  } catch {
    return fail(
      ctx,
      1,
      `Unable to read ${genconf}/config.yaml: No such file or directory. Copy config.yaml into genconf/ beside the installer (${BOOTSTRAP_DIR} here).`,
    );
  }
  const parsed = readConfig(text);
  if (!parsed.ok) return fail(ctx, 1, parsed.error);
  if (!fs.exists(`${genconf}/ip-detect`)) return fail(ctx, 1, `ip_detect_contents: File not found: ${genconf}/ip-detect`);
  if (!fs.exists(`${genconf}/license.txt`))
    return fail(ctx, 1, `license_key_contents: Missing license file ${genconf}/license.txt. DC/OS Enterprise needs a license key.`);
  return parsed;
}

/** dcos_node_upgrade.sh, run with bash on a node. */
const nodeUpgrade: Program = async (ctx) => {
  const host = simHost(ctx);
  const model = host.model;
  const st = host.node;
  const clock = host.clock;
  const fs = ctx.sh.host.fs;
  const script = ctx.argv[0] ?? 'dcos_node_upgrade.sh';
  const args = ctx.argv.slice(1);
  let text: string;
  try {
    text = fs.read(ctx.sh.resolve(script), ctx.sh.user);
  } catch (e) {
    if (!(e instanceof FsFailure)) throw e;
    return fail(ctx, 126, `bash: ${script}: ${e.reason}`);
  }
  const settings = scriptSettings(text);
  if (!settings) return fail(ctx, 2, `${script}: line 1: syntax error: the file is not a complete node upgrade script`);
  const skipChecks = args.includes('--skip-checks');
  const verbose = args.includes('--verbose');
  if (skipChecks) ctx.io.stdout.write('Skipping checks\n');
  if (verbose) ctx.io.stdout.write('Verbose mode on\n');
  if (ctx.sh.user !== 'root') return fail(ctx, 1, 'This script must be run as root');
  if (!fs.exists('/opt/mesosphere/environment.export'))
    return fail(ctx, 1, `${script}: line 13: /opt/mesosphere/environment.export: No such file or directory`);
  const found = st.version;
  if (found !== settings.from) {
    ctx.io.stdout.write(`ERROR: Expecting to upgrade DC/OS from ${settings.from} to ${settings.to}. Version found on node: ${found}\n`);
    if (found !== settings.to)
      model.recordFault(
        'wrong-installed-version',
        st.info.name,
        `The node patch script was generated for ${settings.from} but the node runs ${found}`,
      );
    return 1;
  }
  const now = (): number => clock.now();
  if (!skipChecks) {
    const node = model.diagnostics(st, now(), 'node-poststart');
    if (node.status !== 0) return fail(ctx, 1, 'Cannot proceed with upgrade, node checks failed');
    const cluster = model.diagnostics(st, now(), 'cluster');
    if (cluster.status !== 0) return fail(ctx, 1, 'Cannot proceed with upgrade, cluster checks failed');
  }
  const roleFile = ['master', 'slave', 'slave_public'].find((r) => fs.exists(`/etc/mesosphere/roles/${r}`));
  if (!roleFile)
    return fail(
      ctx,
      1,
      "ERROR: Can't determine this node's role. One of master, slave, or slave_public must be present under /etc/mesosphere/roles.",
    );
  const roleText = roleFile === 'master' ? 'master' : roleFile === 'slave' ? 'agent' : 'public agent';
  ctx.io.stdout.write(`Upgrading DC/OS ${roleText} ${settings.from} -> ${settings.to}\n`);
  model.recordAction(st.info.name, 'patch-started', `${settings.from} -> ${settings.to}`);
  const rng = Rng.for(model.seed, st.info.name, 'fetch', model.actions.length);
  // pkgpanda fetch: the packages come from the bootstrap node's nginx.
  const packages = ['adminrouter', 'cockroach', 'dcos-config', 'dcos-net', 'exhibitor', 'marathon', 'mesos', 'mesos-dns', 'metronome'];
  // At scale 1 the fetch takes two minutes or so: the whole script a few minutes.
  const perPackage = rng.int(8, 15) * S;
  for (const p of packages) {
    await clock.sleep(perPackage, ctx.signal);
    const served = servedPath(model, settings.url, `/package_lists/${settings.listId}.package_list.json`);
    const pkg = packageId(p === 'dcos-config' ? 'dcos-config--setup' : p, settings.to);
    if (!served) {
      model.recordAction(st.info.name, 'patch-failed', 'fetch failed');
      return fail(
        ctx,
        1,
        `ERROR: Unable to fetch package ${pkg}: Problem fetching ${settings.url}/packages/${p}/${pkg}.tar.xz: <urlopen error [Errno 111] Connection refused>`,
      );
    }
    if (verbose) ctx.io.stdout.write(`Fetching: ${pkg}\n`);
  }
  if (verbose) ctx.io.stdout.write('Activating packages\n');
  await clock.sleep(3 * S, ctx.signal);
  const generated = model.scripts.get(settings.id);
  const baked = generated?.baked ?? { security: model.security, enableIpv6: false, exhibitorBackend: 'static' };
  const result = model.activate(st, clock.now(), settings.to, baked);
  if (!result.ok) {
    model.recordAction(st.info.name, 'patch-failed', 'activation failed');
    return fail(ctx, 1, result.error);
  }
  // The script waits for the node and cluster checks: up to 300 tries, one second apart.
  let last = model.diagnostics(st, clock.now(), 'node-poststart');
  for (let i = 0; i < 300; i++) {
    await clock.sleep(S, ctx.signal);
    last = model.diagnostics(st, clock.now(), 'node-poststart');
    const cluster = model.diagnostics(st, clock.now(), 'cluster');
    if (last.status === 0 && cluster.status === 0) {
      model.recordAction(st.info.name, 'patch-finished', `now ${settings.to}`);
      return 0;
    }
    if (verbose && i % 30 === 29) ctx.io.stdout.write(`Waiting for checks (${i + 1}/300)\n`);
  }
  model.recordAction(st.info.name, 'patch-failed', 'checks failed');
  ctx.io.stdout.write('Node upgrade not successful, checks failed\n');
  ctx.io.stdout.write(checksJson(last));
  return 1;
};

/** The file a bootstrap URL points at, when nginx serves it. */
function servedPath(model: ReturnType<typeof simHost>['model'], url: string, path: string): boolean {
  const m = /^https?:\/\/([^/:]+)(?::(\d+))?/.exec(url);
  if (!m) return false;
  const port = Number(m[2] ?? 80);
  const container = model.containers.find((c) => c.hostPort === port);
  if (!container || (m[1] !== model.bootstrap.ip && m[1] !== model.bootstrap.hostname)) return false;
  return model.state(model.bootstrap.name).fs.exists(`${container.mount}${path}`);
}

export const installerPrograms: [string, Program][] = [
  ['dcos-installer', installer],
  ['dcos-node-upgrade', nodeUpgrade],
];
