/**
 * The ssh-agent protocol client (draft-miller-ssh-agent §4.4 listing keys, §4.5 signing): lists
 * the identities an agent holds and turns each into a `Signer` for public key authentication
 * (RFC 4252 §7), asking for rsa-sha2-256 / rsa-sha2-512 with the §4.5.1 flags and checking that
 * the signature the agent returns is made with the algorithm asked for.
 *
 * Sans-I/O: bytes from the agent go in through `receive()`, requests go out through an
 * `AgentConnection`; a socket adapter (@purssh/net `connectAgent`) pumps between the two and owns
 * timeouts. One request is in flight at a time — the agent answers in order, and not every agent
 * reads ahead — and later requests wait their turn.
 * @module
 */
import { CERTIFICATE_ALGORITHMS } from "@purssh/crypto";
import { SshReader } from "@purssh/wire";
import {
  AGENT_ERROR,
  AGENT_MSG,
  AgentcRequestIdentities,
  AgentcSignRequest,
  AgentError,
  AgentMessageReader,
  AgentSignResponse,
  agentMessageName,
  decodeIdentitiesAnswer,
  decodingAgentAnswer,
  frameAgentMessage,
  isAgentFailure,
  SSH_AGENT_RSA_SHA2_256,
  SSH_AGENT_RSA_SHA2_512,
} from "./agent-protocol.js";
import { isCertificateType, parseCertificateBlob } from "./certificate.js";
import { KEY_ERROR, KeyError } from "./errors.js";
import type { Signer } from "./private-key.js";
import { decodePublicKey, keyTypeOfBlob, type PublicKey, parsePublicKeyBlob } from "./public-key.js";
import { RSA_SIGNATURE_ALGORITHMS } from "./rsa-key.js";

/** The byte stream to an agent, as the client sees it. */
export interface AgentConnection {
  /** Sends bytes to the agent. */
  write(bytes: Uint8Array): void;
  /** Ends the connection; called once, when the client closes or fails. */
  close(): void;
}

/** A key the agent holds (§4.4). */
export interface AgentIdentity {
  /** The public key, or for a `*-cert-v01@openssh.com` identity the parsed `Certificate`. */
  readonly publicKey: PublicKey;
  readonly comment: string;
}

interface PendingRequest {
  readonly framed: Uint8Array;
  /** The request's name, for messages. */
  readonly what: string;
  resolve(answer: Uint8Array): void;
  reject(error: AgentError): void;
}

type AgentClientState =
  | { kind: "idle" }
  | { kind: "awaitingAnswer"; request: PendingRequest }
  | { kind: "closed"; error: AgentError };

/** A signature algorithm an identity signs with, and the plain algorithm named inside the signature. */
interface AgentSignatureAlgorithm {
  /** The public key algorithm name used in authentication, e.g. "rsa-sha2-512-cert-v01@openssh.com". */
  readonly name: string;
  /** The signature algorithm, e.g. "rsa-sha2-512". */
  readonly plain: string;
  /** SSH_AGENTC_SIGN_REQUEST flags selecting it (§4.5.1). */
  readonly flags: number;
}

function rsaFlags(plain: string): number {
  if (plain === "rsa-sha2-256") return SSH_AGENT_RSA_SHA2_256;
  if (plain === "rsa-sha2-512") return SSH_AGENT_RSA_SHA2_512;
  return 0;
}

/**
 * The algorithms an identity of `type` signs with, preferred first: rsa-sha2-512, rsa-sha2-256 and
 * ssh-rsa for RSA keys (as for RSA keys held here), the certificate algorithms over them for
 * certificates (PROTOCOL.certkeys), the key type itself otherwise.
 */
function signatureAlgorithmsOf(type: string): AgentSignatureAlgorithm[] {
  const plainOf = (plain: string) => ({ name: plain, plain, flags: rsaFlags(plain) });
  if (isCertificateType(type)) {
    return CERTIFICATE_ALGORITHMS.filter((c) => c.certType === type).map((c) => ({
      name: c.name,
      plain: c.base,
      flags: rsaFlags(c.base),
    }));
  }
  if (type === "ssh-rsa") return RSA_SIGNATURE_ALGORITHMS.map(plainOf);
  return [plainOf(type)];
}

/**
 * The identity's key, or undefined for a key type this package does not implement (skipped, as
 * OpenSSH skips unknown types). A malformed blob of a known type is ERR_AGENT_MALFORMED.
 */
