/**
 * Proxy options: the proxy types we speak, what each needs, the checks made before any byte is
 * sent (lengths the wire formats can carry, header text that cannot smuggle a line break), and
 * `parseProxyUrl` for the `scheme://user:password@host:port` form that curl and ssh users write.
 * @module
 */
import { isIP } from "node:net";
import { ProxyError } from "./errors.js";

/** socks4 (RFC-less original, resolves locally), socks4a (proxy resolves), socks5 (RFC 1928), http (CONNECT). */
export type ProxyType = "socks4" | "socks4a" | "socks5" | "http";

export interface ProxyOptions {
  type: ProxyType;
  host: string;
  port: number;
  /** SOCKS4/4a: the USERID field. SOCKS5: RFC 1929 username. HTTP: Basic user-id. */
  username?: string;
  /** SOCKS5: RFC 1929 password. HTTP: Basic password. Not used by SOCKS4. */
  password?: string;
  /** extra HTTP CONNECT request headers (FirewallData) */
  headers?: Readonly<Record<string, string>>;
}

export interface ProxyTarget {
  host: string;
  port: number;
}

/** RFC 1929 §2 and RFC 1928 §5: ULEN, PLEN and the domain-name length are one octet each. */
export const SOCKS_MAX_FIELD_BYTES = 255;
/** Our bound on a SOCKS4 USERID (the protocol only says NUL-terminated). */
export const SOCKS4_MAX_USERID_BYTES = 255;
/** Default proxy ports when a URL names none: 1080 is SOCKS's IANA port; 8080 the usual HTTP proxy port. */
export const DEFAULT_SOCKS_PORT = 1080;
export const DEFAULT_HTTP_PROXY_PORT = 8080;
/** At most this many extra CONNECT headers, each name and value at most MAX_HEADER_TEXT_BYTES. */
export const MAX_EXTRA_HEADERS = 64;
export const MAX_HEADER_TEXT_BYTES = 4096;

/** RFC 9110 §5.6.2 token characters: what a header field name may be made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 9110 §5.5: field values are visible characters, spaces and tabs — never CR, LF or NUL. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\uffff]*$/;

const utf8 = new TextEncoder();

/** Byte length of `text` in UTF-8. */
export function byteLength(text: string): number {
  return utf8.encode(text).length;
}

export function describeProxy(proxy: ProxyOptions): string {
  return `${proxy.type} proxy ${hostPort(proxy.host, proxy.port)}`;
}

/** `host:port`, with an IPv6 literal in brackets. */
export function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

function invalid(message: string): ProxyError {
  return new ProxyError("ERR_PROXY_INVALID_OPTIONS", message);
}

function checkPort(port: number, what: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(`${what} port ${port} is not in 1..65535`);
}

/** Throws ERR_PROXY_INVALID_OPTIONS when `proxy` and `target` cannot be put on the wire. */
export function validateProxyOptions(proxy: ProxyOptions, target: ProxyTarget): void {
  if (!["socks4", "socks4a", "socks5", "http"].includes(proxy.type)) {
    throw invalid(`unknown proxy type ${JSON.stringify(proxy.type)} (expected socks4, socks4a, socks5 or http)`);
  }
  if (!proxy.host) throw invalid("the proxy host is empty");
  checkPort(proxy.port, "proxy");
  if (!target.host) throw invalid("the target host is empty");
  checkPort(target.port, "target");
  const user = proxy.username;
  const password = proxy.password;
  switch (proxy.type) {
    case "socks4":
    case "socks4a":
      if (user !== undefined && (byteLength(user) > SOCKS4_MAX_USERID_BYTES || user.includes("\0"))) {
        throw invalid(`the SOCKS4 user id must be at most ${SOCKS4_MAX_USERID_BYTES} bytes without NUL`);
      }
      if (proxy.type === "socks4" && isIP(target.host) === 6) {
        throw invalid(`SOCKS4 carries only IPv4 addresses; cannot reach ${target.host} (use socks5)`);
      }
      if (proxy.type === "socks4a" && (target.host.includes("\0") || byteLength(target.host) > SOCKS_MAX_FIELD_BYTES)) {
        throw invalid(`the SOCKS4a host name must be at most ${SOCKS_MAX_FIELD_BYTES} bytes without NUL`);
      }
      return;
    case "socks5":
      if ((user === undefined) !== (password === undefined)) {
        throw invalid("SOCKS5 username/password authentication (RFC 1929) needs both a username and a password");
      }
      if (user !== undefined && (byteLength(user) < 1 || byteLength(user) > SOCKS_MAX_FIELD_BYTES)) {
        throw invalid(`the SOCKS5 username must be 1..${SOCKS_MAX_FIELD_BYTES} bytes (RFC 1929)`);
      }
      if (password !== undefined && byteLength(password) > SOCKS_MAX_FIELD_BYTES) {
        throw invalid(`the SOCKS5 password must be at most ${SOCKS_MAX_FIELD_BYTES} bytes (RFC 1929)`);
      }
      if (isIP(target.host) === 0 && byteLength(target.host) > SOCKS_MAX_FIELD_BYTES) {
        throw invalid(`the SOCKS5 domain name must be at most ${SOCKS_MAX_FIELD_BYTES} bytes (RFC 1928 §5)`);
      }
      return;
    case "http":
      if (password !== undefined && user === undefined) throw invalid("HTTP Basic authentication needs a username");
      if (user?.includes(":")) throw invalid("an HTTP Basic user-id cannot contain a colon (RFC 7617 §2)");
      for (const text of [user, password, target.host]) {
        if (text !== undefined && !FIELD_VALUE.test(text))
          throw invalid("HTTP proxy text contains a control character");
      }
      validateHeaders(proxy.headers ?? {});
      return;
    default:
      proxy.type satisfies never;
  }
}

