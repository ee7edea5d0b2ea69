// Architecture checks that the type checker cannot make:
// - the engine, the format and the exports know nothing of the terminal or the wire;
// - nothing below the UI imports the UI, and plain mode, the other driver, does not either (what
//   both drive, health probes and troubleshooting, is in diagnostics/ below them);
// - input/ (YAML with places, problems, did-you-mean, control characters) is below the runbook
//   format and the inventory and imports neither; the inventory imports neither the format nor
//   the engine, which read it;
// - no import cycles: static, type-only or dynamic, each one means two files cannot be read
//   (or loaded) apart; and none between folders either (src/a -> src/b -> src/a), which would
//   mean neither folder is below the other.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const PURE = ['engine', 'runbook', 'export', 'input'];
const FORBIDDEN_IN_PURE = ['ink', 'react', 'ink-spinner', 'zx', 'ssh2', 'ink-testing-library'];
const BELOW_UI = ['engine', 'runbook', 'export', 'transport', 'inventory', 'sim', 'config', 'input', 'diagnostics', 'plain'];
/** Folders a folder must not import from, with the reason a message gives. */
const MUST_NOT_IMPORT = {
  input: { folders: (f) => f !== 'input', why: 'input/ is below every other folder' },
  shell: { folders: (f) => f !== 'shell', why: 'shell/ (what /bin/sh on a node reads) is below every folder that builds a command' },
  inventory: {
    folders: (f) => f === 'runbook' || f === 'engine',
    why: 'inventory/ must not depend on the runbook format or the engine (what it shares with the format is in input/)',
  },
};

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return walk(file);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts') ? [file] : [];
  });
}

/** Imports of a file: { spec, typeOnly, dynamic } */
export function importsOf(text) {
  const found = [];
  const re = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) {
    if (m[4]) found.push({ spec: m[4], typeOnly: false, dynamic: true });
    else found.push({ spec: m[3], typeOnly: Boolean(m[2]), dynamic: false });
  }
  return found;
}

const packageOf = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

function resolveLocal(from, spec) {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.js$/, '.tsx'),
    `${base}.ts`,
    `${base}.tsx`,
    path.join(base, 'index.ts'),
  ]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {}
  }
  return undefined;
}

export function lint(root = projectRoot) {
  const src = path.join(root, 'src');
  const folderOf = (file) => path.relative(src, file).split(path.sep)[0];
  const problems = [];
  const files = walk(src);
  const graph = new Map();
  /** folder -> folder -> the first import that makes the edge, for the message */
  const folders = new Map();
  for (const file of files) {
    const rel = path.relative(root, file);
    const folder = folderOf(file);
    const edges = [];
    for (const imp of importsOf(readFileSync(file, 'utf8'))) {
      if (imp.spec.startsWith('.')) {
        const target = resolveLocal(file, imp.spec);
        if (!target) continue;
        if (BELOW_UI.includes(folder) && folderOf(target) === 'ui')
          problems.push(`${rel}: imports the UI (${imp.spec}); ${folder}/ must not know about it`);
        else if (MUST_NOT_IMPORT[folder]?.folders(folderOf(target)))
          problems.push(`${rel}: imports ${imp.spec}; ${MUST_NOT_IMPORT[folder].why}`);
        edges.push(target);
        const to = folderOf(target);
        if (to !== folder) {
          if (!folders.has(folder)) folders.set(folder, new Map());
          if (!folders.get(folder).has(to)) folders.get(folder).set(to, `${rel} imports ${imp.spec}`);
        }
      } else if (PURE.includes(folder) && !imp.typeOnly && FORBIDDEN_IN_PURE.includes(packageOf(imp.spec))) {
        problems.push(`${rel}: imports ${imp.spec}; ${folder}/ must stay free of terminal and transport libraries`);
      }
    }
    graph.set(file, edges);
  }
  // Cycles: depth-first search with colours; report each cycle once.
  const state = new Map();
  const stack = [];
  const visit = (file) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = stack
          .slice(stack.indexOf(next))
          .concat(next)
          .map((f) => path.relative(root, f));
        problems.push(`import cycle: ${cycle.join(' -> ')}`);
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  problems.push(...folderCycles(folders));
  return problems;
}

/** Cycles between folders, each once, with the import that makes each edge. */
function folderCycles(folders) {
  const problems = [];
  const state = new Map();
  const stack = [];
  const visit = (folder) => {
    state.set(folder, 'open');
    stack.push(folder);
    for (const next of [...(folders.get(folder)?.keys() ?? [])].sort()) {
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next)).concat(next);
        const why = cycle.slice(1).map((to, i) => folders.get(cycle[i]).get(to));
        problems.push(`folder cycle: ${cycle.map((f) => `src/${f}`).join(' -> ')} (${why.join('; ')})`);
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(folder, 'done');
  };
  for (const folder of [...folders.keys()].sort()) if (!state.has(folder)) visit(folder);
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = lint();
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(`${problems.length} architecture problem(s)`);
    process.exit(1);
  }
  console.log('architecture: ok');
}
