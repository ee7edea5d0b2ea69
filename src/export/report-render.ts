// The run report as Markdown and as a print-ready HTML page: the same tables in both.
import { escapeHtml as e, escapeMarkdown, markdownCell, markdownCode, markdownInlineCode } from './escape.js';
import { htmlPage, type Paper } from './html-page.js';
import type { ReportDoc } from './report-model.js';
import { shortTime } from './report-model.js';
import { stripControls } from '../input/controls.js';

/** A table of cells; `code` columns are commands, `bad` rows are failures (marked in words too). */
interface Table {
  header: string[];
  rows: { cells: string[]; bad?: boolean; code?: number[] }[];
  code?: number[];
}

/** The report's parts in order, as tables or notes, shared by both formats. */
function parts(doc: ReportDoc): { title: string; intro?: string; tables: { caption?: string; table: Table }[]; failures?: boolean }[] {
  const L = doc.labels;
  const mark = (bad: boolean | undefined, text: string) => (bad ? `✖ ${text}` : text);
  return [
    {
      title: L.summary,
      tables: [
        { table: { header: [L.name, L.value], rows: doc.meta.map(([k, v]) => ({ cells: [k, v] })) } },
        ...(doc.params.length > 0
          ? [{ caption: L.parameters, table: { header: [L.name, L.value], rows: doc.params.map(([k, v]) => ({ cells: [k, v] })) } }]
          : []),
        { caption: L.status, table: { header: [L.status, L.value], rows: doc.summary.map(([k, v]) => ({ cells: [k, v] })) } },
      ],
    },
    {
      title: L.timeline,
      tables: doc.timelines.map((t) => ({
        caption: t.node,
        table: {
          header: [L.time, L.step, L.event],
          rows: t.rows.map((r) => ({ cells: [shortTime(r.ts), r.step, mark(r.bad, r.what)], bad: r.bad })),
        },
      })),
    },
    {
      title: L.commands,
      tables: [
        {
          table: {
            header: [L.time, L.node, L.step, L.command, L.attempts, L.exit, L.durationCol, L.status],
            rows: doc.commands.map((c) => ({
              cells: [
                shortTime(c.ts),
                c.node,
                c.step,
                c.command,
                String(c.attempts),
                c.exit,
                c.duration,
                mark(c.bad, L.statusWord(c.status)),
              ],
              bad: c.bad,
            })),
            code: [3],
          },
        },
      ],
    },
    {
      title: L.beside,
      tables: [
        {
          table: {
            header: [L.time, L.node, L.kind, L.command, L.by, L.exit, L.durationCol],
            rows: doc.beside.map((b) => ({
              cells: [shortTime(b.ts), b.node, b.kind, b.command, b.by, mark(b.bad, b.result), b.duration],
              bad: b.bad,
            })),
            code: [3],
          },
        },
      ],
    },
    {
      title: L.confirmations,
      tables: [
        {
          table: {
            header: [L.time, L.node, L.step, L.prompt, L.answer, L.by],
            rows: doc.confirmations.map((c) => ({
              cells: [shortTime(c.ts), c.node, c.step, c.prompt, c.answer, c.by],
              bad: c.answer.startsWith('no'),
              code: c.command ? [3] : [],
            })),
          },
        },
      ],
    },
    {
      title: L.skips,
      tables: [
        {
          table: {
            header: [L.time, L.node, L.step, L.reason, L.by],
            rows: doc.skips.map((s) => ({ cells: [shortTime(s.ts), s.node, s.step, s.reason, s.by] })),
          },
        },
      ],
    },
    { title: L.failures, tables: [], failures: true },
    {
      title: L.gates,
      tables: [
        {
          table: {
            header: [L.node, L.step, L.attempts, L.started, L.finished, L.outcome],
            rows: doc.gates.map((g) => ({
              cells: [
                g.node,
                g.step,
                String(g.attempts),
                shortTime(g.first),
                shortTime(g.last),
                mark(g.bad, `${L.statusWord(g.outcome)}${g.message ? `: ${g.message}` : ''}`),
              ],
              bad: g.bad,
            })),
          },
        },
      ],
    },
  ];
}

// ---- Markdown

