// Child process of resilience-reconnect.test.ts, run as `node --import tsx`: a ReconnectingClient
// with keepalive and a rate limit on, a forwarding, then the server gone for good. After 'gaveUp'
// it prints one JSON line and must exit on its own: a timer or socket left behind by the
// reconnect loop, the keepalive monitor or the rate limiter would keep it alive.
import { ReconnectingClient, type SshClient } from "@purssh/client";
import type { SshError } from "@purssh/wire";
import { login, startServer } from "./resilience-rig.js";

export interface GaveUpReport {
  status: string;
  code: string;
  attempts: number[];
  listenerClosed: boolean;
  clientGone: boolean;
}

const s = await startServer();
const rc = new ReconnectingClient(login(s.server, s.port, { keepaliveIntervalMs: 1000, maxTransferRate: 1_000_000 }), {
  retryIntervalMs: 20,
  maxRetryCount: 2,
});
const first: SshClient = await rc.start();
const listener = await rc.listen({ port: 0 });
const attempts: number[] = [];
rc.on("reconnectAttempt", (a) => attempts.push(a.attempt));
const gaveUp = new Promise<SshError>((resolve) => rc.once("gaveUp", resolve));
await s.server.close();
const error = await gaveUp;
const report: GaveUpReport = {
  status: rc.status,
  code: error.code,
  attempts,
  listenerClosed: listener.closed,
  clientGone: rc.client === undefined && first.isClosed,
};
console.log(JSON.stringify(report));
