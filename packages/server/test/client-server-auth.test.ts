// Our client against our embedded server for every authentication method (RFC 4252, 4256,
// 8332, OpenSSH certificates), multi-factor chains, and the client features built on the
// connection protocol: exec, direct-tcpip, keepalive, hostkeys-00 announcements, compression and
// the ML-KEM hybrid key exchange over real TCP.
import { readFileSync } from "node:fs";
import { type AuthPolicy, authorizedKeysPolicy } from "@purssh/auth";
import { connect } from "@purssh/client";
import {
  CERT_VALID_FOREVER,
  certifiedPrivateKey,
  DEFAULT_USER_EXTENSIONS,
  generateKey,
  type PrivateKey,
  parsePrivateKey,
  signCertificate,
} from "@purssh/keys";
import { createServer, type ServerOptions, type SshServer } from "@purssh/server";
import { randomBytes, startEchoServer } from "@purssh/testkit";
import { afterEach, describe, expect, test } from "vitest";
import { equalBytes, formatPublicKeyLine } from "./helpers.js";

const hostKey = generateKey({ type: "ed25519" });
const servers: SshServer[] = [];
const userKeys: Record<string, PrivateKey> = {
  ed25519: generateKey({ type: "ed25519" }),
  ecdsa: generateKey({ type: "ecdsa", curve: "nistp384" }),
  rsa: parsePrivateKey(readFileSync(new URL("../../../test-vectors/keys/rsa-2048", import.meta.url), "utf8")),
};

