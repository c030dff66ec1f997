// Shared helpers for the tunnel tests against the real sshd started by global setup.
import * as net from "node:net";
import type { SshdInfo } from "@purssh/testkit";
import { Certificate, SSHReverseTunnel } from "@purssh/tunnel";

/** A tunnel set up for the test user with a password, pinned to the sshd's host key. */
export function passwordTunnel(sshd: SshdInfo): SSHReverseTunnel {
  const t = new SSHReverseTunnel();
  t.setSSHUser(sshd.user);
  t.setSSHPassword(sshd.password);
  t.setSSHAcceptServerHostKey(Certificate.fromString(sshd.hostKeyPublic));
  t.on("Error", () => {});
  return t;
}

/** The testkit round trip, under the name these tests use. */
export { roundTripThrough as roundTrip } from "@purssh/testkit";

/** Connects to host:port; resolves once connected. */
export function connectTo(port: number, host = "127.0.0.1"): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, host, () => {
      c.off("error", reject);
      resolve(c);
    });
    c.on("error", reject);
  });
}

/** Sends `text` to host:port, half-closes, resolves with all that comes back. */
export function roundTripText(port: number, text: string, host = "127.0.0.1"): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, host);
    let got = "";
    c.on("data", (d) => (got += d));
    c.on("end", () => resolve(got));
    c.on("error", reject);
    c.end(text);
  });
}

/** True when nothing accepts connections on host:port (the connection is refused or reset). */
export function refused(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, host);
    c.on("connect", () => {
      c.destroy();
      resolve(false);
    });
    c.on("error", () => resolve(true));
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 20 ms until it holds, or fails after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A listening TCP server on 127.0.0.1 with its port. */
export async function listenLocal(
  handler: (s: net.Socket) => void,
  host = "127.0.0.1",
): Promise<net.Server & { port: number }> {
  const srv = net.createServer((s) => {
    s.on("error", () => {});
    handler(s);
  });
  await new Promise<void>((r) => srv.listen(0, host, r));
  return Object.assign(srv, { port: (srv.address() as net.AddressInfo).port });
}
