// Ed25519 keys in OpenSSH's formats. Every simulated node gets a fresh one when the simulator
// starts, so they are generated, not imported from a seed through OpenSSL's decoders, which costs
// more: 2,000 host keys must not slow the start (bench/host-keys.ts measures both ways).
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import ssh2 from 'ssh2';

export interface Ed25519Key {
  /** The private key, "-----BEGIN OPENSSH PRIVATE KEY-----" text, as ssh2 and ssh(1) read it. */
  privateOpenSsh: string;
  /** "ssh-ed25519 AAAA... comment" */
  publicLine: string;
  /** The SSH wire blob of the public key (string "ssh-ed25519", string key). */
  publicBlob: Buffer;
}

function sshString(data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** A fresh key pair. Host keys need not be reproducible: nothing the simulator does depends on them. */
export function generateEd25519(comment: string): Ed25519Key {
  // The key material comes straight out of the generating job, as JWK. Exporting a KeyObject
  // instead can hang Node 20 for good: it builds the JWK's strings holding the key's lock, and a
  // garbage collection meanwhile may free the generating job, which takes the same lock (seen
  // starting 2,000 nodes, about one start in five). This way is also the fastest we found.
  // (Node's type declarations lack this overload; Node 20 and 24 run it.)
  const generate = generateKeyPairSync as unknown as (type: 'ed25519', options: object) => { privateKey: JsonWebKey };
  const { privateKey: jwk } = generate('ed25519', { privateKeyEncoding: { format: 'jwk' }, publicKeyEncoding: { format: 'jwk' } });
  if (!jwk.d || !jwk.x) throw new Error('ed25519 key generation gave no key material');
  const seed = Buffer.from(jwk.d, 'base64url');
  const pub = Buffer.from(jwk.x, 'base64url');
  const publicBlob = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);
  const check = uint32(seed.readUInt32BE(0));
  let block = Buffer.concat([
    check,
    check,
    sshString('ssh-ed25519'),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString(comment),
  ]);
  const pad: number[] = [];
  for (let i = 1; (block.length + pad.length) % 8 !== 0; i++) pad.push(i);
  block = Buffer.concat([block, Buffer.from(pad)]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(publicBlob),
    sshString(block),
  ]);
  const b64 = body.toString('base64').replace(/.{1,70}/g, '$&\n');
  return {
    privateOpenSsh: `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}-----END OPENSSH PRIVATE KEY-----\n`,
    publicLine: `ssh-ed25519 ${publicBlob.toString('base64')} ${comment}`,
    publicBlob,
  };
}

/** A known_hosts line; a non-default port uses OpenSSH's "[host]:port" form. */
export function knownHostsLine(host: string, port: number, key: Ed25519Key): string {
  const name = port === 22 ? host : `[${host}]:${port}`;
  return `${name} ssh-ed25519 ${key.publicBlob.toString('base64')}`;
}

/** Reads back a key written by generateEd25519 (its OpenSSH private text); null if it is not one. */
export function loadEd25519(privateOpenSsh: string, comment: string): Ed25519Key | null {
  const parsed = ssh2.utils.parseKey(privateOpenSsh);
  if (parsed instanceof Error) return null;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key.type !== 'ssh-ed25519') return null;
  const publicBlob = key.getPublicSSH();
  return { privateOpenSsh, publicLine: `ssh-ed25519 ${publicBlob.toString('base64')} ${comment}`, publicBlob };
}
