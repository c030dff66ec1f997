/**
 * A small strict reader of ASN.1 DER (ITU-T X.690 §8 and §10), enough for the key structures of
 * PKCS#1 (RFC 8017 App. A), SEC 1 (RFC 5915), PKCS#8 (RFC 5958), PKCS#5 (RFC 8018 App. A) and
 * SubjectPublicKeyInfo (RFC 5280 §4.1). DER means one encoding per value, and we enforce it:
 * definite lengths in the minimal form (§10.1), single-byte tags (no high-tag-number form),
 * INTEGERs without redundant leading bytes (§8.3.2), BIT STRINGs with 0–7 unused bits (§8.6.2),
 * NULL with no content, canonical OID arcs (§8.19.2). Every length is checked against the bytes
 * actually present before anything is read, and nesting is bounded.
 * @module
 */
import { utf8Decode } from "@purssh/wire";
import { bytesToBigint } from "./bigint.js";
import { KEY_ERROR, KeyError } from "./errors.js";

/** X.690 §8.1.2 universal tags (with the constructed bit where the type is always constructed). */
export const DER_TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tag [n], constructed (the EXPLICIT tagging used by key structures). */
export function contextTag(n: number): number {
  return 0xa0 | n;
}

/** Deepest nesting we follow (real keys use 4; bounded against stack exhaustion). */
const MAX_DEPTH = 16;

export class DerReader {
  private offset: number;

