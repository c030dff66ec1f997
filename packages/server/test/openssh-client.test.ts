// OpenSSH's own client (/usr/bin/ssh) against our embedded server (DESIGN.md testing layer 5):
// host-key pinning through known_hosts, remote forwarding (RFC 4254 §7.1) with port 0, explicit
// ports and bind addresses under each GatewayPorts policy, refused forwardings, local forwarding
// through direct-tcpip (§7.2), and `exec` sessions (§6.5, §6.10) with stdin, stdout, stderr and
// the exit status. Every ssh is started by the test and killed in afterEach.
import * as net from "node:net";
import { networkInterfaces } from "node:os";
import { generateKey } from "@purssh/keys";
import type { ExecRequest, ForwardingOptions, ServerOptions } from "@purssh/server";
import { freePort, randomBytes, roundTripThrough } from "@purssh/testkit";
import { describe, expect, test } from "vitest";
import { knownHostsLines, opensshSuite, runSsh, type SshTarget, spawnSsh, sshArgs, startServer } from "./openssh.js";

const hostKey = generateKey({ type: "ed25519" });
const MiB = 1024 * 1024;

const suite = opensshSuite("openssh-client");

/** The exec handler the tests use: `cat` echoes stdin, `upper` upper-cases it, `fail N` exits N. */
function execHandler(req: ExecRequest): void {
  const [verb, arg] = req.command.split(" ");
  if (verb === "cat") {
    req.stream.pipe(req.stream);
    req.stream.once("finish", () => req.exit(0));
    return;
  }
  const chunks: Buffer[] = [];
  req.stream.on("data", (d: Buffer) => chunks.push(d));
  req.stream.on("end", () => {
    const input = Buffer.concat(chunks);
    if (verb === "upper") {
      // Extended data, like data, must precede the channel's EOF (RFC 4254 §5.3).
      req.stderr(`upper: ${input.length} bytes\n`);
      req.stream.end(input.toString("latin1").toUpperCase());
      req.exit(0);
    } else if (verb === "fail") {
      req.stderr("something went wrong\n");
      req.stream.end(`read ${input.length}\n`);
      req.exit(Number(arg));
    } else {
      req.stderr(`${verb}: command not found\n`);
      req.exit(127);
    }
  });
}

async function server(overrides: Partial<ServerOptions> = {}, withExec = true) {
  return startServer(suite.ws, {
    hostKeys: [hostKey],
    authorizedKeys: suite.userKey.publicLine,
    ...(withExec ? { exec: execHandler } : {}),
    ...overrides,
  });
}

function target(s: { port: number; knownHosts: string }, options: string[] = []): SshTarget {
  return { port: s.port, identity: suite.userKey.path, knownHosts: s.knownHosts, options };
}

/** Connects to host:port and resolves true if the connection was accepted, false if refused. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ECONNREFUSED" || e.code === "EADDRNOTAVAIL") resolve(false);
      else reject(e);
    });
  });
}

/** A non-loopback IPv4 address of this machine, if it has one. */
const externalIPv4 = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === "IPv4" && !a.internal)?.address;

describe("host key verification (RFC 4253 §8) by ssh's known_hosts", () => {
  test("the ed25519 host key pinned as [127.0.0.1]:PORT is accepted under StrictHostKeyChecking=yes", async () => {
    const s = await server();
    const r = await runSsh(sshArgs(target(s, ["-v"]), "upper"), { input: "pinned" });
    expect(r.stderr).toMatch(/Host '\[127\.0\.0\.1\]:\d+' is known and matches the ED25519 host key/);
    expect(r.stdout.toString()).toBe("PINNED");
    expect(r.code).toBe(0);
  });

  test("a different key pinned for [127.0.0.1]:PORT makes ssh refuse before authenticating", async () => {
    const s = await server();
    const wrong = await suite.ws.write(
      `known_hosts-wrong-${s.port}`,
      knownHostsLines(s.port, [generateKey({ type: "ed25519" })]),
    );
    const r = await runSsh(sshArgs({ ...target(s), knownHosts: wrong }, "upper"), { input: "x" });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    expect(r.stdout.length).toBe(0);
    expect(s.log.some((l) => /logged in/.test(l))).toBe(false);
  });

  test("an unknown host is refused under StrictHostKeyChecking=yes", async () => {
    const s = await server();
    const empty = await suite.ws.write(`known_hosts-empty-${s.port}`, "");
    const r = await runSsh(sshArgs({ ...target(s), knownHosts: empty }, "upper"), { input: "x" });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/No ED25519 host key is known|Host key verification failed/);
  });
});

