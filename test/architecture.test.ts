import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript script without types
import { importsOf, lint } from '../scripts/lint.js';

describe('architecture rules', () => {
  it('finds static, type-only and dynamic imports', () => {
    const text =
      "import { a } from './a.js';\nimport type { B } from 'ink';\nconst m = await import('ssh2');\nexport { c } from \"../c.js\";";
    expect(importsOf(text)).toEqual([
      { spec: './a.js', typeOnly: false, dynamic: false },
      { spec: 'ink', typeOnly: true, dynamic: false },
      { spec: 'ssh2', typeOnly: false, dynamic: true },
      { spec: '../c.js', typeOnly: false, dynamic: false },
    ]);
  });

  it('reports a UI library in the engine, the UI imported from below, and a cycle', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'runbook-lint-'));
    try {
      const put = (file: string, text: string) => {
        mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        writeFileSync(path.join(root, file), text);
      };
      put('src/engine/a.ts', "import { render } from 'ink';\nimport { b } from './b.js';\nimport type { T } from 'react';");
      put('src/engine/b.ts', "import { a } from './a.js';");
      put('src/transport/c.ts', "import { View } from '../ui/View.js';");
      put('src/ui/View.tsx', "import React from 'react';");
      // Plain mode is the other driver: what both drive lives below them, never in the UI.
      put('src/plain/plain.ts', "import { HealthMonitor } from '../ui/app/health.js';");
      put('src/diagnostics/health.ts', "import type { NodeView } from '../ui/app/view-model.js';");
      put('src/ui/app/health.ts', 'export class HealthMonitor {}');
      put('src/ui/app/view-model.ts', 'export interface NodeView { name: string }');
      expect(lint(root)).toEqual([
        'src/diagnostics/health.ts: imports the UI (../ui/app/view-model.js); diagnostics/ must not know about it',
        'src/engine/a.ts: imports ink; engine/ must stay free of terminal and transport libraries',
        'src/plain/plain.ts: imports the UI (../ui/app/health.js); plain/ must not know about it',
        'src/transport/c.ts: imports the UI (../ui/View.js); transport/ must not know about it',
        'import cycle: src/engine/a.ts -> src/engine/b.ts -> src/engine/a.ts',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reports a cycle closed by a type-only import and one closed by a dynamic import, naming every file', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'runbook-lint-'));
    try {
      const put = (file: string, text: string) => {
        mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        writeFileSync(path.join(root, file), text);
      };
      // The shape the commands had: the list loads each command, which names a type of the list.
      put('src/cli/commands.ts', "export const load = () => import('./play.js');\nexport interface Input { a: string }");
      put('src/cli/play.ts', "import type { Input } from './commands.js';\nimport { UsageError } from './main.js';");
      put('src/cli/main.ts', "export class UsageError extends Error {}\nimport { load } from './commands.js';");
      // Two engine files that only share types still cannot be read apart.
      put('src/engine/x.ts', "import type { Y } from './y.js';\nexport interface X { y: Y }");
      put('src/engine/y.ts', "import type {\n  X,\n} from './x.js';\nexport interface Y { x: X }");
      put('src/engine/z.ts', "import type { X } from './x.js';");
      expect(lint(root)).toEqual([
        'import cycle: src/cli/commands.ts -> src/cli/play.ts -> src/cli/commands.ts',
        'import cycle: src/cli/commands.ts -> src/cli/play.ts -> src/cli/main.ts -> src/cli/commands.ts',
        'import cycle: src/engine/x.ts -> src/engine/y.ts -> src/engine/x.ts',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('keeps input/ below the format and the inventory, and the inventory off the format and the engine, type-only imports included', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'runbook-lint-'));
    try {
      const put = (file: string, text: string) => {
        mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        writeFileSync(path.join(root, file), text);
      };
      put('src/input/problem.ts', "import type { Inventory } from '../inventory/types.js';\nimport { controls } from './controls.js';");
      put('src/input/controls.ts', 'export const controls = 1;');
      put('src/inventory/types.ts', 'export interface Inventory { a: string }');
      put(
        'src/inventory/load.ts',
        "import { parseYaml } from '../runbook/load-yaml.js';\nimport type { Problem } from '../input/problem.js';",
      );
      put('src/inventory/changes.ts', "import type { NodeAddress } from '../engine/events.js';");
      put('src/engine/events.ts', "import type { Inventory } from '../inventory/types.js';");
      put('src/runbook/load-yaml.ts', "import { InputError } from '../input/problem.js';\nexport const parseYaml = 1;");
      put('src/runbook/validate.ts', "import type { Inventory } from '../inventory/types.js';");
      expect(lint(root)).toEqual([
        'src/input/problem.ts: imports ../inventory/types.js; input/ is below every other folder',
        'src/inventory/changes.ts: imports ../engine/events.js; inventory/ must not depend on the runbook format or the engine (what it shares with the format is in input/)',
        'src/inventory/load.ts: imports ../runbook/load-yaml.js; inventory/ must not depend on the runbook format or the engine (what it shares with the format is in input/)',
        // Each wrong import above also closes a cycle of folders.
        'folder cycle: src/engine -> src/inventory -> src/engine (src/engine/events.ts imports ../inventory/types.js; src/inventory/changes.ts imports ../engine/events.js)',
        'folder cycle: src/inventory -> src/input -> src/inventory (src/inventory/load.ts imports ../input/problem.js; src/input/problem.ts imports ../inventory/types.js)',
        'folder cycle: src/inventory -> src/runbook -> src/inventory (src/inventory/load.ts imports ../runbook/load-yaml.js; src/runbook/validate.ts imports ../inventory/types.js)',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reports folders that import each other though no file cycle closes, naming the import behind each edge', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'runbook-lint-'));
    try {
      const put = (file: string, text: string) => {
        mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        writeFileSync(path.join(root, file), text);
      };
      // The shape runbook/ and transport/ had: each needed a different file of the other.
      put('src/runbook/secret-forms.ts', "import { MASK } from '../transport/mask.js';");
      put('src/transport/mask.ts', 'export const MASK = 1;');
      put('src/transport/delivery.ts', "import type { Q } from '../runbook/quote.js';\nimport { ok } from '../shell/ok.js';");
      put('src/runbook/quote.ts', 'export type Q = string;');
      // Three folders around, and one that only points down (no cycle).
      put('src/engine/a.ts', "import { b } from '../export/b.js';");
      put('src/export/b.ts', "import { c } from '../sim/c.js';\nexport const b = 1;");
      put('src/sim/c.ts', "import { a } from '../engine/z.js';\nexport const c = 1;");
      put('src/engine/z.ts', 'export const a = 1;');
      put('src/shell/ok.ts', "import { MASK } from '../transport/mask.js';\nexport const ok = 1;");
      expect(lint(root)).toEqual([
        'src/shell/ok.ts: imports ../transport/mask.js; shell/ (what /bin/sh on a node reads) is below every folder that builds a command',
        'folder cycle: src/engine -> src/export -> src/sim -> src/engine (src/engine/a.ts imports ../export/b.js; src/export/b.ts imports ../sim/c.js; src/sim/c.ts imports ../engine/z.js)',
        'folder cycle: src/runbook -> src/transport -> src/runbook (src/runbook/secret-forms.ts imports ../transport/mask.js; src/transport/delivery.ts imports ../runbook/quote.js)',
        'folder cycle: src/transport -> src/shell -> src/transport (src/transport/delivery.ts imports ../shell/ok.js; src/shell/ok.ts imports ../transport/mask.js)',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('holds for the source tree: no UI libraries in the engine, format or exports; no cycles', () => {
    expect(lint()).toEqual([]);
  });

  it('the reducer never blocks: nothing it runs (update.ts and what it imports for values) waits on a search or a thread', () => {
    const root = path.resolve(import.meta.dirname, '..');
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const { spec, typeOnly } of importsOf(readFileSync(file, 'utf8')) as { spec: string; typeOnly: boolean }[]) {
        if (typeOnly || !spec.startsWith('.')) continue;
        const ts = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
        const target = [ts, ts.replace(/\.ts$/, '.tsx')].find((f) => statSync(f, { throwIfNoEntry: false })?.isFile());
        if (target) visit(target);
      }
    };
    visit(path.join(root, 'src/engine/update.ts'));
    const files = [...seen].map((f) => path.relative(root, f));
    expect(files).toContain('src/engine/checks.ts');
    // The searches (a worker, node:vm's timeout) belong to the runner.
    expect(files.filter((f) => /regex-worker|bounded-regex/.test(f))).toEqual([]);
    for (const file of seen) {
      const text = readFileSync(file, 'utf8');
      expect({
        file: path.relative(root, file),
        blocks: /Atomics\.wait|node:vm|node:worker_threads|execSync|spawnSync/.test(text),
      }).toEqual({ file: path.relative(root, file), blocks: false });
    }
  });
});
