/**
 * The facade's error type and numeric codes. The seed's users match on numbers (its sample checks
 * 1098 for a refused forwarding); every core error code maps to one number here, and the table is
 * repeated in the package README.
 * @module
 */
import { SshError } from "@purssh/wire";

/** Numeric error codes of SSHReverseTunnel (1098 is the seed's; the rest are ours, documented). */
export const SSHTunnelErrorCodes = {
  /** A setting or argument has a bad value. */
  INVALID_ARGUMENT: 1001,
  /** The operation needs a logged-on connection. */
  NOT_CONNECTED: 1002,
  /** Already connected (SSHLogon twice). */
  ALREADY_CONNECTED: 1003,
  /** A known setting or mode that this version does not implement yet. */
  NOT_IMPLEMENTED: 1004,
  /** TCP connection to the SSH server failed. */
  CONNECT_FAILED: 1010,
  /** A timeout (TCP connect, handshake, logon). */
  TIMEOUT: 1011,
  /** The server's host key was not accepted. */
  HOST_KEY_REJECTED: 1020,
  /** No common algorithm, bad signature, or another key-exchange failure. */
  KEY_EXCHANGE_FAILED: 1021,
  /** User authentication failed. */
  AUTH_FAILED: 1030,
  /** The peer violated the protocol or sent malformed data. */
  PROTOCOL_ERROR: 1040,
  /** The connection was closed or lost. */
  CONNECTION_CLOSED: 1050,
  /** A key file or key text could not be used. */
  KEY_ERROR: 1060,
  /** No channel with that id. */
  UNKNOWN_CHANNEL: 1097,
  /** The server refused the forwarding request (seed sample's code). */
  FORWARDING_DENIED: 1098,
  /** Anything else. */
  INTERNAL: 1099,
} as const;

/** Core string code → facade number. */
const BY_CORE_CODE: Record<string, number> = {
  ERR_CONNECT_FAILED: SSHTunnelErrorCodes.CONNECT_FAILED,
  ERR_CONNECT_TIMEOUT: SSHTunnelErrorCodes.TIMEOUT,
  ERR_HANDSHAKE_TIMEOUT: SSHTunnelErrorCodes.TIMEOUT,
  ERR_LOGON_TIMEOUT: SSHTunnelErrorCodes.TIMEOUT,
  ERR_HOST_KEY_REJECTED: SSHTunnelErrorCodes.HOST_KEY_REJECTED,
  ERR_HOST_KEY_CHANGED: SSHTunnelErrorCodes.HOST_KEY_REJECTED,
  ERR_HOST_KEY_POLICY_MISSING: SSHTunnelErrorCodes.HOST_KEY_REJECTED,
  ERR_HOST_KEY_SIGNATURE: SSHTunnelErrorCodes.KEY_EXCHANGE_FAILED,
  ERR_HOST_KEY_TYPE: SSHTunnelErrorCodes.KEY_EXCHANGE_FAILED,
  ERR_KEX_NO_COMMON_ALGORITHM: SSHTunnelErrorCodes.KEY_EXCHANGE_FAILED,
  ERR_AUTH_FAILED: SSHTunnelErrorCodes.AUTH_FAILED,
  ERR_REQUEST_DENIED: SSHTunnelErrorCodes.FORWARDING_DENIED,
  ERR_CONNECTION_CLOSED: SSHTunnelErrorCodes.CONNECTION_CLOSED,
  ERR_PEER_DISCONNECTED: SSHTunnelErrorCodes.CONNECTION_CLOSED,
};

/** An error from SSHReverseTunnel: numeric `code` per the table, the core error as `cause`. */
export class SSHTunnelError extends Error {
  readonly code: number;
  constructor(code: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = "SSHTunnelError";
  }

  /** Wraps any error thrown by the core into the facade's numbered form. */
  static from(e: unknown, fallback: number = SSHTunnelErrorCodes.INTERNAL): SSHTunnelError {
    if (e instanceof SSHTunnelError) return e;
    if (e instanceof SshError) {
      const code =
        BY_CORE_CODE[e.code] ??
        (e.code.startsWith("ERR_KEY_") ? SSHTunnelErrorCodes.KEY_ERROR : undefined) ??
        (e.code.startsWith("ERR_KEX_") || e.code.startsWith("ERR_STRICT_KEX")
          ? SSHTunnelErrorCodes.KEY_EXCHANGE_FAILED
          : undefined) ??
        (e.code.startsWith("ERR_") && "reason" in e ? SSHTunnelErrorCodes.PROTOCOL_ERROR : fallback);
      return new SSHTunnelError(code, e.message, { cause: e });
    }
    return new SSHTunnelError(fallback, e instanceof Error ? e.message : String(e), { cause: e });
  }
}
