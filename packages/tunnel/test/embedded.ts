// The embedded @purssh/server as a tunnel endpoint, for what sshd cannot show (scripted
// keyboard-interactive prompts, custom auth, server-sent channel requests, a restart on the
// same port).
import type { AuthPolicy } from "@purssh/auth";
import { formatPublicKey, generateKey, type PrivateKey } from "@purssh/keys";
import { createServer, type ServerOptions, type SshServer } from "@purssh/server";
import { Certificate, SSHReverseTunnel } from "@purssh/tunnel";

export const USER = "tunnel";
export const PASSWORD = "s3cret-pass";

export interface TestServer {
  readonly server: SshServer;
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly hostKey: PrivateKey;
  /** The host key's OpenSSH public line, for SSHAcceptServerHostKey. */
  readonly hostKeyLine: string;
  close(): Promise<void>;
}

export const passwordPolicy: AuthPolicy = {
  password: (ctx, pw) => ctx.username === USER && pw === PASSWORD,
};

/** Starts an embedded server on 127.0.0.1 (port 0, or the given port with the given host key). */
export async function startServer(
  options: Partial<ServerOptions> & { port?: number; hostKey?: PrivateKey } = {},
): Promise<TestServer> {
  const { port = 0, hostKey = generateKey({ type: "ed25519", comment: "tunnel test host" }), ...rest } = options;
  const server = createServer({ hostKeys: [hostKey], auth: passwordPolicy, ...rest });
  const address = await server.listen(port, "127.0.0.1");
  return {
    server,
    host: "127.0.0.1",
    port: address.port,
    hostKey,
    hostKeyLine: formatPublicKey(hostKey.publicKey),
    close: () => server.close(),
  };
}

/** A tunnel with the test user's password, pinned to the server's host key. */
export function embeddedTunnel(srv: TestServer): SSHReverseTunnel {
  const t = new SSHReverseTunnel();
  t.setSSHUser(USER);
  t.setSSHPassword(PASSWORD);
  t.setSSHAcceptServerHostKey(Certificate.fromString(srv.hostKeyLine));
  t.on("Error", () => {});
  return t;
}
