// A TCP relay in front of a server: records where each connection came from (LocalHost /
// LocalPort / UseIPv6 tests), can freeze (stop forwarding in both directions without closing —
// a server that went silent) and tells how each client connection ended (FIN or RST: Linger).
import * as net from "node:net";

export interface RelayedClient {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** "end" (FIN), "reset" (ECONNRESET) or "open". */
  ending: "open" | "end" | "reset";
}

export interface TcpRelay {
  readonly port: number;
  readonly clients: RelayedClient[];
  /** Stops moving bytes both ways; connections stay open. */
  freeze(): void;
  close(): Promise<void>;
}

export async function startTcpRelay(
  targetPort: number,
  listenHost = "127.0.0.1",
  targetHost = "127.0.0.1",
): Promise<TcpRelay> {
  const sockets = new Set<net.Socket>();
  const clients: RelayedClient[] = [];
  let frozen = false;
  const server = net.createServer((client) => {
    const info: RelayedClient = {
      remoteAddress: client.remoteAddress ?? "",
      remotePort: client.remotePort ?? 0,
      ending: "open",
    };
    clients.push(info);
    const upstream = net.connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    const pump = (from: net.Socket, to: net.Socket) => {
      from.on("data", (d) => {
        if (!frozen) to.write(d);
      });
    };
    pump(client, upstream);
    pump(upstream, client);
    client.on("end", () => {
      if (info.ending === "open") info.ending = "end";
      if (!frozen) upstream.end();
    });
    client.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ECONNRESET") info.ending = "reset";
      upstream.destroy();
    });
    upstream.on("end", () => {
      if (!frozen) client.end();
    });
    upstream.on("error", () => client.destroy());
    client.on("close", () => sockets.delete(client));
    upstream.on("close", () => sockets.delete(upstream));
  });
  await new Promise<void>((r) => server.listen(0, listenHost, r));
  return {
    port: (server.address() as net.AddressInfo).port,
    clients,
    freeze: () => {
      frozen = true;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
