// Loopback helpers for tests: free ports and a TCP echo server (node:net).
import { connect, createServer, type Server, type Socket } from "node:net";
import type { Duplex } from "node:stream";

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (bound on port 0, then released). Another
 * process may take it before you bind it; callers that can, retry on EADDRINUSE.
 */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen({ host, port: 0, exclusive: true }, () => {
      const addr = srv.address();
      if (addr === null || typeof addr === "string") {
        srv.close();
        reject(new Error("freePort: server has no TCP address"));
        return;
      }
      const { port } = addr;
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

export interface EchoServer {
  host: "127.0.0.1";
  port: number;
  /** Number of connections accepted so far. */
  readonly connections: number;
  /** Destroys open connections and closes the listener. */
  close(): Promise<void>;
}

/** A TCP echo server on 127.0.0.1 (random port): every byte received is written back. */
export function startEchoServer(): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const srv: Server = createServer((sock) => {
    connections++;
    sockets.add(sock);
    sock.on("error", () => {}); // peers reset connections in tests; not our failure
    sock.on("close", () => sockets.delete(sock));
    sock.pipe(sock);
  });
  return new Promise((resolve, reject) => {
    srv.once("error", reject);
    srv.listen({ host: "127.0.0.1", port: 0 }, () => {
      srv.off("error", reject);
      const addr = srv.address();
      if (addr === null || typeof addr === "string") {
        srv.close();
        reject(new Error("startEchoServer: server has no TCP address"));
        return;
      }
      let closed: Promise<void> | undefined;
      resolve({
        host: "127.0.0.1",
        port: addr.port,
        get connections() {
          return connections;
        },
        close() {
          closed ??= new Promise<void>((res) => {
            for (const s of sockets) s.destroy();
            srv.close(() => res());
          });
          return closed;
        },
      });
    });
  });
}

/**
 * Connects to a loopback port, sends `data`, half-closes, and resolves with everything received
 * until the peer ends: one round trip through whatever listens there (a forwarded port, an echo).
 */
export function roundTripThrough(port: number, data: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const c = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    c.on("data", (d: Buffer) => chunks.push(d));
    c.on("end", () => resolve(Buffer.concat(chunks)));
    c.on("error", reject);
    c.end(data);
  });
}

/** Pipes every connection a listener yields to a new TCP connection to 127.0.0.1:port, both ways. */
export function relayConnections(
  listener: { on(event: "connection", handler: (conn: Duplex) => void): unknown },
  port: number,
): void {
  listener.on("connection", (conn) => {
    const local = connect(port, "127.0.0.1");
    conn.pipe(local);
    local.pipe(conn);
  });
}
