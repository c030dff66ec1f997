/**
 * The transport core's public interfaces: what it is constructed with (options), what it calls
 * (handlers), and what the host-key verifier is shown (RFC 4253 §8).
 * @module
 */
import type { RandomBytes } from "@purssh/crypto";
import type { SshError } from "@purssh/wire";
import type { AlgorithmPreferences, NegotiatedAlgorithms } from "./negotiate.js";

export const DEFAULT_CLIENT_VERSION = "SSH-2.0-purssh_0.1";

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
}

export interface TransportOptions {
  role: "client";
  /** Our identification string without CR LF (RFC 4253 §4.2). */
  version?: string;
  algorithms?: Partial<AlgorithmPreferences>;
  random?: RandomBytes;
  /** Decides whether the server's host key is trusted; anything but `true` rejects it. */
  verifyHostKey(info: HostKeyInfo): boolean | Promise<boolean>;
  handshakeTimeoutMs?: number;
  /** Group sizes for RFC 4419 group exchange (default DEFAULT_GEX_REQUEST). */
  groupExchange?: Partial<{ min: number; n: number; max: number }>;
  /** Re-exchange keys after this many bytes in either direction (RFC 4253 §9). */
  rekeyBytes?: number;
  now?: () => number;
}
