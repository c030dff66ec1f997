/**
 * The one error hierarchy of purssh (DESIGN.md principle 8): every error carries a stable string
 * `code` for programs and a message for people; fatal protocol errors also carry the RFC 4253 §11.1
 * DISCONNECT reason that is sent to the peer.
 * @module
 */
import { DISCONNECT, type DisconnectReason } from "./constants.js";

export class SshError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Malformed bytes: a short read, trailing bytes, a bad boolean, a non-minimal mpint, bad UTF-8. */
export class WireError extends SshError {}

/** A fatal violation of the protocol by the peer (or by us); ends the connection with `reason`. */
export class ProtocolError extends SshError {
  readonly reason: DisconnectReason;
  constructor(
    code: string,
    message: string,
    reason: DisconnectReason = DISCONNECT.PROTOCOL_ERROR,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.reason = reason;
  }
}
