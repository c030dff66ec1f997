/**
 * The client's side of a key exchange (RFC 4253 §8, RFC 4419 §3, RFC 5656 §4, RFC 8731 §3): ask
 * for a group when the method is a group exchange, send our public value, and on the server's
 * reply compute K and H, check the server's signature of H and derive the keys. Pure steps; the
 * transport's state machine sequences them and asks the application about the host key.
 * @module
 */
import type { RandomBytes } from "@purssh/crypto";
import { DISCONNECT, KexDhGexGroup, KexDhGexRequest, MSG, ProtocolError } from "@purssh/wire";
import {
  checkExchangeSignature,
  deriveSessionKeys,
  exchangeHash,
  type GexRequest,
  type KexCommon,
  type KexState,
  kexInitMessage,
  type PendingKeys,
  parseKexReply,
} from "./key-exchange.js";

export interface ClientKexContext {
  random: RandomBytes;
  clientVersion: string;
  serverVersion: string;
  sessionId: Uint8Array | undefined;
  gexRequest: GexRequest;
  send(payload: Uint8Array): void;
}

export type ClientKexStep =
  | { kind: "continue"; state: KexState }
  | { kind: "done"; exchangeHash: Uint8Array; keys: PendingKeys; hostKey: Uint8Array };

/** After both KEXINITs: ask for a group (RFC 4419 §3) or send our public value right away. */
export function beginClientKex(ctx: ClientKexContext, common: KexCommon): KexState {
  if (common.method.groupExchange) {
    ctx.send(KexDhGexRequest.encode(ctx.gexRequest));
    return { ...common, kind: "awaitingGexGroup", request: ctx.gexRequest };
  }
  const exchange = common.method.createClient(ctx.random);
  ctx.send(kexInitMessage(common.method, exchange));
  return { ...common, kind: "awaitingReply", exchange };
}

/** Handles one message 30–49 from the server during a client-side key exchange. */
export function clientKexMessage(
  ctx: ClientKexContext,
  state: Extract<KexState, { kind: "awaitingGexGroup" | "awaitingReply" }>,
  payload: Uint8Array,
): ClientKexStep {
  if (state.kind === "awaitingGexGroup") {
    if (payload[0] !== MSG.KEX_DH_GEX_GROUP) {
      throw new ProtocolError(
        "ERR_UNEXPECTED_MESSAGE",
        `expected SSH_MSG_KEX_DH_GEX_GROUP, got message ${payload[0]}`,
        DISCONNECT.KEY_EXCHANGE_FAILED,
      );
    }
    const group = KexDhGexGroup.decode(payload);
    // The method validates the group (safe prime size, generator) in createClient.
    const exchange = state.method.createClient(ctx.random, group);
    const { request, ...rest } = state;
    ctx.send(kexInitMessage(state.method, exchange));
    return { kind: "continue", state: { ...rest, kind: "awaitingReply", exchange, gex: { request, group } } };
  }
  const { negotiated, method } = state;
  const reply = parseKexReply(method, payload);
  const encodedK = state.exchange.computeSharedSecret(reply.serverPublic);
  const H = exchangeHash(method, {
    clientVersion: ctx.clientVersion,
    serverVersion: ctx.serverVersion,
    clientKexinit: state.oursPayload,
    serverKexinit: state.theirsPayload,
    hostKey: reply.hostKey,
    clientPublic: state.exchange.publicKey,
    serverPublic: reply.serverPublic,
    encodedK,
    ...(state.gex ? { gex: state.gex } : {}),
  });
  checkExchangeSignature(negotiated.hostKey, reply.hostKey, reply.signature, H);
  const keys = deriveSessionKeys(method, encodedK, H, ctx.sessionId ?? H, negotiated, "client");
  return { kind: "done", exchangeHash: H, keys, hostKey: reply.hostKey };
}
