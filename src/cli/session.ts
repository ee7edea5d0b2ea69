// The wiring shared by `play` and `train`: load the runbook and the inventory, resolve params,
// refuse --yes off the simulator, choose transports, open the journal (or the run to resume),
// build the runner; and the dry run. Which driver then runs it (plain mode now, the TUI next)
// is the caller's choice.
import { MIN_SECRET_LINE } from '../runbook/secret-forms.js';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import path from 'node:path';
import { realClock, scaledClock, type Clock } from '../engine/clock.js';
import type { ConnectionEvent, InventoryChange, JournalRecord, RunStartedRecord } from '../engine/events.js';
import { Journal, RUN_ID, findRunToResume, journalPath, newRunId, readJournal, recoverUnwritten } from '../engine/journal.js';
import { RunLocked, acquireRunLock, type RunLock } from '../engine/run-lock.js';
import { checkJournalFile, fsReason, prepareStateDir } from '../engine/state-dir.js';
import { LOCAL, buildPlan, type Plan } from '../engine/plan.js';
import { Runner } from '../engine/runner.js';
import { createRunState, type RunState } from '../engine/state.js';
import { needsConfirmation, replay, scopeFor } from '../engine/update.js';
import { inventoryChanges, nodeAddress } from '../inventory/changes.js';
import type { Inventory, InventoryNode } from '../inventory/types.js';
import { AnswerInterrupted, LineReader, readTerminalLine } from '../plain/line-reader.js';
import { MATCH_LIMITS_MS, boundedTest } from '../runbook/bounded-regex.js';
import { evaluateCondition } from '../runbook/condition.js';
import type { LoadedRunbook } from '../runbook/load.js';
import { InputError, formatProblem, type Problem } from '../input/problem.js';
import type { Param, Scalar } from '../runbook/schema.js';
import { renderForDisplay } from '../runbook/template.js';
import { findControl, stripControls } from '../input/controls.js';
import type { Transport } from '../transport/types.js';
import type { CommandIO } from './command-types.js';
import { InputErrorWithHint, UsageError } from './errors.js';

/** What to do when a runbook needs nodes and no inventory was given. */
export const NO_INVENTORY_HINT = [
  'This runbook runs on nodes, and no inventory names them. To try it without a cluster:',
  '  runbook train             plays the DC/OS patch runbook against a simulated cluster it starts',
  '  runbook sim               starts a simulated cluster, writes its inventory and prints the play command',
  'For real machines: --inventory FILE (see docs/inventory.md), or `runbook config set inventory FILE` once.',
].join('\n');

/** Who confirms when --yes answers for the operator. */
export const YES_BY = '--yes (simulator)';

/** What a play (or train) session is asked to do, already parsed from the command line. */
export interface SessionOptions {
  io: CommandIO;
  command: 'play' | 'train';
  /** The runbook file; with --resume it may come from the journal. */
  file?: string;
  inventoryFile?: string;
  /** An inventory built in memory (the simulator's); wins over inventoryFile. */
  inventory?: Inventory;
  /** --param k=v, in order. */
  params?: string[];
  stateDir?: string;
  dryRun?: boolean;
  /** Resume: true for the latest unfinished run of the runbook, or a run id. */
  resume?: boolean | string;
  allowChangedRunbook?: boolean;
  /** With resume: go on although the inventory file changed since the run started (the changes are shown). */
  allowChangedInventory?: boolean;
  yes?: boolean;
  timeScale?: number;
  sshUser?: string;
  identityFile?: string;
  acceptNewHostKeys?: boolean;
  /** Tests and train may bring their own transports. */
  transportFor?: (node: InventoryNode) => Transport;
  clock?: Clock;
  /** Called once before the session writes to the terminal (a warning, a param's prompt): train's early frame leaves the screen then. */
  beforeTerminal?: () => void;
}

/** How the session reaches nodes over SSH, for whatever else opens a connection (the TUI's shell). */
export interface SessionSsh {
  user?: string;
  identityFile?: string;
  /** Default ~/.ssh/known_hosts of the operator's home. */
  knownHostsFiles?: string[];
  /** The simulator's host keys, held in memory. */
  extraKnownHosts?: string[];
  acceptNewHostKeys?: boolean;
  resolveJump: (jump: string) => InventoryNode | undefined;
}

