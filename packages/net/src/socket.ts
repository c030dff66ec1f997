/**
 * The node:net adapter: opens TCP connections and pumps a socket into a sans-I/O core with
 * backpressure both ways — the core's output goes to the socket and reports `blocked` while the
 * socket's buffer is full; socket input goes to the core as it arrives (SSH channel windows bound
 * how much of it can accumulate).
 * @module
 */
import * as net from "node:net";
import type { Duplex } from "node:stream";
import { SshError } from "@purssh/wire";

export interface TcpConnectOptions {
  host: string;
  port: number;
  /** Milliseconds to wait for the TCP handshake; 0 = no limit. */
  timeoutMs?: number;
  localAddress?: string;
  localPort?: number;
  /** 4 or 6 to force an address family. */
  family?: 0 | 4 | 6;
  noDelay?: boolean;
  keepAlive?: boolean;
  /** With keepAlive: idle time before the first TCP keepalive probe (default: the system's). */
  keepAliveInitialDelayMs?: number;
  /** The socket's stream queue sizes in bytes (Node's highWaterMarks; default 16 KiB each). */
  readableHighWaterMark?: number;
  writableHighWaterMark?: number;
  signal?: AbortSignal;
}

/** Opens a TCP connection; rejects with a typed error naming the target. */
export function connectTcp(options: TcpConnectOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new SshError("ERR_ABORTED", `connecting to ${options.host}:${options.port} was aborted`));
      return;
    }
    const socket = net.connect({
      host: options.host,
      port: options.port,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      ...(options.localPort ? { localPort: options.localPort } : {}),
      ...(options.family ? { family: options.family } : {}),
      ...(options.readableHighWaterMark ? { readableHighWaterMark: options.readableHighWaterMark } : {}),
      ...(options.writableHighWaterMark ? { writableHighWaterMark: options.writableHighWaterMark } : {}),
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = (err?: Error) => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      socket.removeListener("error", onError);
      socket.removeListener("connect", onConnect);
      if (err) {
        socket.destroy();
        reject(err);
      } else resolve(socket);
    };
    const onError = (e: Error) =>
      done(
        new SshError("ERR_CONNECT_FAILED", `cannot connect to ${options.host}:${options.port}: ${e.message}`, {
          cause: e,
        }),
      );
    const onConnect = () => {
      socket.setNoDelay(options.noDelay ?? true);
      if (options.keepAlive) socket.setKeepAlive(true, options.keepAliveInitialDelayMs ?? 0);
      done();
    };
    const onAbort = () =>
      done(new SshError("ERR_ABORTED", `connecting to ${options.host}:${options.port} was aborted`));
    socket.once("error", onError);
    socket.once("connect", onConnect);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.timeoutMs && options.timeoutMs > 0) {
      timer = setTimeout(
        () =>
          done(
            new SshError(
              "ERR_CONNECT_TIMEOUT",
              `connecting to ${options.host}:${options.port} timed out after ${options.timeoutMs} ms`,
            ),
          ),
        options.timeoutMs,
      );
    }
  });
}

/** The core side of a socket pump. */
export interface ByteCore {
  receive(bytes: Uint8Array): void;
  /** The socket ended or failed. */
  peerClosed(cause?: unknown): void;
  /** False when the core holds too much unprocessed input: reading pauses until resumeInput(). */
  readonly wantsInput?: boolean;
}

/** Pumps bytes between a connected stream socket and a core. */
export class SocketPump {
  /** True while the socket's write buffer is above its high-water mark. */
  blocked = false;
  private ended = false;
  /** Called when the socket drains after having been blocked. */
  onWritable: (() => void) | undefined;
  /** Resolves once the socket has fully closed. */
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: Duplex,
    core: ByteCore,
  ) {
    socket.on("data", (b: Buffer) => {
      core.receive(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
      if (core.wantsInput === false) socket.pause();
    });
    socket.on("drain", () => {
      this.blocked = false;
      this.onWritable?.();
    });
    let error: Error | undefined;
    socket.on("error", (e) => {
      error = e;
    });
    this.closed = new Promise((resolve) => {
      socket.on("close", () => {
        this.ended = true;
        core.peerClosed(error);
        resolve();
      });
    });
    socket.on("end", () => {
      // The peer half-closed; SSH has no use for a half-open transport.
      socket.end();
    });
  }

  /** Reads from the socket again after the core paused it. */
  resumeInput(): void {
    if (!this.ended) this.socket.resume();
  }

  write(bytes: Uint8Array): void {
    if (this.ended || this.socket.destroyed) return;
    if (!this.socket.write(bytes)) this.blocked = true;
  }

  /** Flushes what is queued, then closes. */
  end(): void {
    if (this.ended) return;
    this.socket.end();
    // Do not wait forever for a peer that never acknowledges the FIN.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
