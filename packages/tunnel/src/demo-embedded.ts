/**
 * The demo's own SSH server: the embedded `@purssh/server` on loopback (a port the kernel picks),
 * with a fresh ed25519 host key and a fresh random password for one demo user, and sshd's default
 * forwarding policy (GatewayPorts no: forwarded ports listen on loopback only). Nothing is written
 * to disk; everything is gone when the demo exits.
 * @module
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { generateKey } from "@purssh/keys";
import { createServer, type SshServer } from "@purssh/server";

export const DEMO_USER = "demo";

export interface EmbeddedServer {
  readonly server: SshServer;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The host key's fingerprint as `ssh-keygen -l` prints it (`SHA256:…`). */
  readonly fingerprint: string;
  close(): Promise<void>;
}

/** Starts the embedded server on 127.0.0.1 with a fresh host key and a generated password. */
export async function startEmbeddedServer(): Promise<EmbeddedServer> {
  const hostKey = generateKey({ type: "ed25519", comment: "purssh demo host key" });
  const password = randomBytes(18).toString("base64url");
  const expected = Buffer.from(password);
  const server = createServer({
    hostKeys: [hostKey],
    auth: {
      password: (ctx, pw) => {
        const given = Buffer.from(pw);
        return ctx.username === DEMO_USER && given.length === expected.length && timingSafeEqual(given, expected);
      },
    },
  });
  const { address, port } = await server.listen(0, "127.0.0.1");
  return {
    server,
    host: address,
    port,
    user: DEMO_USER,
    password,
    fingerprint: server.fingerprints[0]!,
    close: () => server.close(),
  };
}
