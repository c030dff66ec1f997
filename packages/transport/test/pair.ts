// A client Transport and a server Transport wired to each other in memory (bytes delivered from
// settle(), never re-entrantly), for the tests of the server role and of features both roles share.
import { readFileSync } from "node:fs";
import { generateKey, type PrivateKey, parsePrivateKey } from "@purssh/keys";
import { type ClientTransportOptions, type ServerTransportOptions, Transport } from "@purssh/transport";
import type { SshError } from "@purssh/wire";

export interface Side {
  t: Transport;
  ready: boolean;
  closed: boolean;
  error: SshError | undefined;
  messages: Uint8Array[];
  logs: string[];
  rekeys: number;
  pongs: Uint8Array[];
  /** Bytes this side put on the wire. */
  wireBytes: number;
}

const root = new URL("../../../", import.meta.url);
export const RSA_HOST_KEY: PrivateKey = parsePrivateKey(
  readFileSync(new URL("test-vectors/keys/rsa-2048", root), "utf8"),
);
export const ED25519_HOST_KEY = generateKey({ type: "ed25519" });
export const ECDSA_HOST_KEYS = (["nistp256", "nistp384", "nistp521"] as const).map((curve) =>
  generateKey({ type: "ecdsa", curve }),
);

function side(): Side {
  return {
    t: undefined as unknown as Transport,
    ready: false,
    closed: false,
    error: undefined,
    messages: [],
    logs: [],
    rekeys: 0,
    pongs: [],
    wireBytes: 0,
  };
}

export interface Pair {
  client: Side;
  server: Side;
  /** Delivers queued bytes both ways until nothing moves. */
  settle(): Promise<void>;
}

export function pair(
  clientOptions: Partial<ClientTransportOptions> = {},
  serverOptions: Partial<ServerTransportOptions> = {},
  onMessage?: (who: "client" | "server", payload: Uint8Array, p: Pair) => void,
): Pair {
  const client = side();
  const server = side();
  const toServer: Uint8Array[] = [];
  const toClient: Uint8Array[] = [];
  const p: Pair = {
    client,
    server,
    async settle() {
      for (let idle = 0; idle < 3; ) {
        let moved = false;
        while (toServer.length > 0 || toClient.length > 0) {
          const a = toServer.shift();
          if (a) server.t.receive(a);
          const b = toClient.shift();
          if (b) client.t.receive(b);
          moved = true;
        }
        await new Promise((r) => setTimeout(r, 0));
        idle = moved ? 0 : idle + 1;
      }
    },
  };
  const handlers = (s: Side, out: Uint8Array[], who: "client" | "server") => ({
    output: (b: Uint8Array) => {
      s.wireBytes += b.length;
      out.push(b.slice());
    },
    message: (payload: Uint8Array) => {
      s.messages.push(payload.slice());
      onMessage?.(who, payload, p);
      return true;
    },
    ready: () => {
      s.ready = true;
    },
    close: (e: SshError | undefined) => {
      s.closed = true;
      s.error = e;
    },
    keysChanged: (_n: unknown, initial: boolean) => {
      if (!initial) s.rekeys++;
    },
    pong: (d: Uint8Array) => s.pongs.push(d),
    log: (_l: number, text: string) => s.logs.push(text),
  });
  client.t = new Transport(
    { role: "client", verifyHostKey: () => true, ...clientOptions },
    handlers(client, toServer, "client"),
  );
  server.t = new Transport(
    { role: "server", hostKeys: [ED25519_HOST_KEY], ...serverOptions },
    handlers(server, toClient, "server"),
  );
  client.t.start();
  server.t.start();
  return p;
}
