// Export of the DC/OS runbook for 3 masters and 200 agents (and 2 public agents): load the
// runbook and the inventory from files, build the document, write Markdown and HTML. Target:
// under a second, the first time as well as typically.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderHtml } from '../src/export/html.js';
import { renderMarkdown } from '../src/export/markdown.js';
import { buildExport } from '../src/export/model.js';
import { loadInventory } from '../src/inventory/load.js';
import { loadRunbook } from '../src/runbook/load.js';
import { dcosInventoryYaml } from '../test/export/dcos-inventory.js';

const TARGET_MS = 1000;
const here = path.dirname(fileURLToPath(import.meta.url));
// Bundled into dist/bench/ before it runs; the runbooks stay at the project's root.
const runbookFile = [path.join(here, '..', 'runbooks'), path.join(here, '..', '..', 'runbooks')]
  .map((d) => path.join(d, 'dcos-1.11-patch.yaml'))
  .find((f) => existsSync(f));

async function once(runbookFile: string, inventoryFile: string): Promise<{ total: number; md: number; html: number; bytes: number }> {
  const t0 = performance.now();
  const inventory = await loadInventory(inventoryFile);
  const loaded = await loadRunbook(runbookFile, { inventory });
  const doc = buildExport({
    runbook: loaded.runbook,
    file: 'dcos-1.11-patch.yaml',
    digest: loaded.digest,
    inventory,
    params: { installed_version: '1.11.1', target_version: '1.11.2' },
  });
  const t1 = performance.now();
  const md = renderMarkdown(doc);
  const t2 = performance.now();
  const html = renderHtml(doc);
  const t3 = performance.now();
  return { total: t3 - t0, md: t2 - t1 + (t1 - t0), html: t3 - t2 + (t1 - t0), bytes: md.length + html.length };
}

export async function run(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'runbook-bench-export-'));
  try {
    const inventoryFile = path.join(dir, 'inventory.yaml');
    writeFileSync(inventoryFile, dcosInventoryYaml(3, 200, 2));
    if (!runbookFile) throw new Error('runbooks/dcos-1.11-patch.yaml not found');
    const first = await once(runbookFile, inventoryFile);
    const totals: number[] = [];
    let last = first;
    for (let i = 0; i < 9; i++) {
      last = await once(runbookFile, inventoryFile);
      totals.push(last.total);
    }
    totals.sort((a, b) => a - b);
    const median = totals[Math.floor(totals.length / 2)]!;
    const worst = Math.max(first.total, ...totals);
    if (worst >= TARGET_MS) throw new Error(`export took ${worst.toFixed(0)} ms; the target is under ${TARGET_MS} ms`);
    return {
      'first export, md + html (ms)': Math.round(first.total),
      'median of 9, md + html (ms)': Math.round(median),
      'worst (ms)': Math.round(worst),
      'load + build + md (ms, last run)': Math.round(last.md),
      'load + build + html (ms, last run)': Math.round(last.html),
      'output (kB, md + html)': Math.round(first.bytes / 1024),
      target: `under ${TARGET_MS} ms: met`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
