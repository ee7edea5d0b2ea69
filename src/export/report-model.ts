// The report of a run, from its journal: who, when, what ran where, who confirmed, what was
// skipped and why, what failed with the end of its output, and how each gate got there.
// Pure: the records come in, a document comes out. A run that died and was resumed is one
// journal, so it is one report; one that never finished says so.
import type { JournalRecord } from '../engine/events.js';
import { tallyOfRecords } from '../engine/tally.js';
import { formatDuration } from '../runbook/duration.js';
import type { Runbook } from '../runbook/schema.js';
import { labelsFor, type Labels } from './labels.js';

export interface ReportInput {
  records: readonly JournalRecord[];
  /** The runbook, when its file still has the digest the run recorded: titles and language. */
  runbook?: Runbook;
  /** The journal file as the reader should see it. */
  journal?: string;
  /** The language of the labels when not the runbook's (--lang, the lang setting). */
  lang?: string;
}

export interface TimelineRow {
  ts: string;
  step: string;
  what: string;
  /** Something went wrong here: shown in bold, not only in colour. */
  bad?: boolean;
}

export interface CommandRow {
  ts: string;
  node: string;
  /** With `(attempt N)` when the step started more than once on the node. */
  step: string;
  /** Which start of the step on the node this is (1 the first). */
  attempt: number;
  command: string;
  attempts: number;
  exit: string;
  duration: string;
  status: string;
  bad: boolean;
}

/** A command run beside the steps: a troubleshooting command, or a change of a node's health. */
export interface BesideRow {
  ts: string;
  node: string;
  kind: string;
  /** The title and the command as shown (secrets masked). */
  command: string;
  by: string;
  /** Exit status, failure, or for a health record what it found. */
  result: string;
  duration: string;
  bad: boolean;
}

export interface ConfirmationRow {
  ts: string;
  node: string;
  step: string;
  prompt: string;
  /** The prompt is the command about to run (shown as code), not text. */
  command: boolean;
  answer: string;
  by: string;
}

export interface SkipRow {
  ts: string;
  node: string;
  step: string;
  reason: string;
  by: string;
}

export interface FailureRow {
  ts: string;
  node: string;
  /** With `(attempt N)` when the step started more than once on the node. */
  step: string;
  reason: string;
  exit: string;
  tail: string[];
  /** When the step did not end with this failure: what it ended with (`passed, attempt 2`). */
  afterwards?: string;
}

export interface GateRow {
  node: string;
  step: string;
  attempts: number;
  first: string;
  last: string;
  outcome: string;
  message: string;
  bad: boolean;
}

export interface ReportDoc {
  labels: Labels;
  lang: string;
  title: string;
  meta: [string, string][];
  params: [string, string][];
  summary: [string, string][];
  /** The run's own events (start, resume, pause, abort, end) first, then one per node. */
  timelines: { node: string; rows: TimelineRow[] }[];
  commands: CommandRow[];
  beside: BesideRow[];
  confirmations: ConfirmationRow[];
  skips: SkipRow[];
  failures: FailureRow[];
  gates: GateRow[];
}

/** ISO time as people read it on paper: 2024-03-08 13:56:01Z. */
export const shortTime = (ts: string): string => ts.replace('T', ' ').replace(/\.\d+(?=Z|[+-]\d\d:?\d\d$)/, '');

const RUN_ROW = '(run)';

type At = { section: string; step: string; node: string };
const keyOf = (r: At): string => `${r.section}/${r.step}@${r.node}`;

