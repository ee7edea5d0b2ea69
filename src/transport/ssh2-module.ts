// ssh2 is CommonJS: under Node's ESM loader only what cjs-module-lexer detects becomes a named
// export (Client does, utils does not), while bundlers and vitest expose everything. The
// module's default export is the whole module.exports everywhere, so always go through it.
type Ssh2 = typeof import('ssh2');

let loading: Promise<Ssh2> | undefined;

/** ssh2, loaded on first use (start-up never pays for it). */
export const loadSsh2 = (): Promise<Ssh2> =>
  (loading ??= import('ssh2').then((m) => ((m as unknown as { default?: Ssh2 }).default ?? m) as Ssh2));
