// Unix-socket forwarding (OpenSSH PROTOCOL §2.4) between our client and our embedded server, and
// our client against the real sshd: streamlocal-forward@openssh.com with forwarded-streamlocal
// channels, and direct-streamlocal@openssh.com — each carrying data byte-exact.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type SshClient } from "@purssh/client";
import { generateKey } from "@purssh/keys";
import { createServer, type SshServer } from "@purssh/server";
import { randomBytes, startEchoServer } from "@purssh/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from "vitest";

let dir: string;
const cleanup: (() => Promise<void> | void)[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "purssh-unix-"));
  // sshd binds streamlocal forwards as the logged-in (unprivileged) test user.
  chmodSync(dir, 0o1777);
});
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function roundTripUnix(path: string, data: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const c = net.connect(path);
    const chunks: Buffer[] = [];
    c.on("data", (d: Buffer) => chunks.push(d));
    c.on("end", () => resolve(Buffer.concat(chunks)));
    c.on("error", reject);
    c.end(data);
  });
}

/** A Unix-socket echo server. */
async function unixEcho(path: string): Promise<net.Server> {
  const srv = net.createServer((s) => s.pipe(s));
  await new Promise<void>((r) => srv.listen(path, r));
  cleanup.push(() => new Promise<void>((r) => srv.close(() => r())));
  return srv;
}

async function ourServer(): Promise<{ server: SshServer; client: SshClient }> {
  const server = createServer({ hostKeys: [generateKey({ type: "ed25519" })], auth: { password: () => true } });
  const { port } = await server.listen(0);
  cleanup.push(() => server.close());
  const client = await connect({
    host: "127.0.0.1",
    port,
    username: "u",
    password: "x",
    hostKeys: server.fingerprints,
  });
  cleanup.push(() => client.close());
  return { server, client };
}

describe("streamlocal with the embedded server", () => {
  test("listenUnix: connections to the server's socket reach us, 1 MiB byte-exact; cancel removes it", async () => {
    const { client } = await ourServer();
    const path = join(dir, "remote.sock");
    const listener = await client.listenUnix(path);
    listener.on("connection", (conn) => conn.pipe(conn));
    const data = randomBytes(1024 * 1024);
    const back = await roundTripUnix(path, data);
    expect(Buffer.compare(back, Buffer.from(data))).toBe(0);
    await listener.close();
    await expect(roundTripUnix(path, data)).rejects.toThrow();
  });

  test("forwardOutUnix: direct-streamlocal to a socket on the server side", async () => {
    const { client } = await ourServer();
    const path = join(dir, "echo.sock");
    await unixEcho(path);
    const stream = await client.forwardOutUnix(path);
    const data = randomBytes(512 * 1024);
    const back: Buffer[] = [];
    stream.on("data", (d: Buffer) => back.push(d));
    const ended = new Promise((r) => stream.on("end", r));
    stream.end(data);
    await ended;
    expect(Buffer.compare(Buffer.concat(back), Buffer.from(data))).toBe(0);
  });
});

const sshd = inject("sshd");
describe.skipIf(!sshd)("streamlocal against OpenSSH sshd", () => {
  test("listenUnix through sshd: 1 MiB byte-exact", async () => {
    const s = sshd!;
    const client = await connect({
      host: "127.0.0.1",
      port: s.port,
      username: s.user,
      password: s.password,
      hostKeys: [s.hostKeyFingerprint],
    });
    cleanup.push(() => client.close());
    const path = join(dir, `sshd-${Date.now()}.sock`);
    const listener = await client.listenUnix(path);
    const echo = await startEchoServer();
    cleanup.push(() => echo.close());
    listener.on("connection", (conn) => {
      const local = net.connect(echo.port, "127.0.0.1");
      conn.pipe(local);
      local.pipe(conn);
    });
    const data = randomBytes(1024 * 1024);
    const back = await roundTripUnix(path, data);
    expect(Buffer.compare(back, Buffer.from(data))).toBe(0);
    await listener.close();
  });
});
