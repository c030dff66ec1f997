/**
 * The ssh-agent protocol client (draft-miller-ssh-agent) against an in-memory agent: framing split
 * at every byte, identities answers, sign-request flags, failure answers, the length and count
 * limits, truncated and unsolicited answers, and random bytes (only typed errors come out).
 */
import { fc, test as fcTest } from "@fast-check/vitest";
import { getSignatureAlgorithm } from "@purssh/crypto";
import {
  AGENT_ERROR,
  AGENT_MAX_LEN,
  AGENT_MSG,
  AgentClient,
  type AgentConnection,
  AgentcSignRequest,
  AgentError,
  AgentMessageReader,
  AgentSignResponse,
  type Certificate,
  decodeIdentitiesAnswer,
  encodeIdentitiesAnswer,
  frameAgentMessage,
  KEY_ERROR,
  KeyError,
  MAX_AGENT_IDENTITIES,
  type PrivateKey,
  parseCertificate,
  parsePrivateKey,
  SSH_AGENT_RSA_SHA2_256,
  SSH_AGENT_RSA_SHA2_512,
} from "@purssh/keys";
import { SshWriter } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { fixture } from "./helpers.js";

const ed25519 = parsePrivateKey(fixture("openssh/ed25519"));
const ecdsa = parsePrivateKey(fixture("openssh/ecdsa-p256"));
const rsa = parsePrivateKey(fixture("openssh/rsa-2048"));
const certRsa = parsePrivateKey(fixture("certs/subject-rsa"));
const cert: Certificate = parseCertificate(fixture("certs/user-rsa-by-ed25519-cert.pub"));

/** One key an in-memory agent holds: the blob it lists and the plain key that signs for it. */
interface Held {
  blob: Uint8Array;
  comment: string;
  key: PrivateKey;
}
const held = (key: PrivateKey, comment = key.publicKey.comment): Held => ({ blob: key.publicKey.blob, comment, key });

/** §4.5.1 as ssh-agent applies it: the flags pick the RSA hash; other keys ignore them. */
function algorithmFor(key: PrivateKey, flags: number): string {
  if (key.type !== "ssh-rsa") return key.type;
  if (flags & SSH_AGENT_RSA_SHA2_512) return "rsa-sha2-512";
  if (flags & SSH_AGENT_RSA_SHA2_256) return "rsa-sha2-256";
  return "ssh-rsa";
}

/** An agent that answers like OpenSSH's from a list of held keys. */
function keyring(keys: readonly Held[]): (request: Uint8Array) => Uint8Array {
  return (request) => {
    if (request[0] === AGENT_MSG.SSH_AGENTC_REQUEST_IDENTITIES) {
      return encodeIdentitiesAnswer(keys.map((k) => ({ keyBlob: k.blob, comment: k.comment })));
    }
    if (request[0] === AGENT_MSG.SSH_AGENTC_SIGN_REQUEST) {
      const { keyBlob, data, flags } = AgentcSignRequest.decode(request);
      const k = keys.find((h) => Buffer.from(h.blob).equals(keyBlob));
      if (!k) return new Uint8Array([AGENT_MSG.SSH_AGENT_FAILURE]);
      return AgentSignResponse.encode({ signature: k.key.sign(data, algorithmFor(k.key, flags)) });
    }
    return new Uint8Array([AGENT_MSG.SSH_AGENT_FAILURE]);
  };
}

/** The client's side of the stream: records requests, answers them a microtask later. */
class MemoryAgent implements AgentConnection {
  readonly requests: Uint8Array[] = [];
  closes = 0;
  readonly client: AgentClient;
  constructor(private readonly answer?: (request: Uint8Array) => Uint8Array | undefined) {
    this.client = new AgentClient(this);
  }
  write(bytes: Uint8Array): void {
    const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
    expect(length).toBe(bytes.length - 4);
    const request = bytes.slice(4);
    this.requests.push(request);
    const answer = this.answer?.(request);
    if (answer) queueMicrotask(() => this.client.receive(frameAgentMessage(answer)));
  }
  close(): void {
    this.closes++;
  }
}

async function agentErrorOf(p: Promise<unknown>): Promise<AgentError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AgentError);
  return e as AgentError;
}

const identitiesAnswer = encodeIdentitiesAnswer([
  { keyBlob: ed25519.publicKey.blob, comment: "alice@laptop" },
  { keyBlob: rsa.publicKey.blob, comment: "" },
]);

