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

/** True when nothing accepts connections on the port (the connection is refused or reset). */
export function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, "127.0.0.1");
    c.on("connect", () => {
      // sshd may accept and then close at once when no forwarding exists; treat a prompt close
      // without data as refused only if it happens before any byte.
      c.destroy();
      resolve(false);
    });
    c.on("error", () => resolve(true));
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
