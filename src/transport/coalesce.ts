// One write per burst of SSH packets, not one per packet.
//
// ssh2 hands the socket every packet on its own (channel open, exec request, data, EOF, close),
// and each becomes a write system call; on loopback each of those also does the receiving side's
// TCP work in our time. Packets produced in the same turn of the event loop (a command's script and
// its EOF, the replies to everything one read brought) go out together: the first write of a burst
// corks the socket, and it is uncorked once the turn's callbacks and promises have run, which Node
// turns into a single writev. The delay is no longer than that turn: nothing waits on a timer.
import { Socket } from 'node:net';

/** Makes `socket` gather the writes of one event-loop turn into one; returns it. */
export function coalesceWrites<S extends Socket>(socket: S): S {
  const write = socket.write;
  socket.write = function (this: S, ...args: unknown[]): boolean {
    if (!this.writableCorked && !this.destroyed) {
      this.cork();
      setImmediate(() => this.uncork());
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as S['write'];
  return socket;
}

/** A TCP connection to host:port whose writes are coalesced (see above). */
export function coalescingConnection(host: string, port: number): Socket {
  const socket = new Socket();
  socket.connect({ host, port });
  // After connect(): it puts back the prototype's write over one set on the instance.
  return coalesceWrites(socket);
}