describe("draft-miller-ssh-agent §3: framing", () => {
  test("§3: a message goes out as uint32 length ‖ byte type ‖ contents", async () => {
    const agent = new MemoryAgent();
    void agent.client.identities().catch(() => {});
    expect(agent.requests).toEqual([new Uint8Array([AGENT_MSG.SSH_AGENTC_REQUEST_IDENTITIES])]);
    expect(frameAgentMessage(new Uint8Array([11]))).toEqual(new Uint8Array([0, 0, 0, 1, 11]));
    agent.client.close();
  });

  test("§3: an answer split at every byte boundary gives the same identities", async () => {
    const framed = frameAgentMessage(identitiesAnswer);
    for (let cut = 0; cut <= framed.length; cut++) {
      const agent = new MemoryAgent();
      const listing = agent.client.identities();
      agent.client.receive(framed.subarray(0, cut));
      agent.client.receive(framed.subarray(cut));
      const ids = await listing;
      expect(
        ids.map((i) => [i.publicKey.type, i.comment]),
        `cut at ${cut}`,
      ).toEqual([
        ["ssh-ed25519", "alice@laptop"],
        ["ssh-rsa", ""],
      ]);
    }
  });

  test("§3: an answer arriving one byte at a time is read once complete, and not before", async () => {
    const framed = frameAgentMessage(identitiesAnswer);
    const agent = new MemoryAgent();
    let settled = false;
    const listing = agent.client.identities().finally(() => {
      settled = true;
    });
    for (let i = 0; i < framed.length; i++) {
      await Promise.resolve();
      expect(settled).toBe(false);
      agent.client.receive(framed.subarray(i, i + 1));
    }
    expect(await listing).toHaveLength(2);
  });

  test("§3: the reader returns every message completed by one read, in order", () => {
    const reader = new AgentMessageReader();
    const a = frameAgentMessage(new Uint8Array([5]));
    const b = frameAgentMessage(new Uint8Array([14, 0, 0, 0, 0]));
    const both = new Uint8Array([...a, ...b, 0, 0]);
    expect(reader.push(both)).toEqual([new Uint8Array([5]), new Uint8Array([14, 0, 0, 0, 0])]);
    expect(reader.pendingBytes).toBe(2);
  });

  test("the agent answers in order: a second request is written only after the first is answered", async () => {
    const agent = new MemoryAgent(keyring([held(ed25519)]));
    const signer = agent.client.signer({ publicKey: ed25519.publicKey, comment: "" });
    const first = agent.client.identities();
    const second = signer.sign(new Uint8Array([1, 2, 3]));
    expect(agent.requests.map((r) => r[0])).toEqual([AGENT_MSG.SSH_AGENTC_REQUEST_IDENTITIES]);
    expect(await first).toHaveLength(1);
    expect(
      getSignatureAlgorithm("ssh-ed25519")!.verify(ed25519.publicKey.blob, await second, new Uint8Array([1, 2, 3])),
    ).toBe(true);
    expect(agent.requests.map((r) => r[0])).toEqual([
      AGENT_MSG.SSH_AGENTC_REQUEST_IDENTITIES,
      AGENT_MSG.SSH_AGENTC_SIGN_REQUEST,
    ]);
  });
});

