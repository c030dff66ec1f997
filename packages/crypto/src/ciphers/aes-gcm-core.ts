/**
 * AES-GCM with the per-key work done once: the AES key schedule (FIPS 197 §5.2; FIPS 197 section
 * numbers here are those of the 2001 edition) and the GHASH multiplication tables for
 * H = E(K, 0^128) (NIST SP 800-38D §6.4, §7.1 step 1) are computed when the key is set; each message
 * then costs only GCTR (§6.5) and GHASH (§6.4). noble's `gcm(key, nonce)` redoes both for every
 * message, and its lower-level pieces (`unsafe.*`, the `GHASH` class) are documented as internal
 * and liable to change, so the block cipher and GHASH live here.
 *
 * AES encryption (FIPS 197 §5.1) uses the usual 32-bit "T-table" form, in which SubBytes,
 * ShiftRows and MixColumns of one round become four table look-ups per column (Daemen & Rijmen, AES
 * Proposal: Rijndael, §5.2 "32-bit processor"). GHASH multiplies by H with sixteen 256-entry
 * tables, one per byte position of the 128-bit block (McGrew & Viega, The Galois/Counter Mode of
 * Operation, 2005, §4.1 "Software": 64 KiB per key). Like noble's AES and GHASH, these are
 * table-based, so their memory access pattern depends on the data (cache timing); the tag
 * comparison is constant-time.
 *
 * Known answers: FIPS 197 Appendix C, SP 800-38A Appendix F.1, and the GCM specification's test
 * cases 1–18 (test-vectors/crypto/aes-fips197.json, aes-gcm-spec.json).
 * @module
 */
import { equalBytes } from "@purssh/wire";

/** FIPS 197 §5.1.1 S-box. */
const SBOX = new Uint8Array(256);
/** One round of SubBytes ∘ ShiftRows ∘ MixColumns for one column, split by row (rotations of TE0). */
const TE0 = new Int32Array(256);
const TE1 = new Int32Array(256);
const TE2 = new Int32Array(256);
const TE3 = new Int32Array(256);

/** FIPS 197 §4.2.1 xtime: multiplication by x in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1. */
const xtime = (b: number): number => ((b << 1) ^ (b & 0x80 ? 0x1b : 0)) & 0xff;

/** Fills SBOX and the T-tables; runs once when the module loads (a few thousand operations). */
function initTables(): void {
  // Powers of the generator x + 1 (0x03) enumerate GF(2^8)*, which gives every inverse.
  const exp = new Uint8Array(256);
  const log = new Uint8Array(256);
  for (let i = 0, p = 1; i < 255; i++) {
    exp[i] = p;
    log[p] = i;
    p ^= xtime(p);
  }
  for (let b = 0; b < 256; b++) {
    // §5.1.1: the multiplicative inverse (0 maps to 0), then the affine transformation (5.1), which
    // equals inv ⊕ rotl(inv, 1) ⊕ rotl(inv, 2) ⊕ rotl(inv, 3) ⊕ rotl(inv, 4) ⊕ 0x63.
    const inv = b === 0 ? 0 : exp[(255 - log[b]!) % 255]!;
    let s = inv;
    for (let r = 1; r <= 4; r++) s ^= ((inv << r) | (inv >>> (8 - r))) & 0xff;
    SBOX[b] = s ^ 0x63;
  }
  for (let b = 0; b < 256; b++) {
    const s = SBOX[b]!;
    const s2 = xtime(s);
    // §5.1.3 MixColumns column (02 01 01 03) times S[b], as a big-endian word: rows 0..3.
    const w = (s2 << 24) | (s << 16) | (s << 8) | (s2 ^ s);
    TE0[b] = w;
    TE1[b] = (w >>> 8) | (w << 24);
    TE2[b] = (w >>> 16) | (w << 16);
    TE3[b] = (w >>> 24) | (w << 8);
  }
}
initTables();

const subWord = (w: number): number =>
  (SBOX[w >>> 24]! << 24) | (SBOX[(w >>> 16) & 0xff]! << 16) | (SBOX[(w >>> 8) & 0xff]! << 8) | SBOX[w & 0xff]!;

