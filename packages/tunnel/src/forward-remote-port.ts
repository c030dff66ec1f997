/**
 * `forwardRemotePort(client, { bind, to })`: `ssh -R bind:to` in one call (RFC 4254 §7.1–7.2).
 * The server listens on `bind`; each connection made to it is relayed to a new TCP connection to
 * `to`, both ways with backpressure, half-closes travelling (socket FIN ↔ CHANNEL_EOF). The target
 * is dialled before the channel is confirmed, so an unreachable target refuses the channel and the
 * remote client sees its connection closed. The handle has the bound port, `close()`,
 * `await using`, an AbortSignal, and async iteration over the relayed connections. The
 * SSHReverseTunnel facade's local-forwarding mode is this helper plus its events.
 * @module
 */
import { EventEmitter } from "node:events";
import type * as net from "node:net";
import type { ForwardedConnection, IncomingConnectionInfo, RemoteListener, SshClient } from "@purssh/client";
import { connectTcp, relay } from "@purssh/net";

export interface ForwardRemotePortOptions {
  /** Where the server listens: host "" = every address (RFC 4254 §7.1), port 0 = its choice. */
  bind: { host?: string; port: number };
  /** Where each connection is relayed to. */
  to: { host: string; port: number };
  /** Local address to dial `to` from (the seed's ForwardingLocalHost). */
  localAddress?: string;
  /** Milliseconds to wait for `to` to accept (default 30 s). */
  connectTimeoutMs?: number;
  /** Decides on each incoming connection before anything is dialled (default: accept). */
  accept?(info: IncomingConnectionInfo): boolean | Promise<boolean>;
  /** Aborting closes the forwarding (and rejects the call while it is being set up). */
  signal?: AbortSignal;
}

/** One relayed connection: the forwarded channel and the socket to the target. */
export interface RelayedConnection {
  readonly info: IncomingConnectionInfo;
  readonly connection: ForwardedConnection;
  readonly target: net.Socket;
}

/**
 * A running forwarding. Events: 'connection' (RelayedConnection, once the relay runs),
 * 'targetError' (Error, IncomingConnectionInfo: `to` could not be reached; the channel was
 * refused), 'close'.
 */
export class RemotePortForward extends EventEmitter implements AsyncIterable<RelayedConnection> {
  /** Targets dialled for connections whose channel is being confirmed. */
  private readonly dialled = new Map<IncomingConnectionInfo, net.Socket>();
  private listener: RemoteListener | undefined;

  /** @internal use forwardRemotePort() */
  constructor(private readonly options: ForwardRemotePortOptions) {
    super();
  }

  /** The port the server listens on (its choice when 0 was asked for). */
  get port(): number {
    return this.listener?.port ?? 0;
  }

  get address(): string {
    return this.listener?.address ?? this.options.bind.host ?? "";
  }

  get closed(): boolean {
    return this.listener?.closed ?? false;
  }

  /** @internal */
  async start(client: SshClient): Promise<void> {
    const { bind, signal } = this.options;
    signal?.throwIfAborted();
    this.listener = await client.listen({
      host: bind.host ?? "",
      port: bind.port,
      accept: (info) => this.admit(info),
    });
    this.listener.on("connection", (conn: ForwardedConnection) => this.begin(conn));
    this.listener.once("close", () => {
      // A target dialled for a channel that never got confirmed has nobody to talk to.
      for (const socket of this.dialled.values()) socket.destroy();
      this.dialled.clear();
      this.emit("close");
    });
    if (signal) {
      const onAbort = () => void this.close().catch(() => {});
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener("abort", onAbort, { once: true });
        this.once("close", () => signal.removeEventListener("abort", onAbort));
      }
    }
  }

  /** Stops the forwarding on the server (cancel-tcpip-forward); relayed connections stay up. */
  async close(): Promise<void> {
    await this.listener?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close().catch(() => {});
  }

  /** Relayed connections from now on, until the forwarding closes. */
  [Symbol.asyncIterator](): AsyncIterator<RelayedConnection> {
    const queue: RelayedConnection[] = [];
    const waiters: Array<(r: IteratorResult<RelayedConnection>) => void> = [];
    let done = this.closed;
    const onConnection = (c: RelayedConnection) => {
      const w = waiters.shift();
      if (w) w({ value: c, done: false });
      else queue.push(c);
    };
    const stop = () => {
      done = true;
      this.off("connection", onConnection);
      this.off("close", stop);
      for (const w of waiters.splice(0)) w({ value: undefined, done: true });
    };
    this.on("connection", onConnection);
    this.once("close", stop);
    return {
      next: () => {
        const c = queue.shift();
        if (c) return Promise.resolve({ value: c, done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => waiters.push(resolve));
      },
      return: () => {
        stop();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  /** The accept hook, then the target: only a reachable target gets the channel confirmed. */
  private async admit(info: IncomingConnectionInfo): Promise<boolean> {
    if (this.options.accept && (await this.options.accept(info)) !== true) return false;
    const { to, localAddress, connectTimeoutMs } = this.options;
    try {
      const target = await connectTcp({
        host: to.host,
        port: to.port,
        timeoutMs: connectTimeoutMs ?? 30_000,
        ...(localAddress ? { localAddress } : {}),
      });
      this.dialled.set(info, target);
      return true;
    } catch (e) {
      this.emit("targetError", e as Error, info);
      return false;
    }
  }

  private begin(connection: ForwardedConnection): void {
    const target = this.dialled.get(connection.info);
    if (!target) {
      connection.destroy();
      return;
    }
    this.dialled.delete(connection.info);
    const relayed: RelayedConnection = { info: connection.info, connection, target };
    this.emit("connection", relayed);
    relay(target, connection);
  }
}

/** Asks the server to listen on `bind` and relays each connection to `to` (`ssh -R`). */
export async function forwardRemotePort(
  client: SshClient,
  options: ForwardRemotePortOptions,
): Promise<RemotePortForward> {
  const forward = new RemotePortForward(options);
  await forward.start(client);
  return forward;
}