describe("draft-miller-ssh-agent §4.4: listing identities", () => {
  test("§4.4: Ed25519, ECDSA and RSA keys come back with their comments, in the agent's order", async () => {
    const agent = new MemoryAgent(keyring([held(ecdsa, "ecdsa key"), held(rsa, "rsa key"), held(ed25519, "ed key")]));
    const ids = await agent.client.identities();
    expect(ids.map((i) => [i.publicKey.type, i.comment, i.publicKey.comment])).toEqual([
      ["ecdsa-sha2-nistp256", "ecdsa key", "ecdsa key"],
      ["ssh-rsa", "rsa key", "rsa key"],
      ["ssh-ed25519", "ed key", "ed key"],
    ]);
    expect(ids[1]!.publicKey.blob).toEqual(rsa.publicKey.blob);
  });

  test("an empty agent lists nothing", async () => {
    const agent = new MemoryAgent(keyring([]));
    expect(await agent.client.identities()).toEqual([]);
  });

  test("PROTOCOL.certkeys: a certificate identity is kept and parsed; unknown key types are skipped", async () => {
    const dss = new SshWriter().utf8("ssh-dss").mpint(23n).mpint(5n).mpint(7n).mpint(11n).finish();
    const dssCert = new SshWriter().utf8("ssh-dss-cert-v01@openssh.com").string(new Uint8Array(32)).finish();
    const agent = new MemoryAgent(() =>
      encodeIdentitiesAnswer([
        { keyBlob: dss, comment: "old dsa" },
        { keyBlob: cert.blob, comment: "my cert" },
        { keyBlob: dssCert, comment: "old dsa cert" },
        { keyBlob: ed25519.publicKey.blob, comment: "ed" },
      ]),
    );
    const ids = await agent.client.identities();
    expect(ids.map((i) => i.comment)).toEqual(["my cert", "ed"]);
    const c = ids[0]!.publicKey as Certificate;
    expect(c.type).toBe("ssh-rsa-cert-v01@openssh.com");
    expect(c.keyId).toBe(cert.keyId);
    expect(c.publicKey.blob).toEqual(certRsa.publicKey.blob);
  });

  test("a comment that is not UTF-8 is decoded with replacement characters, not refused", async () => {
    const keys = new SshWriter()
      .string(ed25519.publicKey.blob)
      .string(new Uint8Array([0x61, 0xff, 0x62]))
      .finish();
    const agent = new MemoryAgent(() => new SshWriter().byte(12).uint32(1).raw(keys).finish());
    const [id] = await agent.client.identities();
    expect(id!.comment).toBe("a\ufffdb");
  });

  test("a malformed key blob of a known type fails the listing with ERR_AGENT_MALFORMED", async () => {
    const badEd = new SshWriter().utf8("ssh-ed25519").string(new Uint8Array(31)).finish();
    const agent = new MemoryAgent(() => encodeIdentitiesAnswer([{ keyBlob: badEd, comment: "" }]));
    expect((await agentErrorOf(agent.client.identities())).code).toBe(AGENT_ERROR.MALFORMED);
  });

  test(`authfd.c MAX_AGENT_IDENTITIES: ${MAX_AGENT_IDENTITIES} entries are read, one more is ERR_AGENT_LIMIT`, async () => {
    const empty = (n: number) =>
      new SshWriter()
        .byte(12)
        .uint32(n)
        .raw(new Uint8Array(8 * n))
        .finish();
    expect(decodeIdentitiesAnswer(empty(MAX_AGENT_IDENTITIES))).toHaveLength(MAX_AGENT_IDENTITIES);
    const agent = new MemoryAgent(() => empty(MAX_AGENT_IDENTITIES + 1));
    const e = await agentErrorOf(agent.client.identities());
    expect(e.code).toBe(AGENT_ERROR.LIMIT);
    expect(e.message).toContain(`${MAX_AGENT_IDENTITIES + 1} identities`);
  });

  test("a count larger than the entries present is ERR_AGENT_MALFORMED, without looping over it", () => {
    const answer = new SshWriter().byte(12).uint32(MAX_AGENT_IDENTITIES).raw(new Uint8Array(8)).finish();
    expect(() => decodeIdentitiesAnswer(answer)).toThrow(expect.objectContaining({ code: AGENT_ERROR.MALFORMED }));
  });

  test("every truncation of an identities answer is ERR_AGENT_MALFORMED", () => {
    for (let n = 0; n < identitiesAnswer.length; n++) {
      let thrown: unknown;
      try {
        decodeIdentitiesAnswer(identitiesAnswer.subarray(0, n));
      } catch (e) {
        thrown = e;
      }
      expect(thrown, `cut at ${n}`).toBeInstanceOf(AgentError);
      expect((thrown as AgentError).code).toBe(AGENT_ERROR.MALFORMED);
    }
  });

  test("trailing bytes after the last identity are ERR_AGENT_MALFORMED", () => {
    expect(() => decodeIdentitiesAnswer(new Uint8Array([...identitiesAnswer, 0]))).toThrow(
      expect.objectContaining({ code: AGENT_ERROR.MALFORMED }),
    );
  });
});