  /** `what` names the structure for error messages, e.g. "PKCS#8 PrivateKeyInfo". */
  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
    private readonly depth = 0,
    start = 0,
    private readonly end = buf.length,
  ) {
    if (depth > MAX_DEPTH) throw this.error(KEY_ERROR.PARSE, `nests deeper than ${MAX_DEPTH} levels`);
    this.offset = start;
  }

  private error(code: typeof KEY_ERROR.PARSE | typeof KEY_ERROR.TRUNCATED, detail: string): KeyError {
    return new KeyError(
      code,
      `${this.what} ${code === KEY_ERROR.TRUNCATED ? "is truncated" : "is malformed"}: ${detail}`,
    );
  }

  get atEnd(): boolean {
    return this.offset >= this.end;
  }

  /** The tag of the next element without consuming it, or undefined at the end. */
  peekTag(): number | undefined {
    return this.atEnd ? undefined : this.buf[this.offset];
  }

  /** Reads one TLV with the given tag and returns its contents (a view into the buffer). */
  read(tag: number, name: string): Uint8Array {
    const at = this.offset;
    if (at >= this.end) throw this.error(KEY_ERROR.TRUNCATED, `${name} is missing at offset ${at}`);
    const got = this.buf[at] as number;
    if ((got & 0x1f) === 0x1f) throw this.error(KEY_ERROR.PARSE, `${name}: high-tag-number form at offset ${at}`);
    if (got !== tag) {
      throw this.error(
        KEY_ERROR.PARSE,
        `expected ${name} (tag 0x${tag.toString(16)}) at offset ${at}, found tag 0x${got.toString(16)}`,
      );
    }
    let p = at + 1;
    if (p >= this.end) throw this.error(KEY_ERROR.TRUNCATED, `${name} has no length`);
    let length = this.buf[p++] as number;
    if (length & 0x80) {
      const n = length & 0x7f;
      if (n === 0) throw this.error(KEY_ERROR.PARSE, `${name} has an indefinite length (BER, not DER)`);
      if (n > 4) throw this.error(KEY_ERROR.PARSE, `${name} has a ${n}-byte length`);
      if (p + n > this.end) throw this.error(KEY_ERROR.TRUNCATED, `${name} length is cut off`);
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + (this.buf[p++] as number);
      if (length < 0x80 || (n > 1 && (this.buf[p - n] as number) === 0)) {
        throw this.error(KEY_ERROR.PARSE, `${name} length is not in minimal form (X.690 §10.1)`);
      }
    }
    if (length > this.end - p) {
      throw this.error(KEY_ERROR.TRUNCATED, `${name} declares ${length} bytes, ${this.end - p} are left`);
    }
    this.offset = p + length;
    return this.buf.subarray(p, p + length);
  }

  /** A SEQUENCE (or other constructed element with `tag`), as a reader over its contents. */
  sequence(name: string, tag: number = DER_TAG.SEQUENCE): DerReader {
    const contents = this.read(tag, name);
    return new DerReader(contents, this.what, this.depth + 1);
  }

  /** An optional EXPLICIT [n] element, as a reader over its contents; undefined if absent. */
  optionalContext(n: number, name: string): DerReader | undefined {
    if (this.peekTag() !== contextTag(n)) return undefined;
    return this.sequence(name, contextTag(n));
  }

  /** X.690 §8.3: a non-negative INTEGER, minimally encoded. `maxBytes` bounds its size. */
  integer(name: string, maxBytes = 2048): bigint {
    const c = this.read(DER_TAG.INTEGER, name);
    if (c.length === 0) throw this.error(KEY_ERROR.PARSE, `${name} INTEGER has no content`);
    const first = c[0] as number;
    if (
      c.length > 1 &&
      ((first === 0 && ((c[1] as number) & 0x80) === 0) || (first === 0xff && (c[1] as number) & 0x80))
    ) {
      throw this.error(KEY_ERROR.PARSE, `${name} INTEGER has a redundant leading byte (X.690 §8.3.2)`);
    }
    if (first & 0x80) throw this.error(KEY_ERROR.PARSE, `${name} is negative`);
    if (c.length > maxBytes + 1) throw this.error(KEY_ERROR.PARSE, `${name} is longer than ${maxBytes} bytes`);
    return bytesToBigint(c);
  }

  /** A small non-negative INTEGER (versions, iteration counts) as a number. */
  smallInteger(name: string): number {
    const v = this.integer(name, 6);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw this.error(KEY_ERROR.PARSE, `${name} is too large`);
    return Number(v);
  }

  octetString(name: string): Uint8Array {
    return this.read(DER_TAG.OCTET_STRING, name);
  }

  /** X.690 §8.6: a BIT STRING with no unused bits (keys and points are whole bytes). */
  bitString(name: string): Uint8Array {
    const c = this.read(DER_TAG.BIT_STRING, name);
    if (c.length === 0) throw this.error(KEY_ERROR.PARSE, `${name} BIT STRING has no content`);
    if (c[0] !== 0) throw this.error(KEY_ERROR.PARSE, `${name} BIT STRING has ${c[0]} unused bits, expected 0`);
    return c.subarray(1);
  }

  null(name: string): void {
    if (this.read(DER_TAG.NULL, name).length !== 0) throw this.error(KEY_ERROR.PARSE, `${name} NULL has content`);
  }

  /** X.690 §8.19: an OBJECT IDENTIFIER in dotted form, e.g. "1.2.840.113549.1.1.1". */
  oid(name: string): string {
    const c = this.read(DER_TAG.OID, name);
    if (c.length === 0 || c.length > 64) throw this.error(KEY_ERROR.PARSE, `${name} OID has ${c.length} bytes`);
    const arcs: number[] = [];
    let value = 0;
    let fresh = true;
    for (let i = 0; i < c.length; i++) {
      const b = c[i] as number;
      if (fresh && b === 0x80) throw this.error(KEY_ERROR.PARSE, `${name} OID arc has a leading 0x80 byte`);
      if (value > 0x1ffffff) throw this.error(KEY_ERROR.PARSE, `${name} OID arc is too large`);
      value = value * 128 + (b & 0x7f);
      fresh = (b & 0x80) === 0;
      if (fresh) {
        arcs.push(value);
        value = 0;
      }
    }
    if (!fresh) throw this.error(KEY_ERROR.TRUNCATED, `${name} OID ends inside an arc`);
    const first = arcs[0] as number;
    const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
    return [...head, ...arcs.slice(1)].join(".");
  }

  utf8String(name: string): string {
    const c = this.read(DER_TAG.UTF8_STRING, name);
    try {
      return utf8Decode(c);
    } catch (cause) {
      throw new KeyError(KEY_ERROR.PARSE, `${this.what}: ${name} is not valid UTF-8`, { cause });
    }
  }

  /** Skips one element of any tag (e.g. optional attributes we do not use). */
  skip(name: string): void {
    const tag = this.peekTag();
    if (tag === undefined) throw this.error(KEY_ERROR.TRUNCATED, `${name} is missing`);
    this.read(tag, name);
  }

  /** Decoders call this last: DER structures have no trailing bytes. */
  expectEnd(name: string): void {
    if (!this.atEnd) throw this.error(KEY_ERROR.PARSE, `${name} has ${this.end - this.offset} trailing bytes`);
  }
}

/** A reader over a whole DER document holding exactly one top-level SEQUENCE. */
export function derSequence(der: Uint8Array, what: string): DerReader {
  const top = new DerReader(der, what);
  const seq = top.sequence(what);
  top.expectEnd(what);
  return seq;
}