describe("remote forwarding: ssh -R (RFC 4254 §7.1)", () => {
  test("-R 0:… : the server allocates the port, ssh prints it, 4 MiB round-trips byte-exact", async () => {
    const s = await server();
    const ssh = spawnSsh(sshArgs(target(s, ["-N", "-R", `0:127.0.0.1:${suite.echo.port}`])));
    const [m] = await ssh.waitForStderr(/Allocated port (\d+) for remote forward to 127\.0\.0\.1:(\d+)/);
    const port = Number(m![1]);
    expect(port).toBeGreaterThan(0);
    expect(Number(m![2])).toBe(suite.echo.port);
    expect(s.server.connections[0]!.forwardListeners.map((l) => l.port)).toEqual([port]);
    const data = randomBytes(4 * MiB);
    const back = await roundTripThrough(port, data);
    expect(back.length).toBe(data.length);
    expect(Buffer.compare(back, Buffer.from(data))).toBe(0);
  });

  // Each case: the -R bind address (undefined = none given), and where the server must listen.
  type Where = "loopback" | "any" | "external";
  const cases: Record<"no" | "yes" | "clientspecified", [bind: string | undefined, where: Where][]> = {
    no: [
      ["127.0.0.1", "loopback"],
      [undefined, "loopback"],
      ["localhost", "loopback"],
      ["0.0.0.0", "loopback"],
      ["*", "loopback"],
    ],
    yes: [
      ["127.0.0.1", "any"],
      [undefined, "any"],
      ["localhost", "any"],
      ["0.0.0.0", "any"],
      ["*", "any"],
    ],
    clientspecified: [
      ["127.0.0.1", "loopback"],
      [undefined, "loopback"], // ssh sends "localhost" when no bind address is given
      ["localhost", "loopback"],
      ["0.0.0.0", "any"],
      ["*", "any"], // sent as ""
      ...(externalIPv4 ? ([[externalIPv4, "external"]] as [string, Where][]) : []),
    ],
  };

  for (const [policy, forwards] of Object.entries(cases) as [keyof typeof cases, (typeof cases)["no"]][]) {
    test(`GatewayPorts ${policy}: ${forwards.map(([b]) => JSON.stringify(b ?? "(none)")).join(", ")} bind where sshd would`, async () => {
      const s = await server({ forwarding: { gatewayPorts: policy } });
      const ports: number[] = [];
      for (const _ of forwards) ports.push(await freePort());
      const specs = forwards.flatMap(([bind], i) => [
        "-R",
        `${bind === undefined ? "" : `${bind}:`}${ports[i]}:127.0.0.1:${suite.echo.port}`,
      ]);
      const ssh = spawnSsh(sshArgs(target(s, ["-v", "-N", "-o", "ExitOnForwardFailure=yes", ...specs])));
      await ssh.waitForStderr(/remote forward success for: listen /, { count: forwards.length });
      const listeners = s.server.connections[0]!.forwardListeners;
      for (const [i, [bind, where]] of forwards.entries()) {
        const port = ports[i]!;
        const listener = listeners.find((l) => l.port === port);
        expect(listener, `listener for ${bind}:${port}`).toBeDefined();
        const addresses = listener!.addresses;
        if (where === "loopback") {
          expect(
            addresses.every((a) => a === "127.0.0.1" || a === "::1"),
            `${bind} → ${addresses}`,
          ).toBe(true);
          expect(addresses).toContain("127.0.0.1");
        } else if (where === "any") {
          expect(
            addresses.every((a) => a === "::" || a === "0.0.0.0"),
            `${bind} → ${addresses}`,
          ).toBe(true);
        } else {
          expect(addresses).toEqual([externalIPv4]);
        }
        const viaLoopback = await accepts("127.0.0.1", port);
        expect(viaLoopback, `127.0.0.1:${port} (${bind})`).toBe(where !== "external");
        if (viaLoopback) {
          const data = randomBytes(64 * 1024);
          expect(Buffer.compare(await roundTripThrough(port, data), Buffer.from(data))).toBe(0);
        }
        if (externalIPv4) {
          expect(await accepts(externalIPv4, port), `${externalIPv4}:${port} (${bind})`).toBe(where !== "loopback");
        }
      }
    });
  }

  const refusals: [
    name: string,
    setup: () => Promise<{ spec: string; options?: ForwardingOptions; cleanup?: () => void }>,
  ][] = [
    [
      "PermitListen none",
      async () => ({ spec: `${await freePort()}:127.0.0.1:1`, options: { permitListen: ["none"] } }),
    ],
    ["a privileged port (80)", async () => ({ spec: "80:127.0.0.1:1" })],
    [
      "a port already in use",
      async () => {
        const busy = net.createServer();
        await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
        const port = (busy.address() as net.AddressInfo).port;
        return { spec: `127.0.0.1:${port}:127.0.0.1:1`, cleanup: () => busy.close() };
      },
    ],
    [
      "PermitListen naming another port",
      async () => ({ spec: `${await freePort()}:127.0.0.1:1`, options: { permitListen: ["localhost:1"] } }),
    ],
  ];
  for (const [name, setup] of refusals) {
    test(`refused forwarding (${name}): ssh -o ExitOnForwardFailure=yes exits non-zero`, async () => {
      const { spec, options, cleanup } = await setup();
      try {
        const s = await server({ forwarding: options ?? {} });
        const r = await runSsh(sshArgs(target(s, ["-N", "-o", "ExitOnForwardFailure=yes", "-R", spec])));
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/remote port forwarding failed for listen port/);
        expect(s.log.some((l) => /remote forwarding .* refused/.test(l))).toBe(true);
      } finally {
        cleanup?.();
      }
    });
  }
});

