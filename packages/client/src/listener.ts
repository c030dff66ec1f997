/**
 * Remote listeners (RFC 4254 §7.1–7.2 seen from the application): a port the server listens on,
 * yielding each connection made to it as a Duplex stream — through 'connection' events or async
 * iteration. Data flows with backpressure both ways: the stream's readable side credits the SSH
 * window only as it is consumed; its writable side waits while the channel queue is full.
 * @module
 */
import { EventEmitter } from "node:events";
import type { Channel, ForwardedTcpipOpen, RemoteForward } from "@purssh/connection";
import { ChannelStream } from "@purssh/net";
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

/** One connection made to a forwarded port, as a Duplex byte stream over its channel. */
export class ForwardedConnection extends ChannelStream {
  readonly originAddress: string;
  readonly originPort: number;
  readonly connectedAddress: string;
  readonly connectedPort: number;

  constructor(
    channel: Channel,
    readonly info: IncomingConnectionInfo,
  ) {
    super(channel);
    this.originAddress = info.originAddress;
    this.originPort = info.originPort;
    this.connectedAddress = info.connectedAddress;
    this.connectedPort = info.connectedPort;
  }

  override get channel(): Channel {
    return super.channel as Channel;
  }
}

/** What a listener needs of an incoming forwarded channel open (RFC 4254 §7.2; PROTOCOL §2.4). */
export type ForwardedOpen = Pick<
  ForwardedTcpipOpen,
  "connectedAddress" | "connectedPort" | "originatorAddress" | "originatorPort" | "accept" | "reject"
>;

/** A port (or Unix socket) the server listens on for us. */
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

  /** @internal Called by the client for each forwarded-tcpip (or forwarded-streamlocal) open on this listener. */
  async handleOpen(open: ForwardedOpen): Promise<void> {
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
