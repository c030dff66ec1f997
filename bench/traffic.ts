/**
 * Load generation for the tunnel runs: the local TCP target on 127.0.0.1 that the tunnels connect
 * to (a sink that counts and discards, or a source that sends N bytes), the TCP client that connects
 * to the server-side forwarded port, and one timed transfer through a tunnel.
 *
 *   inbound:  client → sshd's forwarded port → (SSH, server→client) → tunnel client → target sink
 *   outbound: target source → tunnel client → (SSH, client→server) → sshd's forwarded port → client
 *
 * The clock runs from the first byte written by the sender to the last of the N bytes read by the
 * receiver (both ends live in this process). A transfer only counts when the receiver saw exactly N
 * bytes followed by EOF, so the byte count is verified and half-close propagates through the tunnel.
 * Only node: imports here.
 * @module
 */
import { randomBytes } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import type { Direction } from "./config.js";

/** One buffer of random bytes, written again and again (its content never changes). */
const CHUNK = randomBytes(256 * 1024);

export interface TransferResult {
  bytes: number;
  seconds: number;
  mibps: number;
}

/** A transfer that failed; `received` says how far it got. */
export class TransferError extends Error {
  constructor(
    message: string,
    readonly received: number,
  ) {
    super(message);
    this.name = "TransferError";
  }
}

/** Writes `total` bytes with backpressure, then ends the socket. Returns the time of the first write. */
function sendBytes(sock: Socket, total: number): number {
  const started = performance.now();
  let left = total;
  const write = (): void => {
    while (left > 0) {
      if (sock.destroyed) return;
      const n = Math.min(left, CHUNK.length);
      left -= n;
      if (!sock.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
        sock.once("drain", write);
        return;
      }
    }
    sock.end();
  };
  write();
  return started;
}

/** Counts what arrives; reports progress and the moment the expected total is reached. */
class Receiver {
  count = 0;
  lastByteAt: number | undefined;
  lastProgressAt = performance.now();

  constructor(
    readonly expected: number,
    readonly fail: (e: TransferError) => void,
    readonly done: () => void,
  ) {}

  attach(sock: Socket): void {
    sock.on("data", (d: Buffer) => {
      this.count += d.length;
      this.lastProgressAt = performance.now();
      if (this.count >= this.expected && this.lastByteAt === undefined) this.lastByteAt = this.lastProgressAt;
      if (this.count > this.expected) {
        this.fail(new TransferError(`received ${this.count} bytes, more than the ${this.expected} sent`, this.count));
      }
    });
    sock.on("end", () => {
      if (this.count === this.expected) this.done();
      else this.fail(new TransferError(`EOF after ${this.count} of ${this.expected} bytes`, this.count));
      sock.end(); // complete the close in the other direction too
    });
  }
}

interface Expectation {
  kind: "sink" | "source";
  bytes: number;
  onSocket(sock: Socket): void;
}

/** The local target of the tunnels. Connections arriving while no transfer expects one are dropped. */
export class Target {
  private expectation: Expectation | undefined;
  private readonly sockets = new Set<Socket>();
  /** Connections that arrived while no transfer expected one (should stay 0). */
  stray = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static start(): Promise<Target> {
    return new Promise((resolve, reject) => {
      let target: Target | undefined;
      const server = createServer((sock) => target?.accept(sock));
      server.once("error", reject);
      server.listen({ host: "127.0.0.1", port: 0 }, () => {
        server.off("error", reject);
        const addr = server.address();
        if (addr === null || typeof addr === "string") {
          server.close();
          reject(new Error("the target server has no TCP address"));
          return;
        }
        target = new Target(server, addr.port);
        resolve(target);
      });
    });
  }

  private accept(sock: Socket): void {
    this.sockets.add(sock);
    sock.on("error", () => {}); // resets at teardown are expected; transfers judge by counts
    sock.on("close", () => this.sockets.delete(sock));
    const e = this.expectation;
    this.expectation = undefined;
    if (!e) {
      this.stray++;
      sock.destroy();
      return;
    }
    e.onSocket(sock);
  }

