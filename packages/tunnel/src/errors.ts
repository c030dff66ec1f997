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
  /** A known setting that this build cannot provide yet (a lower layer is missing). */
  NOT_IMPLEMENTED: 1004,
  /** A feature this runtime cannot provide (GSSAPI/Kerberos, some socket options). */
  UNSUPPORTED: 1005,
  /** TCP connection to the SSH server failed. */
  CONNECT_FAILED: 1010,
  /** A timeout (TCP connect, handshake, logon, or a method under Timeout). */
  TIMEOUT: 1011,
  /** The operation was aborted (an AbortSignal, SSHLogoff or reset during it). */
  ABORTED: 1012,
  /** The server's host key was not accepted. */
  HOST_KEY_REJECTED: 1020,
  /** No common algorithm, bad signature, or another key-exchange failure. */
  KEY_EXCHANGE_FAILED: 1021,
  /** User authentication failed. */
  AUTH_FAILED: 1030,
  /** The peer violated the protocol or sent malformed data. */
  PROTOCOL_ERROR: 1040,
  /** The server's identification string does not match SSHVersionPattern. */
  VERSION_MISMATCH: 1041,
  /** The connection was closed or lost. */
  CONNECTION_CLOSED: 1050,
  /** The server stopped answering keepalives (SSHKeepAliveInterval × SSHKeepAliveCountMax). */
  KEEPALIVE_TIMEOUT: 1051,
  /** AutoReconnect gave up after MaxRetryCount attempts. */
  RECONNECT_FAILED: 1052,
  /** A key file or key text could not be used. */
  KEY_ERROR: 1060,
  /** The firewall (proxy) could not be reached. */
  FIREWALL_CONNECT_FAILED: 1070,
  /** The firewall refused to connect to the SSH server. */
  FIREWALL_REFUSED: 1071,
  /** The firewall refused FirewallUser / FirewallPassword. */
  FIREWALL_AUTH_FAILED: 1072,
  /** The firewall answered something that is not its protocol, or the options cannot be sent. */
  FIREWALL_PROTOCOL: 1073,
  /** The firewall did not answer in time. */
  FIREWALL_TIMEOUT: 1074,
  /** The channel is closed for writing. */
  CHANNEL_CLOSED: 1096,
  /** No channel with that id. */
  UNKNOWN_CHANNEL: 1097,
  /** The server refused the forwarding request (seed sample's code). */
  FORWARDING_DENIED: 1098,
  /** Anything else. */
  INTERNAL: 1099,
} as const;

const C = SSHTunnelErrorCodes;

/** Core string code → facade number. */
const BY_CORE_CODE: Record<string, number> = {
  ERR_CONNECT_FAILED: C.CONNECT_FAILED,
  ERR_CONNECT_TIMEOUT: C.TIMEOUT,
  ERR_HANDSHAKE_TIMEOUT: C.TIMEOUT,
  ERR_LOGON_TIMEOUT: C.TIMEOUT,
  ERR_ABORTED: C.ABORTED,
  ERR_HOST_KEY_REJECTED: C.HOST_KEY_REJECTED,
  ERR_HOST_KEY_CHANGED: C.HOST_KEY_REJECTED,
  ERR_HOST_KEY_POLICY_MISSING: C.HOST_KEY_REJECTED,
  ERR_HOST_KEY_SIGNATURE: C.KEY_EXCHANGE_FAILED,
  ERR_HOST_KEY_TYPE: C.KEY_EXCHANGE_FAILED,
  ERR_KEX_NO_COMMON_ALGORITHM: C.KEY_EXCHANGE_FAILED,
  ERR_AUTH_FAILED: C.AUTH_FAILED,
  ERR_AGENT_UNAVAILABLE: C.AUTH_FAILED,
  ERR_REQUEST_DENIED: C.FORWARDING_DENIED,
  ERR_CONNECTION_CLOSED: C.CONNECTION_CLOSED,
  ERR_PEER_DISCONNECTED: C.CONNECTION_CLOSED,
  ERR_KEEPALIVE_TIMEOUT: C.KEEPALIVE_TIMEOUT,
  ERR_CHANNEL_CLOSED: C.CHANNEL_CLOSED,
  ERR_PROXY_CONNECT_FAILED: C.FIREWALL_CONNECT_FAILED,
  ERR_PROXY_REFUSED: C.FIREWALL_REFUSED,
  ERR_PROXY_AUTH_FAILED: C.FIREWALL_AUTH_FAILED,
  ERR_PROXY_PROTOCOL: C.FIREWALL_PROTOCOL,
  ERR_PROXY_INVALID_OPTIONS: C.FIREWALL_PROTOCOL,
  ERR_PROXY_TIMEOUT: C.FIREWALL_TIMEOUT,
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
  static from(e: unknown, fallback: number = C.INTERNAL): SSHTunnelError {
    if (e instanceof SSHTunnelError) return e;
    if (e instanceof SshError) {
      const code =
        BY_CORE_CODE[e.code] ??
        (e.code.startsWith("ERR_KEY_") ? C.KEY_ERROR : undefined) ??
        (e.code.startsWith("ERR_KEX_") || e.code.startsWith("ERR_STRICT_KEX") ? C.KEY_EXCHANGE_FAILED : undefined) ??
        (e.code.startsWith("ERR_") && "reason" in e ? C.PROTOCOL_ERROR : fallback);
      return new SSHTunnelError(code, e.message, { cause: e });
    }
    return new SSHTunnelError(fallback, e instanceof Error ? e.message : String(e), { cause: e });
  }
}

/** Shorthands used across the facade. */
export const invalidArgument = (message: string) => new SSHTunnelError(C.INVALID_ARGUMENT, message);
export const notConnected = () => new SSHTunnelError(C.NOT_CONNECTED, "not logged on: call SSHLogon first");