function identityKey(keyBlob: Uint8Array, comment: string): PublicKey | undefined {
  try {
    const type = keyTypeOfBlob(keyBlob);
    if (isCertificateType(type)) {
      try {
        return parseCertificateBlob(keyBlob, comment);
      } catch (e) {
        if (e instanceof KeyError && e.code === KEY_ERROR.UNSUPPORTED_TYPE) return undefined;
        throw e;
      }
    }
    if (decodePublicKey(keyBlob).kind === "opaque") return undefined;
    return parsePublicKeyBlob(keyBlob, comment);
  } catch (e) {
    if (e instanceof KeyError) {
      throw new AgentError(AGENT_ERROR.MALFORMED, `the agent listed a malformed key: ${e.message}`, { cause: e });
    }
    throw e;
  }
}

/** Checks an answer's type: a failure answer is ERR_AGENT_FAILURE, any other type ERR_AGENT_MALFORMED. */
function expectAnswer(answer: Uint8Array, type: number, request: string, failure: string): void {
  const got = answer[0];
  if (got === type) return;
  if (isAgentFailure(got)) {
    throw new AgentError(AGENT_ERROR.FAILURE, `${failure} (${agentMessageName(got)} to ${request})`);
  }
  throw new AgentError(
    AGENT_ERROR.MALFORMED,
    `the agent answered ${request} with ${agentMessageName(got)}, expected ${agentMessageName(type)}`,
  );
}

/** Describes a key for messages: its type and comment. */
function describeKey(key: PublicKey, comment = key.comment): string {
  return comment === "" ? `the ${key.type} key` : `the ${key.type} key ${JSON.stringify(comment)}`;
}

/** The client side of one connection to an ssh-agent. */
export class AgentClient {
  private state: AgentClientState = { kind: "idle" };
  private readonly queue: PendingRequest[] = [];
  private readonly reader = new AgentMessageReader();

  constructor(private readonly connection: AgentConnection) {}

  /** True while a request waits for its answer (the socket adapter times this). */
  get busy(): boolean {
    return this.state.kind === "awaitingAnswer";
  }

  /** True once the connection has been closed or has failed; every request then rejects. */
  get closed(): boolean {
    return this.state.kind === "closed";
  }

  /**
   * Sends one message (`byte type ‖ contents`; the length is added here) after the requests
   * before it have been answered, and resolves with the agent's answer, type byte included.
   */
  request(message: Uint8Array): Promise<Uint8Array> {
    if (this.state.kind === "closed") return Promise.reject(this.state.error);
    let framed: Uint8Array;
    try {
      framed = frameAgentMessage(message);
    } catch (e) {
      return Promise.reject(e);
    }
    const what = agentMessageName(message[0]);
    return new Promise<Uint8Array>((resolve, reject) => {
      this.queue.push({ framed, what, resolve, reject });
      this.sendNext();
    });
  }

  /** Bytes from the agent, in any pieces. */
  receive(bytes: Uint8Array): void {
    if (this.state.kind === "closed") return;
    let messages: Uint8Array[];
    try {
      messages = this.reader.push(bytes);
    } catch (e) {
      this.abort(e instanceof AgentError ? e : new AgentError(AGENT_ERROR.MALFORMED, String(e), { cause: e }));
      return;
    }
    for (const message of messages) {
      const state = this.state;
      switch (state.kind) {
        case "awaitingAnswer":
          this.state = { kind: "idle" };
          state.request.resolve(message);
          break;
        case "idle":
          this.abort(
            new AgentError(
              AGENT_ERROR.MALFORMED,
              `the agent sent ${agentMessageName(message[0])} that answers no request`,
            ),
          );
          return;
        default: {
          const never: never = state;
          throw new Error(`unhandled agent client state ${JSON.stringify(never)}`);
        }
      }
    }
    this.sendNext();
  }

  /** The stream from the agent ended or failed: pending requests reject with ERR_AGENT_CLOSED. */
  connectionClosed(cause?: unknown): void {
    if (this.state.kind === "closed") return;
    const waiting = this.state.kind === "awaitingAnswer" ? ` while ${this.state.request.what} awaited its answer` : "";
    this.abort(
      new AgentError(AGENT_ERROR.CLOSED, `the connection to the agent closed${waiting}`, {
        ...(cause === undefined ? {} : { cause }),
      }),
    );
  }

  /** Closes the connection; pending and later requests reject with ERR_AGENT_CLOSED. Idempotent. */
  close(): void {
    this.abort(new AgentError(AGENT_ERROR.CLOSED, "the connection to the agent was closed by the application"));
  }