function mdTable(t: Table, none: string): string {
  if (t.rows.length === 0) return `*${markdownCell(none)}*`;
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const cell = (code: number[] | undefined) => (text: string, i: number) =>
    code?.includes(i) && text !== '' ? markdownInlineCode(text).replace(/\|/g, '\\|') : markdownCell(text);
  return [
    line(t.header.map(markdownCell)),
    line(t.header.map(() => '---')),
    ...t.rows.map((r) => line(r.cells.map(cell(r.code ?? t.code)))),
  ].join('\n');
}

export function renderReportMarkdown(doc: ReportDoc): string {
  const L = doc.labels;
  const out: string[] = [`# ${markdownCell(doc.title)}`, ''];
  for (const part of parts(doc)) {
    out.push(`## ${markdownCell(part.title)}`, '');
    for (const { caption, table } of part.tables) {
      if (caption) out.push(`### ${markdownCell(caption)}`, '');
      out.push(mdTable(table, L.none), '');
    }
    if (part.failures) {
      if (doc.failures.length === 0) out.push(`*${markdownCell(L.none)}*`, '');
      for (const f of doc.failures) {
        out.push(`### ✖ ${markdownCell(`${f.node}${L.sep}${f.step}`)}`, '');
        out.push(
          `**${markdownCell(L.time)}${L.colon}** ${markdownCell(shortTime(f.ts))}${f.exit ? `  \n**${markdownCell(L.exit)}${L.colon}** ${markdownCell(f.exit)}` : ''}`,
          '',
        );
        out.push(`**${markdownCell(L.reason)}${L.colon}** ${escapeMarkdown(f.reason)}`, '');
        if (f.tail.length > 0) out.push(`**${markdownCell(L.outputTail)}${L.colon}**`, '', markdownCode(f.tail.join('\n')), '');
        if (f.afterwards) out.push(`**${markdownCell(L.afterwards)}${L.colon}** ${escapeMarkdown(f.afterwards)}`, '');
      }
    }
  }
  // No control character of a journal reaches a reader's terminal (cat, less -R).
  return stripControls(
    `${out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd()}\n`,
  );
}

// ---- HTML

function htmlTable(t: Table, none: string): string {
  if (t.rows.length === 0) return `<p class="note">${e(none)}</p>`;
  const head = `<thead><tr>${t.header.map((h) => `<th scope="col">${e(h)}</th>`).join('')}</tr></thead>`;
  const rows = t.rows.map(
    (r) =>
      `<tr${r.bad ? ' class="fail"' : ''}>${r.cells.map((c, i) => `<td>${(r.code ?? t.code)?.includes(i) && c !== '' ? `<code>${e(c)}</code>` : e(c)}</td>`).join('')}</tr>`,
  );
  return `<table class="data">\n${head}\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

export function renderReportHtml(doc: ReportDoc, options: { paper?: Paper } = {}): string {
  const L = doc.labels;
  const body: string[] = [`<h1>${e(doc.title)}</h1>`];
  for (const part of parts(doc)) {
    body.push('<section>', `<h2>${e(part.title)}</h2>`);
    for (const { caption, table } of part.tables) {
      if (caption) body.push(`<h3>${e(caption)}</h3>`);
      body.push(htmlTable(table, L.none));
    }
    if (part.failures) {
      if (doc.failures.length === 0) body.push(`<p class="note">${e(L.none)}</p>`);
      for (const f of doc.failures) {
        body.push(`<h3>✖ ${e(`${f.node}${L.sep}${f.step}`)}</h3>`);
        body.push(
          `<p><span class="label">${e(L.time)}${L.colon}</span> ${e(shortTime(f.ts))}${f.exit ? ` <span class="label">${e(L.exit)}${L.colon}</span> ${e(f.exit)}` : ''}</p>`,
        );
        body.push(`<p><span class="label">${e(L.reason)}${L.colon}</span> ${e(f.reason).replace(/\n/g, '<br>\n')}</p>`);
        if (f.tail.length > 0)
          body.push(`<p class="label">${e(L.outputTail)}${L.colon}</p>`, `<pre><code>${e(f.tail.join('\n'))}</code></pre>`);
        if (f.afterwards) body.push(`<p><span class="label">${e(L.afterwards)}${L.colon}</span> ${e(f.afterwards)}</p>`);
      }
    }
    body.push('</section>');
  }
  return htmlPage({ lang: doc.lang, title: doc.title, body: body.join('\n'), ...(options.paper ? { paper: options.paper } : {}) });
}
