// The printed runbook as Markdown: the same content as the HTML page, for a wiki or a change
// ticket. Headings number sections (1, 2, ...) and steps (1.1, 1.2, ...) so people can say
// "step 4.2" across paper and screen.
import { escapeMarkdown, markdownCell as inline, markdownCode, markdownInlineCode } from './escape.js';
import type { ExportDoc, ExportSection, ExportStep } from './model.js';
import type { Labels } from './labels.js';
import { stripControls } from '../input/controls.js';

const BOX = '☐';

/** Notes in one cell: a sentence's full stop gives way to the separator. */
export const joinNotes = (notes: string[], labels: Labels): string =>
  notes.map((n) => n.trim().replace(/[.。]$/, '')).join(labels.lang === 'zh-CN' ? '；' : '; ');

/** A single line stays inline; several lines keep their breaks. */
const para = (text: string): string => (text.includes('\n') ? escapeMarkdown(text) : inline(text));

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Inline code in a table cell: GitHub splits cells at | even inside code, unless escaped. */
const cellCode = (code: string): string => markdownInlineCode(code).replace(/\|/g, '\\|');

/** The kind shown beside a section's title, unless the title already says it. */
export function kindLabel(section: ExportSection, labels: Labels): string | undefined {
  const label = section.kind === 'guards' ? labels.guards : section.kind === 'prerequisites' ? labels.prerequisites : undefined;
  return label !== undefined && !section.title.toLowerCase().includes(label.toLowerCase()) ? label : undefined;
}

function stepMarkdown(step: ExportStep, number: string, labels: Labels): string[] {
  const out: string[] = [];
  const label = (name: string, text: string) => out.push(`**${inline(name)}${labels.colon}** ${para(text)}`, '');
  out.push(`### ${number} ${step.title !== undefined ? `${inline(step.title)} ` : ''}${markdownInlineCode(step.id)}`, '');
  if (step.when) out.push(`**${inline(labels.onlyWhen)}${labels.colon}** ${markdownInlineCode(step.when)}`, '');
  if (step.notInThisRun) {
    out.push(`*${inline(labels.notInThisRun)}*`, '');
    return out;
  }
  if (step.destructive) out.push(`> **⚠ ${inline(labels.destructive)}**: ${inline(labels.destructiveNote)}`, '');
  if (step.why) label(labels.why, step.why);
  if (step.text) out.push(escapeMarkdown(step.text), '');
  for (const item of step.checklist) out.push(`- ${BOX} ${inline(item)}`);
  if (step.checklist.length > 0) out.push('');
  if (step.check) {
    label(labels.check, step.check.words);
    for (const [k, v] of step.check.args) out.push(`- ${markdownInlineCode(k)}${labels.sep}${markdownInlineCode(v)}`);
    if (step.check.args.length > 0) out.push('');
  }
  for (const block of step.commands) {
    const on = block.nodes.length > 0 ? ` (${inline(labels.commandOn)} ${block.nodes.map(inline).join(', ')})` : '';
    out.push(`**${inline(labels.command)}**${on}${labels.colon}`, '', markdownCode(block.text, 'sh'), '');
  }
  for (const c of step.captures) out.push(`${inline(labels.capture(c.name))}${labels.sep}${markdownInlineCode(c.regex)}`, '');
  if (step.gate) label(labels.afterIt, step.gate);
  if (step.deadline) label(labels.deadlineLabel, step.deadline);
  if (step.confirm) out.push(`${BOX} ${inline(step.confirm)}`, '');
  if (step.troubleshoot) out.push(`*${inline(labels.ifItFails(step.troubleshoot))}*`, '');
  if (step.hint) label(labels.hint, step.hint);
  return out;
}