  /** Ends the connection with `error` (e.g. ERR_AGENT_TIMEOUT from an adapter); pending requests reject with it. */
  abort(error: AgentError): void {
    const state = this.state;
    if (state.kind === "closed") return;
    const pending = state.kind === "awaitingAnswer" ? [state.request, ...this.queue] : [...this.queue];
    this.queue.length = 0;
    this.state = { kind: "closed", error };
    for (const p of pending) p.reject(error);
    this.connection.close();
  }

  private sendNext(): void {
    if (this.state.kind !== "idle") return;
    const next = this.queue.shift();
    if (!next) return;
    this.state = { kind: "awaitingAnswer", request: next };
    try {
      this.connection.write(next.framed);
    } catch (cause) {
      this.abort(new AgentError(AGENT_ERROR.CLOSED, `cannot write ${next.what} to the agent`, { cause }));
    }
  }

  /**
   * §4.4: the agent's keys, in the agent's order. Keys of types this package does not implement
   * (ssh-dss, unknown certificate types) are skipped; certificates are kept, as `Certificate`s.
   */
  async identities(): Promise<AgentIdentity[]> {
    const request = "SSH_AGENTC_REQUEST_IDENTITIES";
    const answer = await this.request(AgentcRequestIdentities.encode({}));
    expectAnswer(answer, AGENT_MSG.SSH_AGENT_IDENTITIES_ANSWER, request, "the agent refused to list its keys");
    const out: AgentIdentity[] = [];
    for (const { keyBlob, comment } of decodeIdentitiesAnswer(answer)) {
      const publicKey = identityKey(keyBlob, comment);
      if (publicKey) out.push(Object.freeze({ publicKey, comment }));
    }
    return out;
  }

  /**
   * §4.5: asks the agent to sign `data` with the key whose blob is `key`'s and returns the
   * signature blob (`string algorithm ‖ string signature`, RFC 4253 §6.6) as the agent sent it.
   * `flags` are §4.5.1 flags (SSH_AGENT_RSA_SHA2_256 / _512); `comment` names the key in error
   * messages. An agent refusal is ERR_AGENT_FAILURE.
   */
  async sign(key: PublicKey, data: Uint8Array, flags = 0, comment = key.comment): Promise<Uint8Array> {
    const request = "SSH_AGENTC_SIGN_REQUEST";
    const answer = await this.request(AgentcSignRequest.encode({ keyBlob: key.blob, data, flags }));
    expectAnswer(
      answer,
      AGENT_MSG.SSH_AGENT_SIGN_RESPONSE,
      request,
      `the agent refused to sign with ${describeKey(key, comment)}: it does not hold the key, is locked, or use was not confirmed`,
    );
    return decodingAgentAnswer("SSH_AGENT_SIGN_RESPONSE", () => AgentSignResponse.decode(answer).signature);
  }

  /**
   * A `Signer` for an identity: `sign(data, algorithm)` asks the agent for that algorithm (flags
   * for rsa-sha2-256/512; the certified key's algorithm for certificates) and rejects with
   * ERR_AGENT_WRONG_SIGNATURE_ALGORITHM when the signature names another one, as an old agent
   * answering an rsa-sha2-512 request with an ssh-rsa (SHA-1) signature would.
   */
  signer(identity: AgentIdentity): Signer {
    const publicKey = identity.publicKey;
    const described = describeKey(publicKey, identity.comment);
    const algorithms = signatureAlgorithmsOf(publicKey.type);
    const names: readonly string[] = Object.freeze(algorithms.map((a) => a.name));
    return Object.freeze({
      type: publicKey.type,
      publicKey,
      signatureAlgorithms: names,
      sign: async (data: Uint8Array, algorithm: string | undefined = names[0]): Promise<Uint8Array> => {
        const chosen = algorithms.find((a) => a.name === algorithm);
        if (!chosen) {
          throw new KeyError(
            KEY_ERROR.UNSUPPORTED_ALGORITHM,
            `${described} in the agent cannot sign with ${JSON.stringify(algorithm)}; it signs with: ${names.join(", ") || "nothing we implement"}`,
          );
        }
        const blob = await this.sign(publicKey, data, chosen.flags, identity.comment);
        const named = decodingAgentAnswer("the agent's signature blob", () => {
          const r = new SshReader(blob);
          const name = r.utf8();
          r.string();
          // sk-* signatures carry flags and a counter after the signature (PROTOCOL.u2f).
          if (!chosen.plain.startsWith("sk-")) r.expectEnd("the agent's signature blob");
          return name;
        });
        if (named !== chosen.plain) {
          throw new AgentError(
            AGENT_ERROR.WRONG_SIGNATURE_ALGORITHM,
            `asked the agent for a ${chosen.plain} signature with ${described}, got ${JSON.stringify(named)}`,
          );
        }
        return blob;
      },
    });
  }
}
