// Plain mode's words: one line per journal record, the prompts, the summary. Pure functions of
// the record (and a little of the state), so they are tested from tables.
import { formatClock, formatDuration } from '../runbook/duration.js';
import { sectionText } from '../engine/display.js';
import type { JournalRecord, Outcome } from '../engine/events.js';
import type { ConfirmGroup, Prompt, RunState } from '../engine/state.js';
import { en, type UiWords } from '../words/words.js';
import { BY_RUNBOOK, tallyText, type Tally } from '../engine/tally.js';

const pad = (n: number) => String(n).padStart(2, '0');

/** [12:01:03] in local time (TZ decides, as for any log). */
export function stamp(ts: string): string {
  const d = new Date(ts);
  return `[${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}]`;
}

const where = (r: { section: string; step: string; node: string }) => `${r.section}/${r.step}@${r.node}`;

/** One record as the lines plain mode prints for it (often one, none for bookkeeping records). */
export function formatRecord(r: JournalRecord, state?: RunState, lastTail?: readonly string[]): string[] {
  const t = stamp(r.ts);
  switch (r.event) {
    case 'run-started': {
      const header = Object.entries(r.header).map(([k, v]) => `${k} ${v}`);
      return [`${t} run ${r.run}: ${r.runbook.title} (${r.runbook.file}) by ${r.by}${header.length ? `; ${header.join(', ')}` : ''}`];
    }
    case 'resumed':
      return [
        `${t} run ${r.run} resumed by ${r.by}${r.changedRunbook ? '; the runbook changed since the run started' : ''}${r.changedInventory ? '; the inventory changed since the run started:' : ''}`,
        ...(r.changedInventory?.changes ?? []).map((c) => `    ${c}`),
      ];
    case 'section-started': {
      const shown = state ? sectionText(state, r.section) : undefined;
      const title = r.title ?? shown?.title;
      const lines = [
        `${t} section ${r.section}${title && title !== r.section ? `: ${oneLine(title)}` : ''} (${r.targets} ${r.targets === 1 ? 'target' : 'targets'})`,
      ];
      // The section's own words, once, under its line.
      if (shown?.text && oneLine(shown.text)) lines.push(`    ${oneLine(shown.text)}`);
      return lines;
    }
    case 'section-skipped':
      return [`${t} section ${r.section} not run: ${r.reason}`];
    case 'section-finished':
      return [`${t} section ${r.section} ${r.status}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`];
    case 'node-started':
      return [];
    case 'node-finished':
      return r.status === 'failed' ? [`${t} ${r.node} stops in section ${r.section}: a step failed`] : [];
    case 'node-excluded':
      return [`${t} ${r.node} left out of section ${r.section}: ${r.reason}`];
    case 'confirmation-asked':
      return [`${t} ${where(r)} waiting for confirmation: ${r.command ?? r.text ?? r.title}`];
    case 'confirmation-answered':
      // A refusal is told once, by the step-finished record that follows.
      return r.answer === 'yes'
        ? [`${t} ${where(r)} confirmed by ${r.by}${r.group !== undefined ? ' (one answer for the nodes waiting on this step)' : ''}`]
        : [];
    case 'step-started': {
      const verb = r.mode === 'verify' ? 'verifying' : 'running';
      if (r.command !== undefined) return [`${t} ${where(r)} ${verb}: ${r.command}`];
      return [`${t} ${where(r)} ${r.title}${r.text ? `: ${oneLine(r.text)}` : ''}`];
    }
    case 'attempt-started':
      return [];
    case 'attempt': {
      const next = r.nextAt !== undefined ? `; again in ${formatDuration(Math.max(0, r.nextAt - Date.parse(r.ts)))}` : '';
      return [`${t} ${where(r)} attempt ${r.attempt} ${r.ok ? 'holds' : 'not yet'}: ${r.message}${next}`];
    }
    case 'output':
      return [];
    case 'captured':
      return [`${t} ${where(r)} captured ${r.name} = ${r.value}`];
    case 'step-finished': {
      if (r.status === 'passed') {
        if (r.by && r.message === 'marked done') return [`${t} ${where(r)} marked done by ${r.by}: ${r.reason ?? ''}`];
        const facts = [
          r.exit !== undefined && r.message !== `exit ${r.exit}` ? `exit ${r.exit}` : '',
          r.durationMs ? formatDuration(r.durationMs) : '',
        ].filter(Boolean);
        return [`${t} ${where(r)} passed${r.message ? `: ${r.message}` : ''}${facts.length ? ` (${facts.join(', ')})` : ''}`];
      }
      if (r.status === 'failed') {
        const lines = [`${t} ${where(r)} failed: ${r.reason ?? r.message ?? ''}`];
        for (const d of r.details ?? []) lines.push(`    ${d}`);
        for (const l of lastTail ?? []) lines.push(`    | ${l}`);
        return lines;
      }
      // Left out by a `when:` is not the operator's skip: its own words, as in every count.
      if (r.status === 'skipped' && (r.by === undefined || r.by === BY_RUNBOOK)) return [`${t} ${where(r)} not run: ${r.reason ?? ''}`];
      if (r.status === 'skipped') return [`${t} ${where(r)} skipped by ${r.by}: ${r.reason ?? ''}`];
      return [`${t} ${where(r)} refused by ${r.by ?? '?'}${r.reason ? `: ${r.reason}` : ''}: not run`];
    }
    case 'decision-asked':
      return [`${t} ${where(r)} waits for a decision: retry, skip or abort`];
    case 'retry':
      return [`${t} ${where(r)} ${r.kind === 'rerun' ? 'run again' : 'retry'} by ${r.by}`];
    case 'interrupted':
      return [`${t} ${where(r)} interrupted: ${r.reason}`];
    case 'deadline-passed':
      return [`${t} ${where(r)} deadline passed${r.text ? `: ${r.text}` : ''}`];
    case 'preflight-started':
      return [
        `${t} pre-flight: connecting to ${r.nodes} ${r.nodes === 1 ? 'node' : 'nodes'} to check host keys and logins before anything runs`,
      ];
    case 'preflight-finished': {
      if (r.status === 'passed')
        return [
          `${t} pre-flight passed: ${r.nodes === 1 ? 'the node answers' : `all ${r.nodes} nodes answer`}, host keys known, logins accepted (${formatDuration(r.durationMs)})`,
        ];
      const n = r.failures.length;
      return [
        `${t} pre-flight failed: ${n} of ${r.nodes} ${r.nodes === 1 ? 'node' : 'nodes'} cannot be used; nothing ran`,
        ...r.failures.map((f) => `    ${f.node}: ${f.message}`),
      ];
    }
    case 'connection': {
      const at = `${r.node} (${r.host}:${r.port})`;
      // A connection opening is the normal case: the pre-flight line says it for all of them.
      if (r.change === 'connected') return [];
      if (r.change === 'reconnecting') return [`${t} connecting again to ${at}: ${r.reason ?? 'the connection was lost'}`];
      if (r.change === 'disconnected') return [`${t} connection to ${at} lost: ${r.reason || 'closed by the server'}`];
      return [
        `${t} new host key of ${at} accepted and added to ${r.file ?? 'known_hosts'}: ${r.keyType ?? ''} ${r.fingerprint ?? ''}`.trimEnd(),
      ];
    }
    case 'command-started':
      return [`${t} ${r.node}: ${r.title} opened by ${r.by}: ${r.command}`];
    case 'command-finished':
      return [];
    case 'health':
      return [`${t} ${r.node} health ${r.ok ? 'ok' : 'failing'}: ${r.message}`];
    case 'paused':
      return [`${t} paused by ${r.by}`];
    case 'continued':
      return [`${t} continued by ${r.by}`];
    case 'aborted':
      return [`${t} aborted by ${r.by}${r.reason ? `: ${r.reason}` : ''}`];
    case 'run-finished':
      return [`${t} run ${r.status}`];
  }
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();

/**
 * Which health records are news, for one reader of a run: a node found failing, or whose health
 * changed; a node found healthy at its first probe is not news. A player and a watcher say the same.
 */
export function healthNewsFilter(): (r: Extract<JournalRecord, { event: 'health' }>) => boolean {
  const seen = new Map<string, boolean>();
  return (r) => {
    const before = seen.get(r.node);
    seen.set(r.node, r.ok);
    return before === undefined ? !r.ok : before !== r.ok || !r.ok;
  };
}

/** The last line of plain mode: the run's tallies (tally.ts, as every other place counts them). */
export function summaryLine(tally: Tally, durationMs: number, journal?: string): string {
  return `summary: ${tallyText(tally)} in ${formatClock(durationMs)}${journal ? `; journal ${journal}` : ''}`;
}

/** How long the run took, by the state's clock (to its end when it finished). */
export function runDuration(state: RunState, now: number): number {
  return state.run.startedAt === undefined ? 0 : Math.max(0, (state.run.finishedAt ?? now) - state.run.startedAt);
}

/** Exit statuses of DESIGN.md: 0 passed, 1 failed or aborted, 130 interrupted. */
export function exitStatus(outcome: Outcome): number {
  return outcome === 'passed' ? 0 : outcome === 'interrupted' ? 130 : 1;
}

/**
 * Ends a sentence once: "Stop it." stays as it is, "Stop it" gets its period. A closing quote or
 * bracket after the mark counts as ended too.
 */
export function sentence(text: string, stop = '.'): string {
  const t = oneLine(text);
  return /[.!?;:…。！？；：]["'”’)\]]*$/u.test(t) ? t : `${t}${stop}`;
}

/** The keys of a confirmation that several nodes wait on: this node, all of them (named), no. */
function groupChoices(group: ConfirmGroup, w: UiWords): string {
  const n = group.prompts.length;
  return w.plain.groupChoices(n, group.sameCommand ? group.prompts.map((p) => p.node).join(w.comma) : undefined);
}

/**
 * Lines printed before the question when several nodes wait on a step and their commands differ:
 * each node with its command, so `a` confirms nothing that was not shown.
 */
export function groupLines(group: ConfirmGroup, w: UiWords = en): string[] {
  if (group.sameCommand) return [];
  return [
    `  ${w.plain.groupWaitOn(group.prompts.length, `${group.section}/${group.step}`)}`,
    ...group.prompts.map((p) => `    ${p.node}${w.sep}${p.command ?? w.noCommand}`),
  ];
}

/** What each key of an interrupted step's question does. */
export const INTERRUPTED_KEYS = {
  verify: 'v=verify again',
  rerun: 'r=run again',
  'mark-done': 'd=mark done',
  skip: 's=skip',
  abort: 'a=abort',
} as const;

/**
 * The question a prompt asks, as one line for stderr. The answers it takes come last, in
 * brackets; a command comes right before them and is never followed by punctuation of ours
 * (`ls .` must not read `ls ..`).
 */
export function promptLine(p: Prompt, group?: ConfirmGroup, troubleshoot = false, w: UiWords = en): string {
  const task = `${p.section}/${p.step}@${p.node}`;
  switch (p.kind) {
    case 'confirm': {
      const parts: string[] = [];
      const text = p.text !== undefined && oneLine(p.text) !== '' ? p.text : p.command === undefined ? p.title : undefined;
      if (text !== undefined) parts.push(sentence(text, w.fullStop));
      const items = (p.checklist ?? []).map((i) => oneLine(i).replace(/[.;。；]+$/u, '')).filter(Boolean);
      if (items.length > 0) parts.push(sentence(w.plain.check(items.join(w === en ? '; ' : '；')), w.fullStop));
      if (p.command !== undefined) parts.push(w.plain.runOn(p.node, p.command));
      else if (p.typed === undefined) parts.push(w.plain.doneQ);
      const answers = p.typed !== undefined ? w.plain.typedAnswer(p.typed) : group ? `[${groupChoices(group, w)}]` : '[y/N]';
      return `? ${task}: ${parts.join(' ')} ${answers} `;
    }
    case 'failure':
      return w.plain.failed(task, sentence(w.reason(p.reason), w.fullStop), troubleshoot);
    case 'interrupted': {
      const keys = p.choices.map((c) => w.plain.interruptedKeys[c]);
      return w.plain.interrupted(task, p.command, keys.join(w.comma));
    }
  }
}
