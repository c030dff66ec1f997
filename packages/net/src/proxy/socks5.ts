/**
 * SOCKS5 CONNECT (RFC 1928) with the methods "no authentication required" and
 * username/password (RFC 1929). Greeting VER=5, NMETHODS, METHODS → method selection; RFC 1929
 * sub-negotiation when the proxy picks 0x02; then VER=5, CMD=1, RSV=0, ATYP, DST.ADDR, DST.PORT
 * with ATYP 1 (IPv4), 3 (domain name, resolved by the proxy) or 4 (IPv6); the reply VER, REP, RSV,
 * ATYP, BND.ADDR, BND.PORT is read to its last byte, so the tunnel starts right after it.
 * @module
 */
import { isIP } from "node:net";
import { ProxyError } from "./errors.js";
import type { HandshakeReader } from "./handshake-reader.js";
import type { ProxyTarget } from "./options.js";

export const SOCKS5_VERSION = 5;
/** RFC 1929 §2: the sub-negotiation's own version number. */
export const SOCKS5_USERPASS_VERSION = 1;
export const SOCKS5_CMD_CONNECT = 1;

export const SOCKS5_METHOD = {
  NO_AUTHENTICATION: 0x00,
  GSSAPI: 0x01,
  USERNAME_PASSWORD: 0x02,
  NO_ACCEPTABLE_METHODS: 0xff,
} as const;

export const SOCKS5_ATYP = { IPV4: 1, DOMAINNAME: 3, IPV6: 4 } as const;

/** RFC 1928 §6 reply field REP. */
export const SOCKS5_REPLY = {
  SUCCEEDED: 0,
  GENERAL_FAILURE: 1,
  NOT_ALLOWED_BY_RULESET: 2,
  NETWORK_UNREACHABLE: 3,
  HOST_UNREACHABLE: 4,
  CONNECTION_REFUSED: 5,
  TTL_EXPIRED: 6,
  COMMAND_NOT_SUPPORTED: 7,
  ADDRESS_TYPE_NOT_SUPPORTED: 8,
} as const;

const REPLY_TEXT: Readonly<Record<number, string>> = {
  0: "succeeded",
  1: "general SOCKS server failure",
  2: "connection not allowed by ruleset",
  3: "network unreachable",
  4: "host unreachable",
  5: "connection refused",
  6: "TTL expired",
  7: "command not supported",
  8: "address type not supported",
};

/** People's words for each REP of RFC 1928 §6 (9..255 are unassigned). */
export function socks5ReplyMessage(rep: number): string {
  return REPLY_TEXT[rep] ?? `unassigned reply code ${rep}`;
}

function methodName(method: number): string {
  switch (method) {
    case SOCKS5_METHOD.NO_AUTHENTICATION:
      return "no authentication";
    case SOCKS5_METHOD.GSSAPI:
      return "GSSAPI";
    case SOCKS5_METHOD.USERNAME_PASSWORD:
      return "username/password";
    default:
      return `method 0x${method.toString(16).padStart(2, "0")}`;
  }
}

const utf8 = new TextEncoder();

