// The trainee's report after a run on the simulator: which faults they met and what they did
// about each, which gates they skipped and why, how long each phase took in cluster time, and
// only then the scenario's lesson (the briefing never gives the fault away).
import type { JournalRecord } from '../engine/events.js';
import { tallyOfRecords, tallyText } from '../engine/tally.js';
import { formatClock } from '../runbook/duration.js';
import { stripControls } from '../input/controls.js';
import { labelsFor, type Labels } from './labels.js';

/** What the simulator says happened (a subset of its summary, so this module stays pure). */
export interface ExerciseSummary {
  installedVersion: string;
  runningVersion: string;
  targetVersion: string;
  versions: Record<string, string>;
  faultsMet: { id: string; node: string; at: number; text: string }[];
  actions: { at: number; node: string; kind: string; detail: string }[];
  unhealthyUnits: Record<string, string[]>;
  removedAgents: string[];
}

export interface TraineeReportInput {
  scenario: { name: string; title: string; lesson: string };
  records: readonly JournalRecord[];
  summary: ExerciseSummary;
  outcome: string;
  /** The language of the report (--lang, the lang setting, else the runbook's). */
  lang?: string;
}

const time = (iso: string): number => Date.parse(iso);

/** Plain text, one fact per line, for the terminal after the run. */
export function traineeReport({ scenario, records, summary, outcome, lang }: TraineeReportInput): string {
  const w = labelsFor(lang).trainee;
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);
  push(w.title(scenario.title, scenario.name), w.outcome(outcome));

  const versions = Object.entries(summary.versions);
  const patched = versions.filter(([, v]) => v === summary.targetVersion).length;
  push(w.nodesAt(summary.targetVersion, patched, versions.length));
  if (summary.runningVersion !== summary.installedVersion) {
    push(w.ticket(summary.installedVersion, summary.runningVersion));
  }

  push('', w.phases);
  const started = new Map<string, number>();
  const titles = new Map<string, string>();
  let phases = 0;
  for (const r of records) {
    if (r.event === 'section-started') started.set(r.section, time(r.ts));
    if (r.event === 'step-started') titles.set(`${r.section}/${r.step}`, r.title);
    if (r.event === 'section-finished') {
      const from = started.get(r.section);
      const took = from === undefined ? '' : formatClock(time(r.ts) - from);
      push(`  ${r.section.padEnd(24)} ${took.padStart(8)}  ${w.phaseEnd(r.status, r.failed, r.skipped)}`);
      phases += 1;
    }
    if (r.event === 'section-skipped') {
      push(`  ${r.section.padEnd(24)} ${''.padStart(8)}  ${w.notRun(r.reason)}`);
      phases += 1;
    }
  }
  if (phases === 0) push(`  ${w.noPhase}`);

  push('', w.faults);
  if (summary.faultsMet.length === 0) push(`  ${w.none}`);
  for (const fault of summary.faultsMet) {
    push(`  ${fault.node}: ${fault.text}`);
    const done = handling(fault, records, summary, titles, w);
    push(...(done.length ? done.map((d) => `    - ${d}`) : [`    - ${w.nothingAfter}`]));
  }

  // The same count as the run's summary line and report (tally.ts).
  const tally = tallyOfRecords(records);
  push('', w.steps(tallyText(tally)));
  push('', w.skipped);
  if (tally.skips.length === 0) push(`  ${w.none}`);
  for (const s of tally.skips) push(`  ${s.task}: ${s.reason || w.noReason}${s.by ? w.by(s.by) : ''}`);
  if (tally.notRunWhen > 0) push(`  ${w.notRunWhen(tally.notRunWhen)}`);

  const unhealthy = Object.entries(summary.unhealthyUnits).filter(([, units]) => units.length > 0);
  if (unhealthy.length || summary.removedAgents.length) {
    push('', w.leftBehind);
    for (const [node, units] of unhealthy) push(`  ${node}: ${w.notActive(units.join(', '))}`);
    for (const agent of summary.removedAgents) push(`  ${agent}: ${w.removed}`);
  }

  push('', w.lesson(scenario.lesson), '');
  return stripControls(lines.join('\n'));
}

/** What the trainee did on the fault's node after meeting it: operator decisions and cluster changes. */
function handling(
  fault: ExerciseSummary['faultsMet'][number],
  records: readonly JournalRecord[],
  summary: ExerciseSummary,
  titles: Map<string, string>,
  w: Labels['trainee'],
): string[] {
  const out: { at: number; text: string }[] = [];
  for (const r of records) {
    if (!('node' in r) || r.node !== fault.node || time(r.ts) < fault.at) continue;
    const title = 'step' in r ? (titles.get(`${r.section}/${r.step}`) ?? r.step) : '';
    if (r.event === 'retry') out.push({ at: time(r.ts), text: w.ranAgain(title, r.kind === 'rerun') });
    if (r.event === 'step-finished' && r.status !== 'passed') {
      out.push({ at: time(r.ts), text: w.stepEnded(title, r.status, r.reason ?? r.message) });
    }
    if (r.event === 'step-finished' && r.status === 'passed' && out.length > 0)
      out.push({ at: time(r.ts), text: w.stepEnded(title, 'passed') });
  }
  for (const a of summary.actions) {
    if (a.node === fault.node && a.at >= fault.at)
      out.push({ at: a.at, text: a.kind === 'command' ? w.youRan(a.detail) : w.onNode(a.detail) });
  }
  return out.sort((a, b) => a.at - b.at).map((o) => o.text);
}