/** A session ready to drive: nothing has run yet. */
export interface Session {
  runner: Runner;
  state: RunState;
  /** The transport of each target, the same the runner uses (troubleshooting and health probes go through it). */
  transportFor: (node: InventoryNode) => Transport;
  /** The runner's clock (scaled with --time-scale). */
  clock: Clock;
  inventory?: Inventory;
  ssh: SessionSsh;
  journalFile: string;
  /** Answers from stdin, shared by the param prompts and the driver. */
  answers: LineReader;
  autoConfirm: boolean;
  warnings: string[];
  /** Installs SIGINT/SIGTERM handling until close(): interrupted, remote commands stopped, journal flushed, exit 130. */
  handleSignals(): void;
  close(): Promise<void>;
}

export type OpenResult = { kind: 'session'; session: Session } | { kind: 'dry-run'; status: number };

const usage = (message: string, command: string) => new UsageError(message, command);
const bad = (file: string, message: string, extra: Partial<Problem> = {}) =>
  new InputError([{ file, severity: 'error', message, ...extra }]);

/** --param pairs; a pair without "=" is a usage error. */
export function parseParamArgs(values: readonly string[], command: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const text of values) {
    const eq = text.indexOf('=');
    if (eq <= 0) throw usage(`--param ${text}: expected NAME=VALUE`, command);
    out.set(text.slice(0, eq), text.slice(eq + 1));
  }
  return out;
}

/** The OS user, for the journal's `by`. */
export function osUser(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER || env.LOGNAME || 'unknown';
  }
}

export async function openSession(options: SessionOptions): Promise<OpenResult> {
  // The run's lock, once taken, is let go if the session cannot open (bad input found later).
  const locks: RunLock[] = [];
  try {
    return await openLocked(options, locks);
  } catch (error) {
    for (const l of locks) l.release();
    throw error;
  }
}

/** Takes the run's lock for this player; another live player holding it is bad input (exit 2). */
function lockRun(stateDir: string, runId: string, journal: string, who: { user: string; command: string }, locks: RunLock[]): void {
  try {
    locks.push(acquireRunLock(stateDir, runId, who));
  } catch (error) {
    if (error instanceof RunLocked) throw bad(journal, error.message);
    throw error;
  }
}