/** The 16 bytes of an IPv6 literal (RFC 4291 §2.2 text forms, incl. "::" and a dotted IPv4 tail). */
export function ipv6Bytes(text: string): Uint8Array {
  const address = text.replace(/%.*$/, ""); // a zone id cannot cross the proxy
  if (isIP(address) !== 6) throw new ProxyError("ERR_PROXY_INVALID_OPTIONS", `${text} is not an IPv6 address`);
  const groups = (part: string): number[] => {
    if (part === "") return [];
    const out: number[] = [];
    for (const g of part.split(":")) {
      if (g.includes(".")) {
        const [a, b, c, d] = g.split(".").map(Number) as [number, number, number, number];
        out.push((a << 8) | b, (c << 8) | d);
      } else out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const [head, tail] = address.split("::") as [string, string | undefined];
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const words = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** VER, NMETHODS, METHODS: no authentication, plus username/password when we have credentials. */
export function encodeSocks5Greeting(withCredentials: boolean): Uint8Array {
  return withCredentials
    ? Uint8Array.of(SOCKS5_VERSION, 2, SOCKS5_METHOD.NO_AUTHENTICATION, SOCKS5_METHOD.USERNAME_PASSWORD)
    : Uint8Array.of(SOCKS5_VERSION, 1, SOCKS5_METHOD.NO_AUTHENTICATION);
}

/** RFC 1929 §2: VER=1, ULEN, UNAME, PLEN, PASSWD. */
export function encodeSocks5UserPass(username: string, password: string): Uint8Array {
  const u = utf8.encode(username);
  const p = utf8.encode(password);
  const out = new Uint8Array(3 + u.length + p.length);
  out[0] = SOCKS5_USERPASS_VERSION;
  out[1] = u.length;
  out.set(u, 2);
  out[2 + u.length] = p.length;
  out.set(p, 3 + u.length);
  return out;
}

/** RFC 1928 §4: a CONNECT to an IPv4/IPv6 literal by address, to anything else by name. */
export function encodeSocks5Request(target: ProxyTarget): Uint8Array {
  let address: Uint8Array;
  switch (isIP(target.host.replace(/%.*$/, ""))) {
    case 4:
      address = Uint8Array.of(SOCKS5_ATYP.IPV4, ...target.host.split(".").map(Number));
      break;
    case 6:
      address = Uint8Array.of(SOCKS5_ATYP.IPV6, ...ipv6Bytes(target.host));
      break;
    default: {
      const name = utf8.encode(target.host);
      address = Uint8Array.of(SOCKS5_ATYP.DOMAINNAME, name.length, ...name);
    }
  }
  return Uint8Array.of(SOCKS5_VERSION, SOCKS5_CMD_CONNECT, 0, ...address, target.port >> 8, target.port & 0xff);
}

export interface Socks5HandshakeOptions {
  username?: string;
  password?: string;
  describe: string;
  targetLabel: string;
}

/** Greeting, authentication and CONNECT; resolves once the whole reply has been read. */
export async function socks5Handshake(
  reader: HandshakeReader,
  target: ProxyTarget,
  options: Socks5HandshakeOptions,
): Promise<void> {
  const { describe } = options;
  const credentials =
    options.username !== undefined && options.password !== undefined
      ? { username: options.username, password: options.password }
      : undefined;
  const protocolError = (what: string) => new ProxyError("ERR_PROXY_PROTOCOL", `${describe}: ${what}`);

  reader.write(encodeSocks5Greeting(credentials !== undefined));
  const selection = await reader.exact(2, "SOCKS5 method selection");
  if (selection[0] !== SOCKS5_VERSION) {
    throw protocolError(`the method selection has version ${selection[0]}, not 5 (not a SOCKS5 proxy?)`);
  }
  const method = selection[1]!;
  const offered = credentials ? "no authentication, username/password" : "no authentication";
  if (method === SOCKS5_METHOD.NO_ACCEPTABLE_METHODS) {
    throw new ProxyError(
      "ERR_PROXY_AUTH_FAILED",
      `${describe} accepts none of the authentication methods offered (${offered})` +
        (credentials ? "" : "; it may require a username and password"),
      { reply: method },
    );
  }
  if (method === SOCKS5_METHOD.USERNAME_PASSWORD && credentials) {
    reader.write(encodeSocks5UserPass(credentials.username, credentials.password));
    const status = await reader.exact(2, "SOCKS5 username/password status");
    // RFC 1929 says VER=1; some servers answer with 5. Both are seen in the wild.
    if (status[0] !== SOCKS5_USERPASS_VERSION && status[0] !== SOCKS5_VERSION) {
      throw protocolError(`the username/password status has version ${status[0]}, not 1 (RFC 1929)`);
    }
    if (status[1] !== 0) {
      throw new ProxyError(
        "ERR_PROXY_AUTH_FAILED",
        `${describe} rejected the username and password for user ${JSON.stringify(credentials.username)} (status ${status[1]})`,
        { reply: status[1]! },
      );
    }
  } else if (method !== SOCKS5_METHOD.NO_AUTHENTICATION) {
    throw protocolError(`the proxy chose ${methodName(method)}, which was not offered (${offered})`);
  }

  reader.write(encodeSocks5Request(target));
  const what = "SOCKS5 CONNECT reply";
  const head = await reader.exact(2, what);
  if (head[0] !== SOCKS5_VERSION) throw protocolError(`the ${what} has version ${head[0]}, not 5`);
  const rep = head[1]!;
  if (rep !== SOCKS5_REPLY.SUCCEEDED) {
    throw new ProxyError(
      "ERR_PROXY_REFUSED",
      `${describe} refused to connect to ${options.targetLabel}: ${socks5ReplyMessage(rep)} (SOCKS5 reply ${rep})`,
      { reply: rep },
    );
  }
  const [rsv, atyp] = await reader.exact(2, what, 2);
  if (rsv !== 0) throw protocolError(`the ${what} has RSV ${rsv}, not 0`);
  // BND.ADDR and BND.PORT are read and dropped (a CONNECT client has no use for them), so that the
  // next byte on the socket is the tunnel's first.
  let consumed = 4;
  let rest: number;
  switch (atyp) {
    case SOCKS5_ATYP.IPV4:
      rest = 4 + 2;
      break;
    case SOCKS5_ATYP.IPV6:
      rest = 16 + 2;
      break;
    case SOCKS5_ATYP.DOMAINNAME:
      rest = (await reader.exact(1, what, consumed))[0]! + 2;
      consumed += 1;
      break;
    default:
      throw protocolError(`the ${what} has address type ${atyp}, not 1, 3 or 4`);
  }
  await reader.exact(rest, what, consumed);
}
