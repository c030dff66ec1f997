/**
 * Encoding of the RFC 4251 §5 data types into a growable buffer.
 * @module
 */
import { fromHex, utf8Encode } from "./bytes.js";
import { WireError } from "./errors.js";

export class SshWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = Math.max(16, this.buf.length * 2); // an initial capacity of 0 would never grow
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new WireError("ERR_WIRE_RANGE", `byte out of range: ${v}`);
    this.ensure(1);
    this.buf[this.length++] = v;
    return this;
  }

  boolean(v: boolean): this {
    return this.byte(v ? 1 : 0);
  }

  uint32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new WireError("ERR_WIRE_RANGE", `uint32 out of range: ${v}`);
    }
    this.ensure(4);
    this.view.setUint32(this.length, v);
    this.length += 4;
    return this;
  }

  uint64(v: bigint): this {
    if (v < 0n || v > 0xffffffffffffffffn) throw new WireError("ERR_WIRE_RANGE", `uint64 out of range: ${v}`);
    this.ensure(8);
    this.view.setBigUint64(this.length, v);
    this.length += 8;
    return this;
  }

  raw(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  string(b: Uint8Array): this {
    this.uint32(b.length);
    return this.raw(b);
  }

  utf8(s: string): this {
    return this.string(utf8Encode(s));
  }

  nameList(names: readonly string[]): this {
    for (const n of names) {
      if (n.length === 0 || !/^[\x21-\x2b\x2d-\x7e]+$/.test(n)) {
        throw new WireError("ERR_WIRE_BAD_NAME_LIST", `not a valid name for a name-list: ${JSON.stringify(n)}`);
      }
    }
    return this.utf8(names.join(","));
  }

  /** mpint from a signed bigint, minimal two's-complement encoding. */
  mpint(v: bigint): this {
    return this.string(mpintBytes(v));
  }

  /** mpint from an unsigned big-endian magnitude (e.g. an X25519 shared secret, RFC 8731 §3.1). */
  mpintUnsigned(magnitude: Uint8Array): this {
    let i = 0;
    while (i < magnitude.length && magnitude[i] === 0) i++;
    const body = magnitude.subarray(i);
    if (body.length > 0 && ((body[0] as number) & 0x80) !== 0) {
      this.uint32(body.length + 1);
      this.byte(0);
      return this.raw(body);
    }
    return this.string(body);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** The minimal two's-complement big-endian body of an mpint (without its length prefix). */
export function mpintBytes(v: bigint): Uint8Array {
  if (v === 0n) return new Uint8Array(0);
  // Two's complement in the fewest bytes: for negative v, encode 2^(8n) + v with n large enough
  // that the sign bit is set. Hex conversion keeps this linear in the size of v.
  const magnitude = v < 0n ? -v : v;
  let bytes = Math.ceil(magnitude.toString(16).length / 2);
  const limit = 1n << BigInt(8 * bytes - 1);
  if (v < 0n ? -v > limit : v >= limit) bytes++;
  const x = v < 0n ? (1n << BigInt(8 * bytes)) + v : v;
  return fromHex(x.toString(16).padStart(2 * bytes, "0"));
}

/** The unsigned big-endian magnitude of a non-negative bigint (no sign byte, no leading zeros). */
export function unsignedBytes(v: bigint): Uint8Array {
  if (v < 0n) throw new WireError("ERR_WIRE_RANGE", "a negative value has no unsigned encoding");
  const body = mpintBytes(v);
  return body[0] === 0 ? body.subarray(1) : body;
}

/** Shorthand: encode with a callback and return the bytes. */
export function encodeWith(fn: (w: SshWriter) => void, initial = 256): Uint8Array {
  const w = new SshWriter(initial);
  fn(w);
  return w.finish();
}
