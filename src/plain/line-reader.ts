// Answers come from stdin one line at a time. One reader per process: readline reads ahead, so a
// second reader on the same stream would lose the lines the first one buffered. End of input is
// an answer too (undefined): whoever asks must then refuse or abort, never wait.
import { createInterface, type Interface } from 'node:readline';

export class LineReader {
  private rl: Interface | undefined;
  private readonly lines: string[] = [];
  private readonly waiters: ((line: string | undefined) => void)[] = [];
  private ended = false;

  constructor(private readonly input: NodeJS.ReadableStream) {}

  /** The next line, or undefined at end of input (or once closed). */
  next(): Promise<string | undefined> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(undefined);
    this.open();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops reading; pending and later calls get undefined. */
  close(): void {
    this.ended = true;
    this.rl?.close();
    this.rl = undefined;
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  private open(): void {
    if (this.rl) return;
    this.rl = createInterface({ input: this.input, crlfDelay: Infinity, terminal: false });
    this.rl.on('line', (line) => {
      const w = this.waiters.shift();
      if (w) w(line);
      else this.lines.push(line);
    });
    this.rl.on('close', () => {
      this.ended = true;
      for (const w of this.waiters.splice(0)) w(undefined);
    });
  }
}

/** Thrown when the operator presses Ctrl-C while typing an answer. */
export class AnswerInterrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'AnswerInterrupted';
  }
}

/**
 * Reads one line from a terminal in raw mode: without echo for a secret (nothing is shown, not
 * even stars), with echo otherwise. Backspace edits; Ctrl-C throws AnswerInterrupted; Ctrl-D on an
 * empty line is end of input.
 */
export function readTerminalLine(
  input: NodeJS.ReadStream,
  output: NodeJS.WritableStream,
  options: { echo: boolean },
): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.resume();
    let value = '';
    const finish = (result: string | undefined | Error) => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') return finish(value);
        if (ch === '\u0003') return finish(new AnswerInterrupted());
        if (ch === '\u0004' && value === '') return finish(undefined);
        if (ch === '\u007f' || ch === '\b') {
          if (value.length > 0) {
            value = [...value].slice(0, -1).join('');
            if (options.echo) output.write('\b \b');
          }
          continue;
        }
        if (ch < ' ') continue;
        value += ch;
        if (options.echo) output.write(ch);
      }
    };
    input.on('data', onData);
  });
}