function sectionMarkdown(section: ExportSection, n: number, labels: Labels): string[] {
  const kind = kindLabel(section, labels);
  const out: string[] = [`## ${n}. ${inline(section.title)}${kind ? labels.paren(inline(kind)) : ''}`, ''];
  if (section.kind === 'guards') out.push(`*${inline(labels.guardsIntro)}*`, '');
  if (section.kind === 'prerequisites') out.push(`*${inline(labels.prerequisitesIntro)}*`, '');
  if (section.kind === 'checklist') out.push(`*${inline(labels.checklistIntro)}*`, '');
  const facts = [
    `**${inline(labels.runsOn)}${labels.colon}** ${inline(section.runsOn)}${section.strategy ? `; ${inline(section.strategy)}` : ''}${section.maxFailures ? `; ${inline(section.maxFailures)}` : ''}`,
  ];
  if (section.when) facts.push(`**${inline(labels.onlyWhen)}${labels.colon}** ${markdownInlineCode(section.when)}`);
  out.push(facts.join('  \n'), '');
  if (section.notInThisRun) {
    out.push(`*${inline(labels.notInThisRun)}*`, '');
    return out;
  }
  if (section.why) out.push(`**${inline(labels.why)}${labels.colon}** ${para(section.why)}`, '');
  if (section.text) out.push(escapeMarkdown(section.text), '');
  section.steps.forEach((step, i) => out.push(...stepMarkdown(step, `${n}.${i + 1}`, labels)));
  if (section.noTargets) {
    out.push(`*${inline(labels.noTargets)}*`, '');
    return out;
  }
  out.push(`#### ${inline(labels.signOff)}${labels.sep}${inline(section.title)}`, '');
  const blank = section.signOff.every((r) => r.node === '');
  out.push(
    table(
      [labels.node, labels.address, labels.done, labels.time, labels.initials].map(inline),
      section.signOff.map((r) => [inline(r.node), inline(r.address), BOX, ' ', ' ']),
    ),
    '',
  );
  if (blank) out.push(`*${inline(labels.addRows)}*`, '');
  return out;
}

/** The whole printed runbook as Markdown. */
export function renderMarkdown(doc: ExportDoc): string {
  const { labels } = doc;
  const out: string[] = [`# ${inline(doc.title)}`, ''];
  if (doc.description) out.push(escapeMarkdown(doc.description), '');
  out.push(doc.meta.map(([k, v]) => `**${inline(k)}${labels.colon}** ${inline(v)}`).join('  \n'), '');
  if (doc.header.length > 0) out.push(doc.header.map(([k, v]) => `**${inline(k)}${labels.colon}** ${inline(v)}`).join('  \n'), '');

  out.push(`## ${inline(labels.contents)}`, '');
  doc.sections.forEach((s, i) => {
    const kind = kindLabel(s, labels);
    out.push(`${i + 1}. ${inline(s.title)}${kind ? labels.paren(inline(kind)) : ''}`);
  });
  if (doc.troubleshooting.length > 0)
    out.push(`${doc.sections.length + 1}. ${inline(`${labels.appendix}${labels.sep}${labels.troubleshooting}`)}`);
  out.push('');

  out.push(`## ${inline(labels.parameters)}`, '');
  if (doc.params.length === 0) out.push(inline(labels.noParameters), '');
  else {
    out.push(
      table(
        [labels.name, labels.value, labels.notes].map(inline),
        doc.params.map((p) => [cellCode(p.name), inline(p.value), inline(joinNotes(p.notes, labels))]),
      ),
      '',
    );
  }
  out.push(`*${inline(labels.exitRule)}*`, '');

  doc.sections.forEach((section, i) => out.push(...sectionMarkdown(section, i + 1, labels)));

  if (doc.troubleshooting.length > 0) {
    out.push(
      `## ${inline(`${labels.appendix}${labels.sep}${labels.troubleshooting}`)}`,
      '',
      `*${inline(labels.troubleshootingIntro)}*`,
      '',
    );
    for (const role of doc.troubleshooting) {
      out.push(`### ${inline(`${labels.role}${labels.sep}${role.title}`)}`, '');
      if (role.description) out.push(escapeMarkdown(role.description), '');
      for (const t of role.commands) {
        out.push(`**${inline(t.title)}**${t.why ? `: ${inline(t.why)}` : ''}`, '', markdownCode(t.command, 'sh'), '');
      }
      for (const h of role.health) {
        const when = h.when ? ` (${inline(labels.onlyWhen)} ${markdownInlineCode(h.when)})` : '';
        out.push(`**${inline(labels.health)}**${when}${labels.sep}${inline(h.gate)}`, '', markdownCode(h.command, 'sh'), '');
      }
    }
  }
  // No control character of a runbook or inventory reaches a reader's terminal (cat, less -R).
  return stripControls(
    `${out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd()}\n`,
  );
}
