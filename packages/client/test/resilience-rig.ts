// Shared rig for the resilience tests (keepalive, rate limit, idle timeout, reconnect): the
// embedded server on loopback (restartable on the same port), a TCP relay in front of it that can
// freeze — stop forwarding both ways without closing anything, as a dead host or a black-holing
// middlebox does — or drop every connection at once, and small byte helpers.
import { createHash } from "node:crypto";
import * as net from "node:net";
import type { ConnectOptions } from "@purssh/client";
import { generateKey } from "@purssh/keys";
import { createServer, type ServerOptions, type SshServer } from "@purssh/server";

export const USER = "alice";
export const PASSWORD = "secret";
export const MiB = 1024 * 1024;
const hostKey = generateKey({ type: "ed25519" });

export interface RunningServer {
  server: SshServer;
  port: number;
}

/** The embedded server on 127.0.0.1 (port 0: the kernel's choice), password login for alice. */
export async function startServer(options: Partial<ServerOptions> = {}, port = 0): Promise<RunningServer> {
  const server = createServer({
    hostKeys: [hostKey],
    auth: { password: (ctx, pw) => ctx.username === USER && pw === PASSWORD },
    ...options,
  });
  const address = await server.listen(port);
  return { server, port: address.port };
}

/** Options to log in to a server on `port` (directly, or through a relay's port). */
export function login(server: SshServer, port: number, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    host: "127.0.0.1",
    port,
    username: USER,
    password: PASSWORD,
    hostKeys: server.fingerprints,
    timeoutMs: 10_000,
    ...extra,
  };
}

/** A TCP relay from its own loopback port to `targetPort`. */
export class Relay {
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private frozen = false;
  private onAccept: Array<() => void> = [];

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    readonly targetPort: number,
  ) {}

  static start(targetPort: number): Promise<Relay> {
    return new Promise((resolve, reject) => {
      let relay: Relay | undefined;
      const server = net.createServer({ pauseOnConnect: true }, (inbound) => relay?.accept(inbound));
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        relay = new Relay(server, (server.address() as net.AddressInfo).port, targetPort);
        resolve(relay);
      });
    });
  }

  /** Connections currently relayed. */
  get connections(): number {
    return this.pairs.size;
  }

  /** Resolves when the relay next accepts a connection. */
  accepted(): Promise<void> {
    return new Promise((resolve) => this.onAccept.push(resolve));
  }

  /** Stops forwarding bytes both ways, closing nothing (a silent, dead peer). */
  freeze(): void {
    this.frozen = true;
    for (const [a, b] of this.pairs) {
      a.unpipe(b);
      b.unpipe(a);
      a.pause();
      b.pause();
    }
  }

  /** Forwards again (also for connections made while frozen). */
  thaw(): void {
    this.frozen = false;
    for (const pair of this.pairs) this.pipe(pair);
  }

  /** Drops every relayed connection at once (RST both ways), as a crashed host's kernel would. */
  dropAll(): void {
    for (const [a, b] of this.pairs) {
      a.resetAndDestroy();
      b.resetAndDestroy();
    }
    this.pairs.clear();
  }

  close(): Promise<void> {
    this.dropAll();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(inbound: net.Socket): void {
    const outbound = net.connect(this.targetPort, "127.0.0.1");
    const pair: [net.Socket, net.Socket] = [inbound, outbound];
    this.pairs.add(pair);
    const drop = () => {
      if (!this.pairs.delete(pair)) return;
      inbound.destroy();
      outbound.destroy();
    };
    for (const s of pair) {
      s.on("error", drop);
      s.on("close", drop);
    }
    if (!this.frozen) this.pipe(pair);
    for (const f of this.onAccept.splice(0)) f();
  }

  private pipe([a, b]: [net.Socket, net.Socket]): void {
    a.pipe(b);
    b.pipe(a);
    a.resume();
    b.resume();
  }
}

/** Resolves with `emitter`'s next `event` arguments. */
export function next<T extends unknown[]>(
  emitter: { once(event: string, listener: (...args: T) => void): unknown },
  event: string,
): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (...args: T) => resolve(args)));
}

/** Connects to a loopback port. */
export function dial(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
}

/** Everything `sock` sends until it ends, with the time the last byte arrived. */
export function readAll(sock: NodeJS.ReadableStream): Promise<{ data: Buffer; at: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let at = performance.now();
    sock.on("data", (d: Buffer) => {
      chunks.push(d);
      at = performance.now();
    });
    sock.on("end", () => resolve({ data: Buffer.concat(chunks), at }));
    sock.on("error", reject);
  });
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
