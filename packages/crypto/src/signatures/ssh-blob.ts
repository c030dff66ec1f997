/**
 * Shared strict parsing for SSH public-key and signature blobs (RFC 4253 §6.6, RFC 4251 §5):
 * every blob is read whole (no trailing bytes), and an mpint's length is checked against a bound
 * before it is converted, so a hostile length cannot make a verifier convert or exponentiate a huge
 * number (CVE-2026-39829 class). Internal to the signature modules.
 * @module
 */
import { SshReader } from "@purssh/wire";
import { os2ip } from "../rsa/arithmetic.js";

/**
 * Runs `parse` over the whole of `blob`. Undefined when `parse` returns undefined, when it throws
 * (short reads, bad strings) or when bytes are left over; never throws.
 */
export function parseWhole<T>(blob: Uint8Array, parse: (r: SshReader) => T | undefined): T | undefined {
  try {
    const r = new SshReader(blob);
    const value = parse(r);
    if (value === undefined) return undefined;
    r.expectEnd();
    return value;
  } catch {
    return undefined;
  }
}

/**
 * An RFC 4251 §5 mpint that must be non-negative and minimally encoded (no superfluous leading
 * zero byte), with a magnitude of at most `maxBytes` bytes; undefined otherwise. The length is
 * checked before any conversion.
 */
export function readUnsignedMpint(r: SshReader, maxBytes: number): bigint | undefined {
  const body = r.string();
  if (body.length === 0) return 0n;
  const first = body[0] as number;
  if ((first & 0x80) !== 0) return undefined; // negative
  let start = 0;
  if (first === 0) {
    // a leading zero is only allowed (and then required) before a byte with the top bit set
    if (body.length === 1 || ((body[1] as number) & 0x80) === 0) return undefined;
    start = 1;
  }
  if (body.length - start > maxBytes) return undefined;
  return os2ip(body.subarray(start));
}

/** Reads a string and tells whether it equals `expected` (algorithm and curve names). */
export function readExpected(r: SshReader, expected: Uint8Array): boolean {
  const got = r.string();
  if (got.length !== expected.length) return false;
  for (let i = 0; i < got.length; i++) if (got[i] !== expected[i]) return false;
  return true;
}
