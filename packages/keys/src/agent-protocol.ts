/**
 * The ssh-agent protocol, client side (draft-miller-ssh-agent, the successor of OpenSSH's
 * PROTOCOL.agent): message numbers, the messages a client sends and the answers it reads, the
 * framing `uint32 length ‖ byte type ‖ contents` (§3) with an incremental reader that copes with
 * answers split across reads, and the typed `AgentError`. Limits follow OpenSSH: a message is at
 * most AGENT_MAX_LEN bytes (ssh-agent.c) and an identities answer lists at most
 * MAX_AGENT_IDENTITIES keys (authfd.c). The request/answer machinery is in agent.ts.
 * @module
 */
import { type Infer, msg, rest, SshError, SshReader, SshWriter, string, uint32, WireError } from "@purssh/wire";

/** Message numbers (draft-miller-ssh-agent §5.1), named as in the draft. */
export const AGENT_MSG = {
  SSH_AGENT_FAILURE: 5,
  SSH_AGENT_SUCCESS: 6,
  SSH_AGENTC_REQUEST_IDENTITIES: 11,
  SSH_AGENT_IDENTITIES_ANSWER: 12,
  SSH_AGENTC_SIGN_REQUEST: 13,
  SSH_AGENT_SIGN_RESPONSE: 14,
  SSH_AGENT_EXTENSION_FAILURE: 28,
  /** Legacy failure numbers OpenSSH still treats as failure (authfd.c agent_failed()). */
  SSH2_AGENT_FAILURE: 30,
  SSH_COM_AGENT2_FAILURE: 102,
} as const;

/** SSH_AGENTC_SIGN_REQUEST flags (draft-miller-ssh-agent §4.5.1): which hash an ssh-rsa key signs with. */
export const SSH_AGENT_RSA_SHA2_256 = 0x02;
export const SSH_AGENT_RSA_SHA2_512 = 0x04;

/** Largest agent message (type and contents, without the length), OpenSSH ssh-agent.c AGENT_MAX_LEN. */
export const AGENT_MAX_LEN = 256 * 1024;
/** Most identities accepted in one answer, OpenSSH authfd.c MAX_AGENT_IDENTITIES. */
export const MAX_AGENT_IDENTITIES = 2048;

/** Stable codes of `AgentError`. */
export const AGENT_ERROR = {
  /** The agent answered SSH_AGENT_FAILURE: no such key, agent locked, use refused or not confirmed. */
  FAILURE: "ERR_AGENT_FAILURE",
  /** An answer that does not parse, has the wrong message type for the request, or came unasked. */
  MALFORMED: "ERR_AGENT_MALFORMED",
  /** A message longer than AGENT_MAX_LEN, or more than MAX_AGENT_IDENTITIES identities. */
  LIMIT: "ERR_AGENT_LIMIT",
  /** The signature the agent returned is not made with the algorithm asked for (e.g. ssh-rsa for rsa-sha2-512). */
  WRONG_SIGNATURE_ALGORITHM: "ERR_AGENT_WRONG_SIGNATURE_ALGORITHM",
  /** The connection to the agent closed (agent gone, or closed by us) before the answer came. */
  CLOSED: "ERR_AGENT_CLOSED",
  /** No agent to connect to: SSH_AUTH_SOCK unset, or the socket refused or absent. */
  UNAVAILABLE: "ERR_AGENT_UNAVAILABLE",
  /** The agent did not answer in time. */
  TIMEOUT: "ERR_AGENT_TIMEOUT",
} as const;

export type AgentErrorCode = (typeof AGENT_ERROR)[keyof typeof AGENT_ERROR];

export class AgentError extends SshError {
  declare readonly code: AgentErrorCode;
  constructor(code: AgentErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

// draft-miller-ssh-agent §4.4: requesting the list of keys.
export const AgentcRequestIdentities = msg(
  AGENT_MSG.SSH_AGENTC_REQUEST_IDENTITIES,
  "SSH_AGENTC_REQUEST_IDENTITIES",
  {},
);
export type AgentcRequestIdentities = Infer<typeof AgentcRequestIdentities>;

/** §4.4: `uint32 nkeys` then nkeys × (`string key blob`, `string comment`), read by decodeIdentitiesAnswer. */
export const AgentIdentitiesAnswer = msg(AGENT_MSG.SSH_AGENT_IDENTITIES_ANSWER, "SSH_AGENT_IDENTITIES_ANSWER", {
  nkeys: uint32,
  keys: rest,
});
export type AgentIdentitiesAnswer = Infer<typeof AgentIdentitiesAnswer>;

// §4.5: private key operations.
export const AgentcSignRequest = msg(AGENT_MSG.SSH_AGENTC_SIGN_REQUEST, "SSH_AGENTC_SIGN_REQUEST", {
  keyBlob: string,
  data: string,
  flags: uint32,
});
export type AgentcSignRequest = Infer<typeof AgentcSignRequest>;

export const AgentSignResponse = msg(AGENT_MSG.SSH_AGENT_SIGN_RESPONSE, "SSH_AGENT_SIGN_RESPONSE", {
  signature: string,
});
export type AgentSignResponse = Infer<typeof AgentSignResponse>;

// §4.1 (generic responses)
export const AgentFailure = msg(AGENT_MSG.SSH_AGENT_FAILURE, "SSH_AGENT_FAILURE", {});
export const AgentSuccess = msg(AGENT_MSG.SSH_AGENT_SUCCESS, "SSH_AGENT_SUCCESS", {});

const NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(AGENT_MSG).map(([name, n]) => [n, name]),
);

/** "SSH_AGENT_SIGN_RESPONSE (14)", or "message 99" for a number the draft does not name. */
export function agentMessageName(type: number | undefined): string {
  if (type === undefined) return "an empty message";
  const name = NAMES[type];
  return name === undefined ? `message ${type}` : `${name} (${type})`;
}

/** Whether an answer's type says the request failed (SSH_AGENT_FAILURE and OpenSSH's legacy forms). */
export function isAgentFailure(type: number | undefined): boolean {
  return (
    type === AGENT_MSG.SSH_AGENT_FAILURE ||
    type === AGENT_MSG.SSH2_AGENT_FAILURE ||
    type === AGENT_MSG.SSH_COM_AGENT2_FAILURE
  );
}

/** Runs a decoder over agent bytes and turns the reader's errors into ERR_AGENT_MALFORMED. */
export function decodingAgentAnswer<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof WireError)
      throw new AgentError(AGENT_ERROR.MALFORMED, `${what} is malformed: ${e.message}`, { cause: e });
    throw e;
  }
}

