// OpenSSH's ssh against our server's transport under load (DESIGN.md testing layer 5): delayed
// compression (zlib@openssh.com, OpenSSH PROTOCOL §1.2) and key re-exchange (RFC 4253 §9)
// started by ssh (RekeyLimit) and by our server (rekeyBytes), each with data byte-exact through
// an `ssh -R` tunnel while the keys change under it.
import { generateKey } from "@purssh/keys";
import { randomBytes, roundTripThrough } from "@purssh/testkit";
import { describe, expect, test } from "vitest";
import { opensshSuite, type StartedServer, spawnSsh, sshArgs, startServer } from "./openssh.js";

const hostKey = generateKey({ type: "ed25519" });
const MiB = 1024 * 1024;

const suite = opensshSuite("openssh-transport");

/** `ssh -N -R 0:127.0.0.1:ECHO` with extra options; resolves the port the server allocated. */
async function tunnel(s: StartedServer, options: string[]): Promise<{ port: number; stderr: () => string }> {
  const ssh = spawnSsh(
    sshArgs({
      port: s.port,
      identity: suite.userKey.path,
      knownHosts: s.knownHosts,
      options: [...options, "-N", "-R", `0:127.0.0.1:${suite.echo.port}`],
    }),
  );
  const [m] = await ssh.waitForStderr(/Allocated port (\d+) for remote forward/);
  return { port: Number(m![1]), stderr: ssh.stderr };
}

async function roundTripExact(port: number, data: Uint8Array): Promise<void> {
  const back = await roundTripThrough(port, data);
  expect(back.length).toBe(data.length);
  expect(Buffer.compare(back, Buffer.from(data))).toBe(0);
}

const rekeys = (s: StartedServer) => s.log.filter((l) => l.endsWith("key re-exchange complete")).length;

/**
 * Who started each key exchange after the first, from `ssh -v`: ssh logs "SSH2_MSG_KEXINIT sent"
 * before "received" when it initiates, and the other way round when it answers the server's.
 */
function initiators(stderr: string): { client: number; server: number } {
  const events = [...stderr.matchAll(/SSH2_MSG_KEXINIT (sent|received)/g)].map((m) => m[1]);
  const count = { client: 0, server: 0 };
  for (let i = 2; i + 1 < events.length; i += 2) count[events[i] === "sent" ? "client" : "server"]++;
  return count;
}

describe("compression: ssh -C (zlib@openssh.com, delayed until after authentication)", () => {
  test("ssh -C -R 0:… negotiates zlib@openssh.com both ways and carries 4 MiB byte-exact", async () => {
    const s = await startServer(suite.ws, { hostKeys: [hostKey], authorizedKeys: suite.userKey.publicLine });
    const t = await tunnel(s, ["-C", "-v"]);
    const negotiated = s.server.connections[0]!.transport.negotiated!;
    expect(negotiated.compressionClientToServer).toBe("zlib@openssh.com");
    expect(negotiated.compressionServerToClient).toBe("zlib@openssh.com");
    expect(s.log.some((l) => /negotiated kex .*, compression zlib@openssh\.com/.test(l))).toBe(true);
    expect(t.stderr()).toMatch(/kex: server->client cipher: \S+ MAC: \S+ compression: zlib@openssh\.com/);
    // Half incompressible, half very compressible: both paths of the deflate stream.
    const data = new Uint8Array(4 * MiB);
    data.set(randomBytes(2 * MiB));
    data.fill(0x61, 2 * MiB);
    await roundTripExact(t.port, data);
  });
});

describe("key re-exchange (RFC 4253 §9) while a tunnel carries data", () => {
  test("ssh -o RekeyLimit=1M: 16 MiB byte-exact through several client-initiated re-exchanges", async () => {
    const s = await startServer(suite.ws, { hostKeys: [hostKey], authorizedKeys: suite.userKey.publicLine });
    const t = await tunnel(s, ["-o", "RekeyLimit=1M", "-v"]);
    await roundTripExact(t.port, randomBytes(16 * MiB));
    // 16 MiB each way with a 1 MiB limit: ssh re-keys about every MiB it sends or receives.
    expect(rekeys(s)).toBeGreaterThanOrEqual(8);
    expect(initiators(t.stderr())).toMatchObject({ server: 0 });
    expect(initiators(t.stderr()).client).toBeGreaterThanOrEqual(8);
  });

  test("server rekeyBytes 1 MiB: our server initiates the re-exchanges; 16 MiB byte-exact", async () => {
    const s = await startServer(suite.ws, {
      hostKeys: [hostKey],
      authorizedKeys: suite.userKey.publicLine,
      rekeyBytes: MiB,
    });
    // ssh's own limit is far away, so every re-exchange is the server's.
    const t = await tunnel(s, ["-o", "RekeyLimit=4G", "-v"]);
    await roundTripExact(t.port, randomBytes(16 * MiB));
    expect(rekeys(s)).toBeGreaterThanOrEqual(8);
    expect(initiators(t.stderr())).toMatchObject({ client: 0 });
    expect(initiators(t.stderr()).server).toBeGreaterThanOrEqual(8);
    expect(s.server.connections[0]!.transport.negotiated?.kex).toBe("curve25519-sha256");
  });
});
