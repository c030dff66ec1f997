/**
 * The TCP and Unix-socket listeners behind remote forwardings (RFC 4254 §7.1, OpenSSH PROTOCOL
 * §2.4 streamlocal-forward): bound per the bind policy, port 0 allocated by the kernel (the same
 * port on both loopback families, as sshd does), accepted sockets held paused — nothing is read
 * before their channel is confirmed — and a bounded backlog of sockets waiting for their channel.
 * @module
 */
import * as net from "node:net";
import type { BindTarget } from "./bind-policy.js";

/** Sockets accepted on one listener and waiting for their channel before new ones are dropped. */
export const LISTENER_BACKLOG = 128;

/** A connection accepted on a forwarded port, paused until its channel is confirmed. */
export interface AcceptedSocket {
  socket: net.Socket;
  originatorAddress: string;
  originatorPort: number;
  /** Call once its channel open succeeded or failed: frees a backlog slot. */
  settled(): void;
}

/** A remote forwarding's listening sockets. */
export class ForwardListener {
  private waiting = 0;
  private closed = false;

  constructor(
    private readonly servers: net.Server[],
    /** The port bound (the kernel's choice for a port-0 request). */
    readonly port: number,
    /** The Unix socket path, for a streamlocal forwarding. */
    readonly socketPath: string | undefined,
  ) {}

  /** @internal */
  start(onSocket: (accepted: AcceptedSocket) => void): void {
    for (const server of this.servers) {
      server.on("connection", (socket) => {
        if (this.closed || this.waiting >= LISTENER_BACKLOG) {
          socket.destroy();
          return;
        }
        this.waiting++;
        let done = false;
        onSocket({
          socket,
          originatorAddress: socket.remoteAddress ?? "",
          originatorPort: socket.remotePort ?? 0,
          settled: () => {
            if (done) return;
            done = true;
            this.waiting--;
          },
        });
      });
    }
  }

  /** The local addresses actually bound, e.g. ["127.0.0.1", "::1"] or ["::"] (a Unix socket: its path). */
  get addresses(): string[] {
    return this.servers.flatMap((s) => {
      const a = s.address();
      return a === null ? [] : [typeof a === "string" ? a : a.address];
    });
  }

  /** Sockets currently waiting for their channel. */
  get backlog(): number {
    return this.waiting;
  }

  /** Stops listening; connections already relayed go on until they end. */
  close(): Promise<void> {
    this.closed = true;
    // server.close() releases the listening socket at once; its callback waits for every accepted
    // connection to end, which must not delay the cancel reply (sshd answers right away too).
    for (const s of this.servers) s.close();
    return Promise.resolve();
  }
}

function listen(server: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options, () => {
      server.removeListener("error", reject);
      resolve();
    });
  });
}

const newServer = () => net.createServer({ allowHalfOpen: true, pauseOnConnect: true });

/** Binds a TCP forwarding. Rejects with the OS error (EADDRINUSE, EACCES, EADDRNOTAVAIL…). */
export async function bindTcp(target: BindTarget, port: number): Promise<ForwardListener> {
  const hosts = target.kind === "loopback" ? ["127.0.0.1", "::1"] : target.kind === "any" ? ["::"] : [target.address];
  const servers: net.Server[] = [];
  let bound = port;
  try {
    for (const [i, host] of hosts.entries()) {
      const server = newServer();
      try {
        await listen(server, { host, port: bound, ...(target.kind === "any" ? { ipv6Only: false } : {}) });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // The second loopback family is optional (no IPv6 on the host); "::" falls back to IPv4.
        if (i > 0 && (code === "EADDRNOTAVAIL" || code === "EAFNOSUPPORT" || code === "EADDRINUSE")) continue;
        if (target.kind === "any" && (code === "EAFNOSUPPORT" || code === "EADDRNOTAVAIL")) {
          await listen(server, { host: "0.0.0.0", port: bound });
        } else throw e;
      }
      servers.push(server);
      bound = (server.address() as net.AddressInfo).port;
    }
  } catch (e) {
    for (const s of servers) s.close();
    throw e;
  }
  return new ForwardListener(servers, bound, undefined);
}

/** Binds a Unix-socket forwarding (streamlocal-forward@openssh.com). */
export async function bindUnix(path: string): Promise<ForwardListener> {
  const server = newServer();
  await listen(server, { path });
  return new ForwardListener([server], 0, path);
}
