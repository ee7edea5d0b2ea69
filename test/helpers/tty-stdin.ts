import { EventEmitter } from 'node:events';

/**
 * A terminal's stdin as Ink reads it (raw mode, 'readable' then read()), so a test or a benchmark
 * can press keys into a real Ink app without a terminal. Ink needs a TTY for raw mode; a pipe
 * would make it refuse input, which is why this is a stand-in and not a real stream.
 */
export class TtyStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
  press(data: string) {
    this.data = data;
    this.emit('readable');
  }
}
