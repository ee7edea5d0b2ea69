// Plain mode: a text driver of the runner for scripts, CI and tests. A line per event on stdout,
// each prompt as a line on stderr answered by a line on stdin, a summary line last. End of input
// refuses or aborts: plain mode never waits for an answer that cannot come.
import type { Clock } from '../engine/clock.js';
import { scopeFor } from '../engine/display.js';
import type { JournalRecord, OperatorAction } from '../engine/events.js';
import type { Runner } from '../engine/runner.js';
import { confirmGroup, type ConfirmGroup, type Prompt } from '../engine/state.js';
import { formatDuration } from '../runbook/duration.js';
import { tallyOfState } from '../engine/tally.js';
import {
  INTERRUPTED_KEYS,
  runDuration,
  exitStatus,
  formatRecord,
  groupLines,
  healthNewsFilter,
  promptLine,
  summaryLine,
} from './format.js';
import { stripControls } from '../input/controls.js';
import { HealthMonitor, probedRoles } from '../diagnostics/health.js';
import { resolveCommand, roleOf, troubleshootCommands } from '../diagnostics/troubleshoot.js';
import { LineReader } from './line-reader.js';
import { uiWordsFor, type UiWords } from '../words/words.js';

export interface PlainOptions {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Where answers come from; shared with whoever asked for params before. */
  answers: LineReader;
  /** The journal file, named in the summary. */
  journal?: string;
  /** Confirmations are answered by the runner (--yes on the simulator): do not ask them. */
  autoConfirm?: boolean;
  /** Answers are typed on a terminal, which echoes the newline; otherwise we end the prompt line. */
  terminal?: boolean;
  /**
   * The runner's clock: with it, the nodes of roles that have a health probe are probed as in the
   * TUI once the pre-flight passed, and a change of a node's health is printed as one line.
   */
  clock?: Clock;
  /** The language of the prompts (--lang, the lang setting); else the runbook's `lang`. */
  lang?: string;
}

/** How plain mode runs troubleshooting commands for a failed step's node (through the runner). */
interface Troubleshooting {
  /** The node's troubleshooting commands as listed, and the one the step names (its index), if any. */
  list(p: Prompt): { lines: string[]; count: number; preferred?: number };
  /** Runs the chosen command on the node, printing its output; resolves when it ended. */
  run(p: Prompt, index: number): Promise<void>;
}