/**
 * FIPS 197 §5.2 KeyExpansion for a 16-, 24- or 32-byte key: Nb(Nr + 1) big-endian words, Nr = Nk + 6.
 */
export function expandAesKey(key: Uint8Array): Int32Array {
  const nk = key.length / 4;
  if (nk !== 4 && nk !== 6 && nk !== 8) throw new RangeError(`AES needs a 16-, 24- or 32-byte key, got ${key.length}`);
  const w = new Int32Array(4 * (nk + 7));
  for (let i = 0; i < nk; i++) w[i] = readWord(key, 4 * i);
  for (let i = nk, rcon = 1; i < w.length; i++) {
    let t = w[i - 1]!;
    if (i % nk === 0) {
      t = subWord((t << 8) | (t >>> 24)) ^ (rcon << 24); // SubWord(RotWord(temp)) xor Rcon[i/Nk]
      rcon = xtime(rcon);
    } else if (nk > 6 && i % nk === 4) {
      t = subWord(t);
    }
    w[i] = w[i - nk]! ^ t;
  }
  return w;
}

/**
 * FIPS 197 §5.1 Cipher on the state given as four big-endian column words; the result goes to
 * `out[0..3]`.
 */
export function encryptWords(rk: Int32Array, s0: number, s1: number, s2: number, s3: number, out: Int32Array): void {
  rounds(rk, 4, s0 ^ rk[0]!, s1 ^ rk[1]!, s2 ^ rk[2]!, s3 ^ rk[3]!, out);
}

/**
 * The rounds of the Cipher whose round keys start at word `k` (4 for round 1), through the final
 * round, which has no MixColumns; `s0..s3` is the state entering that first round.
 */
function rounds(rk: Int32Array, k: number, s0: number, s1: number, s2: number, s3: number, out: Int32Array): void {
  const last = rk.length - 4;
  for (; k < last; k += 4) {
    const t0 = TE0[s0 >>> 24]! ^ TE1[(s1 >>> 16) & 0xff]! ^ TE2[(s2 >>> 8) & 0xff]! ^ TE3[s3 & 0xff]! ^ rk[k]!;
    const t1 = TE0[s1 >>> 24]! ^ TE1[(s2 >>> 16) & 0xff]! ^ TE2[(s3 >>> 8) & 0xff]! ^ TE3[s0 & 0xff]! ^ rk[k + 1]!;
    const t2 = TE0[s2 >>> 24]! ^ TE1[(s3 >>> 16) & 0xff]! ^ TE2[(s0 >>> 8) & 0xff]! ^ TE3[s1 & 0xff]! ^ rk[k + 2]!;
    const t3 = TE0[s3 >>> 24]! ^ TE1[(s0 >>> 16) & 0xff]! ^ TE2[(s1 >>> 8) & 0xff]! ^ TE3[s2 & 0xff]! ^ rk[k + 3]!;
    s0 = t0;
    s1 = t1;
    s2 = t2;
    s3 = t3;
  }
  out[0] = lastRound(s0, s1, s2, s3) ^ rk[k]!;
  out[1] = lastRound(s1, s2, s3, s0) ^ rk[k + 1]!;
  out[2] = lastRound(s2, s3, s0, s1) ^ rk[k + 2]!;
  out[3] = lastRound(s3, s0, s1, s2) ^ rk[k + 3]!;
}

const lastRound = (a: number, b: number, c: number, d: number): number =>
  (SBOX[a >>> 24]! << 24) | (SBOX[(b >>> 16) & 0xff]! << 16) | (SBOX[(c >>> 8) & 0xff]! << 8) | SBOX[d & 0xff]!;

/** Encrypts one 16-byte block (FIPS 197 §5.1) from `input` into `output` (which may be the same). */
export function aesEncryptBlock(rk: Int32Array, input: Uint8Array, output: Uint8Array): void {
  const out = new Int32Array(4);
  encryptWords(rk, readWord(input, 0), readWord(input, 4), readWord(input, 8), readWord(input, 12), out);
  for (let i = 0; i < 4; i++) writeWord(output, 4 * i, out[i]!);
}

