/**
 * connectAgent against a real OpenSSH ssh-agent (draft-miller-ssh-agent §4.4 listing, §4.5
 * signing): identities of every key type, signatures that verify for ssh-ed25519,
 * ecdsa-sha2-nistp256, rsa-sha2-256 and rsa-sha2-512, empty, emptied and locked agents, and the
 * socket's failure modes (no SSH_AUTH_SOCK, refused, silent agent, agent gone, answers dribbled
 * byte by byte).
 */
import { rmSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getSignatureAlgorithm } from "@purssh/crypto";
import {
  AGENT_ERROR,
  type AgentClient,
  AgentError,
  encodeIdentitiesAnswer,
  frameAgentMessage,
  generateEd25519Key,
  parsePublicKey,
} from "@purssh/keys";
import { connectAgent } from "@purssh/net";
import {
  type AgentKeyFile,
  isCi,
  requireSshAgent,
  type SshAgentHandle,
  sshAgentAvailable,
  startSshAgent,
} from "@purssh/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";

async function agentErrorOf(p: unknown): Promise<AgentError> {
  const e = await Promise.resolve(p).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AgentError);
  return e as AgentError;
}

const data = new TextEncoder().encode("purssh agent interop: data to sign");

describe.skipIf(!sshAgentAvailable() && !isCi())("connectAgent with OpenSSH ssh-agent", { timeout: 60_000 }, () => {
  let agent: SshAgentHandle;
  const keys: Record<"ed25519" | "ecdsa" | "rsa", AgentKeyFile> = {} as never;
  const clients: AgentClient[] = [];
  const open = async (path: string) => {
    const c = await connectAgent(path);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    requireSshAgent();
    agent = await startSshAgent("agent-net");
    for (const type of ["ed25519", "ecdsa", "rsa"] as const) {
      keys[type] = await agent.generateKey(type, `${type}@agent-test`);
      await agent.add(keys[type]);
    }
  }, 60_000);
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    await agent?.stop();
  });

  test("§4.4: the agent lists the ed25519, ecdsa and rsa keys ssh-add loaded, with their comments", async () => {
    const client = await open(agent.socketPath);
    const ids = await client.identities();
    expect(ids.map((i) => [i.publicKey.type, i.comment])).toEqual([
      ["ssh-ed25519", "ed25519@agent-test"],
      ["ecdsa-sha2-nistp256", "ecdsa@agent-test"],
      ["ssh-rsa", "rsa@agent-test"],
    ]);
    for (const [i, type] of (["ed25519", "ecdsa", "rsa"] as const).entries()) {
      expect(ids[i]!.publicKey.blob).toEqual(parsePublicKey(keys[type].publicKey).blob);
    }
  });

  test.each([
    ["ssh-ed25519", "ssh-ed25519"],
    ["ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256"],
    ["rsa-sha2-256", "ssh-rsa"],
    ["rsa-sha2-512", "ssh-rsa"],
  ])("§4.5: ssh-agent signs with %s and the signature verifies", async (alg, type) => {
    const client = await open(agent.socketPath);
    const identity = (await client.identities()).find((i) => i.publicKey.type === type)!;
    const signer = client.signer(identity);
    const blob = await signer.sign(data, alg);
    const verifier = getSignatureAlgorithm(alg)!;
    expect(verifier.verify(identity.publicKey.blob, blob, data)).toBe(true);
    expect(verifier.verify(identity.publicKey.blob, blob, new Uint8Array([...data, 0]))).toBe(false);
  });

  test("requests are serialised: twenty concurrent signatures all verify", async () => {
    const client = await open(agent.socketPath);
    const ids = await client.identities();
    const jobs = Array.from({ length: 20 }, (_, n) => {
      const identity = ids[n % ids.length]!;
      const message = new Uint8Array([...data, n]);
      return Promise.resolve(client.signer(identity).sign(message)).then((blob) => ({ identity, message, blob }));
    });
    for (const { identity, message, blob } of await Promise.all(jobs)) {
      const alg = client.signer(identity).signatureAlgorithms[0]!;
      expect(getSignatureAlgorithm(alg)!.verify(identity.publicKey.blob, blob, message)).toBe(true);
    }
  });

  test("an empty agent lists no identities", async () => {
    const empty = await startSshAgent("agent-empty");
    try {
      const client = await open(empty.socketPath);
      expect(await client.identities()).toEqual([]);
    } finally {
      await empty.stop();
    }
  });

  test("after ssh-add -D, signing with a listed key is ERR_AGENT_FAILURE", async () => {
    const other = await startSshAgent("agent-emptied");
    try {
      await other.add(keys.ed25519);
      const client = await open(other.socketPath);
      const [identity] = await client.identities();
      await other.removeAll();
      const e = await agentErrorOf(client.signer(identity!).sign(data));
      expect(e.code).toBe(AGENT_ERROR.FAILURE);
      expect(e.message).toContain("ed25519@agent-test");
      expect(await client.identities()).toEqual([]);
    } finally {
      await other.stop();
    }
  });

  test("a locked agent (ssh-add -x) lists nothing and refuses to sign; unlocked (-X) it signs again", async () => {
    const other = await startSshAgent("agent-locked");
    try {
      await other.add(keys.ecdsa);
      const client = await open(other.socketPath);
      const [identity] = await client.identities();
      await other.lock("purssh-lock");
      expect(await client.identities()).toEqual([]);
      expect((await agentErrorOf(client.signer(identity!).sign(data))).code).toBe(AGENT_ERROR.FAILURE);
      await other.unlock("purssh-lock");
      const blob = await client.signer(identity!).sign(data);
      expect(getSignatureAlgorithm("ecdsa-sha2-nistp256")!.verify(identity!.publicKey.blob, blob, data)).toBe(true);
    } finally {
      await other.stop();
    }
  });

  test("the agent going away ends the connection: requests reject with ERR_AGENT_CLOSED", async () => {
    const other = await startSshAgent("agent-gone");
    const client = await open(other.socketPath);
    expect(await client.identities()).toEqual([]);
    await other.stop();
    const e = await agentErrorOf(client.identities());
    expect(e.code).toBe(AGENT_ERROR.CLOSED);
    expect(client.closed).toBe(true);
  });

  test("connectAgent() with no argument uses SSH_AUTH_SOCK", async () => {
    vi.stubEnv("SSH_AUTH_SOCK", agent.socketPath);
    try {
      const client = await connectAgent();
      clients.push(client);
      expect(await client.identities()).toHaveLength(3);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("connectAgent: the socket's failure modes", () => {
  let dir: string;
  const servers: Server[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "purssh-agent-socket-"));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await rm(dir, { recursive: true, force: true });
  });
  /** A Unix-socket server standing in for an agent. */
  async function fakeAgent(name: string, onConnection: (socket: Socket) => void): Promise<string> {
    const path = join(dir, name);
    const server = createServer(onConnection);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(path, resolve));
    return path;
  }

  test("SSH_AUTH_SOCK unset: ERR_AGENT_UNAVAILABLE naming the variable", async () => {
    vi.stubEnv("SSH_AUTH_SOCK", undefined as unknown as string);
    try {
      const e = await agentErrorOf(connectAgent());
      expect(e.code).toBe(AGENT_ERROR.UNAVAILABLE);
      expect(e.message).toContain("SSH_AUTH_SOCK is not set");
    } finally {
      vi.unstubAllEnvs();
    }
    expect((await agentErrorOf(connectAgent(""))).code).toBe(AGENT_ERROR.UNAVAILABLE);
  });

  test("a socket path that does not exist or is not a socket: ERR_AGENT_UNAVAILABLE naming the path", async () => {
    const missing = join(dir, "missing.sock");
    const e = await agentErrorOf(connectAgent(missing));
    expect(e.code).toBe(AGENT_ERROR.UNAVAILABLE);
    expect(e.message).toContain(missing);
    const file = join(dir, "plain-file");
    writeFileSync(file, "");
    try {
      expect((await agentErrorOf(connectAgent(file))).code).toBe(AGENT_ERROR.UNAVAILABLE);
    } finally {
      rmSync(file);
    }
  });

  test("an agent that never answers: ERR_AGENT_TIMEOUT, and the socket is closed", async () => {
    let ended: () => void;
    const peerEnded = new Promise<void>((r) => {
      ended = r;
    });
    const path = await fakeAgent("silent.sock", (s) => {
      s.on("data", () => {});
      s.on("end", () => ended());
      s.on("close", () => ended());
    });
    const client = await connectAgent(path, { timeoutMs: 200 });
    const e = await agentErrorOf(client.identities());
    expect(e.code).toBe(AGENT_ERROR.TIMEOUT);
    expect(e.message).toContain("200 ms");
    await peerEnded;
    expect(client.closed).toBe(true);
  });

  test("§3: an answer written one byte at a time over the socket is reassembled", async () => {
    const answer = frameAgentMessage(
      encodeIdentitiesAnswer([{ keyBlob: generateEd25519Key().publicKey.blob, comment: "dribbled" }]),
    );
    const path = await fakeAgent("dribble.sock", (s) => {
      s.once("data", async () => {
        for (const byte of answer) {
          s.write(new Uint8Array([byte]));
          await new Promise((r) => setImmediate(r));
        }
      });
    });
    const client = await connectAgent(path);
    try {
      const ids = await client.identities();
      expect(ids.map((i) => i.comment)).toEqual(["dribbled"]);
    } finally {
      client.close();
    }
  });

  test("close() ends the stream to the agent", async () => {
    let ended: () => void;
    const peerEnded = new Promise<void>((r) => {
      ended = r;
    });
    const path = await fakeAgent("close.sock", (s) => {
      s.on("end", () => {
        ended();
        s.end();
      });
    });
    const client = await connectAgent(path);
    client.close();
    await peerEnded;
    expect((await agentErrorOf(client.identities())).code).toBe(AGENT_ERROR.CLOSED);
  });
});