/** Drives a runner to its end; resolves to the exit status (0, 1 or 130). */
export async function runPlain(runner: Runner, options: PlainOptions): Promise<number> {
  // Everything printed comes from the runbook, the inventory, params or the journal; no control
  // character of theirs reaches the terminal (a title or a var could set the window title, fill
  // the clipboard, or make a confirmation show another command than the one that runs).
  const stdout = safeWriter(options.stdout);
  const words = uiWordsFor(options.lang ?? runner.getState().plan.runbook.lang);
  const stderr = safeWriter(options.stderr);
  // Prompt objects already asked; a prompt asked again (after a retry) is a new object.
  const asked = new WeakSet<Prompt>();
  // Actions this driver took: their refusals are told by the question loop, not the listener.
  const own = new WeakSet<OperatorAction>();
  const tails = new Map<string, readonly string[]>();
  let finishedRecord: Extract<JournalRecord, { event: 'run-finished' }> | undefined;
  let asking = false;
  // The question on stderr waiting for its answer line: whatever else is said there goes above a
  // copy of it, so the last thing a reader (or a script) sees is always the question it answers.
  const pending: { question?: string } = {};
  const say = (line: string) => {
    if (pending.question === undefined) {
      stderr.write(`${line}\n`);
      return;
    }
    stderr.write(`\n${line}\n${pending.question}`);
  };

  const print = (lines: string[]) => {
    if (lines.length > 0) stdout.write(`${lines.join('\n')}\n`);
  };

  // The commands of the node's role, run as the TUI's pane runs them: the runner's transport,
  // redaction and journal. A command with a live variant runs its plain `run` here (plain mode
  // cannot stop a stream but by Ctrl-C).
  const troubleshooting: Troubleshooting = {
    list(p) {
      const state = runner.getState();
      const commands = troubleshootCommands(state, p.node);
      const named = state.plan.sections.find((s) => s.id === p.section)?.steps.find((s) => s.id === p.step)?.step.troubleshoot;
      const preferred = named === undefined ? -1 : commands.findIndex((c) => c.name === named);
      const lines = commands.map(
        (c, i) =>
          `  ${i + 1}. ${c.title}${i === preferred ? ' (this step names it)' : ''}: ${c.error ? `cannot run: ${c.error}` : (plainRun(p.node, i)?.display ?? c.display)}`,
      );
      return { lines, count: commands.length, ...(preferred >= 0 ? { preferred } : {}) };
    },
    async run(p, index) {
      const shown = troubleshootCommands(runner.getState(), p.node)[index];
      const command = plainRun(p.node, index);
      if (!shown || !command) return;
      if (command.error !== undefined || shown.error !== undefined) {
        say(`runbook: ${shown.title} cannot run on ${p.node}: ${command.error ?? shown.error}`);
        return;
      }
      const r = await runner.troubleshoot(
        p.node,
        { title: shown.title, run: command.run, display: command.display },
        { onOutput: (line) => print([`    | ${line.text}`]) },
      );
      const end = r.failure ? (r.message ?? r.failure) : `exit ${r.exit ?? '?'}`;
      print([`    ${shown.title} on ${p.node}: ${end} (${formatDuration(r.durationMs)})`]);
    },
  };
  /** The command of the node's role at this index, as plain mode runs it (not its live variant). */
  const plainRun = (nodeName: string, index: number) => {
    const state = runner.getState();
    const role = roleOf(state, nodeName);
    const written = role ? state.plan.runbook.roles?.[role]?.troubleshoot?.[index] : undefined;
    return written ? resolveCommand(state, written.run, scopeFor(state, nodeName)) : undefined;
  };

  // Health: a line when a node's health changes; a node found healthy at its first probe is not news.
  const health =
    options.clock && probedRoles(runner.getState()).size > 0
      ? new HealthMonitor({
          state: () => runner.getState(),
          probe: (n, probe, signal) => runner.probe(n, probe, signal),
          clock: options.clock,
          onChange: () => undefined,
        })
      : undefined;
  let probing = false;
  const healthNews = healthNewsFilter();

  // One question at a time: the next is read from a state that already holds the last answer.
  const askLoop = async () => {
    if (asking) return;
    asking = true;
    try {
      for (;;) {
        const state = runner.getState();
        if (state.phase === 'finished') return;
        const prompt = state.prompts.find((p) => !asked.has(p) && !(options.autoConfirm && p.kind === 'confirm'));
        if (!prompt) return;
        asked.add(prompt);
        // Other nodes waiting on the same step may be confirmed with this one answer: those named now.
        const group = prompt.kind === 'confirm' && !options.autoConfirm ? confirmGroup(state, prompt.id) : undefined;
        const action = await answer(
          prompt,
          { answers: options.answers, stderr, terminal: options.terminal, words },
          pending,
          group,
          troubleshooting,
        );
        if (runner.getState().phase === 'finished') return;
        if (!action) continue;
        own.add(action);
        const result = await runner.act(action);
        if (result.taken) {
          if (action.type === 'confirm-group') for (const p of group?.prompts ?? []) asked.add(p);
          continue;
        }
        if (runner.getState().phase === 'finished') return;
        say(`runbook: ${result.message}`);
        // The question still stands (or another took its place): ask what is waiting now.
        asked.delete(prompt);
      }
    } finally {
      asking = false;
    }
  };

  const unsubscribe = runner.subscribe((state, change) => {
    for (const r of change.records) {
      if (r.event === 'output') tails.set(`${r.section}/${r.step}@${r.node}`, r.tail);
      if (r.event === 'run-finished') finishedRecord = r;
      const tail = r.event === 'step-finished' && r.status === 'failed' ? tails.get(`${r.section}/${r.step}@${r.node}`) : undefined;
      if (r.event === 'health' && !healthNews(r)) continue;
      print(formatRecord(r, state, tail));
    }
    // Probes begin once the pre-flight passed (they would only repeat its connection failures).
    if (health && !probing && state.phase === 'running' && state.preflight?.status !== 'running') {
      probing = true;
      health.start();
    }
    for (const { action, message } of change.rejected) {
      if (own.has(action)) continue;
      say(`runbook: ${message}`);
      // Ask again what could not be done.
      if ('prompt' in action || 'task' in action || 'prompts' in action) {
        const ids = new Set('prompts' in action ? action.prompts : 'prompt' in action ? [action.prompt] : []);
        for (const p of state.prompts) if (ids.has(p.id) || p.task === (action as { task?: string }).task) asked.delete(p);
      }
    }
    void askLoop();
  });

  runner.start();
  const outcome = await runner.done;
  health?.stop();
  unsubscribe();
  options.answers.close();
  if (runner.fatal) stderr.write(`runbook: ${runner.fatal}\n`);
  const end = runner.getState();
  stdout.write(`${summaryLine(tallyOfState(end), finishedRecord?.durationMs ?? runDuration(end, end.now), options.journal)}\n`);
  return runner.fatal ? 1 : exitStatus(outcome);
}

