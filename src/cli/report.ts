// `runbook report RUN [--format md|html|pdf] [-o OUT]` (Markdown by default): what a past run did, from its journal.
// RUN is a run id from the state directory, `latest`, or the path of a journal file.
import path from 'node:path';
import type { CommandInput } from './command-types.js';
import { checkPdfOutput, parseFormat, parsePaper, writeOutput } from './export.js';
import { chosenLang } from './settings-flags.js';
import { InputError } from '../input/problem.js';
import type { Runbook } from '../runbook/schema.js';
import type { JournalRecord } from '../engine/events.js';

/** How many of the latest runs an unknown RUN lists. */
const SHOW_RUNS = 5;

export async function run({ positionals, options, io }: CommandInput): Promise<number> {
  const format = parseFormat(options.format, 'report', 'md');
  const lang = chosenLang(options, io.env, 'report');
  checkPdfOutput(format, options.output, 'report');
  const paper = parsePaper(options.paper, 'report');
  const wanted = positionals[0]!;
  const [{ listRuns, readJournal, journalPath, runsDir }, { loadSettings }, { buildReport }, { renderReportMarkdown, renderReportHtml }] =
    await Promise.all([
      import('../engine/journal.js'),
      import('../config/settings.js'),
      import('../export/report-model.js'),
      import('../export/report-render.js'),
    ]);
  const stateDir = (options['state-dir'] as string | undefined) ?? loadSettings(io.env).stateDir;

  let file: string;
  if (wanted.endsWith('.jsonl') || wanted.includes('/')) file = path.resolve(io.cwd, wanted);
  else {
    const runs = await listRuns(stateDir);
    const found = wanted === 'latest' ? runs[runs.length - 1] : runs.find((r) => r.id === wanted);
    if (!found) {
      const latest = runs.slice(-SHOW_RUNS).reverse();
      const list =
        latest.length > 0
          ? `; the latest: ${latest.map((r) => `${r.id} (${r.runbook.id}${r.status ? `, ${r.status}` : ', unfinished'})`).join(', ')}`
          : '; there are no runs there yet';
      const what = wanted === 'latest' ? 'no run' : `no run ${wanted}`;
      throw new InputError([{ file: runsDir(stateDir), severity: 'error', message: `${what} in ${runsDir(stateDir)}${list}` }]);
    }
    file = found.file ?? journalPath(stateDir, found.id);
  }

  const journal = await readJournal(file);
  if (journal.records.length === 0)
    throw new InputError([{ file, severity: 'error', message: 'the journal is empty: the run never started' }]);
  if (journal.torn) io.stderr.write(`${file}: the last line was cut short (the player died while writing it); the report leaves it out\n`);
  const runbook = await sameRunbook(journal.records, io.cwd);
  const doc = buildReport({
    records: journal.records,
    ...(runbook ? { runbook } : {}),
    journal: path.basename(file),
    ...(lang ? { lang } : {}),
  });
  const text = format === 'md' ? renderReportMarkdown(doc) : renderReportHtml(doc, { paper });
  const { htmlToPdf } = await import('./pdf.js');
  await writeOutput(
    format === 'pdf' ? await htmlToPdf(text, options.browser, io, 'report') : text,
    options.output as string | undefined,
    io,
  );
  return 0;
}

/**
 * The runbook the run played, when its file is still there with the same digest: it gives the
 * report section titles and the runbook's language. Anything else and the report does without.
 */
async function sameRunbook(records: readonly JournalRecord[], cwd: string): Promise<Runbook | undefined> {
  const first = records[0];
  if (!first || first.event !== 'run-started') return undefined;
  try {
    const { loadRunbook } = await import('../runbook/load.js');
    const loaded = await loadRunbook(path.resolve(cwd, first.runbook.file));
    const bare = (d: string) => d.replace(/^sha256:/, '');
    return bare(loaded.digest) === bare(first.runbook.digest) ? loaded.runbook : undefined;
  } catch {
    return undefined;
  }
}
