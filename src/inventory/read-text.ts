// Reads a text input (an inventory, an ssh config) with the same limits the YAML loader uses:
// bounded size, no binary data, UTF-8 only. Failures are InputErrors naming the file.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { DEFAULT_MAX_BYTES, firstInvalidUtf8 } from '../runbook/load-yaml.js';
import { InputError, type Problem } from '../runbook/problem.js';

const formatBytes = (n: number): string => (n < 1024 * 1024 ? `${Math.ceil(n / 1024)} KB` : `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`);

/** The file's text (without a byte order mark). `what` names the kind of file in messages. */
export async function readTextFile(file: string, what: string, maxBytes = DEFAULT_MAX_BYTES): Promise<string> {
  const fail = (message: string, at?: { line: number; column: number }): never => {
    const problem: Problem = { file, ...(at ?? {}), message, severity: 'error' };
    throw new InputError([problem]);
  };
  let handle;
  try {
    // O_NONBLOCK: a FIFO must not make us wait for a writer; it is refused below.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'cannot be read: permission denied' : `cannot be read (${code ?? 'unknown error'})`);
  }
  let bytes: Buffer;
  try {
    const info = await handle.stat();
    if (info.isDirectory()) fail(`is a directory, not ${what}`);
    if (!info.isFile()) fail(`is not a regular file (a device, a pipe or a socket); give the path of ${what}`);
    if (info.size > maxBytes) fail(`is ${formatBytes(info.size)}; files larger than ${formatBytes(maxBytes)} are refused (${what} is far smaller)`);
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) fail(`is larger than ${formatBytes(maxBytes)}; files that large are refused`);
    bytes = buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof InputError) throw error;
    return fail(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
  } finally {
    await handle.close().catch(() => undefined);
  }
  const placeOf = (offset: number): { line: number; column: number } => {
    const before = bytes.subarray(0, offset).toString('utf8');
    const lines = before.split(/\r\n|\r|\n/);
    return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
  };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) fail(`is UTF-16 text; save it as UTF-8`, { line: 1, column: 1 });
  const nul = bytes.indexOf(0);
  if (nul !== -1) fail(`contains a NUL byte; is it a binary file? ${what} must be UTF-8 text`, placeOf(nul));
  const bad = firstInvalidUtf8(bytes);
  if (bad !== -1) fail(`is not valid UTF-8 (byte 0x${bytes[bad]!.toString(16).padStart(2, '0')}); is it a binary file? Save it as UTF-8`, placeOf(bad));
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
