/**
 * SOCKS4 and SOCKS4a CONNECT (Ying-Da Lee, "SOCKS: A protocol for TCP proxy across firewalls" and
 * "SOCKS 4A: A Simple Extension to SOCKS 4 Protocol"). The request is VN=4, CD=1, DSTPORT,
 * DSTIP, USERID, NUL; SOCKS4a puts 0.0.0.x (x ≠ 0) in DSTIP and appends the host name and a NUL,
 * so the proxy resolves it. The 8-byte reply is VN=0, CD, DSTPORT, DSTIP; CD 90 grants.
 * @module
 */
import { isIPv4 } from "node:net";
import { ProxyError } from "./errors.js";
import type { HandshakeReader } from "./handshake-reader.js";
import type { ProxyTarget } from "./options.js";

export const SOCKS4_VERSION = 4;
export const SOCKS4_CMD_CONNECT = 1;
/** The reply is always 8 bytes: VN, CD, DSTPORT (2), DSTIP (4). */
export const SOCKS4_REPLY_BYTES = 8;
/** SOCKS4a's marker address 0.0.0.1: "the host name follows". */
const SOCKS4A_MARKER_IP = [0, 0, 0, 1] as const;

export const SOCKS4_REPLY = {
  GRANTED: 90,
  REJECTED_OR_FAILED: 91,
  IDENTD_UNREACHABLE: 92,
  IDENTD_MISMATCH: 93,
} as const;

/** People's words for each CD of a SOCKS4 reply. */
export function socks4ReplyMessage(cd: number): string {
  switch (cd) {
    case SOCKS4_REPLY.GRANTED:
      return "request granted";
    case SOCKS4_REPLY.REJECTED_OR_FAILED:
      return "request rejected or failed";
    case SOCKS4_REPLY.IDENTD_UNREACHABLE:
      return "request rejected because the proxy cannot connect to identd on the client";
    case SOCKS4_REPLY.IDENTD_MISMATCH:
      return "request rejected because the client program and identd report different user ids";
    default:
      return `unknown reply code ${cd}`;
  }
}

const utf8 = new TextEncoder();

/**
 * The CONNECT request. `target.host` must be an IPv4 literal for SOCKS4 (the caller resolves
 * names); with `socks4a` a name goes to the proxy (an IPv4 literal is still sent as an address).
 */
export function encodeSocks4Request(target: ProxyTarget, userId: string, socks4a: boolean): Uint8Array {
  const ip = isIPv4(target.host) ? target.host.split(".").map(Number) : undefined;
  if (!ip && !socks4a)
    throw new ProxyError("ERR_PROXY_INVALID_OPTIONS", `SOCKS4 needs an IPv4 address, not ${target.host}`);
  const user = utf8.encode(userId);
  const name = ip ? new Uint8Array(0) : utf8.encode(target.host);
  const out = new Uint8Array(8 + user.length + 1 + (ip ? 0 : name.length + 1));
  out[0] = SOCKS4_VERSION;
  out[1] = SOCKS4_CMD_CONNECT;
  out[2] = target.port >> 8;
  out[3] = target.port & 0xff;
  out.set(ip ?? SOCKS4A_MARKER_IP, 4);
  out.set(user, 8);
  // out[8 + user.length] stays 0: the USERID terminator.
  if (!ip) out.set(name, 9 + user.length); // followed by the name's NUL (already 0)
  return out;
}

/** Sends the CONNECT request and reads the reply; throws a ProxyError unless CD is 90. */
export async function socks4Handshake(
  reader: HandshakeReader,
  target: ProxyTarget,
  options: { userId: string; socks4a: boolean; describe: string; targetLabel: string },
): Promise<void> {
  const label = options.socks4a ? "SOCKS4a" : "SOCKS4";
  reader.write(encodeSocks4Request(target, options.userId, options.socks4a));
  const reply = await reader.exact(SOCKS4_REPLY_BYTES, `${label} reply`);
  // VN is 0 in replies; some servers echo 4. Anything else is not a SOCKS4 server.
  if (reply[0] !== 0 && reply[0] !== SOCKS4_VERSION) {
    throw new ProxyError(
      "ERR_PROXY_PROTOCOL",
      `${options.describe}: the ${label} reply starts with version ${reply[0]}, not 0 (not a SOCKS4 proxy?)`,
    );
  }
  const cd = reply[1]!;
  if (cd === SOCKS4_REPLY.GRANTED) return;
  throw new ProxyError(
    "ERR_PROXY_REFUSED",
    `${options.describe} refused to connect to ${options.targetLabel}: ${socks4ReplyMessage(cd)} (${label} reply ${cd})`,
    { reply: cd },
  );
}