/** The report as data. Records of kinds it does not know are left out, not fatal. */
export function buildReport(input: ReportInput): ReportDoc {
  const { records, runbook } = input;
  const started = records.find((r): r is Extract<JournalRecord, { event: 'run-started' }> => r.event === 'run-started');
  // --lang, else the runbook's, else the one the journal recorded (the runbook file may be gone).
  const lang = input.lang ?? runbook?.lang ?? started?.runbook.lang;
  const labels = labelsFor(lang);
  const finished = [...records].reverse().find((r): r is Extract<JournalRecord, { event: 'run-finished' }> => r.event === 'run-finished');

  // Titles as the run showed them (filled in, secrets masked) win; the runbook's own are for
  // what never started.
  const sectionTitles = new Map<string, string>();
  const stepTitles = new Map<string, string>();
  for (const r of records) {
    if (r.event === 'section-started' && r.title && !sectionTitles.has(r.section)) sectionTitles.set(r.section, r.title);
    if (r.event === 'step-started' && r.title && !stepTitles.has(`${r.section}/${r.step}`))
      stepTitles.set(`${r.section}/${r.step}`, r.title);
  }
  for (const s of runbook?.sections ?? []) {
    if (!sectionTitles.has(s.id)) sectionTitles.set(s.id, s.title);
    for (const st of s.steps) if (st.title && !stepTitles.has(`${s.id}/${st.id}`)) stepTitles.set(`${s.id}/${st.id}`, st.title);
  }
  const stepName = (section: string, step: string): string => {
    const title = stepTitles.get(`${section}/${step}`);
    return `${section}/${step}${title && title !== step ? `: ${title}` : ''}`;
  };

  // ---- front matter
  const runId = started?.run ?? records[0]?.run ?? '?';
  const meta: [string, string][] = [[labels.run, runId]];
  if (started) {
    meta.push([labels.runbook, `${started.runbook.id}: ${started.runbook.title}`]);
    meta.push([labels.file, started.runbook.file]);
    meta.push([labels.digest, started.runbook.digest]);
    const inv = started.inventory;
    meta.push([
      labels.inventory,
      inv ? `${inv.source}${inv.digest ? ` ${inv.digest}` : ''}${inv.simulated ? ` (${labels.simulator})` : ''}` : labels.none,
    ]);
    meta.push([labels.who, started.by]);
    meta.push([labels.started, shortTime(started.ts)]);
    for (const [k, v] of Object.entries(started.header ?? {})) meta.push([k, v]);
  }
  for (const r of records)
    if (r.event === 'resumed')
      meta.push([
        labels.resumed,
        `${shortTime(r.ts)}, ${r.by}${r.changedRunbook ? ` (runbook changed: ${r.digest})` : ''}${r.changedInventory ? ` (inventory changed: ${r.changedInventory.changes.join('; ')})` : ''}`,
      ]);
  if (finished) {
    meta.push([labels.finished, shortTime(finished.ts)]);
    meta.push([labels.status, labels.statusWord(finished.status)]);
  } else {
    meta.push([labels.status, labels.statusWord('interrupted')]);
  }
  if (input.journal) meta.push([labels.journal, input.journal]);

  const secrets = new Set(started?.secrets ?? []);
  const params: [string, string][] = Object.entries(started?.params ?? {}).map(([k, v]) => [
    k,
    secrets.has(k) ? `(${labels.masked})` : String(v),
  ]);

  // ---- walk the records once
  const timelines = new Map<string, TimelineRow[]>([[RUN_ROW, []]]);
  const line = (node: string, row: TimelineRow) => {
    const rows = timelines.get(node) ?? [];
    rows.push(row);
    timelines.set(node, rows);
  };
  const commands: CommandRow[] = [];
  const openCommand = new Map<string, CommandRow>();
  const beside: BesideRow[] = [];
  const openBeside = new Map<string, BesideRow>();
  const confirmations: ConfirmationRow[] = [];
  const asked = new Map<string, { prompt: string; command: boolean }>();
  const skips: SkipRow[] = [];
  const failures: FailureRow[] = [];
  const lastOutput = new Map<string, string[]>();
  const gates: GateRow[] = [];
  const openGate = new Map<string, GateRow>();
  // Starts of each step on each node, and how each step last ended: a failure retried is history, not the outcome.
  const starts = new Map<string, number>();
  const rowKeys = new Map<CommandRow | FailureRow, string>();
  const failedAt = new Map<FailureRow, number>();
  const lastEnd = new Map<string, { status: string; attempt: number; by?: string; reason?: string }>();

  for (const r of records) {
    switch (r.event) {
      case 'run-started':
        line(RUN_ROW, { ts: r.ts, step: '', what: `${labels.started}: ${r.by}` });
        break;
      case 'resumed':
        line(RUN_ROW, { ts: r.ts, step: '', what: `${labels.resumed}: ${r.by}` });
        break;
      case 'paused':
      case 'continued':
        line(RUN_ROW, { ts: r.ts, step: '', what: `${labels.eventWord(r.event)}${labels.sep}${r.by}` });
        break;
      case 'aborted':
        line(RUN_ROW, {
          ts: r.ts,
          step: '',
          what: `${labels.statusWord('aborted')}${labels.sep}${r.by}${r.reason ? `${labels.sep}${r.reason}` : ''}`,
          bad: true,
        });
        break;
      case 'section-started':
        line(RUN_ROW, {
          ts: r.ts,
          step: sectionTitles.get(r.section) ?? r.section,
          what: `${labels.eventWord('section started')} (${r.targets})`,
        });
        break;
      case 'section-skipped':
        line(RUN_ROW, { ts: r.ts, step: sectionTitles.get(r.section) ?? r.section, what: `${labels.statusWord('skipped')}: ${r.reason}` });
        skips.push({ ts: r.ts, node: '', step: sectionTitles.get(r.section) ?? r.section, reason: r.reason, by: '' });
        break;
      case 'section-finished':
        line(RUN_ROW, {
          ts: r.ts,
          step: sectionTitles.get(r.section) ?? r.section,
          what: `${labels.statusWord(r.status)} (${r.passed}/${r.failed}/${r.skipped})`,
          bad: r.status === 'failed',
        });
        break;
      case 'node-excluded':
        line(r.node, {
          ts: r.ts,
          step: sectionTitles.get(r.section) ?? r.section,
          what: `${labels.eventWord('excluded')}${labels.sep}${r.reason}`,
          bad: true,
        });
        skips.push({ ts: r.ts, node: r.node, step: sectionTitles.get(r.section) ?? r.section, reason: r.reason, by: '' });
        break;
      case 'node-finished':
        line(r.node, {
          ts: r.ts,
          step: sectionTitles.get(r.section) ?? r.section,
          what: labels.statusWord(r.status),
          bad: r.status === 'failed',
        });
        break;
      case 'step-started': {
        const name = stepName(r.section, r.step);
        line(r.node, {
          ts: r.ts,
          step: name,
          what: `${labels.eventWord('started')}${r.mode === 'verify' ? ` (${labels.eventWord('verify')})` : ''}${r.by ? `${labels.sep}${r.by}` : ''}`,
        });
        const key = keyOf(r);
        starts.set(key, (starts.get(key) ?? 0) + 1);
        if (r.command !== undefined) {
          const row: CommandRow = {
            ts: r.ts,
            node: r.node,
            step: name,
            attempt: starts.get(key)!,
            command: r.command,
            attempts: 1,
            exit: '',
            duration: '',
            status: 'running',
            bad: false,
          };
          commands.push(row);
          rowKeys.set(row, key);
          openCommand.set(key, row);
        }
        openGate.delete(key);
        break;
      }
      case 'attempt': {
        const key = keyOf(r);
        const cmd = openCommand.get(key);
        if (cmd) {
          cmd.attempts = Math.max(cmd.attempts, r.attempt);
          if (r.exit !== undefined) cmd.exit = String(r.exit);
        }
        let gate = openGate.get(key);
        if (!gate) {
          gate = {
            node: r.node,
            step: stepName(r.section, r.step),
            attempts: 0,
            first: r.ts,
            last: r.ts,
            outcome: 'running',
            message: '',
            bad: false,
          };
          gates.push(gate);
          openGate.set(key, gate);
        }
        gate.attempts = Math.max(gate.attempts, r.attempt);
        gate.last = r.ts;
        gate.message = r.message;
        gate.outcome = r.ok ? 'passed' : 'running';
        break;
      }
      case 'output':
        lastOutput.set(keyOf(r), r.tail);
        break;
      case 'captured':
        line(r.node, { ts: r.ts, step: stepName(r.section, r.step), what: `vars.${r.name} = ${r.value}` });
        break;
      case 'confirmation-asked':
        asked.set(keyOf(r), { prompt: r.command ?? r.text ?? r.title, command: r.command !== undefined });
        line(r.node, {
          ts: r.ts,
          step: stepName(r.section, r.step),
          what: `${labels.confirm}?${r.destructive ? ` ${labels.destructive}` : ''}`,
        });
        break;
      case 'confirmation-answered': {
        const { prompt, command } = asked.get(keyOf(r)) ?? { prompt: '', command: false };
        confirmations.push({
          ts: r.ts,
          node: r.node,
          step: stepName(r.section, r.step),
          prompt,
          command,
          answer: r.answer + (r.reason ? `: ${r.reason}` : ''),
          by: r.by,
        });
        line(r.node, { ts: r.ts, step: stepName(r.section, r.step), what: `${r.answer}: ${r.by}`, bad: r.answer === 'no' });
        break;
      }
      case 'step-finished': {
        const key = keyOf(r);
        const name = stepName(r.section, r.step);
        const status = r.status === 'refused' ? 'failed' : r.status;
        const duration = r.durationMs !== undefined ? formatDuration(r.durationMs) : '';
        const bad = status === 'failed';
        const exit = r.exit !== undefined ? `exit ${r.exit}` : '';
        const said = r.reason ?? r.message ?? '';
        const detail = [exit, duration, said === exit ? '' : said, r.by ? `(${r.by})` : ''].filter(Boolean).join(', ');
        line(r.node, { ts: r.ts, step: name, what: `${labels.statusWord(r.status)}${detail ? `: ${detail}` : ''}`, bad });
        const cmd = openCommand.get(key);
        if (cmd) {
          cmd.status = r.status;
          cmd.bad = bad;
          if (r.exit !== undefined) cmd.exit = String(r.exit);
          cmd.duration = duration;
          openCommand.delete(key);
        }
        const gate = openGate.get(key);
        if (gate) {
          gate.outcome = r.status;
          gate.bad = bad;
          if (r.reason) gate.message = r.reason;
          openGate.delete(key);
        }
        if (r.status === 'skipped') skips.push({ ts: r.ts, node: r.node, step: name, reason: r.reason ?? '', by: r.by ?? '' });
        lastEnd.set(key, {
          status: r.status,
          attempt: starts.get(key) ?? 0,
          ...(r.by !== undefined ? { by: r.by } : {}),
          ...(r.reason !== undefined ? { reason: r.reason } : {}),
        });
        if (bad) {
          const row: FailureRow = {
            ts: r.ts,
            node: r.node,
            step: name,
            reason: [r.reason ?? r.message ?? r.status, ...(r.details ?? [])].join('\n'),
            exit: r.exit !== undefined ? String(r.exit) : '',
            tail: lastOutput.get(key) ?? [],
          };
          failures.push(row);
          rowKeys.set(row, key);
          failedAt.set(row, starts.get(key) ?? 0);
        }
        break;
      }
      case 'interrupted': {
        const key = keyOf(r);
        lastEnd.set(key, { status: 'interrupted', attempt: starts.get(key) ?? 0 });
        const name = stepName(r.section, r.step);
        line(r.node, { ts: r.ts, step: name, what: `${labels.statusWord('interrupted')}: ${r.reason}`, bad: true });
        const cmd = openCommand.get(key);
        if (cmd) {
          cmd.status = 'interrupted';
          cmd.bad = true;
          openCommand.delete(key);
        }
        const gate = openGate.get(key);
        if (gate) {
          gate.outcome = 'interrupted';
          gate.bad = true;
          openGate.delete(key);
        }
        break;
      }
      case 'deadline-passed':
        line(r.node, {
          ts: r.ts,
          step: stepName(r.section, r.step),
          what: `${labels.eventWord('deadline passed')}${r.text ? `${labels.sep}${r.text}` : ''}`,
          bad: true,
        });
        break;
      case 'retry':
        line(r.node, { ts: r.ts, step: stepName(r.section, r.step), what: `${labels.eventWord(r.kind)}${labels.sep}${r.by}` });
        break;
      case 'decision-asked':
        line(r.node, {
          ts: r.ts,
          step: stepName(r.section, r.step),
          what: `${labels.eventWord('operator asked')}${labels.sep}${r.reason}`,
        });
        break;
      case 'preflight-started':
        line(RUN_ROW, { ts: r.ts, step: '', what: `${labels.eventWord('preflight')} (${r.nodes})` });
        break;
      case 'preflight-finished':
        line(RUN_ROW, {
          ts: r.ts,
          step: '',
          what: `${labels.eventWord('preflight')}${labels.sep}${labels.statusWord(r.status)}`,
          bad: r.status === 'failed',
        });
        for (const f of r.failures) {
          line(f.node, { ts: r.ts, step: labels.eventWord('preflight'), what: f.message, bad: true });
          failures.push({
            ts: r.ts,
            node: f.node,
            step: labels.eventWord('preflight'),
            reason: `${f.failure}: ${f.message}`,
            exit: '',
            tail: [],
          });
        }
        break;
      case 'connection':
        // Every node connects once; what is worth a line is a connection lost, re-made, or a key trusted.
        if (r.change !== 'connected') {
          const detail =
            r.change === 'host-key-accepted' ? `${r.keyType ?? ''} ${r.fingerprint ?? ''} -> ${r.file ?? ''}`.trim() : (r.reason ?? '');
          line(r.node, {
            ts: r.ts,
            step: '',
            what: `${labels.eventWord(r.change)}${detail ? `${labels.sep}${detail}` : ''}`,
            bad: r.change === 'disconnected',
          });
        }
        break;
      case 'command-started': {
        const row: BesideRow = {
          ts: r.ts,
          node: r.node,
          kind: labels.troubleshootingKind,
          command: `${r.title}: ${r.command}`,
          by: r.by,
          result: '',
          duration: '',
          bad: false,
        };
        beside.push(row);
        openBeside.set(r.id, row);
        line(r.node, { ts: r.ts, step: '', what: `${labels.troubleshootingKind}${labels.sep}${r.title}${labels.sep}${r.by}` });
        break;
      }
      case 'command-finished': {
        const row = openBeside.get(r.id);
        if (!row) break;
        openBeside.delete(r.id);
        row.result = r.exit !== undefined ? String(r.exit) : (r.failure ?? '');
        row.duration = formatDuration(r.durationMs);
        row.bad = r.exit !== 0 && r.failure !== 'aborted';
        break;
      }
      case 'health':
        beside.push({
          ts: r.ts,
          node: r.node,
          kind: labels.healthProbe,
          command: r.command,
          by: r.by,
          result: `${labels.healthSince(r.ok, r.probes)}: ${r.message}`,
          duration: formatDuration(r.durationMs),
          bad: !r.ok,
        });
        line(r.node, { ts: r.ts, step: '', what: `${labels.healthProbe}${labels.sep}${labels.healthSince(r.ok, r.probes)}`, bad: !r.ok });
        break;
      case 'run-finished':
        line(RUN_ROW, { ts: r.ts, step: '', what: `${labels.finished}: ${labels.statusWord(r.status)}`, bad: r.status !== 'passed' });
        break;
      default:
        break;
    }
  }
  // Whatever was still open when the journal ends was cut short: the player died or is still on it.
  for (const row of openCommand.values()) row.status = 'interrupted';
  for (const row of openBeside.values()) row.result = labels.statusWord('interrupted');
  for (const row of openGate.values()) if (row.outcome === 'running') row.outcome = 'interrupted';
  // A step started more than once on a node: each row says which start it was.
  for (const [row, key] of rowKeys) {
    const n = 'attempt' in row ? row.attempt : (failedAt.get(row) ?? 0);
    if ((starts.get(key) ?? 0) > 1 && n > 0) row.step = `${row.step} (${labels.attemptN(n)})`;
  }
  for (const [row, n] of failedAt) {
    const end = lastEnd.get(rowKeys.get(row)!);
    if (!end || (end.status === 'failed' && end.attempt === n)) continue;
    row.afterwards = [
      labels.statusWord(end.status),
      end.attempt !== n && end.attempt > 0 ? labels.attemptN(end.attempt) : '',
      end.by ?? '',
      end.status === 'skipped' || end.status === 'refused' ? (end.reason ?? '') : '',
    ]
      .filter(Boolean)
      .join(', ');
  }

  // The same count as plain mode's summary and the TUI's: each step on each node by how it stands last.
  const tally = tallyOfRecords(records);
  const summary: [string, string][] = [
    [labels.status, finished ? labels.statusWord(finished.status) : `${labels.statusWord('interrupted')}: ${labels.notFinished}`],
    [labels.statusWord('passed'), String(tally.passed)],
    [labels.statusWord('failed'), String(tally.failed)],
    [labels.skippedByOperator, String(tally.skipped)],
    [labels.notRunWhen, String(tally.notRunWhen)],
    [labels.statusWord('interrupted'), String(tally.interrupted)],
    [labels.notRun, String(tally.notReached)],
    ...(finished ? [[labels.durationCol, formatDuration(finished.durationMs)] as [string, string]] : []),
  ];

  const runRows = timelines.get(RUN_ROW)!;
  timelines.delete(RUN_ROW);
  return {
    labels,
    lang: labels.lang === 'zh-CN' ? (lang ?? 'zh-CN') : 'en',
    title: `${labels.report}${labels.sep}${started?.runbook.title ?? runId}`,
    meta,
    params,
    summary,
    timelines: [{ node: labels.run, rows: runRows }, ...[...timelines].map(([node, rows]) => ({ node, rows }))],
    commands,
    beside,
    confirmations,
    skips,
    failures,
    gates,
  };
}
