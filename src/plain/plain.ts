// Plain mode: a text driver of the runner for scripts, CI and tests. A line per event on stdout,
// each prompt as a line on stderr answered by a line on stdin, a summary line last. End of input
// refuses or aborts: plain mode never waits for an answer that cannot come.
import type { JournalRecord, OperatorAction } from '../engine/events.js';
import type { Runner } from '../engine/runner.js';
import { confirmGroup, type ConfirmGroup, type Prompt } from '../engine/state.js';
import { INTERRUPTED_KEYS, countsOf, exitStatus, formatRecord, groupLines, promptLine, summaryLine } from './format.js';
import { stripControls } from '../input/controls.js';
import { LineReader } from './line-reader.js';

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
}

/** Drives a runner to its end; resolves to the exit status (0, 1 or 130). */
export async function runPlain(runner: Runner, options: PlainOptions): Promise<number> {
  // Everything printed comes from the runbook, the inventory, params or the journal; no control
  // character of theirs reaches the terminal (a title or a var could set the window title, fill
  // the clipboard, or make a confirmation show another command than the one that runs).
  const stdout = safeWriter(options.stdout);
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
        const action = await answer(prompt, { answers: options.answers, stderr, terminal: options.terminal }, pending, group);
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
      print(formatRecord(r, state, tail));
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
  unsubscribe();
  options.answers.close();
  if (runner.fatal) stderr.write(`runbook: ${runner.fatal}\n`);
  const counts = finishedRecord ?? countsOf(runner.getState(), runner.getState().now);
  stdout.write(`${summaryLine(counts, options.journal)}\n`);
  return runner.fatal ? 1 : exitStatus(outcome);
}

type InterruptedChoice = Extract<Prompt, { kind: 'interrupted' }>['choices'][number];
const INTERRUPTED_ANSWERS: Record<string, InterruptedChoice | undefined> = {
  v: 'verify', verify: 'verify', r: 'rerun', rerun: 'rerun', d: 'mark-done', done: 'mark-done', s: 'skip', skip: 'skip', a: 'abort', abort: 'abort',
};

/** "a", "a or b", "a, b or c". */
const orList = (words: readonly string[]): string => (words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`);

interface Writer {
  write(text: string): unknown;
}

const safeWriter = (stream: NodeJS.WritableStream): Writer => ({ write: (text: string) => stream.write(stripControls(text)) });

/** Asks one prompt; returns the action to take, or undefined when there is nothing to do. */
async function answer(p: Prompt, options: Pick<PlainOptions, 'answers' | 'terminal'> & { stderr: Writer }, pending: { question?: string }, group?: ConfirmGroup): Promise<OperatorAction | undefined> {
  const { stderr, answers } = options;
  const ask = async (question: string): Promise<string | undefined> => {
    stderr.write(question);
    pending.question = question;
    const line = await answers.next().finally(() => delete pending.question);
    if (line === undefined) stderr.write('(end of input)\n');
    else if (!options.terminal) stderr.write('\n');
    return line?.trim();
  };
  const reason = async (what: string): Promise<string | undefined> => {
    for (;;) {
      const text = await ask(`? reason to ${what} ${p.task}: `);
      if (text === undefined) return undefined;
      if (text !== '') return text;
      stderr.write('a reason is required\n');
    }
  };
  const eof = (): OperatorAction => ({ type: 'abort', reason: 'no answer: end of input' });

  if (group) for (const l of groupLines(group)) stderr.write(`${l}\n`);
  for (;;) {
    const line = await ask(promptLine(p, group));
    if (p.kind === 'confirm') {
      if (line === undefined) return { type: 'refuse', prompt: p.id, reason: 'no answer: end of input' };
      if (p.typed !== undefined) return { type: 'confirm', prompt: p.id, typed: line };
      const a = line.toLowerCase();
      if (a === 'y' || a === 'yes') return { type: 'confirm', prompt: p.id };
      if (group && (a === 'a' || a === 'all')) return { type: 'confirm-group', prompts: group.prompts.map((g) => g.id) };
      if (a === 'n' || a === 'no' || a === '') return { type: 'refuse', prompt: p.id };
      stderr.write(group ? 'answer y, a or n\n' : 'answer y or n\n');
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
      stderr.write('answer r, s or a\n');
      continue;
    }
    const choice = INTERRUPTED_ANSWERS[a];
    if (!choice || !p.choices.includes(choice)) {
      stderr.write(`answer ${orList(p.choices.map((c) => INTERRUPTED_KEYS[c].slice(0, 1)))}${p.verifyUnavailable ? ` (verify again is not offered: ${p.verifyUnavailable})` : ''}\n`);
      continue;
    }
    if (choice === 'abort') return { type: 'abort' };
    if (choice === 'verify') return { type: 'verify', task: p.task };
    if (choice === 'rerun') return { type: 'rerun', task: p.task };
    const why = await reason(choice === 'skip' ? 'skip' : 'mark done');
    if (why === undefined) return eof();
    return choice === 'skip' ? { type: 'skip', task: p.task, reason: why } : { type: 'mark-done', task: p.task, reason: why };
  }
}
