// Child process of slow-readers.test.ts, run as `node --expose-gc --import tsx` so that it can
// force a GC and its RSS is ours alone: our embedded server and our client over loopback, one
// reverse tunnel, CHANNELS senders pushing as fast as they can through it to targets that accept
// and never read. Prints one JSON line (SlowReadersReport) and must then exit on its own.
import * as net from "node:net";
import { connect } from "@purssh/client";
import { CHANNEL_WRITE_HIGH_WATER, DEFAULT_WINDOW_SIZE } from "@purssh/connection";
import { generateKey } from "@purssh/keys";
import { createServer } from "@purssh/server";

export interface SlowReadersReport {
  /** Every server-side channel had an exhausted window and the senders' total stood still. */
  plateauReached: boolean;
  /** RSS was read after a forced full GC (the worker ran with --expose-gc). */
  gcForced: boolean;
  channels: number;
  bytesPerSender: number;
  sendChunk: number;
  windowSize: number;
  writeHighWater: number;
  baselineRss: number;
  stalledRss: number;
  /** Bytes the senders' kernels took, summed, when the plateau was seen and 1 s later. */
  acceptedAtPlateau: number;
  acceptedLater: number;
  maxAcceptedPerSender: number;
  sendersFinished: number;
  /** Server side: the largest per-channel queue and the most window any channel had left. */
  serverMaxQueued: number;
  serverMaxSendWindow: number;
  serverChannels: number;
  /** Client side: the most bytes any channel received, and how many channels were open. */
  clientMaxReceived: number;
  clientChannels: number;
  seconds: number;
}

const CHANNELS = 100;
/**
 * What each sender tries to push. More than the pipeline can absorb: loopback TCP autotunes its
 * buffers to several MiB per connection (measured here: about 10 MiB taken per sender before it
 * stalls — 4 MiB in the kernel towards the target, the 2 MiB window, the queue, 3–4 MiB in the
 * kernel from the sender), so 8 MiB would all be taken and prove nothing. A sender reuses one
 * chunk, so what it does not manage to send costs nothing.
 */
const BYTES_PER_SENDER = 32 * 1024 * 1024;
const SEND_CHUNK = 64 * 1024;
/** The senders' total counts as stalled when it has not moved for this long. */
const PLATEAU_MS = 2000;
const SAMPLE_MS = 100;
const DEADLINE_MS = 150_000;

const debug = (text: string) => {
  if (process.env.SLOW_READERS_DEBUG) process.stderr.write(`${text}\n`);
};
const gc = (globalThis as { gc?: () => void }).gc;

function settledRss(): number {
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().rss;
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port));
  });
}

/** A sender: writes `total` bytes of one reused chunk as fast as the socket takes them. */
class Sender {
  accepted = 0;
  finished = false;
  readonly socket: net.Socket;

