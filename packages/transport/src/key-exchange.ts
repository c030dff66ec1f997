/**
 * The pieces of an ECDH-style key exchange that are pure functions (RFC 4253 §7.2, §8; RFC 5656
 * §4; RFC 8731 §3): the exchange hash H, the check of the server's signature over it, and the
 * derivation of each direction's packet cipher. The transport's state machine sequences them.
 * @module
 */
import {
  deriveKey,
  getCipher,
  getSignatureAlgorithm,
  type KexAlgorithm,
  type KexClientExchange,
  type PacketCipher,
} from "@purssh/crypto";
import { DISCONNECT, type Kexinit, ProtocolError, SshReader, SshWriter } from "@purssh/wire";
import type { NegotiatedAlgorithms } from "./negotiate.js";

/** Keys derived by a key exchange, waiting for NEWKEYS in each direction. */
export interface PendingKeys {
  negotiated: NegotiatedAlgorithms;
  outgoing: PacketCipher;
  incoming: PacketCipher;
}

/** The key-exchange state machine (STYLE.md: a union, transitions in a switch). */
export type KexState =
  | { kind: "idle" }
  | { kind: "sentKexinit"; ours: Kexinit; oursPayload: Uint8Array }
  | {
      kind: "awaitingReply";
      oursPayload: Uint8Array;
      theirsPayload: Uint8Array;
      negotiated: NegotiatedAlgorithms;
      method: KexAlgorithm;
      exchange: KexClientExchange;
      ignoreGuessedPacket: boolean;
    }
  | { kind: "verifyingHostKey"; keys: PendingKeys }
  | { kind: "awaitingNewkeys"; keys: PendingKeys };

/** What enters the exchange hash, in RFC 5656 §4 / RFC 8731 §3 order. */
export interface ExchangeHashInputs {
  clientVersion: string;
  serverVersion: string;
  clientKexinit: Uint8Array;
  serverKexinit: Uint8Array;
  hostKey: Uint8Array;
  clientPublic: Uint8Array;
  serverPublic: Uint8Array;
  /** K, already encoded (mpint or string) as the method defines. */
  encodedK: Uint8Array;
}

/** H = HASH(V_C ‖ V_S ‖ I_C ‖ I_S ‖ K_S ‖ Q_C ‖ Q_S ‖ K). */
export function exchangeHash(method: KexAlgorithm, i: ExchangeHashInputs): Uint8Array {
  return method.hash(
    new SshWriter(2048)
      .utf8(i.clientVersion)
      .utf8(i.serverVersion)
      .string(i.clientKexinit)
      .string(i.serverKexinit)
      .string(i.hostKey)
      .string(i.clientPublic)
      .string(i.serverPublic)
      .raw(i.encodedK)
      .finish(),
  );
}

/** RFC 4253 §8: the host key must be of the negotiated type and must have signed H. */
export function checkExchangeSignature(
  hostKeyAlgorithm: string,
  hostKey: Uint8Array,
  signature: Uint8Array,
  H: Uint8Array,
): void {
  const sig = getSignatureAlgorithm(hostKeyAlgorithm);
  const keyType = blobType(hostKey);
  if (!sig || sig.keyType !== keyType) {
    throw new ProtocolError(
      "ERR_HOST_KEY_TYPE",
      `server sent a ${keyType} host key for the negotiated algorithm ${hostKeyAlgorithm}`,
      DISCONNECT.KEY_EXCHANGE_FAILED,
    );
  }
  if (!sig.verify(hostKey, signature, H)) {
    throw new ProtocolError(
      "ERR_HOST_KEY_SIGNATURE",
      "the server's signature of the exchange hash does not verify with its host key",
      DISCONNECT.KEY_EXCHANGE_FAILED,
    );
  }
}

/** RFC 4253 §7.2: A/C client-to-server IV/key, B/D server-to-client; the client's view. */
export function deriveSessionKeys(
  method: KexAlgorithm,
  encodedK: Uint8Array,
  H: Uint8Array,
  sessionId: Uint8Array,
  negotiated: NegotiatedAlgorithms,
): PendingKeys {
  const make = (name: string, ivLetter: "A" | "B", keyLetter: "C" | "D", direction: "seal" | "open") => {
    const alg = getCipher(name);
    if (!alg) throw new ProtocolError("ERR_KEX_NO_COMMON_ALGORITHM", `unsupported cipher ${name}`);
    const key = deriveKey(method.hash, encodedK, H, sessionId, keyLetter, alg.keyLength);
    const iv = deriveKey(method.hash, encodedK, H, sessionId, ivLetter, alg.ivLength);
    return alg.create(key, iv, direction);
  };
  return {
    negotiated,
    outgoing: make(negotiated.cipherClientToServer, "A", "C", "seal"),
    incoming: make(negotiated.cipherServerToClient, "B", "D", "open"),
  };
}

/** The key type named at the start of a public-key blob. */
export function blobType(blob: Uint8Array): string {
  try {
    return new SshReader(blob).utf8();
  } catch {
    return "(malformed key blob)";
  }
}
