/**
 * IP addresses and CIDR blocks as OpenSSH reads them in access lists: the `source-address`
 * critical option of certificates (PROTOCOL.certkeys "Critical options": "Comma-separated list of
 * source addresses … in CIDR format (nn.nn.nn.nn/nn or hhhh::hhhh/nn)") and the CIDR entries of an
 * authorized_keys `from="…"` list (sshd(8) AUTHORIZED_KEYS FILE FORMAT). Text forms are RFC 4291
 * §2.2 for IPv6 (with `::` compression and a dotted IPv4 tail) and dotted-quad for IPv4; a CIDR
 * block is `address[/prefix length]` (RFC 4632 §3.1).
 *
 * Strictness follows OpenSSH's addr_match_cidr_list (addrmatch.c): an empty entry, an entry with
 * characters outside `0-9a-fA-F.:/`, a prefix longer than the address, or host bits set below the
 * prefix ("inconsistent mask length", e.g. 10.1.2.3/8) make the whole list invalid. Unlike
 * getaddrinfo() we accept only the canonical dotted quad for IPv4 (no `127.1`, no octal `010`), and
 * no IPv6 zone identifiers.
 * @module
 */
import { KEY_ERROR, KeyError } from "./errors.js";

/** A parsed IP address: 4 bytes for IPv4, 16 for IPv6, in network byte order. */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
}

/** A CIDR block (RFC 4632 §3.1): an address whose bits below `prefixLength` are zero. */
export interface CidrBlock {
  readonly address: IpAddress;
  readonly prefixLength: number;
  /** The entry as written. */
  readonly text: string;
}

/** A parsed comma-separated CIDR list with its matcher. */
export interface CidrList {
  /** The list as written. */
  readonly text: string;
  readonly blocks: readonly CidrBlock[];
  /** True when `ip` (an address in text form) lies inside one of the blocks; false for a malformed `ip`. */
  matches(ip: string): boolean;
}

/** INET6_ADDRSTRLEN (46) + "/128": OpenSSH rejects longer entries before parsing them. */
const MAX_CIDR_ENTRY_LENGTH = 46 + 3;

function parseIpv4(text: string): Uint8Array | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m === null) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = m[i + 1] as string;
    if (part.length > 1 && part.startsWith("0")) return undefined; // no octal-looking octets
    const v = Number(part);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

/** Hex groups of one side of `::` (each 1–4 hex digits); a dotted IPv4 tail counts as two groups. */
function parseGroups(text: string, allowIpv4Tail: boolean): number[] | undefined {
  if (text === "") return [];
  const parts = text.split(":");
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (allowIpv4Tail && i === parts.length - 1 && part.includes(".")) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) return undefined;
      groups.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
    groups.push(Number.parseInt(part, 16));
  }
  return groups;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const head = parseGroups(halves[0] as string, false);
    const tail = parseGroups(halves[1] as string, true);
    if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parseGroups(text, true);
    if (all === undefined || all.length !== 8) return undefined;
    groups = all;
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Parses an IPv4 dotted quad or an RFC 4291 §2.2 IPv6 address; undefined when `text` is neither. */
export function parseIpAddress(text: string): IpAddress | undefined {
  if (text.includes(":")) {
    const bytes = parseIpv6(text);
    return bytes === undefined ? undefined : { family: 6, bytes };
  }
  const bytes = parseIpv4(text);
  return bytes === undefined ? undefined : { family: 4, bytes };
}

/** Whether the bits of `bytes` from `prefixLength` on are all zero. */
function hostBitsZero(bytes: Uint8Array, prefixLength: number): boolean {
  for (let bit = prefixLength; bit < bytes.length * 8; bit++) {
    if (((bytes[bit >> 3] as number) >> (7 - (bit & 7))) & 1) return false;
  }
  return true;
}

function invalidCidr(entry: string, detail: string): KeyError {
  return new KeyError(KEY_ERROR.PARSE, `invalid CIDR entry ${JSON.stringify(entry.slice(0, 80))}: ${detail}`);
}

/**
 * Parses `address[/prefix]` (no prefix: the full address length). Throws ERR_KEY_PARSE for a
 * malformed address or prefix and for host bits set below the prefix (OpenSSH "inconsistent mask
 * length").
 */
export function parseCidr(text: string): CidrBlock {
  const slash = text.indexOf("/");
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const address = parseIpAddress(addressText);
  if (address === undefined) throw invalidCidr(text, "not an IPv4 or IPv6 address");
  const max = address.bytes.length * 8;
  let prefixLength = max;
  if (slash >= 0) {
    const prefixText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText)) throw invalidCidr(text, "the prefix length is not a number");
    prefixLength = Number(prefixText);
    if (prefixLength > max) throw invalidCidr(text, `an IPv${address.family} prefix is at most ${max} bits`);
  }
  if (!hostBitsZero(address.bytes, prefixLength)) {
    throw invalidCidr(text, `bits are set below the /${prefixLength} prefix (inconsistent mask length)`);
  }
  return { address, prefixLength, text };
}

/** Whether `address` lies in `block` (addresses of the other family never do, as in OpenSSH). */
export function cidrContains(block: CidrBlock, address: IpAddress): boolean {
  if (address.family !== block.address.family) return false;
  const net = block.address.bytes;
  for (let bit = 0; bit < block.prefixLength; bit++) {
    const i = bit >> 3;
    const shift = 7 - (bit & 7);
    if ((((address.bytes[i] as number) >> shift) & 1) !== (((net[i] as number) >> shift) & 1)) return false;
  }
  return true;
}

/**
 * Parses a comma-separated CIDR list with OpenSSH's addr_match_cidr_list rules (no wildcards, no
 * negation, no empty entries); throws ERR_KEY_PARSE naming the first bad entry.
 */
export function parseCidrList(text: string): CidrList {
  const blocks = text.split(",").map((entry) => {
    if (entry === "") throw invalidCidr(text, "the list has an empty entry");
    if (entry.length > MAX_CIDR_ENTRY_LENGTH) throw invalidCidr(entry, "too long");
    if (!/^[0-9a-fA-F.:/]+$/.test(entry)) throw invalidCidr(entry, "contains characters other than 0-9a-fA-F.:/");
    return parseCidr(entry);
  });
  return Object.freeze({
    text,
    blocks: Object.freeze(blocks),
    matches(ip: string): boolean {
      const address = parseIpAddress(ip);
      return address !== undefined && blocks.some((b) => cidrContains(b, address));
    },
  });
}