/** §3: `uint32 length ‖ message`, where `message` is `byte type ‖ contents`. */
export function frameAgentMessage(message: Uint8Array): Uint8Array {
  if (message.length === 0) throw new AgentError(AGENT_ERROR.MALFORMED, "an agent message needs at least a type byte");
  if (message.length > AGENT_MAX_LEN) {
    throw new AgentError(
      AGENT_ERROR.LIMIT,
      `${agentMessageName(message[0])} would be ${message.length} bytes; agents accept at most ${AGENT_MAX_LEN}`,
    );
  }
  return new SshWriter(4 + message.length).uint32(message.length).raw(message).finish();
}

/**
 * Splits the byte stream from an agent into messages (`byte type ‖ contents`, without the
 * length). Bytes may arrive in any pieces: a length field or a message split across reads is
 * kept until the rest comes. A length of 0 or above AGENT_MAX_LEN throws before anything is
 * buffered for it; the reader is then unusable (the stream has lost its framing).
 */
export class AgentMessageReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  /** The length of the message being read, once its length field is complete. */
  private expected: number | undefined;

  /** Bytes received but not yet returned as a message. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Adds bytes from the stream; returns the messages they complete, in order. */
  push(bytes: Uint8Array): Uint8Array[] {
    if (bytes.length > 0) {
      this.chunks.push(bytes.slice());
      this.buffered += bytes.length;
    }
    const out: Uint8Array[] = [];
    for (;;) {
      if (this.expected === undefined) {
        if (this.buffered < 4) break;
        const head = this.take(4);
        const length = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
        if (length === 0) throw new AgentError(AGENT_ERROR.MALFORMED, "the agent sent a message of length 0");
        if (length > AGENT_MAX_LEN) {
          throw new AgentError(
            AGENT_ERROR.LIMIT,
            `the agent announced a ${length}-byte message; at most ${AGENT_MAX_LEN} bytes are accepted`,
          );
        }
        this.expected = length;
      }
      if (this.buffered < this.expected) break;
      out.push(this.take(this.expected));
      this.expected = undefined;
    }
    return out;
  }

  /** Removes the first `n` buffered bytes (n ≤ buffered) and returns them as one array. */
  private take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const used = Math.min(chunk.length, n - filled);
      out.set(chunk.subarray(0, used), filled);
      filled += used;
      if (used === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    this.buffered -= n;
    return out;
  }
}

/** One entry of an identities answer, as the agent sent it. */
export interface AgentIdentityBlob {
  /** The public key blob (RFC 4253 §6.6), or a certificate blob (PROTOCOL.certkeys). */
  readonly keyBlob: Uint8Array;
  readonly comment: string;
}

/** Comments are text for people: invalid UTF-8 is replaced, not fatal. */
const commentDecoder = new TextDecoder("utf-8");

/**
 * §4.4: the (key blob, comment) pairs of an SSH_AGENT_IDENTITIES_ANSWER (type byte included).
 * More than MAX_AGENT_IDENTITIES keys is ERR_AGENT_LIMIT; short or trailing bytes ERR_AGENT_MALFORMED.
 */
export function decodeIdentitiesAnswer(message: Uint8Array): AgentIdentityBlob[] {
  const what = "SSH_AGENT_IDENTITIES_ANSWER";
  const { nkeys, keys } = decodingAgentAnswer(what, () => AgentIdentitiesAnswer.decode(message));
  if (nkeys > MAX_AGENT_IDENTITIES) {
    throw new AgentError(
      AGENT_ERROR.LIMIT,
      `the agent lists ${nkeys} identities; at most ${MAX_AGENT_IDENTITIES} are accepted`,
    );
  }
  return decodingAgentAnswer(what, () => {
    const r = new SshReader(keys);
    // Each entry takes at least 8 bytes (two empty strings): bound the count before looping.
    if (nkeys > r.remaining / 8) {
      throw new WireError("ERR_WIRE_SHORT_READ", `${nkeys} identities cannot fit in ${r.remaining} bytes`);
    }
    const out: AgentIdentityBlob[] = [];
    for (let i = 0; i < nkeys; i++) {
      const keyBlob = r.string().slice();
      const comment = commentDecoder.decode(r.string());
      out.push({ keyBlob, comment });
    }
    r.expectEnd(what);
    return out;
  });
}

/** The SSH_AGENT_IDENTITIES_ANSWER carrying `identities` (the agent side; for tests and fakes). */
export function encodeIdentitiesAnswer(identities: readonly { keyBlob: Uint8Array; comment: string }[]): Uint8Array {
  const w = new SshWriter(64);
  for (const id of identities) w.string(id.keyBlob).utf8(id.comment);
  return AgentIdentitiesAnswer.encode({ nkeys: identities.length, keys: w.finish() });
}
