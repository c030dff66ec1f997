// The eighteen events (ipworks-spec.md §4): the seed's list, the order of one whole session
// against sshd with their fields, Log at LogLevel 0–3, and the server-identity events
// (SSHServerAuthentication with a host certificate and SSHAcceptServerCAKey).
import { requireSshd, type SshdHandle, startSshd } from "@purssh/testkit";
import { EVENT_NAMES, type SSHReverseTunnel } from "@purssh/tunnel";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { connectTo, passwordTunnel } from "./helpers.js";

const sshd = inject("sshd");

const SEED_EVENTS =
  "Connected ConnectionStatus Disconnected Error Log ReconnectAttempt SSHChannelClosed SSHChannelData SSHChannelEOF " +
  "SSHChannelOpened SSHChannelOpenRequest SSHChannelReadyToSend SSHChannelRequest SSHChannelRequested SSHCustomAuth " +
  "SSHKeyboardInteractive SSHServerAuthentication SSHStatus";

/** Records every event by name (with a field that identifies it). */
function recordAll(t: SSHReverseTunnel): string[] {
  const seen: string[] = [];
  for (const name of EVENT_NAMES) {
    if (name === "Log") continue;
    t.on(name, (e: object) => {
      const detail = "connectionEvent" in e ? ` ${e.connectionEvent}` : "statusCode" in e ? ` ${e.statusCode}` : "";
      seen.push(`${name}${detail}`);
    });
  }
  return seen;
}

/** One session: logon, an event-mode forward, one remote client saying hello, then logoff. */
async function session(t: SSHReverseTunnel, host: string, port: number): Promise<void> {
  t.on("SSHChannelData", (e) => void t.sendChannelData(e.channelId, e.channelDataB));
  t.on("SSHChannelEOF", (e) => void t.closeChannel(e.channelId));
  await t.SSHLogon(host, port);
  await t.requestForwarding("127.0.0.1", 0, "", 0);
  const c = await connectTo(Number(t.config("ForwardedPort")));
  const closed = new Promise<void>((r) => t.once("SSHChannelClosed", () => r()));
  c.on("data", () => c.end());
  c.write("hello");
  await closed;
  await t.SSHLogoff();
}

describe("events", { timeout: 30_000 }, () => {
  test("the seed's eighteen events, in its order", () => {
    expect(EVENT_NAMES.join(" ")).toBe(SEED_EVENTS);
  });
});

describe.skipIf(!sshd)("events of a whole session against OpenSSH sshd", { timeout: 30_000 }, () => {
  test("order: Connected, ConnectionStatus, SSHStatus, SSHServerAuthentication, … channel events …, Disconnected", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    const seen = recordAll(t);
    await session(t, s.host, s.port);
    const firstOf = (name: string) => seen.findIndex((x) => x.startsWith(name));
    expect(seen[0]).toBe("SSHStatus"); // "connecting to …"
    const order = [
      "ConnectionStatus Remote host connection complete",
      "Connected 0",
      "SSHServerAuthentication",
      "ConnectionStatus SSH handshake complete",
      "ConnectionStatus SSH authentication complete",
      "SSHChannelOpenRequest",
      "SSHChannelOpened",
      "SSHChannelReadyToSend",
      "SSHChannelData",
      "SSHChannelEOF",
      "SSHChannelClosed",
      "Disconnected 0",
    ].map(firstOf);
    expect(
      order.every((i) => i >= 0),
      seen.join("\n"),
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(seen.filter((x) => x.startsWith("SSHStatus")).length).toBeGreaterThan(3);
    expect(seen.at(-1)).toBe("Disconnected 0");
  });

  test("Log: LogLevel 0 is silent; 1 info; 2 adds verbose lines; 3 adds the bytes", async () => {
    const s = requireSshd(sshd);
    const byLevel: Record<number, { levels: Set<number>; types: Set<string>; lines: string[] }> = {};
    for (const level of [0, 1, 2, 3]) {
      const t = passwordTunnel(s);
      t.config(`LogLevel=${level}`);
      const entry = { levels: new Set<number>(), types: new Set<string>(), lines: [] as string[] };
      t.on("Log", (e) => {
        entry.levels.add(e.logLevel);
        entry.types.add(e.logType);
        entry.lines.push(e.message);
      });
      await session(t, s.host, s.port);
      byLevel[level] = entry;
    }
    expect(byLevel[0]!.lines).toEqual([]);
    expect([...byLevel[1]!.levels]).toEqual([1]);
    expect(byLevel[1]!.types).toEqual(new Set(["Info"]));
    expect([...byLevel[2]!.levels].sort()).toEqual([1, 2]);
    expect([...byLevel[3]!.levels].sort()).toEqual([1, 2, 3]);
    expect(byLevel[3]!.types).toEqual(new Set(["Info", "Verbose", "Debug"]));
    expect(byLevel[3]!.lines).toContain("channel 1: received 5 bytes: 68656c6c6f");
    expect(byLevel[1]!.lines.length).toBeLessThan(byLevel[2]!.lines.length);
    expect(byLevel[2]!.lines.length).toBeLessThan(byLevel[3]!.lines.length);
  });
});

describe.skipIf(!sshd)("SSHServerAuthentication with a host certificate", { timeout: 60_000 }, () => {
  let certified: SshdHandle & { hostCaPublic?: string };
  beforeAll(async () => {
    requireSshd(sshd);
    certified = await startSshd({ name: "tunnel-hostcert", hostCertificates: true });
  }, 60_000);
  afterAll(async () => {
    await certified?.stop();
  });

  test("SSHAcceptServerCAKey: a host certificate from that CA for SSHHost is pre-accepted; the event names its subject and issuer", async () => {
    const t = passwordTunnel(certified);
    t.setSSHAcceptServerHostKey(undefined);
    t.config("SSHPublicKeyAlgorithms=ssh-ed25519-cert-v01@openssh.com,ssh-ed25519");
    let seen:
      | { accept: boolean; keyAlgorithm: string; certSubject: string; certIssuer: string; status: string }
      | undefined;
    t.on("SSHServerAuthentication", (e) => {
      const { accept, keyAlgorithm, certSubject, certIssuer, status } = e;
      seen = { accept, keyAlgorithm, certSubject, certIssuer, status };
    });
    const refused = await t.SSHLogon(certified.host, certified.port).catch((e) => e);
    expect(refused.code).toBe(1020);
    expect(seen?.accept).toBe(false);
    expect(seen?.status).toMatch(/no SSHAcceptServerCAKey/);
    t.config(`SSHAcceptServerCAKey=${certified.hostCaPublic}`);
    expect(t.config("SSHAcceptServerCAKey")).toBe(certified.hostCaPublic!.trim());
    await t.SSHLogon(certified.host, certified.port);
    await t.SSHLogoff();
    expect(seen?.accept).toBe(true);
    expect(seen?.keyAlgorithm).toBe("ssh-ed25519-cert-v01@openssh.com");
    expect(seen?.certIssuer).toMatch(/^SHA256:/);
    expect(seen?.certSubject).not.toBe("");
    expect(seen?.status).toBe("host certificate signed by SSHAcceptServerCAKey");
  });
});
