/**
 * A scripted fake proxy for the proxy unit tests: a loopback TCP server that runs a script per
 * connection — read exactly n bytes, read an HTTP head, write bytes (whole, or one byte at a time to
 * split every read) — so each test states the exchange it expects byte for byte.
 * @module
 */
import { createServer, type Server, type Socket } from "node:net";

export class ScriptedPeer {
  private buffer = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  private ended = false;

  constructor(readonly socket: Socket) {
    socket.on("data", (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.wake();
    });
    socket.on("end", () => {
      this.ended = true;
      this.wake();
    });
    socket.on("error", () => {});
  }

  /** Exactly n bytes from the client. */
  async read(n: number): Promise<Buffer> {
    while (this.buffer.length < n) {
      if (this.ended) throw new Error(`client ended after ${this.buffer.length} of ${n} bytes`);
      await new Promise<void>((r) => {
        this.waiter = r;
      });
    }
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }

  /** The client's HTTP request head, up to and including CRLF CRLF. */
  async readHead(): Promise<string> {
    for (;;) {
      const end = this.buffer.indexOf("\r\n\r\n");
      if (end >= 0) return (await this.read(end + 4)).toString("latin1");
      if (this.ended) throw new Error("client ended before the end of the request head");
      await new Promise<void>((r) => {
        this.waiter = r;
      });
    }
  }

  write(bytes: Uint8Array | string): void {
    this.socket.write(bytes);
  }

  /** Writes one byte per TCP write, pausing between them, so the client sees many short reads. */
  async writeSplit(bytes: Uint8Array | string, pauseMs = 2): Promise<void> {
    const b = Buffer.from(bytes);
    for (let i = 0; i < b.length; i++) {
      this.socket.write(b.subarray(i, i + 1));
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }

  /** Echoes everything (already buffered and later) back: the "target" behind the tunnel. */
  echo(): void {
    if (this.buffer.length > 0) this.socket.write(this.buffer);
    this.buffer = Buffer.alloc(0);
    this.socket.removeAllListeners("data");
    this.socket.on("data", (d: Buffer) => this.socket.write(d));
    this.socket.on("end", () => this.socket.end());
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}

export interface FakeProxy {
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Resolves when a connection's socket has closed (the n-th, from 0). */
  closed(n: number): Promise<void>;
  /** Errors thrown by scripts (a failed expectation on the proxy side). */
  readonly errors: unknown[];
  close(): Promise<void>;
}

/** Starts a fake proxy running `script` for every connection. */
export function startFakeProxy(script: (peer: ScriptedPeer) => Promise<void> | void): Promise<FakeProxy> {
  const sockets: Socket[] = [];
  const closings: Promise<void>[] = [];
  const errors: unknown[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    closings.push(new Promise((r) => socket.once("close", () => r())));
    Promise.resolve()
      .then(() => script(new ScriptedPeer(socket)))
      .catch((e: unknown) => {
        errors.push(e);
        socket.destroy();
      });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({
        port,
        get connections() {
          return sockets.length;
        },
        closed: (n) => closings[n] ?? Promise.reject(new Error(`no connection ${n}`)),
        errors,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}

/** Reads from a client-side stream until `n` bytes have arrived. */
export function readBytes(stream: NodeJS.ReadableStream, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= n) {
        stream.off("data", onData);
        stream.off("error", reject);
        resolve(got);
      }
    };
    stream.on("data", onData);
    stream.once("error", reject);
  });
}