function readWord(b: Uint8Array, i: number): number {
  return (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
}

function writeWord(b: Uint8Array, i: number, w: number): void {
  b[i] = w >>> 24;
  b[i + 1] = w >>> 16;
  b[i + 2] = w >>> 8;
  b[i + 3] = w;
}

/** Reads the big-endian word at `i`, the bytes at or after `end` counting as zero (GHASH padding). */
function readWordPadded(b: Uint8Array, i: number, end: number): number {
  let w = 0;
  for (let j = 0; j < 4; j++) w |= (i + j < end ? b[i + j]! : 0) << (24 - 8 * j);
  return w;
}

/**
 * The GHASH tables for H (SP 800-38D §6.3, McGrew & Viega §4.1): entry (p, v) holds the product
 * of H and the block whose only non-zero byte is v at position p, four big-endian words each. A
 * product X • H is then the XOR of the sixteen entries (p, X_p).
 */
function ghashTables(h0: number, h1: number, h2: number, h3: number): Int32Array {
  const m = new Int32Array(16 * 256 * 4);
  // Bit n of a block (n = 0 is the most significant bit of byte 0) is the coefficient of x^n, so the
  // block with only bit n set times H is H • x^n: multiply by x (§6.3 "rightshift", reducing by
  // R = 11100001 ‖ 0^120) 127 times.
  for (let n = 0; n < 128; n++) {
    const o = (((n >> 3) << 8) | (0x80 >> (n & 7))) << 2;
    m[o] = h0;
    m[o + 1] = h1;
    m[o + 2] = h2;
    m[o + 3] = h3;
    const carry = h3 & 1;
    h3 = (h3 >>> 1) | (h2 << 31);
    h2 = (h2 >>> 1) | (h1 << 31);
    h1 = (h1 >>> 1) | (h0 << 31);
    h0 = (h0 >>> 1) ^ (carry ? 0xe1000000 : 0);
  }
  // Multiplication distributes over XOR: entry v = entry (top bit of v) ⊕ entry (the rest of v).
  for (let p = 0; p < 16; p++) {
    for (let v = 3; v < 256; v++) {
      const top = 1 << (31 - Math.clz32(v));
      if (top === v) continue;
      const o = ((p << 8) | v) << 2;
      const a = ((p << 8) | top) << 2;
      const b = ((p << 8) | (v ^ top)) << 2;
      for (let j = 0; j < 4; j++) m[o + j] = m[a + j]! ^ m[b + j]!;
    }
  }
  return m;
}

/**
 * SP 800-38D §6.4 GHASH over `data[start, end)` zero-padded to whole blocks, continuing from the
 * accumulator `y[0..3]` and leaving the result there.
 */
function ghash(m: Int32Array, y: Int32Array, data: Uint8Array, start: number, end: number): void {
  let y0 = y[0]!;
  let y1 = y[1]!;
  let y2 = y[2]!;
  let y3 = y[3]!;
  for (let i = start; i < end; i += 16) {
    let x0: number;
    let x1: number;
    let x2: number;
    let x3: number;
    if (i + 16 <= end) {
      x0 = y0 ^ ((data[i]! << 24) | (data[i + 1]! << 16) | (data[i + 2]! << 8) | data[i + 3]!);
      x1 = y1 ^ ((data[i + 4]! << 24) | (data[i + 5]! << 16) | (data[i + 6]! << 8) | data[i + 7]!);
      x2 = y2 ^ ((data[i + 8]! << 24) | (data[i + 9]! << 16) | (data[i + 10]! << 8) | data[i + 11]!);
      x3 = y3 ^ ((data[i + 12]! << 24) | (data[i + 13]! << 16) | (data[i + 14]! << 8) | data[i + 15]!);
    } else {
      x0 = y0 ^ readWordPadded(data, i, end);
      x1 = y1 ^ readWordPadded(data, i + 4, end);
      x2 = y2 ^ readWordPadded(data, i + 8, end);
      x3 = y3 ^ readWordPadded(data, i + 12, end);
    }
    // Y_i = (Y_{i-1} ⊕ X_i) • H: the XOR of one table entry per byte of Y_{i-1} ⊕ X_i.
    let o = (x0 >>> 24) << 2;
    y0 = m[o]!;
    y1 = m[o + 1]!;
    y2 = m[o + 2]!;
    y3 = m[o + 3]!;
    o = (0x100 | ((x0 >>> 16) & 0xff)) << 2;
    y0 ^= m[o]!;
    y1 ^= m[o + 1]!;
    y2 ^= m[o + 2]!;
    y3 ^= m[o + 3]!;
    o = (0x200 | ((x0 >>> 8) & 0xff)) << 2;
    y0 ^= m[o]!;
    y1 ^= m[o + 1]!;
    y2 ^= m[o + 2]!;
    y3 ^= m[o + 3]!;
    o = (0x300 | (x0 & 0xff)) << 2;
    y0 ^= m[o]!;
    y1 ^= m[o + 1]!;
    y2 ^= m[o + 2]!;
    y3 ^= m[o + 3]!;
    o = (0x400 | (x1 >>> 24)) << 2;
    y0 ^= m[o]!;
    y1 ^= m[o + 1]!;
    y2 ^= m[o + 2]!;
    y3 ^= m[o + 3]!;
    o = (0x500 | ((x1 >>> 16) & 0xff)) << 2;
    y0 ^= m[o]!;
    y1 ^= m[o + 1]!;
    y2 ^= m[o + 2]!;
    y3 ^= m[o + 3]!;
    o = (0x600 | ((x1 >>> 8) & 0xff)) << 2;
    y0 ^= m[o]!;
    y1 ^= m[o + 1]!;
    y2 ^= m[o + 2]!;
    y3 ^= m[o + 3]!;
    o = (0x700 | (x1 & 0xff)) << 2;
    y0 ^= m[o]!;
    y1 ^= m[o + 1]!;
    y2 ^= m[o + 2]!;
    y3 ^= m[o + 3]!;
    o = (0x800 | (x2 >>> 24)) << 2;
    y0 ^= m[o]!;
    y1 ^= m[o + 1]!;
    y2 ^= m[o + 2]!;
    y3 ^= m[o + 3]!;
    o = (0x900 | ((x2 >>> 16) & 0xff)) << 2;
    y0 ^= m[o]!;
    y1 ^= m[o + 1]!;
    y2 ^= m[o + 2]!;
    y3 ^= m[o + 3]!;
    o = (0xa00 | ((x2 >>> 8) & 0xff)) << 2;
    y0 ^= m[o]!;
    y1 ^= m[o + 1]!;
    y2 ^= m[o + 2]!;
    y3 ^= m[o + 3]!;
    o = (0xb00 | (x2 & 0xff)) << 2;
    y0 ^= m[o]!;
    y1 ^= m[o + 1]!;
    y2 ^= m[o + 2]!;
    y3 ^= m[o + 3]!;
    o = (0xc00 | (x3 >>> 24)) << 2;
    y0 ^= m[o]!;
    y1 ^= m[o + 1]!;
    y2 ^= m[o + 2]!;
    y3 ^= m[o + 3]!;
    o = (0xd00 | ((x3 >>> 16) & 0xff)) << 2;
    y0 ^= m[o]!;
    y1 ^= m[o + 1]!;
    y2 ^= m[o + 2]!;
    y3 ^= m[o + 3]!;
    o = (0xe00 | ((x3 >>> 8) & 0xff)) << 2;
    y0 ^= m[o]!;
    y1 ^= m[o + 1]!;
    y2 ^= m[o + 2]!;
    y3 ^= m[o + 3]!;
    o = (0xf00 | (x3 & 0xff)) << 2;
    y0 ^= m[o]!;
    y1 ^= m[o + 1]!;
    y2 ^= m[o + 2]!;
    y3 ^= m[o + 3]!;
  }
  y[0] = y0;
  y[1] = y1;
  y[2] = y2;
  y[3] = y3;
}

const LENGTHS_BLOCK = new Uint8Array(16);

/** GHASH of one block given as words (the lengths block of §7.1 step 5). */
function ghashWords(m: Int32Array, y: Int32Array, w0: number, w1: number, w2: number, w3: number): void {
  const b = LENGTHS_BLOCK;
  writeWord(b, 0, w0);
  writeWord(b, 4, w1);
  writeWord(b, 8, w2);
  writeWord(b, 12, w3);
  ghash(m, y, b, 0, 16);
}

/**
 * SP 800-38D §6.5 GCTR from counter block n0 ‖ n1 ‖ n2 ‖ ctr, XORing the key stream into
 * `data[start, end)` in place; inc32 wraps the last word modulo 2^32. (Also the engine of aes*-ctr,
 * ./aes-ctr.ts, which carries into the upper words itself.)
 */
export function gctr(
  rk: Int32Array,
  ks: Int32Array,
  n0: number,
  n1: number,
  n2: number,
  ctr: number,
  data: Uint8Array,
  start: number,
  end: number,
): void {
  // Only the last word of the counter block changes, so 12 of the 16 look-ups of round 1 are the
  // same for every block: p_c is column c of round 1 without the term from that word.
  const a0 = n0 ^ rk[0]!;
  const a1 = n1 ^ rk[1]!;
  const a2 = n2 ^ rk[2]!;
  const p0 = TE0[a0 >>> 24]! ^ TE1[(a1 >>> 16) & 0xff]! ^ TE2[(a2 >>> 8) & 0xff]! ^ rk[4]!;
  const p1 = TE0[a1 >>> 24]! ^ TE1[(a2 >>> 16) & 0xff]! ^ TE3[a0 & 0xff]! ^ rk[5]!;
  const p2 = TE0[a2 >>> 24]! ^ TE2[(a0 >>> 8) & 0xff]! ^ TE3[a1 & 0xff]! ^ rk[6]!;
  const p3 = TE1[(a0 >>> 16) & 0xff]! ^ TE2[(a1 >>> 8) & 0xff]! ^ TE3[a2 & 0xff]! ^ rk[7]!;
  const r3 = rk[3]!;
  for (let i = start; i < end; i += 16, ctr = (ctr + 1) | 0) {
    const a3 = ctr ^ r3;
    rounds(
      rk,
      8,
      p0 ^ TE3[a3 & 0xff]!,
      p1 ^ TE2[(a3 >>> 8) & 0xff]!,
      p2 ^ TE1[(a3 >>> 16) & 0xff]!,
      p3 ^ TE0[a3 >>> 24]!,
      ks,
    );
    if (i + 16 <= end) {
      for (let j = 0; j < 4; j++) {
        const k = ks[j]!;
        const o = i + 4 * j;
        data[o] = data[o]! ^ (k >>> 24);
        data[o + 1] = data[o + 1]! ^ (k >>> 16);
        data[o + 2] = data[o + 2]! ^ (k >>> 8);
        data[o + 3] = data[o + 3]! ^ k;
      }
    } else {
      for (let o = i; o < end; o++) data[o] = data[o]! ^ (ks[(o - i) >> 2]! >>> (24 - (((o - i) & 3) << 3)));
    }
  }
}

/**
 * An AES-GCM key (SP 800-38D) with its key schedule and GHASH tables, for any number of messages.
 * Messages are laid out as one buffer `A ‖ P ‖ T` (additional data, then the text, then room for the
 * 16-byte tag) and are processed in place; nothing is allocated per message. Not reentrant: the
 * scratch words are per instance.
 */
export class AesGcmKey {
  readonly #rk: Int32Array;
  readonly #m: Int32Array;
  /** GHASH accumulator. */
  readonly #y = new Int32Array(4);
  /** One block of key stream. */
  readonly #ks = new Int32Array(4);
  /** J0 as words. */
  readonly #j0 = new Int32Array(4);
  readonly #tag = new Uint8Array(16);

  constructor(key: Uint8Array) {
    this.#rk = expandAesKey(key);
    encryptWords(this.#rk, 0, 0, 0, 0, this.#ks); // H = CIPH_K(0^128)
    const ks = this.#ks;
    this.#m = ghashTables(ks[0]!, ks[1]!, ks[2]!, ks[3]!);
    ks.fill(0);
  }

  /**
   * GCM-AE (§7.1): `buf` = A ‖ P ‖ 16 bytes, A being the first `aadLength` bytes and P ending at
   * `textEnd`. P is replaced by C and the tag T is written at `textEnd`.
   */
  seal(iv: Uint8Array, buf: Uint8Array, aadLength: number, textEnd: number): void {
    this.#check(iv, buf, aadLength, textEnd);
    const j0 = this.#preCounterBlock(iv);
    gctr(this.#rk, this.#ks, j0[0]!, j0[1]!, j0[2]!, (j0[3]! + 1) | 0, buf, aadLength, textEnd);
    this.#computeTag(buf, aadLength, textEnd, buf, textEnd);
  }

  /**
   * GCM-AD (§7.2): `buf` = A ‖ C ‖ T. Returns false, leaving `buf` as it was, when T does not verify
   * (compared in constant time); otherwise replaces C with P and returns true.
   */
  open(iv: Uint8Array, buf: Uint8Array, aadLength: number, textEnd: number): boolean {
    this.#check(iv, buf, aadLength, textEnd);
    const j0 = this.#preCounterBlock(iv);
    this.#computeTag(buf, aadLength, textEnd, this.#tag, 0);
    const ok = equalBytes(this.#tag, buf.subarray(textEnd, textEnd + 16));
    this.#tag.fill(0);
    if (ok) gctr(this.#rk, this.#ks, j0[0]!, j0[1]!, j0[2]!, (j0[3]! + 1) | 0, buf, aadLength, textEnd);
    return ok;
  }

  #check(iv: Uint8Array, buf: Uint8Array, aadLength: number, textEnd: number): void {
    if (iv.length === 0 || aadLength < 0 || textEnd < aadLength || textEnd + 16 > buf.length) {
      throw new RangeError("AES-GCM: empty IV, or the buffer does not hold A ‖ text ‖ a 16-byte tag");
    }
  }

  /** §7.1 step 2: J0 = IV ‖ 0^31 ‖ 1 for a 96-bit IV, else GHASH(IV ‖ 0^(s+64) ‖ [len(IV)]_64). */
  #preCounterBlock(iv: Uint8Array): Int32Array {
    const j0 = this.#j0;
    if (iv.length === 12) {
      j0[0] = readWord(iv, 0);
      j0[1] = readWord(iv, 4);
      j0[2] = readWord(iv, 8);
      j0[3] = 1;
    } else {
      j0.fill(0);
      ghash(this.#m, j0, iv, 0, iv.length);
      ghashWords(this.#m, j0, 0, 0, Math.floor(iv.length / 0x2000_0000), (iv.length * 8) >>> 0);
    }
    return j0;
  }

  /** §7.1 steps 5–6: T = GCTR(J0, GHASH(A ‖ 0^v ‖ C ‖ 0^u ‖ [len(A)]_64 ‖ [len(C)]_64)) into out[at..]. */
  #computeTag(buf: Uint8Array, aadLength: number, textEnd: number, out: Uint8Array, at: number): void {
    const y = this.#y;
    y.fill(0);
    ghash(this.#m, y, buf, 0, aadLength);
    ghash(this.#m, y, buf, aadLength, textEnd);
    const textLength = textEnd - aadLength;
    ghashWords(
      this.#m,
      y,
      Math.floor(aadLength / 0x2000_0000),
      (aadLength * 8) >>> 0,
      Math.floor(textLength / 0x2000_0000),
      (textLength * 8) >>> 0,
    );
    const j0 = this.#j0;
    const ks = this.#ks;
    encryptWords(this.#rk, j0[0]!, j0[1]!, j0[2]!, j0[3]!, ks);
    for (let i = 0; i < 4; i++) writeWord(out, at + 4 * i, ks[i]! ^ y[i]!);
    y.fill(0);
    ks.fill(0);
  }
}