type InterruptedChoice = Extract<Prompt, { kind: 'interrupted' }>['choices'][number];
const INTERRUPTED_ANSWERS: Record<string, InterruptedChoice | undefined> = {
  v: 'verify',
  verify: 'verify',
  r: 'rerun',
  rerun: 'rerun',
  d: 'mark-done',
  done: 'mark-done',
  s: 'skip',
  skip: 'skip',
  a: 'abort',
  abort: 'abort',
};

/** "a", "a or b", "a, b or c". */
interface Writer {
  write(text: string): unknown;
}

const safeWriter = (stream: NodeJS.WritableStream): Writer => ({ write: (text: string) => stream.write(stripControls(text)) });

/** Asks one prompt; returns the action to take, or undefined when there is nothing to do. */
async function answer(
  p: Prompt,
  options: Pick<PlainOptions, 'answers' | 'terminal'> & { stderr: Writer; words: UiWords },
  pending: { question?: string },
  group?: ConfirmGroup,
  troubleshooting?: Troubleshooting,
): Promise<OperatorAction | undefined> {
  const { stderr, answers } = options;
  const w = options.words.plain;
  const ask = async (question: string): Promise<string | undefined> => {
    stderr.write(question);
    pending.question = question;
    const line = await answers.next().finally(() => delete pending.question);
    if (line === undefined) stderr.write(`${w.endOfInput}\n`);
    else if (!options.terminal) stderr.write('\n');
    return line?.trim();
  };
  const reason = async (what: 'skip' | 'mark-done'): Promise<string | undefined> => {
    for (;;) {
      const text = await ask(w.reasonTo(what, p.task));
      if (text === undefined) return undefined;
      if (text !== '') return text;
      stderr.write(`${options.words.msg.reasonRequired}\n`);
    }
  };
  const eof = (): OperatorAction => ({ type: 'abort', reason: 'no answer: end of input' });

  if (group) for (const l of groupLines(group, options.words)) stderr.write(`${l}\n`);
  const commands = p.kind === 'failure' ? troubleshooting?.list(p) : undefined;
  const canTroubleshoot = commands !== undefined && commands.count > 0;
  for (;;) {
    const line = await ask(promptLine(p, group, canTroubleshoot, options.words));
    if (p.kind === 'confirm') {
      if (line === undefined) return { type: 'refuse', prompt: p.id, reason: 'no answer: end of input' };
      if (p.typed !== undefined) return { type: 'confirm', prompt: p.id, typed: line };
      const a = line.toLowerCase();
      if (a === 'y' || a === 'yes') return { type: 'confirm', prompt: p.id };
      if (group && (a === 'a' || a === 'all')) return { type: 'confirm-group', prompts: group.prompts.map((g) => g.id) };
      if (a === 'n' || a === 'no' || a === '') return { type: 'refuse', prompt: p.id };
      stderr.write(`${w.answerYN(group !== undefined)}\n`);
      continue;
    }
    if (line === undefined) return eof();
    const a = line.toLowerCase();
    if (p.kind === 'failure') {
      if (a === 'r' || a === 'retry') return { type: 'retry', task: p.task };
      if (a === 'a' || a === 'abort') return { type: 'abort' };
      if (a === 's' || a === 'skip') {
        const why = await reason('skip');
        return why === undefined ? eof() : { type: 'skip', task: p.task, reason: why };
      }
      if (canTroubleshoot && troubleshooting && (a === 't' || a === 'troubleshoot')) {
        // The list as it is now (a capture may have made a command runnable), then the question again.
        const now = troubleshooting.list(p);
        for (const l of now.lines) stderr.write(`${l}\n`);
        const pick = await ask(w.tsPick(p.node, now.count, now.preferred !== undefined ? now.preferred + 1 : undefined));
        if (pick === undefined) return eof();
        const index = pick === '' && now.preferred !== undefined ? now.preferred : Number(pick) - 1;
        if (!Number.isInteger(index) || index < 0 || index >= now.count) stderr.write(`${w.answerNumber(now.count)}\n`);
        else await troubleshooting.run(p, index);
        continue;
      }
      stderr.write(`${w.answerFailure(canTroubleshoot)}\n`);
      continue;
    }
    const choice = INTERRUPTED_ANSWERS[a];
    if (!choice || !p.choices.includes(choice)) {
      stderr.write(
        `${w.answerInterrupted(
          p.choices.map((c) => INTERRUPTED_KEYS[c].slice(0, 1)),
          p.verifyUnavailable,
        )}\n`,
      );
      continue;
    }
    if (choice === 'abort') return { type: 'abort' };
    if (choice === 'verify') return { type: 'verify', task: p.task };
    if (choice === 'rerun') return { type: 'rerun', task: p.task };
    const why = await reason(choice === 'skip' ? 'skip' : 'mark-done');
    if (why === undefined) return eof();
    return choice === 'skip' ? { type: 'skip', task: p.task, reason: why } : { type: 'mark-done', task: p.task, reason: why };
  }
}