describe("draft-miller-ssh-agent §4.5: signing", () => {
  const data = new TextEncoder().encode("session id ‖ userauth request");

  test.each([
    ["ssh-ed25519", ed25519, 0],
    ["ecdsa-sha2-nistp256", ecdsa, 0],
    ["rsa-sha2-512", rsa, SSH_AGENT_RSA_SHA2_512],
    ["rsa-sha2-256", rsa, SSH_AGENT_RSA_SHA2_256],
    ["ssh-rsa", rsa, 0],
  ] as const)("§4.5.1: %s is asked for with flags %#x and the signature verifies", async (alg, key, flags) => {
    const agent = new MemoryAgent(keyring([held(ed25519), held(ecdsa), held(rsa)]));
    const signer = agent.client.signer({ publicKey: key.publicKey, comment: "" });
    const blob = await signer.sign(data, alg);
    const request = AgentcSignRequest.decode(agent.requests[0]!);
    expect(request).toEqual({ keyBlob: key.publicKey.blob, data, flags });
    expect(getSignatureAlgorithm(alg)!.verify(key.publicKey.blob, blob, data)).toBe(true);
  });

  test("RFC 8332: an RSA identity signs with rsa-sha2-512, rsa-sha2-256, ssh-rsa; rsa-sha2-512 by default", async () => {
    const agent = new MemoryAgent(keyring([held(rsa)]));
    const signer = agent.client.signer({ publicKey: rsa.publicKey, comment: "" });
    expect(signer.type).toBe("ssh-rsa");
    expect(signer.signatureAlgorithms).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]);
    const blob = await signer.sign(data);
    expect(AgentcSignRequest.decode(agent.requests[0]!).flags).toBe(SSH_AGENT_RSA_SHA2_512);
    expect(getSignatureAlgorithm("rsa-sha2-512")!.verify(rsa.publicKey.blob, blob, data)).toBe(true);
  });

  test("PROTOCOL.certkeys: a certificate signs under the cert algorithm names with the certified key's flags", async () => {
    const agent = new MemoryAgent(keyring([{ blob: cert.blob, comment: "cert", key: certRsa }]));
    const [identity] = await agent.client.identities();
    const signer = agent.client.signer(identity!);
    expect(signer.signatureAlgorithms).toEqual([
      "rsa-sha2-512-cert-v01@openssh.com",
      "rsa-sha2-256-cert-v01@openssh.com",
      "ssh-rsa-cert-v01@openssh.com",
    ]);
    const blob = await signer.sign(data, "rsa-sha2-256-cert-v01@openssh.com");
    expect(AgentcSignRequest.decode(agent.requests[1]!)).toEqual({
      keyBlob: cert.blob,
      data,
      flags: SSH_AGENT_RSA_SHA2_256,
    });
    expect(getSignatureAlgorithm("rsa-sha2-256")!.verify(certRsa.publicKey.blob, blob, data)).toBe(true);
  });

  test("an agent that ignores the flags and returns ssh-rsa for rsa-sha2-512 is ERR_AGENT_WRONG_SIGNATURE_ALGORITHM", async () => {
    const agent = new MemoryAgent((req) =>
      AgentSignResponse.encode({ signature: rsa.sign(AgentcSignRequest.decode(req).data, "ssh-rsa") }),
    );
    const signer = agent.client.signer({ publicKey: rsa.publicKey, comment: "" });
    const e = await agentErrorOf(Promise.resolve(signer.sign(data, "rsa-sha2-512")));
    expect(e.code).toBe(AGENT_ERROR.WRONG_SIGNATURE_ALGORITHM);
    expect(e.message).toContain('got "ssh-rsa"');
  });

  test("an algorithm the key cannot sign with is a KeyError and nothing is sent", async () => {
    const agent = new MemoryAgent(keyring([held(ed25519)]));
    const signer = agent.client.signer({ publicKey: ed25519.publicKey, comment: "" });
    const e = await Promise.resolve(signer.sign(data, "rsa-sha2-256")).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(KeyError);
    expect((e as KeyError).code).toBe(KEY_ERROR.UNSUPPORTED_ALGORITHM);
    expect(agent.requests).toEqual([]);
  });

  test("a signature blob with trailing bytes is ERR_AGENT_MALFORMED", async () => {
    const agent = new MemoryAgent((req) =>
      AgentSignResponse.encode({
        signature: new Uint8Array([...ed25519.sign(AgentcSignRequest.decode(req).data), 0]),
      }),
    );
    const signer = agent.client.signer({ publicKey: ed25519.publicKey, comment: "" });
    expect((await agentErrorOf(Promise.resolve(signer.sign(data)))).code).toBe(AGENT_ERROR.MALFORMED);
  });

  test(`a request over AGENT_MAX_LEN (${AGENT_MAX_LEN} bytes) is ERR_AGENT_LIMIT and is not sent`, async () => {
    const agent = new MemoryAgent(keyring([held(ed25519)]));
    const signer = agent.client.signer({ publicKey: ed25519.publicKey, comment: "" });
    const e = await agentErrorOf(Promise.resolve(signer.sign(new Uint8Array(AGENT_MAX_LEN))));
    expect(e.code).toBe(AGENT_ERROR.LIMIT);
    expect(agent.requests).toEqual([]);
    expect(agent.client.closed).toBe(false);
  });
});

