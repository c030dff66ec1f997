// Two Connections, a client role and a server role, wired payload-to-payload in memory. Payloads
// are queued and delivered asynchronously, like packets over a socket (the shape of testkit's
// MemoryLink): everything queued is delivered in one synchronous burst (one "read"), then the
// event loop turns. An error thrown by handle() ends both sides, as a DISCONNECT would.
import {
  type Channel,
  type ChannelEvents,
  Connection,
  type ConnectionOptions,
  type IncomingChannelOpen,
  type IncomingGlobalRequest,
} from "@purssh/connection";
import { expect } from "vitest";

export type Role = "client" | "server";

export interface Side {
  readonly role: Role;
  conn: Connection;
  /** Every payload this side sent, in order (message numbers are payload[0]). */
  readonly sent: Uint8Array[];
  /** Channel opens from the peer, when the side's options route them here (see pair()). */
  readonly opens: IncomingChannelOpen[];
  /** Global requests from the peer seen by answerGlobalRequest (when installed by the test). */
  readonly globals: IncomingGlobalRequest[];
  /** What canSendData() answers. */
  writable: boolean;
}

export interface Pair {
  client: Side;
  server: Side;
  /** The first error a handle() threw, and which side threw it. */
  failure: { role: Role; error: Error } | undefined;
  /** Delivers until nothing moves for a few event-loop turns. */
  settle(): Promise<void>;
  /** Delivers synchronously until both directions are empty (no promise continuations run). */
  pump(): void;
  /** Payloads queued toward `role`, not yet delivered. */
  inFlight(role: Role): number;
}

export interface PairOptions {
  client?: Partial<ConnectionOptions>;
  server?: Partial<ConnectionOptions>;
}

/**
 * A client and a server. Unless a test overrides them, the server hands every channel open to
 * `server.opens` (onChannelOpen) and the client refuses the peer's opens like today's tunnel client.
 */
export function pair(options: PairOptions = {}): Pair {
  const toClient: Uint8Array[] = [];
  const toServer: Uint8Array[] = [];
  const p: Pair = {
    client: undefined as unknown as Side,
    server: undefined as unknown as Side,
    failure: undefined,
    inFlight: (role) => (role === "client" ? toClient.length : toServer.length),
    pump: () => {
      while (!p.failure && (toServer.length > 0 || toClient.length > 0)) {
        // One burst per direction: what one "read" would contain.
        for (const payload of toServer.splice(0)) deliver(p.server, payload);
        for (const payload of toClient.splice(0)) deliver(p.client, payload);
      }
    },
    settle: async () => {
      for (let idle = 0; idle < 3; ) {
        const moved = toServer.length > 0 || toClient.length > 0;
        p.pump();
        await new Promise((r) => setTimeout(r, 0));
        idle = moved ? 0 : idle + 1;
      }
    },
  };
  const deliver = (side: Side, payload: Uint8Array) => {
    if (p.failure) return;
    try {
      if (!side.conn.handle(payload)) throw new Error(`${side.role}: handle() refused message ${payload[0]}`);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      p.failure = { role: side.role, error };
      p.client.conn.end(error);
      p.server.conn.end(error);
    }
  };
  const side = (role: Role, outbox: Uint8Array[], extra: Partial<ConnectionOptions> | undefined): Side => {
    const s: Side = {
      role,
      conn: undefined as unknown as Connection,
      sent: [],
      opens: [],
      globals: [],
      writable: true,
    };
    s.conn = new Connection({
      send: (payload) => {
        s.sent.push(payload);
        outbox.push(payload.slice());
      },
      canSendData: () => s.writable,
      ...(role === "server" ? { onChannelOpen: (o: IncomingChannelOpen) => s.opens.push(o) } : {}),
      ...extra,
    });
    return s;
  };
  p.client = side("client", toServer, options.client);
  p.server = side("server", toClient, options.server);
  return p;
}

/** Collects what a channel delivers, consuming it at once (unless `consume` is false). */
export interface Sink {
  readonly events: ChannelEvents;
  data: Uint8Array[];
  stderr: Uint8Array[];
  eof: boolean;
  closed: boolean;
  /** The concatenation of everything received as data. */
  bytes(): Uint8Array;
  /** The concatenation of everything received as extended data. */
  stderrBytes(): Uint8Array;
}

export function sink(channel: () => Channel | undefined, consume = true): Sink {
  const s: Sink = {
    data: [],
    stderr: [],
    eof: false,
    closed: false,
    bytes: () => concat(s.data),
    stderrBytes: () => concat(s.stderr),
    events: {
      data: (d) => {
        s.data.push(d.slice());
        if (consume) channel()?.consume(d.length);
      },
      extendedData: (d) => {
        s.stderr.push(d.slice());
        if (consume) channel()?.consume(d.length);
      },
      eof: () => {
        s.eof = true;
      },
      close: () => {
        s.closed = true;
      },
    },
  };
  return s;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of parts) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** Bytes 0, 1, 2, … (mod 251) from `offset`, so misordered or duplicated chunks show up. */
export function pattern(n: number, offset = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i + offset) % 251;
  return out;
}

/** Message numbers of the payloads in `sent`. */
export function numbers(sent: readonly Uint8Array[]): number[] {
  return sent.map((p) => p[0] as number);
}

/** The open the server received last, asserting there is exactly one new one. */
export function takeOpen(side: Side): IncomingChannelOpen {
  expect(side.opens).toHaveLength(1);
  return side.opens.shift() as IncomingChannelOpen;
}

/** Byte equality with a short failure message (toEqual on MiB arrays prints megabytes). */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  let firstDiff = -1;
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) {
      firstDiff = i;
      break;
    }
  }
  expect(firstDiff, "first differing byte offset").toBe(-1);
}

/** Observes a promise's outcome without awaiting it. */
export function track<T>(p: Promise<T>): { state: "pending" | "resolved" | "rejected"; value?: T; error?: unknown } {
  const t: { state: "pending" | "resolved" | "rejected"; value?: T; error?: unknown } = { state: "pending" };
  p.then(
    (v) => {
      t.state = "resolved";
      t.value = v;
    },
    (e) => {
      t.state = "rejected";
      t.error = e;
    },
  );
  return t;
}

/** Opens a direct-tcpip channel from the client that the server accepts; both ends with sinks. */
export async function directTcpip(
  p: Pair,
  opts: { consumeClient?: boolean; consumeServer?: boolean } = {},
): Promise<{ client: Channel; server: Channel; clientSink: Sink; serverSink: Sink }> {
  let client: Channel | undefined;
  let server: Channel | undefined;
  const clientSink = sink(() => client, opts.consumeClient ?? true);
  const serverSink = sink(() => server, opts.consumeServer ?? true);
  const opening = p.client.conn.openDirectTcpip(
    { host: "127.0.0.1", port: 8080, originatorAddress: "127.0.0.1", originatorPort: 50000 },
    clientSink.events,
  );
  await p.settle();
  const open = takeOpen(p.server);
  server = open.accept();
  Object.assign(server.events, serverSink.events);
  await p.settle();
  client = await opening;
  return { client, server, clientSink, serverSink };
}
