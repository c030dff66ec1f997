/**
 * The pieces of an ECDH-style key exchange that are pure functions (RFC 4253 §7.2, §8; RFC 5656
 * §4; RFC 8731 §3): the exchange hash H, the check of the server's signature over it, and the
 * derivation of each direction's packet cipher. The transport's state machine sequences them.
 * @module
 */
import {
  type DhGroup,
  deriveKey,
  getCipher,
  getMac,
  getSignatureAlgorithm,
  type KexAlgorithm,
  type KexClientExchange,
  type PacketCipher,
} from "@purssh/crypto";
import {
  DISCONNECT,
  KexDhGexInit,
  KexDhGexReply,
  KexdhInit,
  KexdhReply,
  KexEcdhInit,
  KexEcdhReply,
  type Kexinit,
  MSG,
  ProtocolError,
  SshReader,
  SshWriter,
  toHex,
  unsignedBytes,
} from "@purssh/wire";
import type { NegotiatedAlgorithms } from "./negotiate.js";

/** Keys derived by a key exchange, waiting for NEWKEYS in each direction. */
export interface PendingKeys {
  negotiated: NegotiatedAlgorithms;
  outgoing: PacketCipher;
  incoming: PacketCipher;
}

/** What every key-exchange state after both KEXINITs carries. */
export interface KexCommon {
  oursPayload: Uint8Array;
  theirsPayload: Uint8Array;
  negotiated: NegotiatedAlgorithms;
  method: KexAlgorithm;
  /** The peer's guessed first kex packet is wrong and must be dropped (RFC 4253 §7.1). */
  ignoreGuessedPacket: boolean;
}

/** Group-exchange parameters, which enter the exchange hash (RFC 4419 §3). */
export interface GexParameters {
  request: GexRequest;
  group: DhGroup;
}

/** The key-exchange state machine of both roles (STYLE.md: a union, transitions in a switch). */
export type KexState =
  | { kind: "idle" }
  | { kind: "sentKexinit"; ours: Kexinit; oursPayload: Uint8Array }
  // client: GEX_REQUEST sent, waiting for GEX_GROUP
  | (KexCommon & { kind: "awaitingGexGroup"; request: GexRequest })
  // client: our public value sent, waiting for the server's reply
  | (KexCommon & { kind: "awaitingReply"; exchange: KexClientExchange; gex?: GexParameters })
  // server: waiting for the client's GEX_REQUEST
  | (KexCommon & { kind: "awaitingGexRequest" })
  // server: waiting for the client's public value
  | (KexCommon & { kind: "awaitingInit"; gex?: GexParameters })
  | { kind: "verifyingHostKey"; keys: PendingKeys }
  | { kind: "awaitingNewkeys"; keys: PendingKeys };

/** The group sizes a client asks for in KEX_DH_GEX_REQUEST (RFC 4419 §3), in bits. */
export interface GexRequest {
  min: number;
  n: number;
  max: number;
}

/** What enters the exchange hash, in RFC 5656 §4 / RFC 8731 §3 / RFC 4419 §3 order. */
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
  gex?: GexParameters;
}

/**
 * H = HASH(V_C ‖ V_S ‖ I_C ‖ I_S ‖ K_S ‖ [min ‖ n ‖ max ‖ p ‖ g] ‖ Q_C|e ‖ Q_S|f ‖ K): public values
 * as strings for ECDH-style methods, as mpints for finite-field DH (RFC 4253 §8, RFC 4419 §3).
 */
export function exchangeHash(method: KexAlgorithm, i: ExchangeHashInputs): Uint8Array {
  const w = new SshWriter(4096)
    .utf8(i.clientVersion)
    .utf8(i.serverVersion)
    .string(i.clientKexinit)
    .string(i.serverKexinit)
    .string(i.hostKey);
  if (i.gex) {
    w.uint32(i.gex.request.min).uint32(i.gex.request.n).uint32(i.gex.request.max);
    w.mpint(i.gex.group.p).mpint(i.gex.group.g);
  }
  if (method.publicKeyEncoding === "mpint") w.mpintUnsigned(i.clientPublic).mpintUnsigned(i.serverPublic);
  else w.string(i.clientPublic).string(i.serverPublic);
  return method.hash(w.raw(i.encodedK).finish());
}

/** An unsigned big-endian magnitude as a bigint (the DH public values e and f). */
export const magnitudeToBigint = (magnitude: Uint8Array): bigint =>
  magnitude.length === 0 ? 0n : BigInt(`0x${toHex(magnitude)}`);

