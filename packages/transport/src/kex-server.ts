/**
 * The server's side of a key exchange (RFC 4253 §8, RFC 4419 §3, RFC 5656 §4, RFC 8731 §3, and
 * the ML-KEM hybrid of draft-ietf-sshm-mlkem-hybrid-kex): answer the client's group request, take
 * its public value, compute K and H, sign H with the host key of the negotiated algorithm and
 * derive the keys. Pure steps; the transport's state machine sequences them.
 * @module
 */
import { chooseGexGroup, type RandomBytes } from "@purssh/crypto";
import type { PrivateKey } from "@purssh/keys";
import {
  DISCONNECT,
  KexDhGexGroup,
  KexDhGexInit,
  KexDhGexReply,
  KexDhGexRequest,
  KexdhInit,
  KexdhReply,
  KexEcdhInit,
  KexEcdhReply,
  MSG,
  ProtocolError,
  unsignedBytes,
} from "@purssh/wire";
import {
  deriveSessionKeys,
  exchangeHash,
  type GexParameters,
  type KexCommon,
  type KexState,
  magnitudeToBigint,
  type PendingKeys,
} from "./key-exchange.js";

export interface ServerKexContext {
  random: RandomBytes;
  clientVersion: string;
  serverVersion: string;
  /** The session identifier if a key exchange already completed (RFC 4253 §7.2). */
  sessionId: Uint8Array | undefined;
  /** The host key that signs with the negotiated host-key algorithm. */
  hostKeyFor(algorithm: string): PrivateKey;
  send(payload: Uint8Array): void;
}

export type ServerKexStep =
  | { kind: "continue"; state: KexState }
  | { kind: "done"; exchangeHash: Uint8Array; keys: PendingKeys };

/** After both KEXINITs: group exchange waits for the client's request, the rest for its key. */
export function beginServerKex(common: KexCommon): KexState {
  return common.method.groupExchange ? { ...common, kind: "awaitingGexRequest" } : { ...common, kind: "awaitingInit" };
}

/** Handles one message 30–49 from the client during a server-side key exchange. */
export function serverKexMessage(
  ctx: ServerKexContext,
  state: Extract<KexState, { kind: "awaitingGexRequest" | "awaitingInit" }>,
  payload: Uint8Array,
): ServerKexStep {
  if (state.kind === "awaitingGexRequest") {
    expect(payload, MSG.KEX_DH_GEX_REQUEST, state.method.name);
    const request = KexDhGexRequest.decode(payload);
    // chooseGexGroup rejects malformed or unsatisfiable ranges (RFC 4419 §3, RFC 8270 minimum).
    const group = chooseGexGroup(request.min, request.n, request.max);
    ctx.send(KexDhGexGroup.encode({ p: group.p, g: group.g }));
    return { kind: "continue", state: { ...state, kind: "awaitingInit", gex: { request, group } } };
  }
  const { method, negotiated } = state;
  const clientPublic = clientPublicValue(state, payload);
  const exchange = method.createServer(ctx.random, state.gex?.group);
  // ML-KEM's server value (the ciphertext) exists only once the client's share is known.
  const encodedK = exchange.computeSharedSecret(clientPublic);
  const hostKey = ctx.hostKeyFor(negotiated.hostKey);
  const hostKeyBlob = hostKey.publicKey.blob;
  const H = exchangeHash(method, {
    clientVersion: ctx.clientVersion,
    serverVersion: ctx.serverVersion,
    clientKexinit: state.theirsPayload,
    serverKexinit: state.oursPayload,
    hostKey: hostKeyBlob,
    clientPublic,
    serverPublic: exchange.publicKey,
    encodedK,
    ...(state.gex ? { gex: state.gex } : {}),
  });
  const signature = hostKey.sign(H, negotiated.hostKey);
  ctx.send(replyMessage(state, hostKeyBlob, exchange.publicKey, signature));
  const keys = deriveSessionKeys(method, encodedK, H, ctx.sessionId ?? H, negotiated, "server");
  return { kind: "done", exchangeHash: H, keys };
}

function expect(payload: Uint8Array, n: number, method: string): void {
  if (payload[0] !== n) {
    throw new ProtocolError(
      "ERR_UNEXPECTED_MESSAGE",
      `expected key-exchange message ${n} for ${method}, got message ${payload[0]}`,
      DISCONNECT.KEY_EXCHANGE_FAILED,
    );
  }
}

/** Q_C (a string) or e (an mpint, returned as its unsigned magnitude). */
function clientPublicValue(state: KexCommon & { gex?: GexParameters }, payload: Uint8Array): Uint8Array {
  const { method } = state;
  if (method.publicKeyEncoding === "string") {
    expect(payload, MSG.KEX_ECDH_INIT, method.name);
    return KexEcdhInit.decode(payload).clientEphemeralPublicKey;
  }
  expect(payload, method.groupExchange ? MSG.KEX_DH_GEX_INIT : MSG.KEXDH_INIT, method.name);
  const { e } = method.groupExchange ? KexDhGexInit.decode(payload) : KexdhInit.decode(payload);
  if (e <= 0n) {
    // RFC 4253 §8: e must be in [1, p-1]; the method checks the upper bound and 1.
    throw new ProtocolError(
      "ERR_KEX_INVALID_PUBLIC_KEY",
      "the client's DH value e is not positive",
      DISCONNECT.KEY_EXCHANGE_FAILED,
    );
  }
  return unsignedBytes(e);
}

function replyMessage(
  state: KexCommon,
  hostKey: Uint8Array,
  serverPublic: Uint8Array,
  signature: Uint8Array,
): Uint8Array {
  const { method } = state;
  if (method.publicKeyEncoding === "string") {
    return KexEcdhReply.encode({ hostKey, serverEphemeralPublicKey: serverPublic, signature });
  }
  const f = magnitudeToBigint(serverPublic);
  return method.groupExchange
    ? KexDhGexReply.encode({ hostKey, f, signature })
    : KexdhReply.encode({ hostKey, f, signature });
}