  constructor(port: number, total: number, chunk: Uint8Array) {
    this.socket = net.connect(port, "127.0.0.1");
    this.socket.on("error", () => {});
    let queued = 0;
    const pump = () => {
      while (queued < total) {
        queued += chunk.length;
        const ok = this.socket.write(chunk, () => {
          this.accepted += chunk.length;
          if (this.accepted >= total) this.finished = true;
        });
        if (!ok) {
          this.socket.once("drain", pump);
          return;
        }
      }
    };
    this.socket.once("connect", pump);
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const server = createServer({
    hostKeys: [generateKey({ type: "ed25519" })],
    auth: { password: (ctx, pw) => ctx.username === "alice" && pw === "secret" },
  });
  const { port } = await server.listen(0);
  // Targets: accept and never read (pauseOnConnect: nothing is ever read from these sockets).
  const held = new Set<net.Socket>();
  const target = net.createServer({ pauseOnConnect: true }, (s) => {
    held.add(s);
    s.on("error", () => {});
  });
  const targetPort = await listen(target);
  // A draining target for the warm-up.
  const drain = net.createServer((s) => {
    s.on("data", () => {});
    s.on("error", () => {});
  });
  const drainPort = await listen(drain);

  const client = await connect({
    host: "127.0.0.1",
    port,
    username: "alice",
    password: "secret",
    hostKeys: server.fingerprints,
  });
  const listener = await client.listen({ port: 0 });
  let targetFor = drainPort;
  const locals = new Set<net.Socket>();
  listener.on("connection", (conn) => {
    const local = net.connect(targetFor, "127.0.0.1");
    locals.add(local);
    local.on("error", () => conn.destroy());
    conn.on("error", () => local.destroy());
    conn.pipe(local);
    local.pipe(conn);
  });
  const chunk = new Uint8Array(SEND_CHUNK).fill(0x5a);

  // Warm-up: one full transfer, so JIT code, cipher state and buffer pools exist before the baseline.
  const warm = new Sender(listener.port, BYTES_PER_SENDER, chunk);
  while (!warm.finished) {
    await delay(500);
    debug(`warm-up ${warm.accepted}`);
  }
  warm.socket.destroy();
  await delay(200);
  const baselineRss = settledRss();

  targetFor = targetPort;
  const senders = Array.from({ length: CHANNELS }, () => new Sender(listener.port, BYTES_PER_SENDER, chunk));
  const total = () => senders.reduce((n, s) => n + s.accepted, 0);
  const serverChannels = () => server.connections[0]?.connection.openChannels ?? [];
  let last = -1;
  let still = 0;
  let plateauReached = false;
  const deadline = performance.now() + DEADLINE_MS;
  while (performance.now() < deadline) {
    await delay(SAMPLE_MS);
    const now = total();
    const channels = serverChannels();
    const exhausted = channels.length >= CHANNELS && channels.every((c) => c.sendWindow.available === 0);
    still = now === last && exhausted ? still + SAMPLE_MS : 0;
    last = now;
    debug(`accepted ${now} channels ${channels.length} exhausted ${exhausted} still ${still}`);
    if (still >= PLATEAU_MS) {
      plateauReached = true;
      break;
    }
    if (senders.every((s) => s.finished)) break;
  }
  const acceptedAtPlateau = total();
  const stalledRss = settledRss();
  await delay(1000);
  const acceptedLater = total();

  const serverSide = serverChannels();
  const clientSide = client.connection.openChannels;
  const report: SlowReadersReport = {
    plateauReached,
    gcForced: gc !== undefined,
    channels: CHANNELS,
    bytesPerSender: BYTES_PER_SENDER,
    sendChunk: SEND_CHUNK,
    windowSize: DEFAULT_WINDOW_SIZE,
    writeHighWater: CHANNEL_WRITE_HIGH_WATER,
    baselineRss,
    stalledRss,
    acceptedAtPlateau,
    acceptedLater,
    maxAcceptedPerSender: Math.max(...senders.map((s) => s.accepted)),
    sendersFinished: senders.filter((s) => s.finished).length,
    serverMaxQueued: Math.max(0, ...serverSide.map((c) => c.queued)),
    serverMaxSendWindow: Math.max(0, ...serverSide.map((c) => c.sendWindow.available)),
    serverChannels: serverSide.length,
    clientMaxReceived: Math.max(0, ...clientSide.map((c) => c.bytesReceived)),
    clientChannels: clientSide.length,
    seconds: (performance.now() - started) / 1000,
  };

  // Clean up everything; the parent checks that the process then exits by itself. The cancel
  // is answered at once even with stalled connections still open (faults-flow.test.ts).
  await listener.close();
  for (const s of senders) s.socket.destroy();
  for (const s of held) s.destroy();
  for (const s of locals) s.destroy();
  debug("closing client");
  await client.close();
  debug("closing server");
  await server.close();
  debug("closing targets");
  await Promise.all([target, drain].map((s) => new Promise((r) => s.close(r))));
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`slow-readers worker failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