async function start(auth: AuthPolicy, extra: Partial<ServerOptions> = {}) {
  const logs: string[] = [];
  const server = createServer({ hostKeys: [hostKey], auth, log: (_l, t) => logs.push(t), ...extra });
  servers.push(server);
  const { port } = await server.listen(0);
  return { server, port, logs };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const base = (port: number, server: SshServer) => ({
  host: "127.0.0.1",
  port,
  username: "alice",
  hostKeys: server.fingerprints,
  timeoutMs: 20_000,
});

describe("every authentication method, our client ↔ our server", () => {
  test.each(Object.keys(userKeys))("publickey %s via authorized_keys", async (name) => {
    const key = userKeys[name]!;
    const check = authorizedKeysPolicy({ authorizedKeys: formatPublicKeyLine(key) });
    const signedWith: string[] = [];
    const { server, port } = await start({
      publicKey: (ctx, candidate) => {
        if (candidate.signed) signedWith.push(candidate.algorithm);
        return check(ctx, candidate);
      },
    });
    const client = await connect({ ...base(port, server), privateKey: key });
    // RFC 8332: an RSA key signs with rsa-sha2-512 when server-sig-algs lists it.
    expect(signedWith).toEqual([name === "rsa" ? "rsa-sha2-512" : key.signatureAlgorithms[0]]);
    await client.close();
    const other = generateKey({ type: "ed25519" });
    await expect(connect({ ...base(port, server), privateKey: other })).rejects.toMatchObject({
      code: "ERR_AUTH_FAILED",
    });
  });

  test("a user certificate from a trusted CA; an untrusted CA is refused", async () => {
    const ca = generateKey({ type: "ed25519" });
    const user = generateKey({ type: "ed25519" });
    const cert = signCertificate(
      {
        key: user.publicKey,
        type: "user",
        keyId: "alice-cert",
        principals: ["alice"],
        validAfter: 0n,
        validBefore: CERT_VALID_FOREVER,
        extensions: DEFAULT_USER_EXTENSIONS,
      },
      ca,
    );
    const { server, port } = await start({ trustedUserCAKeys: [ca.publicKey] });
    const client = await connect({ ...base(port, server), privateKey: certifiedPrivateKey(user, cert) });
    await client.close();
    const rogue = generateKey({ type: "ed25519" });
    const bad = signCertificate(
      {
        key: user.publicKey,
        type: "user",
        keyId: "x",
        principals: ["alice"],
        validAfter: 0n,
        validBefore: CERT_VALID_FOREVER,
      },
      rogue,
    );
    await expect(connect({ ...base(port, server), privateKey: certifiedPrivateKey(user, bad) })).rejects.toMatchObject({
      code: "ERR_AUTH_FAILED",
    });
  });

  test("keyboard-interactive with two rounds of prompts", async () => {
    const { server, port } = await start({
      keyboardInteractive: () => ({
        instruction: "two factors",
        prompts: [{ prompt: "Password: ", echo: false }],
        verify: ([pw]) =>
          pw === "secret" && {
            prompts: [{ prompt: "Code: ", echo: true }],
            verify: ([code]) => code === "123456",
          },
      }),
    });
    const asked: string[] = [];
    const client = await connect({
      ...base(port, server),
      keyboardInteractive: (c) =>
        c.prompts.map((p) => {
          asked.push(p.prompt);
          return p.prompt.startsWith("Password") ? "secret" : "123456";
        }),
    });
    expect(asked).toEqual(["Password: ", "Code: "]);
    await client.close();
    await expect(
      connect({ ...base(port, server), keyboardInteractive: (c) => c.prompts.map(() => "nope") }),
    ).rejects.toMatchObject({ code: "ERR_AUTH_FAILED" });
  });

  test("password change requested by the server (RFC 4252 §8)", async () => {
    let current = "old-pw";
    const { server, port } = await start({
      password: (_c, pw) =>
        pw === current ? (current === "old-pw" ? { changeRequired: "expired, choose another" } : true) : false,
      changePassword: (_c, old, next) => {
        if (old !== current) return false;
        current = next;
        return true;
      },
    });
    const prompts: string[] = [];
    const client = await connect({
      ...base(port, server),
      password: "old-pw",
      newPassword: (prompt) => {
        prompts.push(prompt);
        return "new-pw";
      },
    });
    expect(prompts).toEqual(["expired, choose another"]);
    expect(current).toBe("new-pw");
    await client.close();
  });

  test("multi-factor: publickey then password (partial success)", async () => {
    const key = userKeys.ed25519!;
    const { server, port, logs } = await start({
      requiredMethods: [["publickey", "password"]],
      publicKey: authorizedKeysPolicy({ authorizedKeys: formatPublicKeyLine(key) }),
      password: (_c, pw) => pw === "secret",
    });
    await expect(connect({ ...base(port, server), password: "secret" })).rejects.toMatchObject({
      code: "ERR_AUTH_FAILED",
    });
    const client = await connect({ ...base(port, server), privateKey: key, password: "secret" });
    expect(logs.some((l) => l.includes("publickey+password"))).toBe(true);
    await client.close();
  });
});

describe("client features against the embedded server", () => {
  const passwordAuth: AuthPolicy = { password: (_c, pw) => pw === "secret" };

  test("exec: stdin, stdout, stderr and exit status", async () => {
    const { server, port } = await start(passwordAuth, {
      exec: (r) => {
        const chunks: Buffer[] = [];
        r.stream.on("data", (d: Buffer) => chunks.push(d));
        r.stream.on("end", () => {
          r.stream.write(Buffer.concat(chunks).reverse());
          r.stderr(`ran ${r.command}\n`);
          r.exit(7);
        });
      },
    });
    const client = await connect({ ...base(port, server), password: "secret" });
    const input = randomBytes(300_000);
    const result = await client.exec("reverse", input);
    expect(equalBytes(result.stdout, Uint8Array.from(input).reverse())).toBe(true);
    expect(new TextDecoder().decode(result.stderr)).toBe("ran reverse\n");
    expect(result.exitStatus).toBe(7);
    await client.close();
  });

  test("forwardOut (direct-tcpip) carries 2 MiB byte-exact; permitOpen refuses", async () => {
    const echo = await startEchoServer();
    const { server, port } = await start(passwordAuth, {
      forwarding: { permitOpen: [`127.0.0.1:${echo.port}`] },
    });
    const client = await connect({ ...base(port, server), password: "secret" });
    const stream = await client.forwardOut("127.0.0.1", echo.port);
    const data = randomBytes(2 * 1024 * 1024);
    const back: Buffer[] = [];
    stream.on("data", (d: Buffer) => back.push(d));
    const ended = new Promise((r) => stream.on("end", r));
    stream.end(data);
    await ended;
    expect(Buffer.compare(Buffer.concat(back), Buffer.from(data))).toBe(0);
    await expect(client.forwardOut("127.0.0.1", echo.port + 1)).rejects.toMatchObject({
      code: "ERR_CHANNEL_OPEN_FAILED",
    });
    await client.close();
    await echo.close();
  });

  test("keepalive@openssh.com is answered; hostkeys-00 announces every host key", async () => {
    const second = generateKey({ type: "ecdsa", curve: "nistp256" });
    const { server, port } = await start(passwordAuth, { hostKeys: [hostKey, second] });
    const client = await connect({ ...base(port, server), password: "secret" });
    // The server announces right after USERAUTH_SUCCESS, before it answers the keepalive.
    await client.keepalive(5000);
    expect(client.announcedHostKeys?.map((k) => k.type)).toEqual(["ssh-ed25519", "ecdsa-sha2-nistp256"]);
    await client.close();
  });

  test.each([
    ["mlkem768x25519-sha256", "chacha20-poly1305@openssh.com"],
    ["curve25519-sha256", "aes256-gcm@openssh.com"],
    ["diffie-hellman-group-exchange-sha256", "aes128-ctr"],
  ])("%s with %s, compression on: 1 MiB through a reverse tunnel", { timeout: 60_000 }, async (kex, cipher) => {
    const { server, port } = await start(passwordAuth);
    const client = await connect({
      ...base(port, server),
      password: "secret",
      compress: true,
      algorithms: { kex: [kex], cipher: [cipher] },
    });
    expect(client.algorithms?.kex).toBe(kex);
    expect(client.algorithms?.compressionClientToServer).toBe("zlib@openssh.com");
    const echo = await startEchoServer();
    const stream = await client.forwardOut("127.0.0.1", echo.port);
    const data = new Uint8Array(1024 * 1024).map((_, i) => (i * 7) % 251);
    const back: Buffer[] = [];
    stream.on("data", (d: Buffer) => back.push(d));
    const ended = new Promise((r) => stream.on("end", r));
    stream.end(data);
    await ended;
    expect(Buffer.compare(Buffer.concat(back), Buffer.from(data))).toBe(0);
    await client.close();
    await echo.close();
  });
});
