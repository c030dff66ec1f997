/**
 * `createServer(options)`: the embedded SSH server. Listens on TCP (or takes connected sockets
 * from elsewhere through `handleConnection`), holds at most MaxStartups unauthenticated
 * connections, and tracks every client until it leaves; `close()` stops listening, disconnects
 * everyone and waits until every forwarded listener is gone.
 * @module
 */
import { EventEmitter } from "node:events";
import * as net from "node:net";
import type { Duplex } from "node:stream";
import { fingerprintSha256, type PrivateKey } from "@purssh/keys";
import { loadHostKeys } from "./host-keys.js";
import { DEFAULT_MAX_STARTUPS, type ServerOptions } from "./options.js";
import { ServerConnection } from "./server-connection.js";

export interface ListenAddress {
  address: string;
  port: number;
}

/** The embedded server. Events: 'connection' (ServerConnection), 'error' (listen errors). */
export class SshServer extends EventEmitter {
  readonly hostKeys: readonly PrivateKey[];
  private readonly tcp: net.Server;
  private readonly clients = new Set<ServerConnection>();

  constructor(private readonly options: ServerOptions) {
    super();
    this.hostKeys = loadHostKeys(options.hostKeys);
    this.tcp = net.createServer({ noDelay: true }, (socket) => {
      this.handleConnection(socket, socket.remoteAddress ?? "", socket.remotePort ?? 0);
    });
    this.tcp.on("error", (e) => this.emit("error", e));
  }

  /** SHA256 fingerprints of the host keys (`SHA256:…`), for clients to pin. */
  get fingerprints(): string[] {
    return this.hostKeys.map((k) => fingerprintSha256(k.publicKey.blob));
  }

  /** Listens on host:port (default 127.0.0.1, port 0 = the kernel's choice); resolves the address. */
  listen(port = 0, host = "127.0.0.1"): Promise<ListenAddress> {
    return new Promise((resolve, reject) => {
      this.tcp.once("error", reject);
      this.tcp.listen(port, host, () => {
        this.tcp.removeListener("error", reject);
        resolve(this.address()!);
      });
    });
  }

  address(): ListenAddress | undefined {
    const a = this.tcp.address();
    return a && typeof a === "object" ? { address: a.address, port: a.port } : undefined;
  }

  /** Connected clients, authenticated or not. */
  get connections(): readonly ServerConnection[] {
    return [...this.clients];
  }

  /** Runs SSH over an already connected stream (a socket accepted elsewhere, an in-memory pipe). */
  handleConnection(socket: Duplex, remoteAddress = "", remotePort = 0): ServerConnection | undefined {
    const unauthenticated = [...this.clients].filter((c) => !c.authenticated).length;
    if (unauthenticated >= (this.options.maxStartups ?? DEFAULT_MAX_STARTUPS)) {
      this.options.log?.(1, `dropping ${remoteAddress}: too many unauthenticated connections (MaxStartups)`);
      socket.destroy();
      return undefined;
    }
    const client = new ServerConnection(socket, remoteAddress, remotePort, this.hostKeys, this.options);
    this.clients.add(client);
    client.once("close", () => this.clients.delete(client));
    this.emit("connection", client);
    return client;
  }

  /** Stops listening, disconnects every client and waits until their listeners are closed. */
  async close(): Promise<void> {
    const stopped = new Promise<void>((r) => this.tcp.close(() => r()));
    const clients = [...this.clients];
    for (const c of clients) c.close();
    await Promise.all([stopped, ...clients.map((c) => c.closed)]);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export function createServer(options: ServerOptions): SshServer {
  return new SshServer(options);
}
