// requestForwarding in local-forwarding (relay) mode against the real OpenSSH sshd.
import * as net from "node:net";
import { randomBytes, requireSshd, sha256Hex, startEchoServer, withTimeout } from "@purssh/testkit";
import { SSHTunnelErrorCodes } from "@purssh/tunnel";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { passwordTunnel, refused, roundTrip, sleep } from "./helpers.js";

const sshd = inject("sshd");

describe.skipIf(!sshd)(
  "requestForwarding relays each connection to a local service (RFC 4254 §7)",
  { timeout: 60_000 },
  () => {
    let echo: Awaited<ReturnType<typeof startEchoServer>>;
    beforeAll(async () => {
      echo = await startEchoServer();
    });
    afterAll(async () => {
      await echo?.close();
    });

    test("port 0: the server picks the port, ForwardedPort reports it, 10 MiB come back byte-exact", async () => {
      const s = requireSshd(sshd);
      const t = passwordTunnel(s);
      expect(t.config("ForwardedPort")).toBe("0");
      await t.SSHLogon(s.host, s.port);
      try {
        await t.requestForwarding("127.0.0.1", 0, "127.0.0.1", echo.port);
        const port = Number(t.config("ForwardedPort"));
        expect(port).toBeGreaterThan(0);
        const data = randomBytes(10 * 1024 * 1024);
        const back = await withTimeout(roundTrip(port, data), 45_000, "10 MiB echo");
        expect(back.length).toBe(data.length);
        expect(sha256Hex(back)).toBe(sha256Hex(data));
      } finally {
        await t.SSHLogoff();
      }
    });

    test("20 parallel connections, each carrying more than a window (3 MiB), all come back intact", async () => {
      const s = requireSshd(sshd);
      const t = passwordTunnel(s);
      await t.SSHLogon(s.host, s.port);
      try {
        await t.requestForwarding("127.0.0.1", 0, "127.0.0.1", echo.port);
        const port = Number(t.config("ForwardedPort"));
        const results = await withTimeout(
          Promise.all(
            Array.from({ length: 20 }, async () => {
              const data = randomBytes(3 * 1024 * 1024);
              const back = await roundTrip(port, data);
              return sha256Hex(back) === sha256Hex(data) && back.length === data.length;
            }),
          ),
          55_000,
          "20 parallel echoes",
        );
        expect(results.filter(Boolean)).toHaveLength(20);
      } finally {
        await t.SSHLogoff();
      }
    });

    test("RFC 4254 §5.3: EOF propagates both ways in relay mode", async () => {
      const s = requireSshd(sshd);
      // A local service that reads until EOF, then answers and closes: it only answers if our EOF
      // reached it, and the remote client only sees 'end' if the service's EOF reached it.
      const service = net.createServer((sock) => {
        let n = 0;
        sock.on("data", (d) => (n += d.length));
        sock.on("end", () => sock.end(`got ${n} bytes`));
      });
      await new Promise<void>((r) => service.listen(0, "127.0.0.1", r));
      const t = passwordTunnel(s);
      await t.SSHLogon(s.host, s.port);
      try {
        await t.requestForwarding("127.0.0.1", 0, "127.0.0.1", (service.address() as net.AddressInfo).port);
        const back = await withTimeout(
          roundTrip(Number(t.config("ForwardedPort")), randomBytes(100_000)),
          10_000,
          "half-close",
        );
        expect(back.toString()).toBe("got 100000 bytes");
      } finally {
        await t.SSHLogoff();
        service.close();
      }
    });

    test("after cancelForwarding the port refuses connections", async () => {
      const s = requireSshd(sshd);
      const t = passwordTunnel(s);
      await t.SSHLogon(s.host, s.port);
      try {
        await t.requestForwarding("127.0.0.1", 0, "127.0.0.1", echo.port);
        const port = Number(t.config("ForwardedPort"));
        expect(await roundTrip(port, Buffer.from("ping"))).toEqual(Buffer.from("ping"));
        await t.cancelForwarding("127.0.0.1", port);
        await sleep(100);
        expect(await refused(port)).toBe(true);
      } finally {
        await t.SSHLogoff();
      }
    });

    test("requests in flight at once each get their own answer; the refused one rejects with 1098", async () => {
      const s = requireSshd(sshd);
      // A port already taken on the server side makes sshd refuse that tcpip-forward.
      const blocker = net.createServer();
      await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
      const taken = (blocker.address() as net.AddressInfo).port;
      const t = passwordTunnel(s);
      await t.SSHLogon(s.host, s.port);
      try {
        const outcomes = await Promise.allSettled([
          t.requestForwarding("127.0.0.1", 0, "127.0.0.1", echo.port),
          t.requestForwarding("127.0.0.1", taken, "127.0.0.1", echo.port),
          t.requestForwarding("127.0.0.1", 0, "127.0.0.1", echo.port),
        ]);
        expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
        const refusal = (outcomes[1] as PromiseRejectedResult).reason;
        expect(refusal.code).toBe(SSHTunnelErrorCodes.FORWARDING_DENIED);
        expect(refusal.message).toContain(String(taken));
        // Both granted forwardings work and are distinct.
        const last = Number(t.config("ForwardedPort"));
        expect(await roundTrip(last, Buffer.from("still works"))).toEqual(Buffer.from("still works"));
      } finally {
        await t.SSHLogoff();
        blocker.close();
      }
    });

    test("an unreachable local target refuses the channel and raises Error, without ending the tunnel", async () => {
      const s = requireSshd(sshd);
      const closedPort = await new Promise<number>((r) => {
        const srv = net.createServer().listen(0, "127.0.0.1", () => {
          const p = (srv.address() as net.AddressInfo).port;
          srv.close(() => r(p));
        });
      });
      const t = passwordTunnel(s);
      const errors: string[] = [];
      t.on("Error", (e) => errors.push(e.description));
      await t.SSHLogon(s.host, s.port);
      try {
        await t.requestForwarding("127.0.0.1", 0, "127.0.0.1", closedPort);
        // sshd closes (or resets) the remote client's connection when our channel open fails.
        const back = await withTimeout(
          roundTrip(Number(t.config("ForwardedPort")), Buffer.from("x")).catch(() => Buffer.alloc(0)),
          10_000,
          "refused relay",
        );
        expect(back.length).toBe(0);
        expect(errors.some((e) => e.includes("relay"))).toBe(true);
        expect(t.getConnected()).toBe(true);
      } finally {
        await t.SSHLogoff();
      }
    });
  },
);
