// The host key verifier given to every ssh2 connection (ssh2 trusts any key without one), and
// the sentences for a key that is unknown, changed, revoked or vouched for only by a CA.

import type { ExecFailure } from './types.js';
import {
  checkHostKey,
  fingerprint,
  type HostKeyCheck,
  keyTypeLabel,
  keyTypeOf,
  type KnownHostEntry,
  type KnownHostsStore,
} from './known-hosts.js';

export interface HostKeyRefusal {
  failure: Extract<ExecFailure, 'host-key-unknown' | 'host-key-changed'>;
  message: string;
}

export interface HostKeyAccepted {
  name: string;
  keyType: string;
  fingerprint: string;
  file: string;
}

export interface VerifierContext {
  /** Who we are connecting to, as messages name it, e.g. `master-1 (core@10.0.0.5 port 2222)`. */
  label: string;
  host: string;
  port: number;
  /** The known_hosts name looked up: `host`, `[host]:port` or the alias. */
  name: string;
  alias?: string;
  store: KnownHostsStore;
  acceptNew: boolean;
  onAccepted?: (accepted: HostKeyAccepted) => void;
}

const place = (e: KnownHostEntry): string => `${e.source} line ${e.line}`;
const quote = (s: string): string => (/^[\w@%+=:,./[\]-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** Makes the verifier; after a refused connection, `refusal()` says why. */
export function createHostVerifier(ctx: VerifierContext): {
  verify: (key: Buffer, done: (ok: boolean) => void) => void;
  refusal: () => HostKeyRefusal | undefined;
} {
  let refused: HostKeyRefusal | undefined;
  const refuse = (r: HostKeyRefusal, done: (ok: boolean) => void): void => {
    refused = r;
    done(false);
  };

  /** What to do with a key, given how it compares with the known ones. */
  const judge = async (check: HostKeyCheck, key: Buffer, done: (ok: boolean) => void): Promise<void> => {
    const type = keyTypeOf(key);
    const label = keyTypeLabel(type);
    const fp = fingerprint(key);
    const file = ctx.store.files[0] ?? '~/.ssh/known_hosts';
    switch (check.status) {
      case 'trusted':
        return done(true);
      case 'revoked':
        return refuse(
          {
            failure: 'host-key-changed',
            message:
              `The SSH host key of ${ctx.label}, ${label} ${fp}, is marked @revoked in ${place(check.entry)}: ` +
              `it must never be trusted, so nothing was run there.`,
          },
          done,
        );
      case 'changed': {
        const old = check.known[0]!;
        const then = check.sameType
          ? `${place(old)} holds ${keyTypeLabel(old.keyType)} key ${fingerprint(old.key)} for it`
          : `only ${check.known.map((e) => `${keyTypeLabel(e.keyType)} key ${fingerprint(e.key)} (${place(e)})`).join(', ')} ` +
            `${check.known.length === 1 ? 'is' : 'are'} known for it`;
        return refuse(
          {
            failure: 'host-key-changed',
            message:
              `WARNING: THE SSH HOST KEY OF ${ctx.label} HAS CHANGED, so nothing was run there. ` +
              `Someone may be doing something nasty (intercepting the connection), or the host was reinstalled. ` +
              `It now offers ${label} key ${fp}; ${then}. ` +
              `Only if you know why it changed, remove the old key with: ssh-keygen -R ${quote(ctx.name)} -f ${quote(old.source)}, then connect again.`,
          },
          done,
        );
      }
      case 'cert-authority':
        return refuse(
          {
            failure: 'host-key-unknown',
            message:
              `${place(check.entry)} trusts a certificate authority for ${ctx.label}, but runbook cannot check host certificates yet, ` +
              `so the host's own ${label} key ${fp} is not trusted and nothing was run there. ` +
              `To connect, add the host's key itself to ${file}.`,
          },
          done,
        );
      case 'unknown': {
        if (ctx.acceptNew) {
          try {
            const outcome = await ctx.store.addIfUnknown(ctx.name, key);
            // Another connection wrote a key for this host meanwhile: judge against that one.
            if (!outcome.added) return await judge(outcome.check, key, done);
            ctx.onAccepted?.({ name: ctx.name, keyType: type, fingerprint: fp, file: outcome.file });
            return done(true);
          } catch (err) {
            return refuse(
              {
                failure: 'host-key-unknown',
                message: `The SSH host key of ${ctx.label} (${label} ${fp}) is new and could not be added to ${file}: ${(err as Error).message}.`,
              },
              done,
            );
          }
        }
        const add = ctx.alias
          ? `add this line to ${file}: ${ctx.name} ${type} ${key.toString('base64')}`
          : `add it with: ssh-keyscan${ctx.port === 22 ? '' : ` -p ${ctx.port}`} -t ${type} ${quote(ctx.host)} >> ${quote(file)}`;
        return refuse(
          {
            failure: 'host-key-unknown',
            message:
              `The SSH host key of ${ctx.label} is not known, so nothing was run there. It offers ${label} key ${fp}. ` +
              `If that is the host's key (see ssh-keygen -lf /etc/ssh/ssh_host_${label.toLowerCase()}_key.pub on the host), ${add}; ` +
              `or run again with --accept-new-host-keys to add the keys of hosts never seen before.`,
          },
          done,
        );
      }
    }
  };

  const verify = (key: Buffer, done: (ok: boolean) => void): void => {
    ctx.store
      .entries()
      .then((entries) => judge(checkHostKey(entries, ctx.name, key), key, done))
      .catch((err: unknown) =>
        refuse(
          { failure: 'host-key-unknown', message: `Could not check the SSH host key of ${ctx.label}: ${(err as Error).message}.` },
          done,
        ),
      );
  };

  return { verify, refusal: () => refused };
}
