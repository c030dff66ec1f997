/**
 * connect({ agent }) against the real OpenSSH sshd (RFC 4252 §7 with signatures from an OpenSSH
 * ssh-agent, draft-miller-ssh-agent): keys held only by the agent log in (ssh-ed25519, and RSA with
 * rsa-sha2-512 per RFC 8332), agent identities come after an explicit privateKey and before
 * password, and an agent holding no authorised key fails with AuthError.
 */
import { AuthError } from "@purssh/auth";
import { connect } from "@purssh/client";
import { AGENT_ERROR, type AgentClient, generateEd25519Key, SSH_AGENT_RSA_SHA2_512 } from "@purssh/keys";
import { connectAgent } from "@purssh/net";
import {
  type AgentKeyFile,
  isCi,
  requireSshAgent,
  requireSshd,
  type SshAgentHandle,
  type SshdHandle,
  sshAgentAvailable,
  startSshAgent,
  startSshd,
} from "@purssh/testkit";
import { afterAll, beforeAll, describe, expect, inject, test, vi } from "vitest";

const available = inject("sshd");

describe.skipIf(!available || (!sshAgentAvailable() && !isCi()))(
  "connect({ agent }) logs in to OpenSSH sshd with keys held by ssh-agent",
  { timeout: 60_000 },
  () => {
    let sshd: SshdHandle;
    /** Holds the authorised ed25519 and RSA keys. */
    let agent: SshAgentHandle;
    /** Holds only a key sshd does not know. */
    let stranger: SshAgentHandle;
    let ed25519: AgentKeyFile;
    let rsa: AgentKeyFile;
    let rsaOnly: SshAgentHandle;

    beforeAll(async () => {
      requireSshd(available);
      requireSshAgent();
      [sshd, agent, stranger, rsaOnly] = await Promise.all([
        startSshd({ name: "agent-login" }),
        startSshAgent("agent-login"),
        startSshAgent("agent-stranger"),
        startSshAgent("agent-rsa-only"),
      ]);
      ed25519 = await agent.generateKey("ed25519", "ed25519@agent-login");
      rsa = await agent.generateKey("rsa", "rsa@agent-login");
      await agent.add(ed25519);
      await agent.add(rsa);
      await rsaOnly.add(rsa);
      await stranger.add(await stranger.generateKey("ed25519", "unknown@agent-login"));
      await sshd.addAuthorizedKey(ed25519.publicKey);
      await sshd.addAuthorizedKey(rsa.publicKey);
    }, 60_000);
    afterAll(async () => {
      await Promise.all([sshd?.stop(), agent?.stop(), stranger?.stop(), rsaOnly?.stop()]);
    });

    const base = () => ({
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      hostKeys: [sshd.hostKeyPublic],
    });

    /** An agent client that records the §4.5.1 flags of each sign request. */
    async function recordingAgent(path: string): Promise<{ client: AgentClient; flags: number[] }> {
      const client = await connectAgent(path);
      const flags: number[] = [];
      const sign = client.sign.bind(client);
      client.sign = (key, data, f = 0, comment) => {
        flags.push(f);
        return sign(key, data, f, comment);
      };
      return { client, flags };
    }

    test("RFC 4252 §7: an ed25519 key held only by the agent (agent: socket path) logs in", async () => {
      const logs: string[] = [];
      const ssh = await connect({ ...base(), agent: agent.socketPath, log: (_l, t) => logs.push(t) });
      await ssh.close();
      expect(logs).toContain(`authenticated as ${sshd.user}`);
      expect(logs).toContain("ssh-agent: 2 identities");
      expect(sshd.readLog()).toMatch(/Accepted publickey for \S+ from .* ED25519 SHA256:/);
    });

    test("RFC 8332: an RSA key held only by the agent logs in with rsa-sha2-512 (SSH_AGENT_RSA_SHA2_512)", async () => {
      const { client, flags } = await recordingAgent(rsaOnly.socketPath);
      try {
        const ssh = await connect({ ...base(), agent: client });
        await ssh.close();
        expect(flags).toEqual([SSH_AGENT_RSA_SHA2_512]);
        expect(sshd.readLog()).toMatch(/Accepted publickey for \S+ from .* RSA SHA256:/);
        expect(sshd.readLog()).toMatch(/pkalg rsa-sha2-512/);
        // A caller's AgentClient is left open.
        expect(client.closed).toBe(false);
        expect(await client.identities()).toHaveLength(1);
      } finally {
        client.close();
      }
    });

    test("agent: true uses SSH_AUTH_SOCK", async () => {
      vi.stubEnv("SSH_AUTH_SOCK", agent.socketPath);
      try {
        const logs: string[] = [];
        const ssh = await connect({ ...base(), agent: true, log: (_l, t) => logs.push(t) });
        await ssh.close();
        expect(logs).toContain(`authenticated as ${sshd.user}`);
      } finally {
        vi.unstubAllEnvs();
      }
    });

    test("an agent holding no authorised key fails cleanly with AuthError", async () => {
      const e = await connect({ ...base(), agent: stranger.socketPath }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(AuthError);
      expect((e as AuthError).code).toBe("ERR_AUTH_FAILED");
      expect((e as AuthError).message).toContain("publickey (ssh-ed25519)");
    });

    test("OpenSSH order: an explicit privateKey is offered first, then the agent's keys, then password", async () => {
      const logs: string[] = [];
      const ssh = await connect({
        ...base(),
        privateKey: generateEd25519Key("not authorised"),
        agent: rsaOnly.socketPath,
        password: "wrong password, never tried",
        log: (_l, t) => logs.push(t),
      });
      await ssh.close();
      const tries = logs.filter((l) => /^(publickey|password)/.test(l) || l.startsWith("authenticated"));
      expect(tries).toEqual(["publickey (ssh-ed25519) refused", `authenticated as ${sshd.user}`]);
    });

    test("a key given as privateKey and also held by the agent is offered once", async () => {
      const { client, flags } = await recordingAgent(stranger.socketPath);
      const [identity] = await client.identities();
      const logs: string[] = [];
      try {
        const e = await connect({
          ...base(),
          authMethods: [{ kind: "publickey", key: client.signer(identity!) }],
          agent: client,
          log: (_l, t) => logs.push(t),
        }).catch((err: unknown) => err);
        expect(e).toBeInstanceOf(AuthError);
        expect(logs.filter((l) => l.startsWith("publickey ("))).toEqual(["publickey (ssh-ed25519) refused"]);
        expect(logs).toContain("ssh-agent: 1 identities, 1 already configured");
        expect(flags).toEqual([]);
      } finally {
        client.close();
      }
    });

    test("an agent socket that does not exist rejects with ERR_AGENT_UNAVAILABLE before connecting", async () => {
      const e = await connect({ ...base(), agent: `${agent.dir}/no-such.sock` }).catch((err: unknown) => err);
      expect((e as { code?: string }).code).toBe(AGENT_ERROR.UNAVAILABLE);
    });
  },
);
