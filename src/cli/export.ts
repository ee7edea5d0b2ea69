// `runbook export FILE [--inventory INV] [--param k=v]... --format md|html [-o OUT]`: the
// printable runbook. Loading happens here; src/export only turns data into text.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommandInput } from './command-types.js';
import { UsageError } from './errors.js';
import { chosenLang } from './settings-flags.js';
import { formatProblem } from '../input/problem.js';
import type { Param } from '../runbook/schema.js';
import type { Inventory } from '../inventory/types.js';

const FORMATS = ['md', 'html', 'pdf'] as const;
export type OutputFormat = (typeof FORMATS)[number];

/** The --format value, or a usage error (exit 2) naming the formats. */
export function parseFormat(value: unknown, command: string, fallback?: OutputFormat): OutputFormat {
  if (value === undefined && fallback) return fallback;
  const choices = `${FORMATS.slice(0, -1).join(', ')} or ${FORMATS.at(-1)}`;
  if (value === undefined) throw new UsageError(`missing --format: choose ${choices}`, command);
  if (typeof value !== 'string' || !(FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`unknown format "${String(value)}": choose ${choices}`, command);
  }
  return value as OutputFormat;
}

/** A PDF is written to a file: --format pdf without -o is a usage error, before any work. */
export function checkPdfOutput(format: OutputFormat, out: unknown, command: string): void {
  if (format === 'pdf' && (out === undefined || out === '-')) throw new UsageError('--format pdf writes a file: add -o FILE.pdf', command);
}

/** The paper of --paper (declared by the CLI when it offers it): a4 by default, or letter. */
export function parsePaper(value: unknown, command: string): 'a4' | 'letter' {
  if (value === undefined) return 'a4';
  const v = String(value).toLowerCase();
  if (v === 'a4' || v === 'letter') return v;
  throw new UsageError(`unknown paper "${String(value)}": choose a4 or letter`, command);
}

/** --param k=v pairs; a pair without "=" is a usage error. */
export function parseParams(values: unknown): Record<string, string> {
  const list = values === undefined ? [] : Array.isArray(values) ? values : [values];
  const out: Record<string, string> = {};
  for (const item of list) {
    const text = String(item);
    const eq = text.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param ${text}: expected NAME=VALUE`, 'export');
    out[text.slice(0, eq)] = text.slice(eq + 1);
  }
  return out;
}

export async function run({ positionals, options, io }: CommandInput): Promise<number> {
  const format = parseFormat(options.format, 'export');
  const lang = chosenLang(options, io.env, 'export');
  checkPdfOutput(format, options.output, 'export');
  const params = parseParams(options.param);
  const file = positionals[0]!;
  const [{ loadRunbook }, { loadInventory }, { buildExport }, { renderMarkdown }, { renderHtml }] = await Promise.all([
    import('../runbook/load.js'),
    import('../inventory/load.js'),
    import('../export/model.js'),
    import('../export/markdown.js'),
    import('../export/html.js'),
  ]);
  const resolve = (f: string) => path.resolve(io.cwd, f);
  let inventory: Inventory | undefined;
  let inventoryDigest: string | undefined;
  const inventoryFile = options.inventory as string | undefined;
  if (inventoryFile) {
    inventory = await loadInventory(resolve(inventoryFile));
    // The file as the operator named it, not this machine's absolute path.
    inventory = { ...inventory, source: inventoryFile };
    inventoryDigest = `sha256:${createHash('sha256')
      .update(await readFile(resolve(inventoryFile)))
      .digest('hex')}`;
  }
  const loaded = await loadRunbook(resolve(file), inventory ? { inventory } : {});
  for (const w of loaded.warnings) io.stderr.write(`${formatProblem(w)}\n`);
  checkParams(params, loaded.runbook.params ?? {});
  const doc = buildExport({
    runbook: loaded.runbook,
    ...(lang ? { lang } : {}),
    file,
    digest: `sha256:${loaded.digest}`,
    ...(inventory ? { inventory } : {}),
    ...(inventoryDigest ? { inventoryDigest } : {}),
    params,
    generatedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  });
  const text = format === 'md' ? renderMarkdown(doc) : renderHtml(doc, { paper: parsePaper(options.paper, 'export') });
  const { htmlToPdf } = await import('./pdf.js');
  await writeOutput(
    format === 'pdf' ? await htmlToPdf(text, options.browser, io, 'export') : text,
    options.output as string | undefined,
    io,
  );
  return 0;
}

/** A --param the runbook does not declare, or one its own rules refuse, stops the export (exit 2). */
function checkParams(given: Record<string, string>, declared: Record<string, Param>): void {
  const unknown = Object.keys(given).filter((k) => !Object.hasOwn(declared, k));
  if (unknown.length > 0) {
    const known = Object.keys(declared);
    throw new UsageError(
      `unknown param ${unknown.map((k) => `"${k}"`).join(', ')}; this runbook declares ${known.length > 0 ? known.join(', ') : 'none'}`,
      'export',
    );
  }
  for (const [name, value] of Object.entries(given)) {
    const p = declared[name]!;
    // A secret's value is never repeated, not even in an error.
    const shown = p.secret ? 'the value' : `"${value}"`;
    if (p.choices && !p.choices.includes(value))
      throw new UsageError(`--param ${name}: ${shown} is not one of ${p.choices.join(', ')}`, 'export');
    if (p.pattern && !new RegExp(p.pattern).test(value))
      throw new UsageError(`--param ${name}: ${shown} does not match ${p.pattern}`, 'export');
  }
}

/**
 * Writes the text to OUT atomically (a temp file beside it, then rename: a reader never sees half
 * a page), or to standard output without OUT.
 */
export async function writeOutput(text: string | Uint8Array, out: string | undefined, io: CommandInput['io']): Promise<void> {
  if (out === undefined || out === '-') {
    await new Promise<void>((resolve, reject) => io.stdout.write(text, (error) => (error ? reject(error) : resolve())));
    return;
  }
  const target = path.resolve(io.cwd, out);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { mode: 0o644 });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw new Error(
      `cannot write ${out}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'its directory does not exist' : (error as Error).message}`,
    );
  }
}
