/**
 * Strict decoding of the RFC 4251 §5 data types from a byte buffer. Every read is bounds-checked
 * before anything is allocated, so a hostile length field can never make us allocate or loop more
 * than the bytes actually present (CVE-2024-43410, CVE-2026-55199 class of bugs).
 * @module
 */
import { toHex, utf8Decode } from "./bytes.js";
import { WireError } from "./errors.js";

/**
 * Largest mpint accepted, in bytes: 16 384 bits plus a sign byte (OpenSSH's SSHBUF_MAX_BIGNUM).
 * Bounds the bigint work a peer can ask for (RSA moduli and DH groups stay far below it).
 */
export const MAX_MPINT_BYTES = 2049;

export class SshReader {
  private readonly view: DataView;
  offset: number;

  constructor(
    readonly buf: Uint8Array,
    offset = 0,
    readonly end = buf.length,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.offset = offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number, what: string): void {
    if (n > this.end - this.offset) {
      throw new WireError(
        "ERR_WIRE_SHORT_READ",
        `short read: ${what} needs ${n} bytes at offset ${this.offset}, ${this.end - this.offset} left`,
      );
    }
  }

  byte(): number {
    this.need(1, "byte");
    return this.buf[this.offset++] as number;
  }

  /** RFC 4251 §5: only 0 and 1 are accepted; any other value is rejected as malformed. */
  boolean(): boolean {
    const b = this.byte();
    if (b > 1) throw new WireError("ERR_WIRE_BAD_BOOLEAN", `boolean byte is ${b}, expected 0 or 1`);
    return b === 1;
  }

  uint32(): number {
    this.need(4, "uint32");
    const v = this.view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }

  uint64(): bigint {
    this.need(8, "uint64");
    const v = this.view.getBigUint64(this.offset);
    this.offset += 8;
    return v;
  }

  /** Raw fixed-size bytes (a view into the buffer, not a copy). */
  bytes(n: number): Uint8Array {
    this.need(n, `${n} raw bytes`);
    const b = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }

  /** `string`: uint32 length + bytes; returns a view into the buffer. */
  string(): Uint8Array {
    const len = this.uint32();
    this.need(len, "string body");
    return this.bytes(len);
  }

  utf8(): string {
    return utf8Decode(this.string());
  }

  /** RFC 4251 §5 name-list: comma-separated non-empty US-ASCII names without commas. */
  nameList(): string[] {
    const raw = this.string();
    if (raw.length === 0) return [];
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i] as number;
      if (c < 0x21 || c > 0x7e) {
        throw new WireError("ERR_WIRE_BAD_NAME_LIST", `name-list has a non-printable-ASCII byte 0x${c.toString(16)}`);
      }
    }
    // Every byte is printable ASCII (checked above), so UTF-8 decoding is exact; spreading `raw` into
    // String.fromCharCode would overflow the stack (RangeError) for a name-list of ~150 KB.
    const names = utf8Decode(raw).split(",");
    if (names.some((n) => n.length === 0)) throw new WireError("ERR_WIRE_BAD_NAME_LIST", "name-list has an empty name");
    return names;
  }

  /** RFC 4251 §5 mpint: two's complement, big-endian, minimal length (non-minimal is rejected). */
  mpint(): bigint {
    const b = this.string();
    if (b.length === 0) return 0n;
    if (b.length > MAX_MPINT_BYTES) {
      throw new WireError("ERR_WIRE_MPINT_TOO_LARGE", `mpint of ${b.length} bytes exceeds ${MAX_MPINT_BYTES}`);
    }
    const first = b[0] as number;
    if (b.length > 1) {
      const second = b[1] as number;
      if ((first === 0 && (second & 0x80) === 0) || (first === 0xff && (second & 0x80) !== 0)) {
        throw new WireError("ERR_WIRE_NON_MINIMAL_MPINT", "mpint has an unnecessary leading byte");
      }
    } else if (first === 0) {
      throw new WireError("ERR_WIRE_NON_MINIMAL_MPINT", "mpint zero must be encoded with no bytes");
    }
    // Hex conversion is linear; a byte-by-byte shift loop is quadratic in the length.
    let v = BigInt(`0x${toHex(b)}`);
    if (first & 0x80) v -= 1n << BigInt(8 * b.length);
    return v;
  }

  /** Everything up to the end (for `rest` fields such as method-specific data). */
  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  /** Decoders call this last: trailing bytes are a malformed message. */
  expectEnd(what = "message"): void {
    if (this.offset !== this.end) {
      throw new WireError("ERR_WIRE_TRAILING_BYTES", `${what} has ${this.end - this.offset} trailing bytes`);
    }
  }
}
