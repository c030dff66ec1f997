/**
 * Proxy errors: one class, `ProxyError`, whose stable `code` says which side failed — the proxy
 * could not be reached, it refused the target, it refused our credentials, it answered with bytes
 * that are not its protocol, or it did not answer in time — and whose message names the proxy, the
 * target and the proxy's own reason (SOCKS reply code, HTTP status line).
 * @module
 */
import { SshError } from "@purssh/wire";

export type ProxyErrorCode =
  /** The TCP connection to the proxy itself failed (refused, unreachable, unknown host). */
  | "ERR_PROXY_CONNECT_FAILED"
  /** The proxy answered, but will not (or cannot) connect to the target; `reply` holds its code. */
  | "ERR_PROXY_REFUSED"
  /** The proxy rejected our credentials, or accepts none of the methods we can offer. */
  | "ERR_PROXY_AUTH_FAILED"
  /** The proxy's answer is malformed, truncated or too long. */
  | "ERR_PROXY_PROTOCOL"
  /** Reaching the proxy, or its answer, took longer than the timeout. */
  | "ERR_PROXY_TIMEOUT"
  /** The proxy options cannot be used (bad URL, an over-long name, a header with a line break). */
  | "ERR_PROXY_INVALID_OPTIONS";

export class ProxyError extends SshError {
  declare readonly code: ProxyErrorCode;
  /** The proxy's own answer code when it gave one: the SOCKS4 CD, the SOCKS5 REP, the HTTP status. */
  readonly reply: number | undefined;

  constructor(code: ProxyErrorCode, message: string, options?: { cause?: unknown; reply?: number }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.reply = options?.reply;
  }
}
