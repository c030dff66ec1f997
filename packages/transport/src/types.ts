/**
 * The transport core's public interfaces: what it is constructed with (options), what it calls
 * (handlers), and what the host-key verifier is shown (RFC 4253 §8).
 * @module
 */
import type { RandomBytes } from "@purssh/crypto";
import type { PrivateKey } from "@purssh/keys";
import type { SshError } from "@purssh/wire";
import type { AlgorithmPreferences, NegotiatedAlgorithms } from "./negotiate.js";

export const DEFAULT_CLIENT_VERSION = "SSH-2.0-purssh_0.1";
/** Our identification string as a server (the same software version). */
export const DEFAULT_SERVER_VERSION = DEFAULT_CLIENT_VERSION;

/** What the host-key verifier is shown (RFC 4253 §8: K_S from KEX_ECDH_REPLY). */
export interface HostKeyInfo {
  /** The negotiated host-key algorithm. */
  algorithm: string;
  /** The key blob, `string type ‖ …` (RFC 4253 §6.6). */
  blob: Uint8Array;
}

export interface TransportHandlers {
  /** Bytes to put on the wire, in order. */
  output(bytes: Uint8Array): void;
  /** A message for the layers above; return false if it is unknown there (→ UNIMPLEMENTED). */
  message(payload: Uint8Array): boolean;
  /** The initial key exchange completed; upper-layer traffic may start. Fires once. */
  ready(): void;
  /** The connection ended; `error` is undefined for an orderly local close. Fires once. */
  close(error: SshError | undefined): void;
  log?(level: 1 | 2 | 3, text: string): void;
  /** Input processing resumed after a pause: the adapter may read the socket again. */
  inputResumed?(): void;
  /** Upper-layer payloads may be sent again without queueing (a key exchange finished). */
  writable?(): void;
  /** A key exchange (initial or re-exchange) completed with these algorithms. */
  keysChanged?(negotiated: NegotiatedAlgorithms, initial: boolean): void;
  /** The peer's EXT_INFO arrived (RFC 8308); `transport.extensions` holds it. */
  extensionsReceived?(): void;
  /** An SSH2_MSG_PONG answered one of our pings (OpenSSH PROTOCOL §1.10). */
  pong?(data: Uint8Array): void;
}

/** Options both roles share. */
interface CommonTransportOptions {
  /** Our identification string without CR LF (RFC 4253 §4.2). */
  version?: string;
  algorithms?: Partial<AlgorithmPreferences>;
  random?: RandomBytes;
  handshakeTimeoutMs?: number;
  /** Re-exchange keys after this many bytes in either direction (RFC 4253 §9; default 1 GiB). */
  rekeyBytes?: number;
  /** Re-exchange keys after this much time (RFC 4253 §9 recommends one hour; 0 = never). */
  rekeyIntervalMs?: number;
  /**
   * RFC 8308 extensions we announce in EXT_INFO when the peer advertised ext-info-c/-s (values
   * as UTF-8 text). Merged over the defaults (`ping@openssh.com`, and `server-sig-algs` for a
   * server); a value of `undefined` removes a default.
   */
  extensions?: Readonly<Record<string, string | undefined>>;
  now?: () => number;
}

export interface ClientTransportOptions extends CommonTransportOptions {
  role: "client";
  /** Decides whether the server's host key is trusted; anything but `true` rejects it. */
  verifyHostKey(info: HostKeyInfo): boolean | Promise<boolean>;
  /** Group sizes for RFC 4419 group exchange (default DEFAULT_GEX_REQUEST). */
  groupExchange?: Partial<{ min: number; n: number; max: number }>;
}

export interface ServerTransportOptions extends CommonTransportOptions {
  role: "server";
  /**
   * Our host keys (RFC 4253 §8: K_S). The host-key algorithms we offer are those the keys can
   * sign with, in key order, unless `algorithms.hostKey` narrows them.
   */
  hostKeys: readonly PrivateKey[];
  /**
   * Signature algorithms announced in `server-sig-algs` (RFC 8308 §3.1) for publickey
   * authentication (default: every non-certificate algorithm of DEFAULT_HOST_KEY_ALGORITHMS).
   */
  serverSigAlgs?: readonly string[];
}

export type TransportOptions = ClientTransportOptions | ServerTransportOptions;