/** The client's first key-exchange message after the group is known (RFC 4253 §8, 4419, 5656). */
export function kexInitMessage(method: KexAlgorithm, exchange: KexClientExchange): Uint8Array {
  if (method.publicKeyEncoding === "string")
    return KexEcdhInit.encode({ clientEphemeralPublicKey: exchange.publicKey });
  const e = magnitudeToBigint(exchange.publicKey);
  return method.groupExchange ? KexDhGexInit.encode({ e }) : KexdhInit.encode({ e });
}

/** The server's reply: host key, its public value (f as an unsigned magnitude) and signature. */
export function parseKexReply(
  method: KexAlgorithm,
  payload: Uint8Array,
): { hostKey: Uint8Array; serverPublic: Uint8Array; signature: Uint8Array } {
  const expected = method.groupExchange ? MSG.KEX_DH_GEX_REPLY : MSG.KEX_ECDH_REPLY;
  if (payload[0] !== expected) {
    throw new ProtocolError(
      "ERR_UNEXPECTED_MESSAGE",
      `expected key-exchange reply ${expected} for ${method.name}, got message ${payload[0]}`,
      DISCONNECT.KEY_EXCHANGE_FAILED,
    );
  }
  if (method.publicKeyEncoding === "string") {
    const r = KexEcdhReply.decode(payload);
    return { hostKey: r.hostKey, serverPublic: r.serverEphemeralPublicKey, signature: r.signature };
  }
  const r = method.groupExchange ? KexDhGexReply.decode(payload) : KexdhReply.decode(payload);
  if (r.f <= 0n) {
    throw new ProtocolError(
      "ERR_KEX_INVALID_PUBLIC_KEY",
      "the server's DH value f is not positive",
      DISCONNECT.KEY_EXCHANGE_FAILED,
    );
  }
  return { hostKey: r.hostKey, serverPublic: unsignedBytes(r.f), signature: r.signature };
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

/**
 * RFC 4253 §7.2: A/C/E are the client-to-server IV, key and MAC key, B/D/F the server-to-client
 * ones; a client seals with ACE and opens with BDF, a server the other way round. AEAD ciphers
 * take no MAC.
 */
export function deriveSessionKeys(
  method: KexAlgorithm,
  encodedK: Uint8Array,
  H: Uint8Array,
  sessionId: Uint8Array,
  negotiated: NegotiatedAlgorithms,
  role: "client" | "server" = "client",
): PendingKeys {
  const derive = (letter: "A" | "B" | "C" | "D" | "E" | "F", n: number) =>
    deriveKey(method.hash, encodedK, H, sessionId, letter, n);
  const make = (cipherName: string, macName: string, letters: "ACE" | "BDF", direction: "seal" | "open") => {
    const alg = getCipher(cipherName);
    if (!alg) throw new ProtocolError("ERR_KEX_NO_COMMON_ALGORITHM", `unsupported cipher ${cipherName}`);
    const [ivLetter, keyLetter, macLetter] = letters.split("") as ["A" | "B", "C" | "D", "E" | "F"];
    let mac: Parameters<typeof alg.create>[3];
    if (!alg.aead) {
      const macAlg = getMac(macName);
      if (!macAlg) throw new ProtocolError("ERR_KEX_NO_COMMON_ALGORITHM", `unsupported MAC ${macName}`);
      mac = { algorithm: macAlg, key: derive(macLetter, macAlg.keyLength) };
    }
    return alg.create(derive(keyLetter, alg.keyLength), derive(ivLetter, alg.ivLength), direction, mac);
  };
  const clientToServer = (direction: "seal" | "open") =>
    make(negotiated.cipherClientToServer, negotiated.macClientToServer, "ACE", direction);
  const serverToClient = (direction: "seal" | "open") =>
    make(negotiated.cipherServerToClient, negotiated.macServerToClient, "BDF", direction);
  return role === "client"
    ? { negotiated, outgoing: clientToServer("seal"), incoming: serverToClient("open") }
    : { negotiated, outgoing: serverToClient("seal"), incoming: clientToServer("open") };
}

/** The key type named at the start of a public-key blob. */
export function blobType(blob: Uint8Array): string {
  try {
    return new SshReader(blob).utf8();
  } catch {
    return "(malformed key blob)";
  }
}