describe("draft-miller-ssh-agent §4.1: failure answers", () => {
  test.each([
    ["SSH_AGENT_FAILURE", AGENT_MSG.SSH_AGENT_FAILURE],
    ["SSH2_AGENT_FAILURE", AGENT_MSG.SSH2_AGENT_FAILURE],
    ["SSH_COM_AGENT2_FAILURE", AGENT_MSG.SSH_COM_AGENT2_FAILURE],
  ] as const)("%s to a sign request is ERR_AGENT_FAILURE, and the connection stays usable", async (_name, type) => {
    let refuse = true;
    const agent = new MemoryAgent((req) => (refuse ? new Uint8Array([type]) : keyring([held(ed25519)])(req)));
    const signer = agent.client.signer({ publicKey: ed25519.publicKey, comment: "laptop" });
    const e = await agentErrorOf(Promise.resolve(signer.sign(new Uint8Array([1]))));
    expect(e.code).toBe(AGENT_ERROR.FAILURE);
    expect(e.message).toContain('ssh-ed25519 key "laptop"');
    refuse = false;
    expect(await agent.client.identities()).toHaveLength(1);
    expect(agent.closes).toBe(0);
  });

  test("SSH_AGENT_FAILURE to a listing is ERR_AGENT_FAILURE", async () => {
    const agent = new MemoryAgent(() => new Uint8Array([AGENT_MSG.SSH_AGENT_FAILURE]));
    expect((await agentErrorOf(agent.client.identities())).code).toBe(AGENT_ERROR.FAILURE);
  });

  test("an answer of the wrong type (SSH_AGENT_SUCCESS to a sign request) is ERR_AGENT_MALFORMED", async () => {
    const agent = new MemoryAgent(() => new Uint8Array([AGENT_MSG.SSH_AGENT_SUCCESS]));
    const e = await agentErrorOf(agent.client.sign(ed25519.publicKey, new Uint8Array([1])));
    expect(e.code).toBe(AGENT_ERROR.MALFORMED);
    expect(e.message).toContain("SSH_AGENT_SUCCESS (6)");
  });
});

