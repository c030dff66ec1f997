/**
 * A remote forwarding that outlives its connection (RFC 4254 §7.1 `tcpip-forward`, re-issued by
 * ReconnectingClient after every reconnect): one object for the application to hold, iterate and
 * close, whatever RemoteListener is current underneath. A port-0 forwarding asks for the port it
 * had before and falls back to 0 (the server's choice) only when that is refused; a change of
 * port is reported by the 'port' event.
 * @module
 */
import { EventEmitter } from "node:events";
import { RequestDeniedError } from "@purssh/connection";
import type { ListenOptions, SshClient } from "./client.js";
import { type ForwardedConnection, LISTENER_BACKLOG, type RemoteListener } from "./listener.js";

export interface PersistentListenerEvents {
  /** A connection to the forwarded port, from whichever RemoteListener is current. */
  connection: [ForwardedConnection];
  /** The server bound a different port after a reconnect. */
  port: [number];
  /** close() was called, or the ReconnectingClient closed or gave up. */
  close: [];
}

/** The outcome of re-issuing a forwarding on a new connection. */
export interface ForwardRestore {
  previousPort: number;
  port: number;
}

export class PersistentListener
  extends EventEmitter<PersistentListenerEvents>
  implements AsyncIterable<ForwardedConnection>
{
  private current: RemoteListener | undefined;
  private boundPort = 0;
  private backlog: ForwardedConnection[] = [];
  private waiters: Array<(r: IteratorResult<ForwardedConnection>) => void> = [];
  private ended = false;

  /** @internal ReconnectingClient.listen() builds one. */
  constructor(
    /** What the application asked for (port 0: the server chose, and re-asks for its last choice). */
    readonly options: ListenOptions,
    private readonly forget: (listener: PersistentListener) => void,
  ) {
    super();
  }

  /** The port the server listens on now (the latest one while reconnecting). */
  get port(): number {
    return this.boundPort;
  }

  get address(): string {
    return this.current?.address ?? this.options.host ?? "";
  }

  /** True while a forwarding is in place on the current connection. */
  get listening(): boolean {
    return this.current !== undefined && !this.current.closed;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** @internal Opens the forwarding on `client`: the first time, and again after each reconnect. */
  async open(client: SshClient): Promise<ForwardRestore> {
    const previousPort = this.boundPort;
    const asked = this.options.port !== 0 ? this.options.port : previousPort;
    let listener: RemoteListener;
    try {
      listener = await client.listen(this.listenOptions(asked));
    } catch (e) {
      // The old port may be taken by now: let the server choose, as the application first did.
      if (!(asked !== 0 && this.options.port === 0 && e instanceof RequestDeniedError)) throw e;
      listener = await client.listen(this.listenOptions(0));
    }
    if (this.ended) {
      await listener.close().catch(() => {});
      return { previousPort, port: listener.port };
    }
    this.attach(listener);
    return { previousPort, port: listener.port };
  }

  /** Stops the forwarding (cancel-tcpip-forward) and for good; open connections stay open. */
  async close(): Promise<void> {
    if (this.ended) return;
    const listener = this.current;
    this.end();
    await listener?.close().catch(() => {});
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** @internal The owner stopped: no forwarding will come back. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.current = undefined;
    this.forget(this);
    for (const c of this.backlog.splice(0)) c.destroy();
    for (const w of this.waiters.splice(0)) w({ value: undefined, done: true });
    this.emit("close");
  }

  [Symbol.asyncIterator](): AsyncIterator<ForwardedConnection> {
    return {
      next: () => {
        const c = this.backlog.shift();
        if (c) return Promise.resolve({ value: c, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.waiters.push(resolve));
      },
      return: () => Promise.resolve({ value: undefined, done: true }),
    };
  }

  private listenOptions(port: number): ListenOptions {
    const accept = this.options.accept;
    return {
      ...(this.options.host !== undefined ? { host: this.options.host } : {}),
      port,
      // Refused before confirmation when nobody takes connections and the backlog is full.
      accept: (info) => this.hasRoom() && (accept ? accept(info) : true),
    };
  }

  private hasRoom(): boolean {
    return this.listenerCount("connection") > 0 || this.waiters.length > 0 || this.backlog.length < LISTENER_BACKLOG;
  }

  private attach(listener: RemoteListener): void {
    const changed = this.boundPort !== 0 && this.boundPort !== listener.port;
    this.current = listener;
    this.boundPort = listener.port;
    listener.on("connection", (conn) => this.deliver(conn));
    listener.once("close", () => {
      if (this.current === listener) this.current = undefined;
    });
    if (changed) this.emit("port", listener.port);
  }

  private deliver(conn: ForwardedConnection): void {
    if (this.ended) {
      conn.destroy();
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter({ value: conn, done: false });
    else if (this.listenerCount("connection") > 0) this.emit("connection", conn);
    else this.backlog.push(conn);
  }
}