  /** @internal The next connection belongs to this transfer. */
  expect(e: Expectation | undefined): void {
    this.expectation = e;
  }

  /** Destroys every open connection (between transfers). */
  dropAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  close(): Promise<void> {
    this.expectation = undefined;
    this.dropAll();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface TransferOptions {
  direction: Direction;
  target: Target;
  /** The forwarded port on sshd (127.0.0.1). */
  forwardPort: number;
  bytes: number;
  timeoutMs: number;
  /** Settles with a message when the tunnel dies during the transfer. */
  tunnelFailed: Promise<string>;
}

/** One timed transfer of `bytes` in `direction`; rejects with a TransferError on any failure. */
export function transfer(o: TransferOptions): Promise<TransferResult> {
  return new Promise<TransferResult>((resolve, reject) => {
    const sockets: Socket[] = [];
    let firstByteAt: number | undefined;
    let settled = false;
    const began = performance.now();
    const finish = (error?: TransferError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.target.expect(undefined);
      for (const s of sockets) s.destroy();
      o.target.dropAll();
      if (error) {
        reject(error);
        return;
      }
      const seconds = (receiver.lastByteAt! - firstByteAt!) / 1000;
      resolve({ bytes: o.bytes, seconds, mibps: o.bytes / (1024 * 1024) / seconds });
    };
    const receiver = new Receiver(o.bytes, finish, () => finish());
    const timer = setTimeout(() => {
      const stalled = ((performance.now() - receiver.lastProgressAt) / 1000).toFixed(1);
      const where = receiver.count === o.bytes ? "all bytes arrived but EOF did not follow" : "";
      finish(
        new TransferError(
          `timed out after ${o.timeoutMs / 1000} s: ${receiver.count} of ${o.bytes} bytes received` +
            `${where ? ` (${where})` : ""}; no progress for the last ${stalled} s`,
          receiver.count,
        ),
      );
    }, o.timeoutMs);
    void o.tunnelFailed.then((msg) =>
      finish(
        new TransferError(`the tunnel failed after ${receiver.count} of ${o.bytes} bytes: ${msg}`, receiver.count),
      ),
    );

    o.target.expect({
      kind: o.direction === "inbound" ? "sink" : "source",
      bytes: o.bytes,
      onSocket: (sock) => {
        sockets.push(sock);
        if (o.direction === "inbound") receiver.attach(sock);
        else firstByteAt = sendBytes(sock, o.bytes);
      },
    });

    const client = connect({ host: "127.0.0.1", port: o.forwardPort });
    sockets.push(client);
    client.on("error", (e) => {
      const after = ((performance.now() - began) / 1000).toFixed(1);
      finish(
        new TransferError(
          `client socket error after ${after} s, ${receiver.count} bytes: ${e.message}`,
          receiver.count,
        ),
      );
    });
    client.on("connect", () => {
      if (o.direction === "inbound") firstByteAt = sendBytes(client, o.bytes);
      else receiver.attach(client);
    });
    if (o.direction === "inbound") {
      // The tunnel closing the forwarded connection early shows up only here: give bytes still in
      // flight a moment, then fail instead of waiting for the timeout.
      client.on("close", () => {
        if (settled) return;
        setTimeout(() => {
          finish(
            new TransferError(
              `the forwarded connection was closed by the server; the target got ${receiver.count} of ${o.bytes} bytes`,
              receiver.count,
            ),
          );
        }, 5000).unref();
      });
    }
  });
}

/** True once something LISTENs on 127.0.0.1:port, from /proc/net/tcp (no connection is made);
 * undefined where /proc/net/tcp cannot be read. */
export async function isListening(port: number): Promise<boolean | undefined> {
  const { readFile } = await import("node:fs/promises");
  let text: string;
  try {
    text = await readFile("/proc/net/tcp", "utf8");
  } catch {
    return undefined;
  }
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  return text.split("\n").some((line) => {
    const f = line.trim().split(/\s+/);
    return f[1] === local && f[3] === "0A";
  });
}

/** True when a TCP connection to 127.0.0.1:port succeeds (closed at once). */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}
