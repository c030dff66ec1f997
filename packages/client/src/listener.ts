/**
 * Remote listeners (RFC 4254 §7.1–7.2 seen from the application): a port the server listens on,
 * yielding each connection made to it as a Duplex stream — through 'connection' events or async
 * iteration. Data flows with backpressure both ways: the stream's readable side credits the SSH
 * window only as it is consumed; its writable side waits while the channel queue is full.
 * @module
 */
import { EventEmitter } from "node:events";
import { Duplex } from "node:stream";
import type { Channel, ForwardedTcpipOpen, RemoteForward } from "@purssh/connection";
import { OPEN_FAILURE } from "@purssh/wire";

/** Connections accepted but not yet taken by the application before new ones are refused. */
export const LISTENER_BACKLOG = 128;

/** What an accept hook is told about an incoming connection (RFC 4254 §7.2). */
export interface IncomingConnectionInfo {
  /** The address and port on the server that was connected to. */
  connectedAddress: string;
  connectedPort: number;
  /** The remote client that connected. */
  originAddress: string;
  originPort: number;
}

/** One connection made to a forwarded port, as a Duplex byte stream. */
export class ForwardedConnection extends Duplex {
  readonly originAddress: string;
  readonly originPort: number;
  readonly connectedAddress: string;
  readonly connectedPort: number;
  private unconsumed = 0;
  private pendingWrite: (() => void) | undefined;

  constructor(
    readonly channel: Channel,
    readonly info: IncomingConnectionInfo,
  ) {
    super({ allowHalfOpen: true, readableHighWaterMark: 64 * 1024 });
    this.originAddress = info.originAddress;
    this.originPort = info.originPort;
    this.connectedAddress = info.connectedAddress;
    this.connectedPort = info.connectedPort;
    channel.events.data = (data) => {
      // The bytes come from the transport's own buffer: copy before they are queued.
      this.unconsumed += data.length;
      this.push(Buffer.from(data));
      this.credit();
    };
    channel.events.eof = () => {
      this.push(null);
      // Both directions are done: finish the RFC 4254 §5.3 CLOSE exchange once our data is out.
      if (this.writableFinished) channel.closeWhenDrained();
    };
    channel.events.drain = () => {
      const cb = this.pendingWrite;
      this.pendingWrite = undefined;
      cb?.();
    };
    channel.events.close = () => {
      if (!this.readableEnded) this.push(null);
      const cb = this.pendingWrite;
      this.pendingWrite = undefined;
      cb?.();
      this.destroy();
    };
  }

  /** Credit the SSH window with what the consumer has taken out of our readable buffer. */
  private credit(): void {
    const consumed = this.unconsumed - this.readableLength;
    if (consumed > 0) {
      this.unconsumed -= consumed;
      this.channel.consume(consumed);
    }
  }

  override _read(): void {
    this.credit();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (error?: Error | null) => void): void {
    if (this.channel.closed) {
      cb();
      return;
    }
    const view = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.channel.write(view)) cb();
    else this.pendingWrite = cb;
  }

  override _final(cb: (error?: Error | null) => void): void {
    if (this.channel.eofReceived) this.channel.closeWhenDrained();
    else this.channel.end();
    cb();
  }

  /**
   * After a normal end of both sides (Node auto-destroys then) queued bytes may still wait for
   * window or a key exchange: close only once they are out. An error or an early destroy aborts.
   */
  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    if (!this.channel.closed) {
      if (err === null && this.writableFinished) this.channel.closeWhenDrained();
      else this.channel.close();
    }
    cb(err);
  }
}

/** A port the server listens on for us. */
export class RemoteListener extends EventEmitter implements AsyncIterable<ForwardedConnection> {
  private backlog: ForwardedConnection[] = [];
  private waiters: Array<(r: IteratorResult<ForwardedConnection>) => void> = [];
  private closedFlag = false;

  constructor(
    readonly forward: RemoteForward,
    private readonly cancel: () => Promise<void>,
    private readonly acceptHook: ((info: IncomingConnectionInfo) => boolean | Promise<boolean>) | undefined,
  ) {
    super();
  }

  /** The port the server listens on (its choice when 0 was requested). */
  get port(): number {
    return this.forward.port;
  }

  get address(): string {
    return this.forward.address;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** @internal Called by the client for each forwarded-tcpip open on this listener. */
  async handleOpen(open: ForwardedTcpipOpen): Promise<void> {
    const info: IncomingConnectionInfo = {
      connectedAddress: open.connectedAddress,
      connectedPort: open.connectedPort,
      originAddress: open.originatorAddress,
      originPort: open.originatorPort,
    };
    const consumers = this.listenerCount("connection") + this.waiters.length;
    if (this.closedFlag || (consumers === 0 && this.backlog.length >= LISTENER_BACKLOG)) {
      open.reject(OPEN_FAILURE.RESOURCE_SHORTAGE, "listener backlog full");
      return;
    }
    let ok = true;
    if (this.acceptHook) {
      try {
        ok = (await this.acceptHook(info)) === true;
      } catch {
        ok = false;
      }
    }
    if (!ok || this.closedFlag) {
      open.reject(OPEN_FAILURE.CONNECT_FAILED, "connection refused by the application");
      return;
    }
    let channel: Channel;
    try {
      channel = open.accept();
    } catch {
      return;
    }
    const conn = new ForwardedConnection(channel, info);
    const waiter = this.waiters.shift();
    if (waiter) waiter({ value: conn, done: false });
    else if (this.listenerCount("connection") > 0) this.emit("connection", conn);
    else this.backlog.push(conn);
  }

  /** Stops the forwarding on the server (cancel-tcpip-forward); open connections stay open. */
  async close(): Promise<void> {
    if (this.closedFlag) return;
    this.end();
    await this.cancel();
  }

  /** @internal The listener is gone (closed or the connection died). */
  end(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const c of this.backlog.splice(0)) c.destroy();
    for (const w of this.waiters.splice(0)) w({ value: undefined, done: true });
    this.emit("close");
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close().catch(() => {});
  }

  [Symbol.asyncIterator](): AsyncIterator<ForwardedConnection> {
    return {
      next: () => {
        const c = this.backlog.shift();
        if (c) return Promise.resolve({ value: c, done: false });
        if (this.closedFlag) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.waiters.push(resolve));
      },
      return: () => Promise.resolve({ value: undefined, done: true }),
    };
  }
}