describe("hostile and broken agents", () => {
  test(`a length over AGENT_MAX_LEN is ERR_AGENT_LIMIT before the body arrives; the connection closes`, async () => {
    const agent = new MemoryAgent();
    const pending = agent.client.identities();
    agent.client.receive(new Uint8Array([0x00, 0x04, 0x00, 0x01]));
    const e = await agentErrorOf(pending);
    expect(e.code).toBe(AGENT_ERROR.LIMIT);
    expect(agent.closes).toBe(1);
    expect((await agentErrorOf(agent.client.identities())).code).toBe(AGENT_ERROR.LIMIT);
  });

  test("a message of exactly AGENT_MAX_LEN bytes is accepted", async () => {
    const comment = "c".repeat(AGENT_MAX_LEN - (1 + 4 + 4 + ed25519.publicKey.blob.length + 4));
    const answer = encodeIdentitiesAnswer([{ keyBlob: ed25519.publicKey.blob, comment }]);
    expect(answer.length).toBe(AGENT_MAX_LEN);
    const agent = new MemoryAgent(() => answer);
    expect((await agent.client.identities())[0]!.comment).toHaveLength(comment.length);
  });

  test("a message of length 0 is ERR_AGENT_MALFORMED", async () => {
    const agent = new MemoryAgent();
    const pending = agent.client.identities();
    agent.client.receive(new Uint8Array(4));
    expect((await agentErrorOf(pending)).code).toBe(AGENT_ERROR.MALFORMED);
  });

  test("every truncation of a sign response is ERR_AGENT_MALFORMED", async () => {
    const full = AgentSignResponse.encode({ signature: ed25519.sign(new Uint8Array([1])) });
    for (let n = 1; n < full.length; n++) {
      const agent = new MemoryAgent(() => full.subarray(0, n));
      const e = await agentErrorOf(agent.client.sign(ed25519.publicKey, new Uint8Array([1])));
      expect(e.code, `cut at ${n}`).toBe(AGENT_ERROR.MALFORMED);
    }
  });

  test("the agent closing mid-answer rejects the request and the queue with ERR_AGENT_CLOSED", async () => {
    const agent = new MemoryAgent();
    const first = agent.client.identities();
    const second = agent.client.identities();
    agent.client.receive(frameAgentMessage(identitiesAnswer).subarray(0, 10));
    agent.client.connectionClosed(new Error("ECONNRESET"));
    const e = await agentErrorOf(first);
    expect(e.code).toBe(AGENT_ERROR.CLOSED);
    expect(e.message).toContain("SSH_AGENTC_REQUEST_IDENTITIES");
    expect((await agentErrorOf(second)).code).toBe(AGENT_ERROR.CLOSED);
    expect(agent.requests).toHaveLength(1);
  });

  test("an answer nobody asked for is ERR_AGENT_MALFORMED and ends the connection", async () => {
    const agent = new MemoryAgent();
    agent.client.receive(frameAgentMessage(new Uint8Array([AGENT_MSG.SSH_AGENT_SUCCESS])));
    expect(agent.client.closed).toBe(true);
    expect(agent.closes).toBe(1);
    const e = await agentErrorOf(agent.client.identities());
    expect(e.code).toBe(AGENT_ERROR.MALFORMED);
    expect(e.message).toContain("answers no request");
  });

  test("two answers to one request: the second is unsolicited", async () => {
    const agent = new MemoryAgent();
    const pending = agent.client.identities();
    const one = frameAgentMessage(identitiesAnswer);
    agent.client.receive(new Uint8Array([...one, ...one]));
    expect(await pending).toHaveLength(2);
    expect(agent.client.closed).toBe(true);
  });

  test("close() rejects what is pending with ERR_AGENT_CLOSED and closes the connection once", async () => {
    const agent = new MemoryAgent();
    const pending = agent.client.identities();
    agent.client.close();
    agent.client.close();
    expect((await agentErrorOf(pending)).code).toBe(AGENT_ERROR.CLOSED);
    expect(agent.closes).toBe(1);
    expect((await agentErrorOf(agent.client.identities())).code).toBe(AGENT_ERROR.CLOSED);
  });

  test("a write that throws rejects the request with ERR_AGENT_CLOSED", async () => {
    const client = new AgentClient({
      write: () => {
        throw new Error("EPIPE");
      },
      close: () => {},
    });
    const e = await agentErrorOf(client.identities());
    expect(e.code).toBe(AGENT_ERROR.CLOSED);
    expect((e.cause as Error).message).toBe("EPIPE");
  });

  fcTest.prop([fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 6 }), fc.boolean()], { numRuns: 500 })(
    "random bytes from the agent only ever give identities, signatures or typed errors",
    async (chunks, signing) => {
      const agent = new MemoryAgent();
      const pending: Promise<unknown> = signing
        ? Promise.resolve(agent.client.signer({ publicKey: rsa.publicKey, comment: "" }).sign(new Uint8Array([1])))
        : agent.client.identities();
      for (const c of chunks) agent.client.receive(c);
      agent.client.connectionClosed();
      const outcome = await pending.then(
        () => "ok",
        (e: unknown) => e,
      );
      if (outcome !== "ok") expect(outcome instanceof AgentError || outcome instanceof KeyError).toBe(true);
    },
  );

  fcTest.prop([fc.uint8Array({ maxLength: 300 })], { numRuns: 500 })(
    "random identities answers decode or give ERR_AGENT_MALFORMED / ERR_AGENT_LIMIT",
    (bytes) => {
      try {
        decodeIdentitiesAnswer(new Uint8Array([12, ...bytes]));
      } catch (e) {
        expect(e).toBeInstanceOf(AgentError);
        expect([AGENT_ERROR.MALFORMED, AGENT_ERROR.LIMIT]).toContain((e as AgentError).code);
      }
    },
  );
});
