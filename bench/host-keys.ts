// What a simulated node's host key costs to generate (src/sim/keys.ts): the simulator makes one
// per node when it starts, so 2,000 of them are on the path of `runbook train --nodes 3,2000`.
// Starting the whole simulator is measured in bench/sim-start.ts.
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { generateEd25519 } from '../src/sim/keys.js';

/** The DER head of a PKCS#8 Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The way keys.ts does not take: a raw seed imported through OpenSSL's decoders, the public key derived. */
function importSeed(): void {
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, randomBytes(32)]), format: 'der', type: 'pkcs8' });
  createPublicKey(key).export({ format: 'jwk' });
}

export async function run(): Promise<Record<string, unknown>> {
  for (let i = 0; i < 50; i++) generateEd25519('warm-up');
  const n = 2000;
  const t = performance.now();
  for (let i = 0; i < n; i++) generateEd25519(`agent-${i}`);
  const ms = performance.now() - t;
  for (let i = 0; i < 50; i++) importSeed();
  const t2 = performance.now();
  for (let i = 0; i < n; i++) importSeed();
  const imported = performance.now() - t2;
  const perKey = (x: number): number => Math.round((x / n) * 1000) / 1000;
  return { keys: n, totalMs: Math.round(ms), perKeyMs: perKey(ms), importSeedPerKeyMs: perKey(imported) };
}
