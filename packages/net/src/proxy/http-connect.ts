/**
 * HTTP CONNECT (RFC 9110 §9.3.6, message syntax RFC 9112): `CONNECT host:port HTTP/1.1` with a
 * Host header, `Proxy-Authorization: Basic` (RFC 7617) when a user is given, and any extra
 * headers (the seed's FirewallData). Any 2xx answer turns the connection into the tunnel; its
 * Content-Length and Transfer-Encoding are ignored, as §9.3.6 requires, and every byte after the
 * head's empty line is the tunnel's. The head is read within MAX_HTTP_RESPONSE_HEAD_BYTES and
 * MAX_HTTP_HEADER_LINES; 407 (or 401) is an authentication failure, any other status a refusal.
 * @module
 */
import { ProxyError } from "./errors.js";
import type { HandshakeReader } from "./handshake-reader.js";
import { hostPort, type ProxyTarget } from "./options.js";

/** Upper bound on one response head (status line, header fields, empty line). */
export const MAX_HTTP_RESPONSE_HEAD_BYTES = 16 * 1024;
/** Upper bound on header field lines in one response head. */
export const MAX_HTTP_HEADER_LINES = 100;
/** 1xx interim responses (RFC 9110 §15.2) skipped before the final one. */
export const MAX_HTTP_INTERIM_RESPONSES = 4;
/** Longest reason phrase quoted in an error message. */
const MAX_QUOTED_REASON = 200;

export interface HttpConnectOptions {
  username?: string;
  password?: string;
  headers?: Readonly<Record<string, string>>;
  describe: string;
  targetLabel: string;
}

export interface HttpResponseHead {
  version: string;
  status: number;
  reason: string;
  /** Field names in lower case; repeated fields keep every value. */
  headers: Map<string, string[]>;
}

const utf8 = new TextEncoder();

/** RFC 7617 §2: "Basic " + base64(user-id ":" password), both UTF-8. */
export function basicCredentials(username: string, password: string): string {
  return `Basic ${Buffer.from(utf8.encode(`${username}:${password}`)).toString("base64")}`;
}

/** The CONNECT request head. Extra headers named Host or Proxy-Authorization replace ours. */
export function encodeConnectRequest(
  target: ProxyTarget,
  options: Omit<HttpConnectOptions, "describe" | "targetLabel">,
): Uint8Array {
  const authority = hostPort(target.host, target.port);
  const fields = new Map<string, [string, string]>();
  fields.set("host", ["Host", authority]);
  if (options.username !== undefined) {
    fields.set("proxy-authorization", [
      "Proxy-Authorization",
      basicCredentials(options.username, options.password ?? ""),
    ]);
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) fields.set(name.toLowerCase(), [name, value]);
  const lines = [`CONNECT ${authority} HTTP/1.1`, ...[...fields.values()].map(([n, v]) => `${n}: ${v}`), "", ""];
  return utf8.encode(lines.join("\r\n"));
}

const STATUS_LINE = /^HTTP\/(\d\.\d) (\d{3})(?: ([^\r\n]*))?$/;
const FIELD_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*$/;

/** Parses a response head (as read by HandshakeReader.head); throws ERR_PROXY_PROTOCOL when malformed. */
export function parseResponseHead(head: Uint8Array, describe: string): HttpResponseHead {
  const text = Buffer.from(head).toString("latin1");
  const lines = text.split(/\r?\n/);
  // The head ends with an empty line, which split() turns into two empty strings.
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const statusLine = lines.shift() ?? "";
  const m = STATUS_LINE.exec(statusLine);
  if (!m) {
    const shown = JSON.stringify(statusLine.slice(0, 80));
    throw new ProxyError("ERR_PROXY_PROTOCOL", `${describe}: ${shown} is not an HTTP status line (not an HTTP proxy?)`);
  }
  if (lines.length > MAX_HTTP_HEADER_LINES) {
    throw new ProxyError("ERR_PROXY_PROTOCOL", `${describe}: more than ${MAX_HTTP_HEADER_LINES} header lines`);
  }
  const headers = new Map<string, string[]>();
  let last: string[] | undefined;
  for (const line of lines) {
    if ((line.startsWith(" ") || line.startsWith("\t")) && last) {
      // RFC 9112 §5.2: obsolete line folding; a recipient may replace it with a space.
      last[last.length - 1] = `${last[last.length - 1]} ${line.trim()}`;
      continue;
    }
    const f = FIELD_LINE.exec(line);
    if (!f) {
      throw new ProxyError(
        "ERR_PROXY_PROTOCOL",
        `${describe}: malformed header line ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
    const name = f[1]!.toLowerCase();
    last = headers.get(name) ?? [];
    last.push(f[2]!);
    headers.set(name, last);
  }
  return { version: m[1]!, status: Number(m[2]), reason: (m[3] ?? "").slice(0, MAX_QUOTED_REASON), headers };
}

/** Sends CONNECT and reads the answer; resolves on 2xx with the tunnel's bytes left on the socket. */
export async function httpConnectHandshake(
  reader: HandshakeReader,
  target: ProxyTarget,
  options: HttpConnectOptions,
): Promise<HttpResponseHead> {
  const { describe } = options;
  reader.write(encodeConnectRequest(target, options));
  for (let interim = 0; ; interim++) {
    const response = parseResponseHead(await reader.head(MAX_HTTP_RESPONSE_HEAD_BYTES, "CONNECT response"), describe);
    const { status, reason } = response;
    const statusText = `HTTP ${status}${reason ? ` ${reason}` : ""}`;
    if (status >= 200 && status <= 299) return response;
    if (status >= 100 && status <= 199 && status !== 101 && interim < MAX_HTTP_INTERIM_RESPONSES) continue;
    // 407 is the proxy's own challenge; some proxies (tinyproxy) answer wrong credentials with 401.
    if (status === 407 || status === 401) {
      const challenge = response.headers.get("proxy-authenticate")?.join(", ");
      const detail = challenge ? `; it asks for: ${challenge.slice(0, MAX_QUOTED_REASON)}` : "";
      throw new ProxyError(
        "ERR_PROXY_AUTH_FAILED",
        options.username === undefined
          ? `${describe} requires authentication (${statusText})${detail}`
          : `${describe} rejected the credentials for user ${JSON.stringify(options.username)} (${statusText})${detail}`,
        { reply: status },
      );
    }
    throw new ProxyError(
      "ERR_PROXY_REFUSED",
      `${describe} refused to connect to ${options.targetLabel}: ${statusText}`,
      {
        reply: status,
      },
    );
  }
}