describe("local forwarding: ssh -L through direct-tcpip (RFC 4254 §7.2)", () => {
  test("-L LOCAL:127.0.0.1:ECHO carries 4 MiB byte-exact", async () => {
    const s = await server();
    const local = await freePort();
    const ssh = spawnSsh(
      sshArgs(
        target(s, [
          "-v",
          "-N",
          "-o",
          "ExitOnForwardFailure=yes",
          "-L",
          `127.0.0.1:${local}:127.0.0.1:${suite.echo.port}`,
        ]),
      ),
    );
    await ssh.waitForStderr(/Local forwarding listening on 127\.0\.0\.1 port/);
    const before = suite.echo.connections;
    const data = randomBytes(4 * MiB);
    const back = await roundTripThrough(local, data);
    expect(back.length).toBe(data.length);
    expect(Buffer.compare(back, Buffer.from(data))).toBe(0);
    expect(suite.echo.connections).toBe(before + 1);
  });

  test("permitOpen 127.0.0.1:1 refuses other targets: administratively prohibited, connection closed", async () => {
    const s = await server({ forwarding: { permitOpen: ["127.0.0.1:1"] } });
    const local = await freePort();
    const ssh = spawnSsh(sshArgs(target(s, ["-v", "-N", "-L", `127.0.0.1:${local}:127.0.0.1:${suite.echo.port}`])));
    await ssh.waitForStderr(/Local forwarding listening on 127\.0\.0\.1 port/);
    const before = suite.echo.connections;
    const back = await roundTripThrough(local, randomBytes(1024)).catch((e: NodeJS.ErrnoException) => e.code);
    expect(back === "ECONNRESET" || (Buffer.isBuffer(back) && back.length === 0), String(back)).toBe(true);
    await ssh.waitForStderr(/open failed: administratively prohibited/);
    expect(suite.echo.connections).toBe(before);
    expect(ssh.child.exitCode).toBeNull(); // a refused channel does not end the connection
  });
});

describe("exec sessions: ssh host command (RFC 4254 §6.5, §6.10)", () => {
  test("1 MiB of random stdin comes back byte-exact from `cat`, exit status 0", async () => {
    const s = await server();
    const data = randomBytes(MiB);
    const r = await runSsh(sshArgs(target(s), "cat"), { input: data });
    expect(r.stderr).toBe("");
    expect(r.stdout.length).toBe(data.length);
    expect(Buffer.compare(r.stdout, Buffer.from(data))).toBe(0);
    expect(r.code).toBe(0);
  });

  test("stdout, stderr (extended data) and the exit status reach ssh separately", async () => {
    const s = await server();
    const up = await runSsh(sshArgs(target(s), "upper"), { input: "hello, openssh" });
    expect(up.stdout.toString()).toBe("HELLO, OPENSSH");
    expect(up.stderr).toBe("upper: 14 bytes\n");
    expect(up.code).toBe(0);
    const fail = await runSsh(sshArgs(target(s), "fail", "42"), { input: "abc" });
    expect(fail.stdout.toString()).toBe("read 3\n");
    expect(fail.stderr).toBe("something went wrong\n");
    expect(fail.code).toBe(42);
    expect(s.log.filter((l) => /exec for alice: /.test(l))).toEqual([
      expect.stringContaining("exec for alice: upper"),
      expect.stringContaining("exec for alice: fail 42"),
    ]);
  });

  test("a server without an exec handler refuses the command; ssh exits non-zero", async () => {
    const s = await server({}, false);
    const r = await runSsh(sshArgs(target(s, ["-v"]), "upper"), { input: "x" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/exec request failed on channel 0/);
    expect(r.stdout.length).toBe(0);
  });
});
