/**
 * requestForwarding / cancelForwarding (ipworks-spec.md §8.2–8.4, RFC 4254 §7.1): event mode
 * over `SshClient.listen`, local-forwarding (relay) mode over `forwardRemotePort`, both raising
 * SSHChannelOpenRequest before a channel is confirmed. The table remembers every forwarding so
 * that AutoReconnect can ask for each again on the new connection — the port it had first, so
 * remote clients find it where it was, else the port originally asked for.
 * @module
 */
import type * as net from "node:net";
import type { ForwardedConnection, IncomingConnectionInfo, RemoteListener, SshClient } from "@purssh/client";
import { SSHTunnelError, SSHTunnelErrorCodes } from "./errors.js";
import type { SSHChannelOpenRequestEvent } from "./events.js";
import { forwardRemotePort, type RemotePortForward } from "./forward-remote-port.js";
import type { SSHReverseTunnel } from "./tunnel.js";
import { logLine } from "./tunnel-logon.js";

export interface Forwarding {
  readonly address: string;
  readonly requestedPort: number;
  /** The port the server bound (its choice when 0 was asked for). */
  boundPort: number;
  readonly forwardingHost: string;
  readonly forwardingPort: number;
  /** Undefined while the connection is down (AutoReconnect restores it). */
  handle: RemoteListener | RemotePortForward | undefined;
}

export class ForwardingTable {
  private forwardings: Forwarding[] = [];

  constructor(private readonly t: SSHReverseTunnel) {}

  get all(): readonly Forwarding[] {
    return this.forwardings;
  }

  /** Asks the server to listen; resolves with the bound port. */
  async request(client: SshClient, address: string, port: number, forwardingHost: string, forwardingPort: number) {
    const f: Forwarding = {
      address,
      requestedPort: port,
      boundPort: 0,
      forwardingHost,
      forwardingPort,
      handle: undefined,
    };
    await this.open(client, f, port);
    this.forwardings.push(f);
    return f.boundPort;
  }

  /** Stops a forwarding; port 0 means the latest port-0 forwarding on that address. */
  async cancel(address: string, port: number): Promise<void> {
    const candidates = this.forwardings.filter((f) => f.address === address);
    const f =
      port === 0
        ? candidates.filter((c) => c.requestedPort === 0).at(-1)
        : candidates.find((c) => c.boundPort === port);
    if (!f) {
      throw new SSHTunnelError(
        SSHTunnelErrorCodes.INVALID_ARGUMENT,
        `no forwarding for ${address || "(all addresses)"}:${port}`,
      );
    }
    this.forwardings.splice(this.forwardings.indexOf(f), 1);
    try {
      await f.handle?.close();
    } catch (e) {
      throw SSHTunnelError.from(e);
    }
  }

  /** The connection is gone: the server's listeners with it. */
  suspend(): void {
    for (const f of this.forwardings) f.handle = undefined;
  }

  clear(): void {
    this.forwardings = [];
  }

  /**
   * After a reconnect: asks for every forwarding again, first on the port it had, then on the
   * port originally requested; one that the server refuses both times raises Error (1098).
   */
  async restore(client: SshClient): Promise<void> {
    for (const f of this.forwardings) {
      if (f.handle) continue;
      const previous = f.boundPort;
      try {
        await this.open(client, f, previous || f.requestedPort);
      } catch (first) {
        if (previous === 0 || previous === f.requestedPort) throw first;
        logLine(this.t, 1, `port ${previous} is no longer available on the server; asking for ${f.requestedPort}`);
        await this.open(client, f, f.requestedPort);
      }
      logLine(this.t, 1, `forwarding ${f.address || "(all addresses)"}:${f.boundPort} restored`);
      if (f.requestedPort === 0 || f.boundPort !== previous) this.t.settings.forwardedPort = f.boundPort;
    }
  }

  private async open(client: SshClient, f: Forwarding, port: number): Promise<void> {
    const t = this.t;
    const ids = new WeakMap<IncomingConnectionInfo, string>();
    const accept = (info: IncomingConnectionInfo): boolean => {
      const id = t.channels.newId();
      const e: SSHChannelOpenRequestEvent = {
        channelId: id,
        service: "forwarded-tcpip",
        connectedAddress: info.connectedAddress,
        connectedPort: info.connectedPort,
        originAddress: info.originAddress,
        originPort: info.originPort,
        accept: true,
      };
      t.emit("SSHChannelOpenRequest", e);
      if (e.accept !== true) {
        logLine(t, 2, `channel ${id} refused by the application`);
        return false;
      }
      ids.set(info, id);
      return true;
    };
    const adopt = (conn: ForwardedConnection, local?: net.Socket) => {
      const id = ids.get(conn.info);
      if (id === undefined) {
        conn.destroy();
        return;
      }
      t.channels.attach(id, conn, local);
    };
    try {
      if (f.forwardingHost === "") {
        const listener = await client.listen({ host: f.address, port, accept });
        listener.on("connection", (conn: ForwardedConnection) => adopt(conn));
        f.handle = listener;
      } else {
        const s = t.settings;
        const forward = await forwardRemotePort(client, {
          bind: { host: f.address, port },
          to: { host: f.forwardingHost, port: f.forwardingPort },
          connectTimeoutMs: (s.connectionTimeoutSeconds || s.timeoutSeconds || 30) * 1000,
          ...(s.forwardingLocalHost ? { localAddress: s.forwardingLocalHost } : {}),
          accept,
        });
        forward.on("targetError", (err: Error, info: IncomingConnectionInfo) => {
          const te = SSHTunnelError.from(err, SSHTunnelErrorCodes.CONNECT_FAILED);
          t.emit("Error", { errorCode: te.code, description: `relay for channel ${ids.get(info)}: ${te.message}` });
        });
        forward.on("connection", ({ connection, target }) => {
          const id = ids.get(connection.info);
          target.on("error", (err: Error) =>
            t.emit("Error", {
              errorCode: SSHTunnelErrorCodes.CONNECT_FAILED,
              description: `relay for channel ${id}: ${err.message}`,
            }),
          );
          adopt(connection, target);
        });
        f.handle = forward;
      }
    } catch (e) {
      throw SSHTunnelError.from(e);
    }
    f.boundPort = f.handle.port;
  }
}
