// How the SSH transport logs in: the node's identity file (or the default one), then ssh-agent
// when there is one, in that order. Keys are read and checked before the SSH handshake so that an
// unreadable or passphrase-protected file gets a sentence naming it, not a protocol error.

import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AnyAuthMethod, AuthHandlerMiddleware, ParsedKey } from 'ssh2';
import { loadSsh2 } from './ssh2-module.js';

/** One way to log in, prepared. */
export type LoginMethod = { type: 'publickey'; file: string; key: ParsedKey } | { type: 'agent'; socket: string };

export interface LoginPlan {
  methods: LoginMethod[];
  /** Files passed over, each with why (e.g. protected by a passphrase). */
  skipped: string[];
}

/** `~/x` -> home/x. */
export function expandHome(path: string, home = homedir()): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

/** The identity files OpenSSH tries when none is configured. */
export function defaultIdentityFiles(home = homedir()): string[] {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(home, '.ssh', f));
}

const isPassphraseError = (e: Error): boolean => /passphrase/i.test(e.message);

type Parsed = ReturnType<Awaited<ReturnType<typeof loadSsh2>>['utils']['parseKey']>;

/**
 * Parsed keys by the file's exact bytes. Parsing builds the key objects anew each time, which
 * was a fifth of a connection's cost of our own: a pre-flight of 2,000 nodes parsed the same file
 * 2,000 times. The file is still read for every connection (connections opened together share
 * one read, readIdentity), so an edited file is seen by the next one.
 */
const parsedKeys = new Map<string, Parsed>();
const PARSED_KEYS_KEPT = 8;

function parseKeyOnce(utils: Awaited<ReturnType<typeof loadSsh2>>['utils'], data: Buffer): Parsed {
  const bytes = data.toString('latin1');
  let parsed = parsedKeys.get(bytes);
  if (parsed === undefined) {
    parsed = utils.parseKey(data);
    if (parsedKeys.size >= PARSED_KEYS_KEPT) parsedKeys.delete(parsedKeys.keys().next().value!);
    parsedKeys.set(bytes, parsed);
  }
  return parsed;
}

/**
 * The file's bytes. Connections opened together (a pre-flight of hundreds) share the read under
 * way rather than each queueing its own on Node's few I/O threads, which held back every TCP
 * connect of a pre-flight by milliseconds; one that starts after it ended reads the file anew.
 */
const reading = new Map<string, Promise<Buffer>>();

function readIdentity(file: string): Promise<Buffer> {
  let read = reading.get(file);
  if (read === undefined) {
    const started = readFile(file);
    const done = (): void => {
      if (reading.get(file) === started) reading.delete(file);
    };
    started.then(done, done);
    reading.set(file, started);
    read = started;
  }
  return read;
}

/**
 * Reads the identity files. `explicit` files must be usable (a missing one is an error);
 * default ones are skipped quietly when absent. Returns an error sentence when nothing is left
 * to log in with and a file is to blame.
 */
export async function planLogin(
  files: readonly string[],
  explicit: boolean,
  agentSocket: string | undefined,
): Promise<LoginPlan | { error: string }> {
  const { utils } = await loadSsh2();
  const methods: LoginMethod[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    let data: Buffer;
    try {
      data = await readIdentity(file);
    } catch (err) {
      if (!explicit) continue;
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
      return { error: `cannot read the identity file ${file}: ${why}` };
    }
    const parsed = parseKeyOnce(utils, data);
    if (parsed instanceof Error) {
      if (isPassphraseError(parsed)) {
        skipped.push(`${file} (protected by a passphrase)`);
        if (!agentSocket) {
          return {
            error:
              `the identity file ${file} is protected by a passphrase, and runbook cannot ask for passphrases yet: ` +
              `load it into ssh-agent (ssh-add ${file}) and run again with SSH_AUTH_SOCK set`,
          };
        }
        continue;
      }
      if (explicit) return { error: `the identity file ${file} is not a private key runbook can read (${parsed.message})` };
      skipped.push(`${file} (not a readable private key)`);
      continue;
    }
    const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey | undefined) : parsed;
    if (key) methods.push({ type: 'publickey', file, key });
  }
  if (agentSocket) methods.push({ type: 'agent', socket: agentSocket });
  return { methods, skipped };
}

/** Describes a method for messages: never the key itself. */
export function describeMethod(m: LoginMethod): string {
  return m.type === 'publickey' ? `public key ${m.file}` : 'ssh-agent';
}

/** An ssh2 auth handler that tries the methods in order and records which it tried. */
export function authHandler(plan: LoginPlan, username: string, tried: string[]): AuthHandlerMiddleware {
  let next = 0;
  return (_left, _partial, callback) => {
    const m = plan.methods[next++];
    if (!m) {
      // No more methods: ssh2 then fails with "All configured authentication methods failed".
      (callback as unknown as (v: false) => void)(false);
      return;
    }
    tried.push(describeMethod(m));
    const method: AnyAuthMethod =
      m.type === 'publickey' ? { type: 'publickey', username, key: m.key } : { type: 'agent', username, agent: m.socket };
    callback(method);
  };
}
