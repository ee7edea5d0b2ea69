// Training scenarios: each is a fault the patching page warns about or an operator meets on a
// real cluster. The description is the briefing (it does not give the fault away); the lesson is
// shown only after the run, in the trainee's report.
import type { ScenarioFaults } from './model/faults.js';

export interface Scenario {
  name: string;
  /** What the scenario trains, for whoever picks it (an instructor, the list command). */
  title: string;
  /** The trainee's briefing before the run: the situation, never the fault. */
  description: string;
  /** What a trainee should learn; shown only after the run, in the report. */
  lesson: string;
}

export interface ScenarioDefinition extends Scenario {
  faults: ScenarioFaults;
  /** The cluster's shape where the scenario needs one (options given to the simulator still win). */
  shape?: { publicAgents?: number };
  security: 'disabled' | 'permissive' | 'strict';
  /** A configuration-only pass: the installer on the bootstrap node builds the installed release. */
  configOnly?: boolean;
  /** Parameters the change ticket gives, over the usual ones (the trainee may still change them). */
  params?: Record<string, string>;
}

const BRIEF =
  'Patch every node of this DC/OS 1.11 Enterprise cluster to the next patch release, following the runbook. The change ticket says the cluster runs';

export const scenarioDefinitions: readonly ScenarioDefinition[] = [
  {
    name: 'happy',
    title: 'Happy path',
    description: `${BRIEF} {installed} in permissive mode.`,
    lesson:
      'A patch is a sequence of gates: each master rejoins ZooKeeper, recovers its registrar and lets the IAM ranges re-replicate before the next one goes; each agent re-registers well within five minutes.',
    faults: {},
    security: 'permissive',
  },
  {
    name: 'ranges-slow',
    title: 'IAM ranges slow to re-replicate',
    description: `${BRIEF} {installed} in permissive mode. The IAM database holds many users.`,
    lesson:
      'ranges_underreplicated can take many minutes to reach zero after a master rejoins. Patching the next master before it does puts IAM ranges at risk of losing quorum (ranges_unavailable). Re-run the check each minute and wait; look at dcos-cockroach on every master if it stops falling.',
    faults: { rangesSlow: true },
    security: 'permissive',
  },
  {
    name: 'registrar-stuck',
    title: 'A master whose registrar does not recover',
    description: `${BRIEF} {installed} in permissive mode.`,
    lesson:
      'After its patch, one master kept logging "Unable to finish the recover protocol in 10secs, retrying" and registrar/log/recovered stayed 0, so the script\'s checks failed. The fix is on that master: sudo systemctl restart dcos-mesos-master, then watch the gate turn. Never move on to the next master while one has not recovered: two masters down lose the quorum.',
    faults: { registrarStuck: true },
    security: 'permissive',
  },
  {
    name: 'libltdl',
    title: 'libltdl.so.7 left on an agent',
    description: `${BRIEF} {installed} in permissive mode. Some agents were built from an older hardened image.`,
    lesson:
      'On one agent /opt/mesosphere/lib/libltdl.so.7 carried the immutable attribute, so rm could not remove it (lsattr shows the i flag), and the patch script fails on a file conflict when the library is still there. Clear the attribute with sudo chattr -i, remove the file, then run the script again. A step that fails must not be skipped lightly: the next one depends on it.',
    faults: { libltdlImmutable: true },
    security: 'permissive',
  },
  {
    name: 'agent-expires',
    title: 'An agent that stays away longer than 5 minutes',
    description: `${BRIEF} {installed} in permissive mode. The network between the agent racks and the masters has been flaky this week.`,
    lesson:
      'The first agent patched could not reach the leading master for more than five minutes after its restart, so the masters removed it and its tasks; when it came back it was told to shut down ("Agent attempted to re-register after removal"). Its journal says what to do: remove /var/lib/mesos/slave/meta/slaves/latest and restart dcos-mesos-slave; it then registers as a new agent without its old tasks. Watch the 5-minute countdown and investigate early.',
    faults: { agentExpires: true },
    security: 'permissive',
  },
  {
    name: 'wrong-version',
    title: 'The wrong installed version given to the installer',
    description: `${BRIEF} {installed} in permissive mode.`,
    lesson:
      'The ticket was wrong: the nodes ran an older patch release. The installer cannot know and builds a script for the version it is given; the script refuses to run ("ERROR: Expecting to upgrade DC/OS from ... Version found on node: ..."). Check the running version on a node (/opt/mesosphere/etc/dcos-version.json) before generating the script, and regenerate it with the right one.',
    faults: { wrongVersion: true },
    security: 'permissive',
  },
  {
    name: 'forbidden-config',
    title: 'A forbidden change in config.yaml',
    description: `${BRIEF} {installed} in permissive mode. A colleague already merged the old config.yaml into the 1.11 format in genconf/.`,
    lesson:
      'The merged config.yaml switched exhibitor_storage_backend from static to zookeeper. The Exhibitor backend may never change during a patch: a master patched with it cannot rejoin the ZooKeeper ensemble. Diff the old and new config.yaml (the configuration guard does) and undo anything outside the allowed list before generating the script.',
    faults: { forbiddenConfig: true },
    security: 'permissive',
  },
  {
    name: 'ipv6-disabled',
    title: "IPv6 disabled in the kernel while enable_ipv6 is 'true'",
    description: `${BRIEF} {installed} in permissive mode. The operating system team hardened the kernel settings last month.`,
    lesson:
      "config.yaml has enable_ipv6: 'true' but every node boots with net.ipv6.conf.all.disable_ipv6 = 1. After the patch dcos-net fails to configure the IPv6 overlay and keeps restarting, so the checks never pass. The page says it: if IPv6 is disabled in the kernel, disable it in config.yaml (on a running cluster that is a configuration-only pass of its own, acknowledging that the IPv6 overlay dcos6 goes away). The prerequisite check reads /proc/sys/net/ipv6/conf/all/disable_ipv6 on every node before anything changes.",
    faults: { ipv6Disabled: true },
    security: 'permissive',
  },
  {
    name: 'strict',
    title: 'Strict mode: metrics need https and a token',
    description: `${BRIEF} {installed}. The DC/OS CLI on the bootstrap node is logged in as the superuser.`,
    lesson:
      'The cluster runs in strict mode: Mesos answers only over https, with the cluster CA (--cacert /run/dcos/pki/CA/ca-bundle.crt) and a superuser token (-H "Authorization: token=..."); plain http is reset and a missing token gets 401. The token comes from dcos config show core.dcos_acs_token and must never be written to a log.',
    faults: {},
    security: 'strict',
  },
  {
    name: 'no-public-agents',
    title: 'A cluster without public agents',
    description: `${BRIEF} {installed} in permissive mode. Its services are reached through an external load balancer.`,
    lesson:
      'Many clusters have no public agent. The runbook patches the public agents in a section of their own, one at a time, and skips it when the inventory has none; a section that lists several roles runs on the nodes that have any of them. Only a section that would run on no node at all is refused.',
    faults: {},
    shape: { publicAgents: 0 },
    security: 'permissive',
  },
  {
    name: 'master-unhealthy',
    title: 'A master that is unhealthy before the patch starts',
    description: `${BRIEF} {installed} in permissive mode. The monitoring dashboards were quiet overnight.`,
    lesson:
      'One master had not recovered its registrar since its last restart (registrar/log/recovered 0, "Unable to finish the recover protocol" in its log) before anything was patched. Patching another master then leaves one healthy master of three: the quorum is lost. The health gates run on the cluster as it is before the first master is touched; fix the unhealthy master first (sudo systemctl restart dcos-mesos-master on it) and start again.',
    faults: { masterUnhealthy: true },
    security: 'permissive',
  },
  {
    name: 'unlisted-agent',
    title: 'An agent Mesos knows that the inventory leaves out',
    description: `${BRIEF} {installed} in permissive mode. The inventory comes from the change ticket.`,
    lesson:
      "The inventory from the ticket missed one private agent that is registered with Mesos. Patched from the inventory alone, it would stay on the old release while the run ended in success. The leading master's agent list (GET :5050/slaves) is the cluster's own list: compare it with the inventory before anything changes, and add the agent, or accept leaving it out by name.",
    faults: { unlistedAgent: true },
    security: 'permissive',
  },
  {
    name: 'config-edited',
    title: 'config.yaml edited after it was checked',
    description: `${BRIEF} {installed} in permissive mode. A colleague is working on the bootstrap node at the same time.`,
    lesson:
      "Right after the configuration check read genconf/config.yaml, a colleague added a resolver to it. A change like that is refused while patching, and it would have ridden into every node's patch script unchecked. The check records the sha256 of the file it checked; immediately before the installer runs, the file must still have it, or the run stops and names what changed. Find out who changed it and why; build only what was checked.",
    faults: { configEditedAfterRead: true },
    security: 'permissive',
  },
  {
    name: 'ipv6-change',
    title: 'enable_ipv6 switched off in the merged config.yaml',
    description: `${BRIEF} {installed} in permissive mode. A colleague already merged the old config.yaml into the 1.11 format in genconf/, following the release guidelines.`,
    lesson:
      "The merged config.yaml says enable_ipv6: 'false' where the running cluster has 'true'. That takes the IPv6 overlay network dcos6 away from a running cluster, and enable_ipv6 is not among the keys that may change: it is refused while patching. Do it, if at all, in a configuration-only pass of its own on the installed version, acknowledging what happens to dcos6 (ipv6_overlay=remove), then patch.",
    faults: { ipv6Change: true },
    security: 'permissive',
  },
  {
    name: 'custom-checks',
    title: 'Custom health checks and the move to permissive',
    description:
      'Move this DC/OS 1.11 Enterprise cluster, which runs {installed} with security disabled, to permissive security, following the runbook (a configuration-only pass). A colleague already prepared genconf/config.yaml for the move.',
    lesson:
      'The cluster has custom node and cluster health checks in config.yaml. They fail once the cluster is permissive (bypassing them is not supported in 1.11), and the node patch script waits for the checks: the first master would fail after switching mode, leaving the masters in mixed modes. Remove custom_checks in a configuration-only pass that keeps security disabled, then move to permissive with no other change, then add the checks back in another configuration-only pass.',
    faults: { customChecks: true },
    security: 'disabled',
    configOnly: true,
    params: { security: 'disabled', security_change: 'to-permissive' },
  },
];

/** The scenarios, for listing: name, title, description (the briefing) and lesson. */
export const scenarios: readonly Scenario[] = scenarioDefinitions.map(({ name, title, description, lesson }) => ({
  name,
  title,
  description: description.replace('{installed}', '1.11.4'),
  lesson,
}));

export function findScenario(name: string): ScenarioDefinition | undefined {
  return scenarioDefinitions.find((s) => s.name === name);
}
