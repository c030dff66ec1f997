// SSHAuthMode, all seven (ipworks-spec.md §6), with TryAllAvailableAuthMethods, PasswordPrompt
// and EnablePageantAuth — on the embedded server, whose policies script what sshd cannot
// (keyboard-interactive prompts, custom packets). Password and public key against sshd: logon.test.ts.
import { fileURLToPath } from "node:url";
import type { AuthPolicy } from "@purssh/auth";
import { generateKey, parsePublicKey } from "@purssh/keys";
import { requireSshAgent, type SshAgentHandle, sshAgentAvailable, startSshAgent } from "@purssh/testkit";
import { Certificate, SSHAuthModes, type SSHKeyboardInteractiveEvent, SSHTunnelErrorCodes } from "@purssh/tunnel";
import { equalBytes } from "@purssh/wire";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { embeddedTunnel, PASSWORD, startServer, type TestServer, USER } from "./embedded.js";

const servers: TestServer[] = [];
async function serve(auth: AuthPolicy): Promise<TestServer> {
  const srv = await startServer({ auth });
  servers.push(srv);
  return srv;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const userKey = generateKey({ type: "ed25519", comment: "tunnel user" });
const vectors = (f: string) => fileURLToPath(new URL(`../../../test-vectors/keys/${f}`, import.meta.url));

describe("SSHAuthMode against the embedded server", { timeout: 20_000 }, () => {
  test("amNone (0): RFC 4252 §5.2 'none' succeeds where the server allows it", async () => {
    const srv = await serve({ none: (ctx) => ctx.username === USER });
    const t = embeddedTunnel(srv);
    t.setSSHAuthMode(SSHAuthModes.amNone);
    await t.SSHLogon(srv.host, srv.port);
    expect(srv.server.connections[0]?.login?.methods).toEqual(["none"]);
    await t.SSHLogoff();
  });

  test("amPassword (2, the default): the password method with SSHUser / SSHPassword", async () => {
    const srv = await serve({ password: (ctx, pw) => ctx.username === USER && pw === PASSWORD });
    const t = embeddedTunnel(srv);
    expect(t.getSSHAuthMode()).toBe(SSHAuthModes.amPassword);
    await t.SSHLogon(srv.host, srv.port);
    expect(srv.server.connections[0]?.login?.methods).toEqual(["password"]);
    await t.SSHLogoff();
    t.setSSHPassword("wrong");
    await expect(t.SSHLogon(srv.host, srv.port)).rejects.toMatchObject({ code: SSHTunnelErrorCodes.AUTH_FAILED });
  });

  test("amPublicKey (3): SSHCert's key, with SSHPubKeyAuthSigAlgorithms limiting the signature algorithms", async () => {
    const cert = await Certificate.fromFile(vectors("ppk/rsa-2048.v3.enc.ppk"), "purssh-test-passphrase");
    const seen: string[] = [];
    const srv = await serve({
      publicKey: (_ctx, c) => {
        seen.push(c.algorithm);
        return equalBytes(c.key.blob, cert.encoded);
      },
    });
    const t = embeddedTunnel(srv);
    t.setSSHAuthMode(SSHAuthModes.amPublicKey);
    t.setSSHCert(cert);
    t.config("SSHPubKeyAuthSigAlgorithms=rsa-sha2-256");
    await t.SSHLogon(srv.host, srv.port);
    expect(srv.server.connections[0]?.login?.methods).toEqual(["publickey"]);
    expect(new Set(seen)).toEqual(new Set(["rsa-sha2-256"]));
    await t.SSHLogoff();
  });

  test("amMultiFactor (1): follows partial success through publickey then password (RFC 4252 §5.1)", async () => {
    const srv = await serve({
      requiredMethods: [["publickey", "password"]],
      publicKey: (_ctx, c) => equalBytes(c.key.blob, userKey.publicKey.blob),
      password: (ctx, pw) => ctx.username === USER && pw === PASSWORD,
    });
    const t = embeddedTunnel(srv);
    t.setSSHAuthMode(SSHAuthModes.amMultiFactor);
    t.setSSHCert(certificateOf(userKey));
    await t.SSHLogon(srv.host, srv.port);
    expect(srv.server.connections[0]?.login?.methods).toEqual(["publickey", "password"]);
    await t.SSHLogoff();
    t.setSSHCert(undefined);
    const err = await t.SSHLogon(srv.host, srv.port).catch((e) => e);
    expect(err.code).toBe(SSHTunnelErrorCodes.AUTH_FAILED);
  });

  test("amKeyboardInteractive (4): one SSHKeyboardInteractive per prompt, over two rounds; `response` answers", async () => {
    const answers: string[][] = [];
    const srv = await serve({
      keyboardInteractive: () => ({
        name: "Two-step login",
        instruction: "Answer both",
        prompts: [
          { prompt: "Password: ", echo: false },
          { prompt: "Colour: ", echo: true },
        ],
        verify: (r1) => {
          answers.push([...r1]);
          return {
            name: "OTP",
            instruction: "",
            prompts: [{ prompt: "Code: ", echo: true }],
            verify: (r2) => {
              answers.push([...r2]);
              return r1[0] === PASSWORD && r1[1] === "blue" && r2[0] === "123456";
            },
          };
        },
      }),
    });
    const t = embeddedTunnel(srv);
    t.setSSHAuthMode(SSHAuthModes.amKeyboardInteractive);
    const seen: Omit<SSHKeyboardInteractiveEvent, "response">[] = [];
    t.on("SSHKeyboardInteractive", (e) => {
      seen.push({ name: e.name, instructions: e.instructions, prompt: e.prompt, echoResponse: e.echoResponse });
      e.response = e.prompt.startsWith("Password") ? PASSWORD : e.prompt.startsWith("Colour") ? "blue" : "123456";
    });
    await t.SSHLogon(srv.host, srv.port);
    await t.SSHLogoff();
    expect(seen).toEqual([
      { name: "Two-step login", instructions: "Answer both", prompt: "Password: ", echoResponse: false },
      { name: "Two-step login", instructions: "Answer both", prompt: "Colour: ", echoResponse: true },
      { name: "OTP", instructions: "", prompt: "Code: ", echoResponse: true },
    ]);
    expect(answers).toEqual([[PASSWORD, "blue"], ["123456"]]);
  });

  test("PasswordPrompt: a matching prompt is answered with SSHPassword and raises no event", async () => {
    const srv = await serve({
      keyboardInteractive: () => ({
        prompts: [{ prompt: "Password for tunnel: ", echo: false }],
        verify: (r) => r[0] === PASSWORD,
      }),
    });
    const t = embeddedTunnel(srv);
    t.setSSHAuthMode(SSHAuthModes.amKeyboardInteractive);
    t.config("PasswordPrompt=password*");
    let events = 0;
    t.on("SSHKeyboardInteractive", () => events++);
    await t.SSHLogon(srv.host, srv.port);
    await t.SSHLogoff();
    expect(events).toBe(0);
    expect(t.config("PasswordPrompt")).toBe("password*");
  });

  test("amGSSAPIWithMic (5): refused as unavailable on this runtime (1005) before connecting", async () => {
    const srv = await serve({ password: () => true });
    const t = embeddedTunnel(srv);
    t.setSSHAuthMode(SSHAuthModes.amGSSAPIWithMic);
    t.config("KerberosRealm=EXAMPLE.COM");
    t.config("KerberosSPN=host/ssh.example.com");
    t.config("KerberosDelegation=true");
    const err = await t.SSHLogon(srv.host, srv.port).catch((e) => e);
    expect(err.code).toBe(SSHTunnelErrorCodes.UNSUPPORTED);
    expect(srv.server.connections).toHaveLength(0);
    expect([t.config("KerberosRealm"), t.config("KerberosSPN"), t.config("KerberosDelegation")]).toEqual([
      "EXAMPLE.COM",
      "host/ssh.example.com",
      "true",
    ]);
  });

  test("amCustom (6): SSHCustomAuth drives each packet, built with SetSSHParam / EncodePacket and read with GetSSHParam", async () => {
    const srv = await serve({ password: (ctx, pw) => ctx.username === USER && pw === PASSWORD });
    const t = embeddedTunnel(srv);
    t.setSSHAuthMode(SSHAuthModes.amCustom);
    const received: { type: string; methods: string }[] = [];
    t.on("SSHCustomAuth", (e) => {
      const packet = t.decodePacket(e.packet);
      received.push({ type: t.getSSHParam(packet, "MessageType"), methods: t.getSSHParam(packet, "Authentications") });
      // First a wrong password, then the right one: the failure comes back through the event.
      const password = received.length === 1 ? "wrong" : PASSWORD;
      let p = t.setSSHParam(new Uint8Array(0), "b", "50"); // SSH_MSG_USERAUTH_REQUEST
      p = t.setSSHParam(p, "s", USER);
      p = t.setSSHParam(p, "s", "ssh-connection");
      p = t.setSSHParam(p, "s", "password");
      p = t.setSSHParam(p, "f", "false");
      p = t.setSSHParam(p, "s", password);
      e.packet = t.encodePacket(p);
    });
    await t.SSHLogon(srv.host, srv.port);
    expect(received).toEqual([
      { type: "51", methods: "password" },
      { type: "51", methods: "password" },
    ]);
    expect(srv.server.connections[0]?.login?.methods).toEqual(["password"]);
    await t.SSHLogoff();
  });

  test("amCustom: leaving `packet` unchanged gives up, and SSHLogon fails with AUTH_FAILED", async () => {
    const srv = await serve({ password: () => true });
    const t = embeddedTunnel(srv);
    t.setSSHAuthMode(SSHAuthModes.amCustom);
    let events = 0;
    t.on("SSHCustomAuth", () => events++);
    const err = await t.SSHLogon(srv.host, srv.port).catch((e) => e);
    expect(err.code).toBe(SSHTunnelErrorCodes.AUTH_FAILED);
    expect(err.message).toMatch(/custom \(given up by the application\)/);
    expect(events).toBe(1);
  });

  test("TryAllAvailableAuthMethods: a public-key-only server accepts SSHCert although SSHAuthMode is amPassword", async () => {
    const srv = await serve({ publicKey: (_ctx, c) => equalBytes(c.key.blob, userKey.publicKey.blob) });
    const t = embeddedTunnel(srv);
    t.setSSHCert(certificateOf(userKey));
    const err = await t.SSHLogon(srv.host, srv.port).catch((e) => e);
    expect(err.code).toBe(SSHTunnelErrorCodes.AUTH_FAILED);
    t.config("TryAllAvailableAuthMethods=true");
    await t.SSHLogon(srv.host, srv.port);
    await t.SSHLogoff();
  });
});

describe.skipIf(!sshAgentAvailable())("EnablePageantAuth → the ssh-agent", { timeout: 30_000 }, () => {
  let agent: SshAgentHandle;
  let agentKeyLine = "";
  const saved = process.env.SSH_AUTH_SOCK;
  beforeAll(async () => {
    requireSshAgent();
    agent = await startSshAgent("tunnel-agent");
    const key = await agent.generateKey("ed25519", "agent key");
    await agent.add(key);
    agentKeyLine = key.publicKey;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
    else process.env.SSH_AUTH_SOCK = saved;
    await agent?.stop();
  });

  test("2 = required: amPublicKey logs in with the agent's key and no SSHCert; no agent → AUTH_FAILED", async () => {
    const blob = parsePublicKey(agentKeyLine).blob;
    const srv = await serve({ publicKey: (_ctx, c) => equalBytes(c.key.blob, blob) });
    const t = embeddedTunnel(srv);
    t.setSSHAuthMode(SSHAuthModes.amPublicKey);
    t.config("EnablePageantAuth=2");
    process.env.SSH_AUTH_SOCK = agent.socketPath;
    await t.SSHLogon(srv.host, srv.port);
    await t.SSHLogoff();
    process.env.SSH_AUTH_SOCK = `${agent.dir}/no-such.sock`;
    const err = await t.SSHLogon(srv.host, srv.port).catch((e) => e);
    expect(err.code).toBe(SSHTunnelErrorCodes.AUTH_FAILED);
    expect(err.cause.code).toBe("ERR_AGENT_UNAVAILABLE");
    // 1 = if available: without SSH_AUTH_SOCK the agent is skipped silently (then no key at all).
    delete process.env.SSH_AUTH_SOCK;
    t.config("EnablePageantAuth=1");
    await expect(t.SSHLogon(srv.host, srv.port)).rejects.toThrow(/needs SSHCert with a private key/);
  });
});

function certificateOf(key: ReturnType<typeof generateKey>): Certificate {
  return Certificate.fromKey(key);
}
