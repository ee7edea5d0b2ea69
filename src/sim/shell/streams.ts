// Text streams between the commands of a pipeline, and between a command and the SSH channel.

/** Where a command writes. `closed` turns true when nobody reads any more (like EPIPE). */
export interface OutStream {
  write(text: string): void;
  readonly closed: boolean;
}

/** Where a command reads; read() resolves null at end of input. */
export interface InStream {
  read(): Promise<string | null>;
}

export interface Io {
  stdin: InStream;
  stdout: OutStream;
  stderr: OutStream;
}

export const emptyInput: InStream = { read: async () => null };

export const nullOutput: OutStream = { write: () => {}, closed: false };

export function stringInput(text: string): InStream {
  let done = text === '';
  return {
    read: async () => {
      if (done) return null;
      done = true;
      return text;
    },
  };
}

/** Collects what is written, for $(...) and tests. */
export class StringOutput implements OutStream {
  text = '';
  closed = false;
  write(text: string): void {
    this.text += text;
  }
}

/** A pipe: the writer's chunks queue until the reader takes them. */
export class Pipe implements InStream, OutStream {
  private chunks: string[] = [];
  private waiting: ((chunk: string | null) => void) | undefined;
  private ended = false;
  /** Set when the reader stopped reading (the writer may stop early, as after SIGPIPE). */
  closed = false;

  write(text: string): void {
    if (this.closed || this.ended || text === '') return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w(text);
    } else this.chunks.push(text);
  }

  /** The writer is done. */
  end(): void {
    this.ended = true;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w(null);
    }
  }

  /** The reader is done. */
  close(): void {
    this.closed = true;
    this.chunks = [];
  }

  read(): Promise<string | null> {
    const chunk = this.chunks.shift();
    if (chunk !== undefined) return Promise.resolve(chunk);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }
}

export async function readAll(input: InStream): Promise<string> {
  let out = '';
  for (;;) {
    const chunk = await input.read();
    if (chunk === null) return out;
    out += chunk;
  }
}

/** Yields complete lines (without the newline); a last line without newline is yielded too. */
export async function* readLines(input: InStream): AsyncGenerator<string> {
  let buffer = '';
  for (;;) {
    const chunk = await input.read();
    if (chunk === null) break;
    buffer += chunk;
    let i: number;
    while ((i = buffer.indexOf('\n')) >= 0) {
      yield buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
    }
  }
  if (buffer !== '') yield buffer;
}
