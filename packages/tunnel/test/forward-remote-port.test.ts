// The idiomatic face the facade's relay mode is built on: forwardRemotePort(client, { bind, to })
// — `ssh -R` in one call, with the bound port, close(), `await using`, an AbortSignal and async
// iteration over the relayed connections — against the real sshd.
import { connect } from "@purssh/client";
import { randomBytes, requireSshd, sha256Hex, startEchoServer, withTimeout } from "@purssh/testkit";
import { forwardRemotePort, type RelayedConnection } from "@purssh/tunnel";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { listenLocal, refused, roundTrip, roundTripText, sleep } from "./helpers.js";

const sshd = inject("sshd");

describe.skipIf(!sshd)("forwardRemotePort", { timeout: 30_000 }, () => {
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  beforeAll(async () => {
    echo = await startEchoServer();
  });
  afterAll(async () => {
    await echo?.close();
  });

  const login = () => {
    const s = requireSshd(sshd);
    return connect({ host: s.host, port: s.port, username: s.user, password: s.password, hostKeys: [s.hostKeyPublic] });
  };

  test("relays each connection to `to` (3 MiB byte-exact), reports the bound port, and `await using` cancels it", async () => {
    await using ssh = await login();
    let port = 0;
    {
      await using forward = await forwardRemotePort(ssh, {
        bind: { host: "127.0.0.1", port: 0 },
        to: { host: "127.0.0.1", port: echo.port },
      });
      port = forward.port;
      expect(port).toBeGreaterThan(0);
      expect(forward.address).toBe("127.0.0.1");
      const data = randomBytes(3 * 1024 * 1024);
      const back = await withTimeout(roundTrip(port, data), 20_000, "relay");
      expect(sha256Hex(back)).toBe(sha256Hex(data));
    }
    await sleep(100);
    expect(await refused(port)).toBe(true);
  });

  test("async iteration yields each relayed connection with its origin; the accept hook can refuse", async () => {
    await using ssh = await login();
    let accepted = 0;
    const forward = await forwardRemotePort(ssh, {
      bind: { host: "127.0.0.1", port: 0 },
      to: { host: "127.0.0.1", port: echo.port },
      // The first two connections from 127.0.0.1 are let through; any later one is refused.
      accept: (info) => info.originAddress === "127.0.0.1" && ++accepted <= 2,
    });
    const seen: RelayedConnection[] = [];
    const iterating = (async () => {
      for await (const c of forward) {
        seen.push(c);
        if (seen.length === 2) break;
      }
    })();
    expect(await roundTripText(forward.port, "one")).toBe("one");
    expect(await roundTripText(forward.port, "two")).toBe("two");
    await withTimeout(iterating, 5000, "iteration");
    expect(seen.map((c) => c.info.originAddress)).toEqual(["127.0.0.1", "127.0.0.1"]);
    expect(seen[0]!.info.connectedPort).toBe(forward.port);
    expect(seen[1]!.connection.originPort).toBeGreaterThan(0);
    expect(await roundTripText(forward.port, "three").catch(() => "")).toBe("");
    await forward.close();
    expect(forward.closed).toBe(true);
  });

  test("an unreachable target refuses the channel and emits targetError; an AbortSignal closes the forwarding", async () => {
    await using ssh = await login();
    const dead = await listenLocal(() => {});
    const deadPort = dead.port;
    await new Promise<void>((r) => dead.close(() => r()));
    const abort = new AbortController();
    const forward = await forwardRemotePort(ssh, {
      bind: { port: 0, host: "127.0.0.1" },
      to: { host: "127.0.0.1", port: deadPort },
      signal: abort.signal,
    });
    const errors: string[] = [];
    forward.on("targetError", (e: Error) => errors.push(e.message));
    const back = await roundTripText(forward.port, "x").catch(() => "");
    expect(back).toBe("");
    expect(errors[0]).toMatch(new RegExp(`cannot connect to 127\\.0\\.0\\.1:${deadPort}`));
    const closed = new Promise<void>((r) => forward.once("close", () => r()));
    abort.abort();
    await withTimeout(closed, 5000, "abort closes");
    await sleep(100);
    expect(await refused(forward.port)).toBe(true);
    await expect(
      forwardRemotePort(ssh, { bind: { port: 0 }, to: { host: "127.0.0.1", port: 1 }, signal: abort.signal }),
    ).rejects.toThrow();
  });
});
