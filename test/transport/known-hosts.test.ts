import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KnownHostsStore,
  checkHostKey,
  fingerprint,
  hostKeyAlgorithms,
  hostsFieldMatches,
  keyTypeOf,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
} from '../../src/transport/known-hosts.js';
import { createHostVerifier } from '../../src/transport/ssh-host-key.js';
import { SSH_KEYGEN, makeKey, sshdMissing, type KeyPair } from '../helpers/sshd.js';

const run = promisify(execFile);
const missing = sshdMissing();

let dir: string;
let ed: KeyPair;
let ed2: KeyPair;
let rsa: KeyPair;
const blob = (k: KeyPair): Buffer => Buffer.from(k.publicKey.split(' ')[1]!, 'base64');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runbook-kh-'));
  if (missing) return;
  [ed, ed2, rsa] = await Promise.all([makeKey(dir, 'a'), makeKey(dir, 'b'), makeKey(dir, 'c', 'rsa')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('known_hosts names', () => {
  it('uses the bare host on port 22 and [host]:port otherwise, lower-cased', () => {
    expect(knownHostsName('Master-1.Example', 22)).toBe('master-1.example');
    expect(knownHostsName('10.0.0.5', 2222)).toBe('[10.0.0.5]:2222');
  });
  it('uses a HostKeyAlias as is, without the port', () => {
    expect(knownHostsName('10.0.0.5', 2222, 'Master-1')).toBe('master-1');
  });
});

describe('host patterns', () => {
  it.each([
    ['host1,host2', 'host2', true],
    ['*.example.com', 'a.example.com', true],
    ['*.example.com', 'example.com', false],
    ['10.0.0.?', '10.0.0.7', true],
    ['10.0.0.?', '10.0.0.17', false],
    ['*.example.com,!bad.example.com', 'bad.example.com', false],
    ['!bad.example.com,*.example.com', 'good.example.com', true],
    ['[10.0.0.5]:2222', '[10.0.0.5]:2222', true],
    ['10.0.0.5', '[10.0.0.5]:2222', false],
    ['HOST', 'host', true],
    ['a.b', 'axb', false],
  ])('%s matches %s: %s', (hosts, name, want) => {
    expect(hostsFieldMatches(hosts, name)).toBe(want);
  });
});

describe('host patterns, hostile ones', () => {
  it('matches many wildcards in time linear enough for any line of known_hosts', () => {
    // Five stars took seconds with a regular expression (and each one more, minutes).
    const started = Date.now();
    expect(hostsFieldMatches(`${'*a'.repeat(5)}*b`, 'a'.repeat(60))).toBe(false);
    expect(hostsFieldMatches(`${'*a'.repeat(5)}*b`, `${'a'.repeat(60)}b`)).toBe(true);
    expect(Date.now() - started).toBeLessThan(200);
  });
});

describe.skipIf(missing)('known_hosts checks, with keys and hashes made by OpenSSH', () => {
  it('reads the key type and fingerprint as ssh-keygen does', async () => {
    expect(keyTypeOf(blob(ed))).toBe('ssh-ed25519');
    const { stdout } = await run(SSH_KEYGEN, ['-l', '-E', 'sha256', '-f', `${ed.privateKeyPath}.pub`]);
    expect(stdout).toContain(fingerprint(blob(ed)));
    expect(fingerprint(blob(ed))).toBe(ed.fingerprint);
    expect(fingerprint(blob(ed))).not.toMatch(/=$/);
  });

  it('matches names hashed by ssh-keygen -H', async () => {
    const file = join(dir, 'hashed');
    writeFileSync(file, `node-1 ${ed.publicKey}\n[10.1.1.1]:2222 ${ed2.publicKey}\n`);
    await run(SSH_KEYGEN, ['-H', '-f', file]);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('node-1');
    const entries = parseKnownHosts(text, file);
    expect(entries.every((e) => e.hosts.startsWith('|1|'))).toBe(true);
    expect(checkHostKey(entries, 'node-1', blob(ed)).status).toBe('trusted');
    expect(checkHostKey(entries, '[10.1.1.1]:2222', blob(ed2)).status).toBe('trusted');
    expect(checkHostKey(entries, 'node-2', blob(ed)).status).toBe('unknown');
    expect(checkHostKey(entries, 'node-1', blob(ed2))).toMatchObject({ status: 'changed', sameType: true });
  });

  it('checks 2,006 nodes against a known_hosts of 4,000 lines in linear time, lines of every form still counted in order', async () => {
    // A simulated cluster's lines twice over (its file and the inventory's lines), a hashed line,
    // a wildcard line and a negation among them, a revoked key and an upper-case name.
    const file = join(dir, 'big-hashed');
    writeFileSync(file, `[127.0.0.1]:7100 ${ed2.publicKey}\n`);
    await run(SSH_KEYGEN, ['-H', '-f', file]);
    const hashed = readFileSync(file, 'utf8');
    const names = Array.from({ length: 2006 }, (_, i) => `[127.0.0.1]:${3000 + i}`);
    const cluster = names.map((n) => `${n} ${ed.publicKey}`).join('\n');
    const text = [
      `[127.0.0.1]:3005,OTHER ${rsa.publicKey}`,
      cluster,
      hashed.trim(),
      `[127.0.0.1]:30??,!*:3001 ${ed2.publicKey}`,
      `@revoked * ${rsa.publicKey}`,
      cluster,
    ].join('\n');
    const entries = parseKnownHosts(text, 'big');
    expect(entries).toHaveLength(2 * 2006 + 4);
    const started = performance.now();
    const checks = names.map((name) => [checkHostKey(entries, name, blob(ed)), knownKeyTypes(entries, name)] as const);
    // Trying every line for every node took 30 s here (16 million matches).
    expect(performance.now() - started).toBeLessThan(1000);
    checks.forEach(([check, types], i) => {
      expect(check).toMatchObject({ status: 'trusted', entry: { line: 2 + i } });
      expect(types).toEqual(i === 5 ? ['ssh-rsa', 'ssh-ed25519'] : ['ssh-ed25519']);
    });
    expect(knownKeyTypes(entries, '[127.0.0.1]:3005')).toEqual(['ssh-rsa', 'ssh-ed25519']);
    expect(knownKeyTypes(entries, 'other')).toEqual(['ssh-rsa']);
    expect(knownKeyTypes(entries, '[127.0.0.1]:3002')).toEqual(['ssh-ed25519']);
    expect(checkHostKey(entries, '[127.0.0.1]:3002', blob(ed2))).toMatchObject({ status: 'trusted', entry: { line: 2009 } });
    expect(checkHostKey(entries, '[127.0.0.1]:3001', blob(ed2))).toMatchObject({ status: 'changed', sameType: true });
    expect(checkHostKey(entries, '[127.0.0.1]:7100', blob(ed2))).toMatchObject({ status: 'trusted', entry: { line: 2008 } });
    expect(checkHostKey(entries, '[127.0.0.1]:7101', blob(ed2)).status).toBe('unknown');
    expect(checkHostKey(entries, '[127.0.0.1]:3005', blob(rsa)).status).toBe('revoked');
  });

  it('accepts any of several keys of a host, of several types', () => {
    const entries = parseKnownHosts(`h ${ed.publicKey}\nh ${rsa.publicKey} a comment\n`, 'f');
    expect(checkHostKey(entries, 'h', blob(ed)).status).toBe('trusted');
    expect(checkHostKey(entries, 'h', blob(rsa)).status).toBe('trusted');
    expect(knownKeyTypes(entries, 'h')).toEqual(['ssh-ed25519', 'ssh-rsa']);
  });

  it('says which file and line hold the old key when it changed', () => {
    const entries = parseKnownHosts(`# comment\n\nother ${ed2.publicKey}\nh ${ed.publicKey}\n`, '/k/known_hosts');
    const r = checkHostKey(entries, 'h', blob(ed2));
    expect(r).toMatchObject({ status: 'changed', sameType: true });
    if (r.status !== 'changed') throw new Error('unreachable');
    expect(r.known.map((e) => [e.source, e.line])).toEqual([['/k/known_hosts', 4]]);
  });

  it('treats a key of another type than every known one as a change', () => {
    const entries = parseKnownHosts(`h ${rsa.publicKey}\n`, 'f');
    expect(checkHostKey(entries, 'h', blob(ed))).toMatchObject({ status: 'changed', sameType: false });
  });

  it('refuses a revoked key even when a plain line trusts it', () => {
    const entries = parseKnownHosts(`h ${ed.publicKey}\n@revoked * ${ed.publicKey}\n`, 'f');
    expect(checkHostKey(entries, 'h', blob(ed))).toMatchObject({ status: 'revoked', entry: { line: 2 } });
  });

  it('reports a host covered only by a @cert-authority line', () => {
    const entries = parseKnownHosts(`@cert-authority *.example ${ed2.publicKey}\n`, 'f');
    expect(checkHostKey(entries, 'a.example', blob(ed)).status).toBe('cert-authority');
    expect(checkHostKey(entries, 'b.other', blob(ed)).status).toBe('unknown');
  });

  it('skips lines it cannot use', () => {
    const entries = parseKnownHosts(
      `h ssh-ed25519 not-base64!\nh\n@weird h ${ed.publicKey}\nh ssh-rsa ${ed.publicKey.split(' ')[1]}\n`,
      'f',
    );
    expect(entries).toEqual([]);
  });

  it('adds a key the way accept-new does, and reads the file again after', async () => {
    const file = join(dir, 'sub', 'known_hosts');
    const store = new KnownHostsStore([file]);
    expect(await store.entries()).toEqual([]);
    await store.add('[127.0.0.1]:2200', blob(ed));
    const entries = await store.entries();
    expect(checkHostKey(entries, '[127.0.0.1]:2200', blob(ed)).status).toBe('trusted');
    // OpenSSH can read what we wrote.
    const { stdout } = await run(SSH_KEYGEN, ['-F', '[127.0.0.1]:2200', '-f', file]);
    expect(stdout).toContain(ed.publicKey);
  });

  it('accept-new writes one key for a new host, however many connections meet it at once', async () => {
    const file = join(dir, 'race', 'known_hosts');
    const store = new KnownHostsStore([file]);
    const verifier = () => createHostVerifier({ label: 'node-9', host: '10.0.0.9', port: 22, name: '10.0.0.9', store, acceptNew: true });
    const verdict = (v: ReturnType<typeof verifier>, key: Buffer) => new Promise<boolean>((resolve) => v.verify(key, resolve));
    // A step, a health probe and the troubleshooting pane connect together; one of them meets
    // another key (someone in the middle): the first key written wins, the other is a change.
    // Which connection's check finishes first is up to the file system, so either may win.
    const [a, b, c] = [verifier(), verifier(), verifier()];
    const verdicts = await Promise.all([verdict(a, blob(ed)), verdict(b, blob(ed2)), verdict(c, blob(ed))]);
    const written = readFileSync(file, 'utf8');
    if (verdicts[1]) {
      expect(verdicts).toEqual([false, true, false]);
      expect(written).toBe(`10.0.0.9 ${ed2.publicKey}\n`);
      expect(a.refusal()).toMatchObject({ failure: 'host-key-changed', message: expect.stringContaining('HAS CHANGED') });
    } else {
      expect(verdicts).toEqual([true, false, true]);
      expect(written).toBe(`10.0.0.9 ${ed.publicKey}\n`);
      expect(b.refusal()).toMatchObject({ failure: 'host-key-changed', message: expect.stringContaining('HAS CHANGED') });
    }
  });

  it('gives connections that ask together one look at the files, and the same list while nothing changed', async () => {
    const file = join(dir, 'shared', 'known_hosts');
    const store = new KnownHostsStore([file, join(dir, 'shared', 'absent')], [`sim-1 ${ed.publicKey}`], 'the simulator');
    await store.add('10.0.0.1', blob(ed));
    // A pre-flight of 300 nodes asks at once: one list, not 300 copies of every line.
    const lists = await Promise.all(Array.from({ length: 300 }, () => store.entries()));
    expect(new Set(lists).size).toBe(1);
    expect(lists[0]).toHaveLength(2);
    expect(await store.entries()).toBe(lists[0]);
  });

  it('sees a colleague replace a key in known_hosts between two looks, and its own key added during a look', async () => {
    const file = join(dir, 'edited', 'known_hosts');
    const store = new KnownHostsStore([file]);
    await store.add('10.0.0.2', blob(ed));
    const first = await store.entries();
    expect(checkHostKey(first, '10.0.0.2', blob(ed)).status).toBe('trusted');
    // Another terminal replaces the line with one of the same length: only the mtime says so.
    writeFileSync(file, `10.0.0.2 ${ed2.publicKey}\n`);
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(checkHostKey(await store.entries(), '10.0.0.2', blob(ed2)).status).toBe('trusted');
    // A look under way when we add a key is not handed to anyone asking after the key is in.
    const during = store.entries();
    await store.add('10.0.0.3', blob(rsa));
    expect(checkHostKey(await store.entries(), '10.0.0.3', blob(rsa)).status).toBe('trusted');
    await during;
  });

  it('checks supplied lines as well as files', async () => {
    const store = new KnownHostsStore([join(dir, 'none')], [`sim-1 ${ed.publicKey}`], 'the simulator');
    const entries = await store.entries();
    expect(checkHostKey(entries, 'sim-1', blob(ed))).toMatchObject({ status: 'trusted', entry: { source: 'the simulator' } });
  });
});

describe('host key algorithm order', () => {
  it('puts the algorithms of known key types first', () => {
    expect(hostKeyAlgorithms(['ssh-rsa']).slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(hostKeyAlgorithms([])[0]).toBe('ssh-ed25519');
    expect(new Set(hostKeyAlgorithms(['ecdsa-sha2-nistp256'])).size).toBe(7);
  });
});
