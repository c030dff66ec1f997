// DESIGN.md testing layer 4 at volume: 1 GiB byte-exact through a reverse tunnel from our
// embedded server to our client over loopback TCP, with zlib@openssh.com compression on (OpenSSH
// PROTOCOL §1.2) and a forced key re-exchange every 64 MiB (RFC 4253 §9), on the pure-JS crypto
// path. Nothing holds the gigabyte: the source generates it chunk by chunk and both ends hash
// incrementally (SHA-256, node:crypto).
import { createHash } from "node:crypto";
import * as net from "node:net";
import { connect } from "@purssh/client";
import { generateKey } from "@purssh/keys";
import { createServer } from "@purssh/server";
import { withTimeout } from "@purssh/testkit";
import { expect, test } from "vitest";

const GIB = 1024 * 1024 * 1024;
const REKEY_BYTES = 64 * 1024 * 1024;
const CHUNK = 256 * 1024;
/**
 * About 40 s of CPU here, deflate dominating (see redundantStream): 36 s wall on a quiet 2-core
 * machine, 165 s at load average 10. The margin is for a CI machine running other files at once.
 */
const TEST_TIMEOUT_MS = 300_000;
const BLOCK_WORDS = 1024;
const MUTATIONS_PER_BLOCK = 32;

/**
 * `total` bytes of pseudo-random data with redundancy, CHUNK at a time: a 4 KiB block of xorshift32
 * words in which MUTATIONS_PER_BLOCK random words change before each copy goes out. It never
 * repeats, yet deflate finds long matches (about 20:1). Less redundant data is not an option at
 * this volume: pure-JS deflate at OpenSSH's level 6 manages 6–12 MiB/s on random-looking input
 * here, which would make 1 GiB take minutes.
 */
function* redundantStream(total: number, seed = 0x9e3779b9): Generator<Uint8Array> {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const block = new Uint32Array(BLOCK_WORDS);
  for (let i = 0; i < BLOCK_WORDS; i++) block[i] = next();
  for (let sent = 0; sent < total; sent += CHUNK) {
    const n = Math.min(CHUNK, total - sent);
    const words = new Uint32Array(Math.ceil(n / 4 / BLOCK_WORDS) * BLOCK_WORDS);
    for (let at = 0; at < words.length; at += BLOCK_WORDS) {
      for (let j = 0; j < MUTATIONS_PER_BLOCK; j++) {
        const r = next();
        block[r % BLOCK_WORDS] = r;
      }
      words.set(block, at);
    }
    yield new Uint8Array(words.buffer, 0, n);
  }
}

/** A TCP sink on 127.0.0.1 that hashes one connection's bytes and resolves at its end. */
function startHashingSink(): Promise<{
  port: number;
  result: Promise<{ bytes: number; sha256: string }>;
  close(): void;
}> {
  return new Promise((resolve, reject) => {
    let settle!: (r: { bytes: number; sha256: string }) => void;
    let fail!: (e: Error) => void;
    const result = new Promise<{ bytes: number; sha256: string }>((res, rej) => {
      settle = res;
      fail = rej;
    });
    const server = net.createServer((socket) => {
      const hash = createHash("sha256");
      let bytes = 0;
      socket.on("data", (d: Buffer) => {
        bytes += d.length;
        hash.update(d);
      });
      socket.on("end", () => {
        settle({ bytes, sha256: hash.digest("hex") });
        socket.end();
      });
      socket.on("error", fail);
    });
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({ port, result, close: () => server.close() });
    });
  });
}

/** Connects to port, writes the stream honouring backpressure, half-closes; resolves its hash. */
function sendStream(port: number, chunks: Iterable<Uint8Array>): Promise<{ bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    let bytes = 0;
    const it = chunks[Symbol.iterator]();
    const socket = net.connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    socket.on("error", reject);
    socket.on("data", () => {});
    const pump = () => {
      for (;;) {
        const next = it.next();
        if (next.done) {
          socket.end(() => resolve({ bytes, sha256: hash.digest("hex") }));
          return;
        }
        hash.update(next.value);
        bytes += next.value.length;
        if (!socket.write(next.value)) {
          socket.once("drain", pump);
          return;
        }
      }
    };
    socket.once("connect", pump);
  });
}

test("RFC 4253 §9 + OpenSSH PROTOCOL §1.2: 1 GiB byte-exact through a reverse tunnel, zlib@openssh.com, rekey every 64 MiB", {
  timeout: TEST_TIMEOUT_MS,
}, async () => {
  const server = createServer({
    hostKeys: [generateKey({ type: "ed25519" })],
    auth: { password: (ctx, pw) => ctx.username === "alice" && pw === "secret" },
  });
  const { port } = await server.listen(0);
  const sink = await startHashingSink();
  // Our own socket (connect's `sock` option), so that the bytes on the wire can be counted.
  const wire = net.connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    wire.once("connect", resolve);
    wire.once("error", reject);
  });
  wire.setNoDelay(true);
  const client = await connect({
    sock: wire,
    host: "127.0.0.1",
    port,
    username: "alice",
    password: "secret",
    hostKeys: server.fingerprints,
    compress: true,
    rekeyBytes: REKEY_BYTES,
  });
  try {
    let rekeys = 0;
    client.on("rekeyed", () => rekeys++);
    expect(client.algorithms?.compressionServerToClient).toBe("zlib@openssh.com");
    expect(client.algorithms?.compressionClientToServer).toBe("zlib@openssh.com");
    const cipher = client.algorithms?.cipherServerToClient;
    const listener = await client.listen({ port: 0 });
    listener.on("connection", (conn) => {
      const local = net.connect(sink.port, "127.0.0.1");
      local.setNoDelay(true);
      conn.pipe(local);
      local.pipe(conn);
    });

    const wireBefore = wire.bytesRead;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const sent = await withTimeout(
      sendStream(listener.port, redundantStream(GIB)),
      TEST_TIMEOUT_MS - 10_000,
      "sending 1 GiB",
    );
    const received = await withTimeout(sink.result, TEST_TIMEOUT_MS - 10_000, "receiving 1 GiB");
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const wireBytes = wire.bytesRead - wireBefore;
    console.log(
      `1 GiB through the tunnel (${cipher}, zlib@openssh.com, both ends in this process): ` +
        `${seconds.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU, ` +
        `${(1024 / seconds).toFixed(1)} MiB/s, ${rekeys} rekeys, ${(wireBytes / 2 ** 20).toFixed(1)} MiB on the wire`,
    );

    expect(sent.bytes).toBe(GIB);
    expect(received.bytes).toBe(GIB);
    expect(received.sha256).toBe(sent.sha256);
    // 1 GiB of payload through the client's counter (both directions) at 64 MiB per exchange.
    expect(rekeys).toBeGreaterThanOrEqual(15);
    // The gigabyte crossed the SSH connection compressed (the data deflates about 20:1).
    expect(wireBytes).toBeLessThan(GIB / 8);
    expect(client.algorithms?.compressionServerToClient).toBe("zlib@openssh.com");
  } finally {
    await client.close();
    sink.close();
    await server.close();
  }
  expect(server.connections).toHaveLength(0);
});