function validateHeaders(headers: Readonly<Record<string, string>>): void {
  const entries = Object.entries(headers);
  if (entries.length > MAX_EXTRA_HEADERS) throw invalid(`at most ${MAX_EXTRA_HEADERS} extra CONNECT headers`);
  for (const [name, value] of entries) {
    if (!TOKEN.test(name)) throw invalid(`${JSON.stringify(name)} is not a valid HTTP header name`);
    if (typeof value !== "string" || !FIELD_VALUE.test(value)) {
      throw invalid(`the value of header ${name} must be text without CR, LF or NUL`);
    }
    if (byteLength(name) > MAX_HEADER_TEXT_BYTES || byteLength(value) > MAX_HEADER_TEXT_BYTES) {
      throw invalid(`header ${name} is longer than ${MAX_HEADER_TEXT_BYTES} bytes`);
    }
  }
}

const SCHEMES: Readonly<Record<string, ProxyType>> = {
  "socks4:": "socks4",
  "socks4a:": "socks4a",
  "socks5:": "socks5",
  // curl's "proxy resolves the name"; our socks5 always sends names to the proxy, so they agree.
  "socks5h:": "socks5",
  "http:": "http",
};

/**
 * Parses `socks5://user:pw@host:1080` (schemes socks4, socks4a, socks5, socks5h, http). User and
 * password are percent-decoded; the port defaults to 1080 for SOCKS and 8080 for HTTP.
 */
export function parseProxyUrl(url: string): ProxyOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch (e) {
    throw new ProxyError("ERR_PROXY_INVALID_OPTIONS", `${JSON.stringify(url)} is not a proxy URL`, { cause: e });
  }
  const type = SCHEMES[u.protocol];
  if (!type) {
    throw invalid(
      `unsupported proxy scheme ${JSON.stringify(u.protocol)} (expected socks4, socks4a, socks5, socks5h or http)`,
    );
  }
  if ((u.pathname !== "" && u.pathname !== "/") || u.search !== "" || u.hash !== "") {
    throw invalid(`a proxy URL has no path, query or fragment: ${JSON.stringify(url)}`);
  }
  const host = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname;
  if (!host) throw invalid(`the proxy URL ${JSON.stringify(url)} names no host`);
  const port = u.port ? Number(u.port) : type === "http" ? DEFAULT_HTTP_PROXY_PORT : DEFAULT_SOCKS_PORT;
  const out: ProxyOptions = { type, host, port };
  try {
    if (u.username !== "") out.username = decodeURIComponent(u.username);
    // "user:@host" gives an empty password; "user@host" gives none.
    if (/^[^:]+:\/\/[^/@]*:[^/@]*@/.test(url)) out.password = decodeURIComponent(u.password);
  } catch (e) {
    throw new ProxyError("ERR_PROXY_INVALID_OPTIONS", "the proxy URL's user or password is badly percent-encoded", {
      cause: e,
    });
  }
  return out;
}