async function openLocked(options: SessionOptions, locks: RunLock[]): Promise<OpenResult> {
  const { io, command } = options;
  const resolve = (f: string) => path.resolve(io.cwd, f);
  const warnings: string[] = [];
  const { loadSettings } = await import('../config/settings.js');
  const settings = loadSettings(io.env);
  const stateDir = resolve(options.stateDir ?? settings.stateDir);

  if (options.timeScale !== undefined && !(options.timeScale > 0 && Number.isFinite(options.timeScale))) {
    throw usage(`--time-scale must be a positive number, got ${options.timeScale}`, command);
  }

  // Journals are written only where they are safe (a dry run writes none). A resume reads the
  // state directory first; a new run makes it only once its input is known to be good, so bad
  // input leaves nothing behind.
  const prepareState = () => prepareStateDir(stateDir, options.stateDir ? '--state-dir' : 'the state directory');
  if (!options.dryRun && options.resume) await prepareState();
  const by = osUser(io.env);

  // Resume: the journal says which runbook and inventory the run used.
  let resumed: { file: string; records: JournalRecord[]; first: RunStartedRecord } | undefined;
  if (options.resume) {
    // A run named by id whose journal is a link: said so, rather than "no such run".
    if (typeof options.resume === 'string' && RUN_ID.test(options.resume)) await checkJournalFile(journalPath(stateDir, options.resume));
    const run = await findRunToResume(
      stateDir,
      options.file ? resolve(options.file) : undefined,
      typeof options.resume === 'string' ? options.resume : undefined,
    );
    if (!options.dryRun) {
      await checkJournalFile(run.file);
      // One player per run: the lock first, then the journal, which no other player now writes.
      lockRun(stateDir, run.id, run.file, { user: by, command }, locks);
      let back: number;
      try {
        back = recoverUnwritten(run.file);
      } catch (error) {
        if (error instanceof InputError) throw error;
        throw new Error(
          `the records set aside in ${run.file}.unwritten when the run stopped cannot be put back into its journal: ${fsReason(error)}; nothing ran (resume again once that is fixed)`,
        );
      }
      if (back > 0)
        io.stderr.write(
          `${run.file}: ${back} ${back === 1 ? 'record' : 'records'} the journal could not take when the run stopped were put back\n`,
        );
    }
    const { records } = await readJournal(run.file);
    // It may have finished while this player waited for the lock.
    const last = records.findLast((r) => r.event === 'run-finished' || r.event === 'resumed');
    if (last?.event === 'run-finished' && last.status === 'passed')
      throw bad(run.file, `run ${run.id} finished and passed; there is nothing to resume`);
    const first = records[0] as RunStartedRecord;
    resumed = { file: run.file, records, first };
  }
  const file = options.file ? resolve(options.file) : resumed?.first.runbook.file;
  if (!file) throw usage('missing <file.yaml>', command);

  // The inventory: given in memory, named, remembered by the journal, or from settings.
  let inventory = options.inventory;
  let inventoryDigest: string | undefined;
  const journalInventory = resumed?.first.inventory?.source;
  // A training's cluster went with its player: `train --resume` starts a new one; play cannot.
  if (resumed && command === 'play' && !inventory && !options.inventoryFile && journalInventory?.startsWith('sim:')) {
    throw bad(
      resumed.file,
      `run ${resumed.first.run} was a training on the simulated cluster (${journalInventory}), which stopped with its player: \`runbook train --resume ${resumed.first.run}\` goes on with it on a new one`,
    );
  }
  const inventoryFile = inventory
    ? undefined
    : (options.inventoryFile ??
      (journalInventory && !journalInventory.startsWith('sim:') ? journalInventory : undefined) ??
      settings.inventory);
  if (inventoryFile) {
    const { loadInventory } = await import('../inventory/load.js');
    const full = resolve(inventoryFile);
    inventory = await loadInventory(full, {
      defaults: {
        ...((options.sshUser ?? settings.sshUser) ? { user: options.sshUser ?? settings.sshUser } : {}),
        ...((options.identityFile ?? settings.identityFile) ? { identityFile: options.identityFile ?? settings.identityFile } : {}),
      },
      cwd: io.cwd,
      onWarning: (p) => warnings.push(formatProblem(p)),
    });
    inventory = { ...inventory, source: full };
    inventoryDigest = createHash('sha256')
      .update(await readFile(full))
      .digest('hex');
  }

  const { loadRunbook } = await import('../runbook/load.js');
  const loaded: LoadedRunbook = await loadRunbook(file, inventory ? { inventory } : {});
  for (const w of loaded.warnings) warnings.push(formatProblem(w));
  let plan: Plan;
  try {
    plan = buildPlan(loaded.runbook, inventory, { file });
  } catch (error) {
    // No inventory at all: the first thing a newcomer meets; say where nodes come from.
    if (!inventory && error instanceof InputError && error.problems.some((p) => p.message.includes('give an inventory'))) {
      throw new InputErrorWithHint(error.problems, NO_INVENTORY_HINT);
    }
    throw error;
  }
  warnings.push(...plan.warnings.map((w) => `${file}: warning: ${w}`));

  let changedRunbook = false;
  if (resumed && resumed.first.runbook.digest !== loaded.digest) {
    if (!options.allowChangedRunbook) {
      throw bad(
        file,
        `the runbook changed since run ${resumed.first.run} started (sha256 ${resumed.first.runbook.digest.slice(0, 12)} then, ${loaded.digest.slice(0, 12)} now); resuming would mix two procedures. Resume with --allow-changed-runbook to go on with the file as it is now.`,
      );
    }
    changedRunbook = true;
  }

  // The inventory is compared as the runbook is: the same names on other machines would run the
  // remaining steps, destructive ones included, where the operator did not mean them to.
  // The nodes are compared as well as the file: the same file may resolve to other machines when
  // ~/.ssh/config (a Host alias's HostName) changed.
  let changedInventory: InventoryChange | undefined;
  const then = resumed?.first.inventory;
  const nowNodes = inventory?.nodes.map(nodeAddress);
  const fileChanged = Boolean(then?.digest && inventoryDigest && then.digest !== inventoryDigest);
  const nodesChanged = Boolean(then?.nodes && nowNodes && JSON.stringify(then.nodes) !== JSON.stringify(nowNodes));
  if (resumed && then && inventory && nowNodes && (fileChanged || nodesChanged)) {
    const changes = inventoryChanges(then.nodes, nowNodes);
    const list = changes.map((c) => `\n  ${c}`).join('');
    const what = fileChanged
      ? `the inventory ${inventory.source} changed since run ${resumed.first.run} started (sha256 ${then.digest!.slice(0, 12)} then, ${inventoryDigest!.slice(0, 12)} now):${list}`
      : `the inventory ${inventory.source} names other machines than when run ${resumed.first.run} started, although the file is the same (the ssh config it resolves through changed):${list}`;
    if (!options.allowChangedInventory) {
      throw bad(
        inventory.source,
        `${what}\nResuming would run the remaining steps on the nodes as they are named now, so nothing ran. Resume with --allow-changed-inventory to go on with the inventory as it is now.`,
      );
    }
    io.stderr.write(`${what}\ngoing on with the inventory as it is now (--allow-changed-inventory); every node is checked again first\n`);
    changedInventory = { digest: inventoryDigest ?? then.digest ?? '', changes };
  }

  // --yes only where nothing real can be hurt.
  if (options.yes && !options.dryRun && !inventory?.simulated) {
    throw usage(
      `--yes confirms destructive steps without asking, so it is accepted only when every target is the simulator${inventory ? ` (${inventory.source} is a real inventory)` : ''}${plan.targets.has(LOCAL) ? '; this runbook also runs commands on this machine' : ''}`,
      command,
    );
  }

  if (warnings.length > 0) options.beforeTerminal?.();
  for (const w of warnings) io.stderr.write(`${w}\n`);

  const answers = new LineReader(io.stdin);
  const declared = loaded.runbook.params ?? {};
  const given = parseParamArgs(options.params ?? [], command);
  const fromJournal = resumed ? resumed.first.params : undefined;
  const { params, secrets } = await resolveParams(declared, given, {
    io,
    answers,
    file,
    dryRun: Boolean(options.dryRun),
    ...(options.beforeTerminal ? { beforeAsk: options.beforeTerminal } : {}),
    ...(fromJournal ? { fromJournal, secretsFromJournal: resumed!.first.secrets } : {}),
  });

  if (options.dryRun) {
    answers.close();
    printDryRun(io.stdout, plan, loaded, params, secrets);
    return { kind: 'dry-run', status: 0 };
  }

  if (!resumed) await prepareState();
  const runId = resumed ? resumed.first.run : newRunId();
  if (!resumed) lockRun(stateDir, runId, journalPath(stateDir, runId), { user: by, command }, locks);
  const clock = options.clock ?? (options.timeScale ? scaledClock(options.timeScale) : realClock);
  let state = createRunState({
    plan,
    runId,
    file,
    digest: loaded.digest,
    // A file inventory's nodes are remembered, so a resume can show what changed in it.
    ...(inventory
      ? {
          inventory: {
            source: inventory.source,
            ...(inventoryDigest ? { digest: inventoryDigest, nodes: inventory.nodes.map(nodeAddress) } : {}),
            simulated: inventory.simulated,
          },
        }
      : {}),
    params,
    secrets,
    by: options.yes ? YES_BY : by,
    ...(clock.scale !== 1 ? { timeScale: clock.scale } : {}),
  });
  if (resumed) state = replay(state, resumed.records);

  const journal = resumed ? await Journal.reopen(resumed.file) : await Journal.create(stateDir, runId);
  // The SSH transport's connection events go to the journal, through the runner made just below.
  let runnerRef: Runner | undefined;
  const transports = options.transportFor
    ? undefined
    : await makeTransports(inventory, options, settings, io, (e) => runnerRef?.noteConnection(e));
  const transportFor = options.transportFor ?? transports!.transportFor;
  const runner = new Runner({
    state,
    transportFor,
    journal,
    clock,
    // Only confirmations are answered by --yes; anything else the operator does is theirs.
    by,
    ...(options.yes ? { autoConfirm: YES_BY } : {}),
    ...(resumed ? { resume: { digest: loaded.digest, changedRunbook, ...(changedInventory ? { changedInventory } : {}) } } : {}),
  });
  runnerRef = runner;

  let removeSignals: (() => void) | undefined;
  const nodesByName = new Map((inventory?.nodes ?? []).map((n) => [n.name, n]));
  const sshUser = options.sshUser ?? settings.sshUser;
  const identityFile = options.identityFile ?? settings.identityFile;
  const session: Session = {
    runner,
    state,
    transportFor,
    clock,
    ...(inventory ? { inventory } : {}),
    ssh: {
      ...(sshUser ? { user: sshUser } : {}),
      ...(identityFile ? { identityFile } : {}),
      ...(knownHostsFiles(inventory, io.env) ?? (io.env.HOME ? { knownHostsFiles: [path.join(io.env.HOME, '.ssh', 'known_hosts')] } : {})),
      ...(inventory?.knownHosts ? { extraKnownHosts: inventory.knownHosts } : {}),
      ...(options.acceptNewHostKeys ? { acceptNewHostKeys: true } : {}),
      resolveJump: (jump) => nodesByName.get(jump),
    },
    journalFile: journal.file,
    answers,
    autoConfirm: Boolean(options.yes),
    warnings,
    handleSignals() {
      let count = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        count += 1;
        // A second signal while the first is being handled: leave now; the journal has every record written so far.
        if (count > 1) process.exit(130);
        answers.close();
        void runner.interrupt(signal);
      };
      // While a run plays, the session alone answers these signals. Libraries that hook them to
      // re-raise the signal after their own cleanup (the settings store's atomic writes do) would
      // turn one Ctrl-C into two, and the second means "leave now"; they get their hooks back after.
      // A write past a file size limit (a quota) raises SIGXFSZ, which kills by default (and those
      // libraries re-raise it): caught, the write fails with EFBIG instead, and the journal keeps
      // the records it could not take (Journal.close).
      const onFileTooBig = () => undefined;
      const handlers = { SIGINT: onSignal, SIGTERM: onSignal, SIGXFSZ: onFileTooBig } as const;
      const saved = (Object.keys(handlers) as (keyof typeof handlers)[]).map((s) => [s, process.listeners(s)] as const);
      for (const [s] of saved) {
        process.removeAllListeners(s);
        process.on(s, handlers[s]);
      }
      removeSignals = () => {
        for (const [s, listeners] of saved) {
          process.off(s, handlers[s]);
          for (const l of listeners) process.on(s, l);
        }
      };
    },
    async close() {
      answers.close();
      // The journal first: saving what it could not take may meet the file size limit again.
      await journal.close();
      removeSignals?.();
      reportSalvage(journal, io.stderr);
      await transports?.close();
      for (const l of locks) l.release();
    },
  };
  return { kind: 'session', session };
}

