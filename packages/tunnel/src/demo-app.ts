/**
 * The demo's local web app (node:http on 127.0.0.1, a port the kernel picks) that the tunnel
 * publishes, with the byte counts of the connections it served (every one of them came through
 * the tunnel), and a one-shot HTTP GET that leaves no socket open behind it.
 * @module
 */
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface LocalApp {
  readonly port: number;
  /** Requests answered so far. */
  readonly requests: number;
  /** Bytes read and written on the app's connections so far (closed and still open ones). */
  bytes(): number;
  close(): Promise<void>;
}

/** Starts the app: every request gets "hello from the local app behind the tunnel (request N)". */
export async function startLocalApp(): Promise<LocalApp> {
  let requests = 0;
  let closedBytes = 0;
  const open = new Set<Socket>();
  const server = http.createServer((req, res) => {
    requests++;
    res.setHeader("content-type", "text/plain; charset=utf-8");
    res.end(`hello from the local app behind the tunnel (request ${requests}: ${req.method} ${req.url})\n`);
  });
  server.on("connection", (socket: Socket) => {
    open.add(socket);
    socket.once("close", () => {
      open.delete(socket);
      closedBytes += socket.bytesRead + socket.bytesWritten;
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.removeListener("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    get requests() {
      return requests;
    },
    bytes: () => closedBytes + [...open].reduce((n, s) => n + s.bytesRead + s.bytesWritten, 0),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** GET url on a fresh connection (no keep-alive agent, so nothing stays open afterwards). */
export function httpGet(url: string, timeoutMs = 10_000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
  });
}
