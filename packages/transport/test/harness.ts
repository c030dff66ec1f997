// Client Transport ↔ FakeServer over a MemoryLink, for the protocol tests of this package.
import { FakeServer, type FakeServerOptions, MemoryLink } from "@purssh/testkit";
import { type ClientTransportOptions, Transport } from "@purssh/transport";
import type { SshError } from "@purssh/wire";

export interface Outcome {
  ready: boolean;
  closed: boolean;
  error: SshError | undefined;
  messages: Uint8Array[];
  logs: string[];
}

export function handshake(serverOptions: FakeServerOptions = {}, clientOptions: Partial<ClientTransportOptions> = {}) {
  const link = new MemoryLink();
  const server = new FakeServer(link.sendToClient, serverOptions);
  const outcome: Outcome = { ready: false, closed: false, error: undefined, messages: [], logs: [] };
  const client = new Transport(
    { role: "client", verifyHostKey: () => true, ...clientOptions },
    {
      output: link.sendToServer,
      message: (p) => {
        outcome.messages.push(p);
        return true;
      },
      ready: () => {
        outcome.ready = true;
      },
      close: (e) => {
        outcome.closed = true;
        outcome.error = e;
      },
      log: (_l, t) => outcome.logs.push(t),
    },
  );
  link.client = client;
  link.server = server;
  client.start();
  server.start();
  return { link, server, client, outcome };
}

/** A client transport wired to nothing, for feeding it bytes by hand. */
export function bareTransport(options: Partial<ClientTransportOptions> = {}) {
  const outcome: { error?: SshError } = {};
  const t = new Transport(
    { role: "client", verifyHostKey: () => true, ...options },
    { output: () => {}, message: () => true, ready: () => {}, close: (e) => (outcome.error = e) },
  );
  return { t, outcome };
}