/** Says what became of records the journal could not take (Journal.close saved them if it could). */
function reportSalvage(journal: Journal, stderr: NodeJS.WritableStream): void {
  const s = journal.salvage;
  if (!s) return;
  if (s.kind === 'rewritten')
    stderr.write(
      `runbook: the records the journal first could not take were written to ${journal.file} after all; --resume goes on from them\n`,
    );
  else if (s.kind === 'set-aside')
    stderr.write(`runbook: the journal could not take the run's last records; they are kept in ${s.file}, and --resume puts them back\n`);
  else
    stderr.write(
      `runbook: the journal could not take the run's last records, nor could they be set aside (${s.error}); they were:\n${s.records.map((r) => `  ${r}`).join('\n')}\n`,
    );
}

/**
 * Where host keys are looked up when the inventory names known_hosts files: those first, then the
 * operator's and the system's, as OpenSSH reads UserKnownHostsFile then GlobalKnownHostsFile.
 * Without such files: nothing, and the transport's own defaults apply.
 */
function knownHostsFiles(inventory: Inventory | undefined, env: NodeJS.ProcessEnv): { knownHostsFiles: string[] } | undefined {
  if (!inventory?.knownHostsFiles?.length) return undefined;
  const home = env.HOME || homedir();
  return { knownHostsFiles: [...inventory.knownHostsFiles, path.join(home, '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'] };
}

async function makeTransports(
  inventory: Inventory | undefined,
  options: SessionOptions,
  settings: { sshUser?: string; identityFile?: string },
  io: CommandIO,
  onEvent: (event: ConnectionEvent) => void,
) {
  const [{ createLocalTransport }, { createSshTransport }] = await Promise.all([
    import('../transport/local.js'),
    import('../transport/ssh.js'),
  ]);
  // Local steps run where the operator stands, with the operator's environment.
  const local = createLocalTransport({ cwd: io.cwd, env: io.env });
  let ssh: Transport | undefined;
  const nodes = new Map((inventory?.nodes ?? []).map((n) => [n.name, n]));
  const sshUser = options.sshUser ?? settings.sshUser;
  const identityFile = options.identityFile ?? settings.identityFile;
  const sshTransport = () =>
    (ssh ??= createSshTransport({
      ...knownHostsFiles(inventory, io.env),
      ...(inventory?.knownHosts ? { extraKnownHosts: inventory.knownHosts } : {}),
      ...(options.acceptNewHostKeys ? { acceptNewHostKeys: true } : {}),
      ...(sshUser ? { user: sshUser } : {}),
      ...(identityFile ? { identityFile } : {}),
      // The operator's home and agent, as the command received them.
      ...(io.env.HOME ? { homeDir: io.env.HOME } : {}),
      agent: io.env.SSH_AUTH_SOCK || false,
      resolveJump: (jump) => nodes.get(jump),
      onEvent,
    }));
  return {
    transportFor: (node: InventoryNode): Transport => (node.name === LOCAL && node.roles[0] === LOCAL ? local : sshTransport()),
    close: async () => {
      await Promise.all([local.close(), ssh?.close()]);
    },
  };
}

interface ResolveContext {
  io: CommandIO;
  answers: LineReader;
  file: string;
  dryRun: boolean;
  /** A resumed run keeps the values it started with (secrets come masked and are asked again). */
  fromJournal?: Record<string, Scalar>;
  secretsFromJournal?: string[];
  /** Called before a param is asked for. */
  beforeAsk?: () => void;
}

/**
 * Each declared param, in order: --param, then the param's env variable, then its default, then
 * a question (a secret without echo). A param whose `when` does not hold is left without a value.
 */
export async function resolveParams(
  declared: Record<string, Param>,
  given: Map<string, string>,
  ctx: ResolveContext,
): Promise<{ params: Record<string, Scalar | undefined>; secrets: Set<string> }> {
  const { io, file } = ctx;
  for (const name of given.keys()) {
    if (!Object.hasOwn(declared, name)) {
      const known = Object.keys(declared);
      throw bad(file, `--param ${name}: the runbook declares no such param${known.length ? ` (its params: ${known.join(', ')})` : ''}`);
    }
  }
  const params: Record<string, Scalar | undefined> = {};
  const secrets = new Set(
    Object.entries(declared)
      .filter(([, p]) => p.secret)
      .map(([n]) => n),
  );
  for (const name of Object.keys(declared)) params[name] = undefined;
  for (const [name, p] of Object.entries(declared)) {
    if (p.when) {
      let holds = false;
      try {
        holds = evaluateCondition(p.when, { params, vars: {}, secrets });
      } catch (error) {
        throw bad(file, `param ${name}: when: ${(error as Error).message}`, { path: `params.${name}.when` });
      }
      if (!holds) continue;
    }
    const journalValue = ctx.fromJournal?.[name];
    const fromJournal = journalValue !== undefined && !(ctx.secretsFromJournal ?? []).includes(name) ? journalValue : undefined;
    const cli = given.get(name);
    if (fromJournal !== undefined) {
      if (cli !== undefined && cli !== String(fromJournal)) {
        throw bad(file, `--param ${name}: the run started with ${name}=${fromJournal}; a resumed run keeps its params`);
      }
      params[name] = fromJournal;
      continue;
    }
    const envValue = p.env ? io.env[p.env] : undefined;
    const source = cli !== undefined ? `--param ${name}` : envValue !== undefined ? `$${p.env}` : undefined;
    const value = cli ?? envValue;
    if (value !== undefined) {
      const problem = paramProblem(name, p, value);
      // Never echo a secret back, even a wrong one.
      if (problem) throw bad(file, `${source}: ${problem}`, { path: `params.${name}` });
      params[name] = value;
      continue;
    }
    if (p.default !== undefined) {
      params[name] = p.default;
      continue;
    }
    // A dry run shows secrets masked anyway: it does not ask for them.
    if (ctx.dryRun && p.secret) continue;
    ctx.beforeAsk?.();
    params[name] = await askParam(name, p, ctx);
  }
  return { params, secrets };
}

/** Why a value does not fit its param; the message never contains a secret value. */
export function paramProblem(name: string, p: Param, value: string): string | undefined {
  return checkParam(name, p, value)?.problem;
}

/**
 * paramProblem, and whether any other value could do better: not when the runbook's pattern
 * backtracks (boundedTest then refuses every value at once, so asking again is pointless).
 */
function checkParam(name: string, p: Param, value: string): { problem: string; hopeless?: true } | undefined {
  // A secret is never shown, so it may hold anything; any other value is shown in confirmations,
  // where a control character could show another command than the one that runs.
  const control = p.secret ? undefined : findControl(value);
  if (control)
    return {
      problem: `${name}: the value has the control character ${control.name} (character ${control.index + 1}); a param is shown in confirmations, on screen and in exports: remove it`,
    };
  // Every occurrence of a secret is masked in what nodes print, before checks read it: a secret of
  // a letter or two would mask those letters everywhere and break every check (and is no secret).
  if (p.secret && value.length > 0 && value.length < MIN_SECRET_LINE) {
    return {
      problem: `${name}: a secret of fewer than ${MIN_SECRET_LINE} characters is refused: it would be masked wherever those characters appear in the nodes' output`,
    };
  }
  const shown = p.secret ? 'the value' : `"${value}"`;
  if (p.choices && !p.choices.includes(value)) return { problem: `${name}: ${shown} is not one of ${p.choices.join(', ')}` };
  if (p.pattern) {
    let re: RegExp;
    try {
      re = new RegExp(p.pattern);
    } catch {
      return { problem: `${name}: the runbook's pattern ${p.pattern} is not a regular expression`, hopeless: true };
    }
    // A value is typed by a person, but the pattern is the author's: it must not hang the player.
    const matches = boundedTest(re, value);
    if (matches === 'timeout') {
      const limit = `${(MATCH_LIMITS_MS.at(-1) ?? 0) / 1000} s`;
      return {
        problem: `${name}: ${shown} is refused: the runbook's pattern ${p.pattern} backtracks (no answer within ${limit}), so no value can be checked against it; simplify the pattern`,
        hopeless: true,
      };
    }
    if (!matches) return { problem: `${name}: ${shown} does not match ${p.pattern}` };
  }
  return undefined;
}

async function askParam(name: string, p: Param, ctx: ResolveContext): Promise<string | undefined> {
  const { io, answers, file } = ctx;
  const terminal = Boolean((io.stdin as NodeJS.ReadStream).isTTY && typeof (io.stdin as NodeJS.ReadStream).setRawMode === 'function');
  const hint = p.choices ? ` (${p.choices.join('/')})` : '';
  const where = p.env ? `; or set $${p.env}` : '';
  for (let tries = 0; tries < 5; tries++) {
    io.stderr.write(stripControls(`? ${p.prompt ?? name}${hint}${p.secret ? ' (not shown)' : ''}: `));
    let line: string | undefined;
    try {
      line = terminal ? await readTerminalLine(io.stdin as NodeJS.ReadStream, io.stderr, { echo: !p.secret }) : await answers.next();
    } catch (error) {
      if (error instanceof AnswerInterrupted) throw bad(file, `param ${name}: interrupted; nothing ran`);
      throw error;
    }
    if (!terminal && line !== undefined) io.stderr.write('\n');
    if (line === undefined) {
      // A dry run shows what it cannot know as written.
      if (ctx.dryRun) return undefined;
      throw bad(file, `param ${name} has no value and there is no more input: give --param ${name}=VALUE${where}`, {
        path: `params.${name}`,
      });
    }
    const value = p.secret ? line : line.trim();
    const verdict = value === '' ? { problem: `${name}: a value is required` } : checkParam(name, p, value);
    if (!verdict) return value;
    if (verdict.hopeless) throw bad(file, verdict.problem, { path: `params.${name}.pattern` });
    io.stderr.write(`${verdict.problem}\n`);
  }
  throw bad(file, `param ${name}: no valid value after 5 tries`, { path: `params.${name}` });
}

/** Every command exactly as it would run on each target, secrets masked; nothing runs. */
export function printDryRun(
  out: NodeJS.WritableStream,
  plan: Plan,
  loaded: LoadedRunbook,
  params: Record<string, Scalar | undefined>,
  secrets: Set<string>,
): void {
  const lines: string[] = [`dry run of ${loaded.runbook.title} (${loaded.file}): every command as it would run; nothing runs`];
  const state = createRunState({ plan, runId: 'dry-run', file: loaded.file, digest: loaded.digest, params, secrets, by: 'dry-run' });
  const holds = (cond: string, node?: string): boolean | undefined => {
    try {
      return evaluateCondition(cond, scopeFor(state, node));
    } catch {
      return undefined; // depends on vars captured during the run
    }
  };
  const show = (text: string, node: string | undefined, mode: 'shell' | 'text') => {
    try {
      return renderForDisplay(text, scopeFor(state, node), mode, { missing: 'keep' });
    } catch (error) {
      return `(cannot render: ${(error as Error).message})`;
    }
  };
  for (const ps of plan.sections) {
    const s = ps.section;
    const strategy =
      ps.strategy.kind === 'parallel'
        ? `parallel, ${ps.strategy.concurrency} at a time`
        : ps.strategy.kind === 'batch'
          ? `batches of ${ps.strategy.size}`
          : 'serial';
    const cond = s.when ? holds(s.when) : true;
    lines.push('');
    lines.push(
      `section ${ps.id}: ${show(ps.title, undefined, 'text')} (on ${ps.roles.join(', ')}: ${ps.targets.length} ${ps.targets.length === 1 ? 'target' : 'targets'}, ${strategy}${ps.maxFailures ? `, up to ${ps.maxFailures} failed` : ''})${s.when ? ` when ${s.when}${cond === false ? ': false, skipped' : cond === undefined ? ': decided during the run' : ''}` : ''}`,
    );
    if (cond === false) continue;
    if (ps.targets.length === 0) lines.push('  (no node has this role: skipped)');
    for (const target of ps.targets) {
      for (const step of ps.steps) {
        const st = step.step;
        const key = `${ps.id}/${step.id}@${target}`;
        const flags = [
          st.destructive ? 'destructive' : '',
          needsConfirmation(st) ? 'asks first' : '',
          st.until ? `until ${describeGate(st.until)}` : '',
        ].filter(Boolean);
        const stepCond = st.when ? holds(st.when, target) : true;
        const when = st.when
          ? ` when ${st.when}${stepCond === false ? ': false, skipped' : stepCond === undefined ? ': decided during the run' : ''}`
          : '';
        const flagText = flags.length ? ` [${flags.join(', ')}]` : '';
        if (stepCond === false) {
          lines.push(`  ${key}${when}`);
          continue;
        }
        if (st.run) lines.push(`  ${key}${flagText}${when}: ${show(st.run, target, 'shell')}`);
        else if (st.check) lines.push(`  ${key}${flagText}${when}: check ${st.check.builtin}`);
        else lines.push(`  ${key}${flagText}${when}: ${show(st.text ?? st.title ?? st.id, target, 'text').replace(/\s*\n\s*/g, ' ')}`);
      }
    }
  }
  out.write(stripControls(`${lines.join('\n')}\n`));
}

function describeGate(checks: unknown): string {
  const list = Array.isArray(checks) ? checks : [checks];
  return list
    .map((c: Record<string, unknown>) =>
      'exit' in c ? `exit ${c.exit}` : 'regex' in c ? `/${c.regex}/` : 'json' in c ? `${c.json} = ${c.equals}` : `${c.column} all ${c.all}`,
    )
    .join(' and ');
}

/** A run id given as the positional of `play --resume RUN`. */
export const looksLikeRunId = (text: string): boolean => RUN_ID.test(text);
