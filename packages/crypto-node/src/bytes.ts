/**
 * Byte helpers for handing node:crypto's results to code that expects plain Uint8Arrays. A Node
 * Buffer is a Uint8Array whose `slice()` is a view, not a copy, and small Buffers may share Node's
 * pool: what leaves this package is therefore a plain Uint8Array with its own memory, or bytes
 * copied into the caller's buffer.
 * @module
 */

/** A plain Uint8Array copy of a node:crypto result. */
export function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/** Base64url without padding (RFC 7515 §2), as JWK (RFC 7517) wants integers and points. */
export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("base64url");
}

/** An unsigned integer as exactly `length` big-endian bytes (RFC 8017 §4.1 I2OSP); it must fit. */
export function fixedWidth(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n || value < 0n) throw new RangeError(`${value} does not fit in ${length} bytes`);
  return out;
}

/** The minimal big-endian bytes of a positive integer (JWK's form for `e`, RFC 7518 §6.3.1). */
export function minimalBytes(value: bigint): Uint8Array {
  let length = 1;
  while (value >> BigInt(8 * length) > 0n) length++;
  return fixedWidth(value, length);
}

/** uint32 big-endian at `offset`. */
export function readUint32(b: Uint8Array, offset: number): number {
  return ((b[offset]! << 24) | (b[offset + 1]! << 16) | (b[offset + 2]! << 8) | b[offset + 3]!) >>> 0;
}
