// Bundles the binary: one ESM entry plus lazily loaded chunks, with React's production build.
// ssh2 stays external because of its optional native addon. Tests that run the binary build it
// with the same options (bundleOptions) into a directory of their own.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** esbuild options for the binary, written to outdir. */
export function bundleOptions(outdir) {
  return {
    entryPoints: { cli: path.join(root, 'src', 'cli.ts') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    legalComments: 'none',
    chunkNames: 'chunks/[name]-[hash]',
    define: { 'process.env.NODE_ENV': '"production"' },
    external: ['ssh2', 'cpu-features', 'react-devtools-core'],
    // Bundled CommonJS packages call require(); give them one.
    banner: { js: "import { createRequire as __runbookRequire } from 'node:module'; const require = __runbookRequire(import.meta.url);" },
    logLevel: 'warning',
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdir = path.join(root, 'dist');
  rmSync(outdir, { recursive: true, force: true });
  await build(bundleOptions(outdir));
}
