/**
 * Proxies for the SSH connection itself: SOCKS4, SOCKS4a, SOCKS5 (RFC 1928, RFC 1929) and HTTP
 * CONNECT (RFC 9110 §9.3.6). `connectViaProxy` returns a socket that carries the target's bytes.
 * @module
 */
export { connectViaProxy, DEFAULT_PROXY_TIMEOUT_MS, type ProxyConnectOptions } from "./connect.js";
export { ProxyError, type ProxyErrorCode } from "./errors.js";
export {
  basicCredentials,
  encodeConnectRequest,
  type HttpResponseHead,
  MAX_HTTP_HEADER_LINES,
  MAX_HTTP_RESPONSE_HEAD_BYTES,
  parseResponseHead,
} from "./http-connect.js";
export {
  DEFAULT_HTTP_PROXY_PORT,
  DEFAULT_SOCKS_PORT,
  type ProxyOptions,
  type ProxyTarget,
  type ProxyType,
  parseProxyUrl,
} from "./options.js";
export { encodeSocks4Request, SOCKS4_REPLY, socks4ReplyMessage } from "./socks4.js";
export {
  encodeSocks5Greeting,
  encodeSocks5Request,
  encodeSocks5UserPass,
  ipv6Bytes,
  SOCKS5_REPLY,
  socks5ReplyMessage,
} from "./socks5.js";
