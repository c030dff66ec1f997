/**
 * AES decryption (FIPS 197 §5.3 InvCipher), which only the legacy aes*-cbc ciphers need (RFC 4253
 * §6.3); encryption and the key expansion are in ./aes-gcm-core.ts. FIPS 197 section numbers are
 * those of the 2001 edition.
 *
 * It uses the Equivalent Inverse Cipher (§5.3.5): the same round structure as the Cipher, with
 * InvSubBytes, InvShiftRows and InvMixColumns in the tables and InvMixColumns applied to round
 * keys 1..Nr−1 once, when the key is set. Like the encryption side it is table-based (32-bit
 * "T-tables"), so its memory access pattern depends on the data (cache timing).
 *
 * Known answers: FIPS 197 Appendix C.1–C.3 (inverse cipher) and SP 800-38A F.1.2/F.1.4/F.1.6
 * (test-vectors/crypto/aes-fips197.json), SP 800-38A F.2.2/F.2.4/F.2.6 (CBC decrypt).
 * @module
 */
import { expandAesKey } from "./aes-gcm-core.js";

/** FIPS 197 §5.3.2 inverse S-box, the inverse of the §5.1.1 S-box. */
const INV_SBOX = new Uint8Array(256);
/** One round of InvShiftRows ∘ InvSubBytes ∘ InvMixColumns for one column, split by row. */
const TD0 = new Int32Array(256);
const TD1 = new Int32Array(256);
const TD2 = new Int32Array(256);
const TD3 = new Int32Array(256);

/** FIPS 197 §4.2.1 xtime: multiplication by x in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1. */
const xtime = (b: number): number => ((b << 1) ^ (b & 0x80 ? 0x1b : 0)) & 0xff;

/** FIPS 197 §4.2 multiplication in GF(2^8), by repeated xtime (§4.2.1). */
function mul(a: number, b: number): number {
  let p = 0;
  for (; b; b >>= 1, a = xtime(a)) if (b & 1) p ^= a;
  return p;
}

function initTables(): void {
  // Powers of the generator x + 1 enumerate GF(2^8)*, which gives every multiplicative inverse.
  const exp = new Uint8Array(256);
  const log = new Uint8Array(256);
  for (let i = 0, p = 1; i < 255; i++) {
    exp[i] = p;
    log[p] = i;
    p ^= xtime(p);
  }
  for (let b = 0; b < 256; b++) {
    // §5.1.1: the inverse (0 maps to 0), then the affine transformation (5.1).
    const inv = b === 0 ? 0 : exp[(255 - log[b]!) % 255]!;
    let s = inv;
    for (let r = 1; r <= 4; r++) s ^= ((inv << r) | (inv >>> (8 - r))) & 0xff;
    INV_SBOX[s ^ 0x63] = b;
  }
  for (let b = 0; b < 256; b++) {
    const s = INV_SBOX[b]!;
    // §5.3.3 InvMixColumns column (0e 09 0d 0b) times InvS[b], as a big-endian word: rows 0..3.
    const w = (mul(s, 0x0e) << 24) | (mul(s, 0x09) << 16) | (mul(s, 0x0d) << 8) | mul(s, 0x0b);
    TD0[b] = w;
    TD1[b] = (w >>> 8) | (w << 24);
    TD2[b] = (w >>> 16) | (w << 16);
    TD3[b] = (w >>> 24) | (w << 8);
  }
}
initTables();

/** §5.3.3 InvMixColumns of one column given as a big-endian word. */
function invMixColumn(w: number): number {
  const a0 = w >>> 24;
  const a1 = (w >>> 16) & 0xff;
  const a2 = (w >>> 8) & 0xff;
  const a3 = w & 0xff;
  return (
    ((mul(a0, 0x0e) ^ mul(a1, 0x0b) ^ mul(a2, 0x0d) ^ mul(a3, 0x09)) << 24) |
    ((mul(a0, 0x09) ^ mul(a1, 0x0e) ^ mul(a2, 0x0b) ^ mul(a3, 0x0d)) << 16) |
    ((mul(a0, 0x0d) ^ mul(a1, 0x09) ^ mul(a2, 0x0e) ^ mul(a3, 0x0b)) << 8) |
    (mul(a0, 0x0b) ^ mul(a1, 0x0d) ^ mul(a2, 0x09) ^ mul(a3, 0x0e))
  );
}

/**
 * §5.3.5 key expansion for the Equivalent Inverse Cipher: the round keys of KeyExpansion (§5.2) in
 * reverse round order, with InvMixColumns applied to those of rounds 1..Nr−1.
 */
export function expandAesDecryptionKey(key: Uint8Array): Int32Array {
  const w = expandAesKey(key);
  const rounds = w.length / 4 - 1;
  const dw = new Int32Array(w.length);
  for (let round = 0; round <= rounds; round++) {
    for (let c = 0; c < 4; c++) {
      const word = w[4 * (rounds - round) + c]!;
      dw[4 * round + c] = round === 0 || round === rounds ? word : invMixColumn(word);
    }
  }
  w.fill(0);
  return dw;
}

/**
 * §5.3.5 Equivalent Inverse Cipher on the state given as four big-endian column words, with the
 * schedule of `expandAesDecryptionKey`; the result goes to `out[0..3]`.
 */
export function decryptWords(dk: Int32Array, s0: number, s1: number, s2: number, s3: number, out: Int32Array): void {
  s0 ^= dk[0]!;
  s1 ^= dk[1]!;
  s2 ^= dk[2]!;
  s3 ^= dk[3]!;
  const last = dk.length - 4;
  let k = 4;
  for (; k < last; k += 4) {
    // InvShiftRows moves row r of column c to column c + r, so column c reads row r from c − r.
    const t0 = TD0[s0 >>> 24]! ^ TD1[(s3 >>> 16) & 0xff]! ^ TD2[(s2 >>> 8) & 0xff]! ^ TD3[s1 & 0xff]! ^ dk[k]!;
    const t1 = TD0[s1 >>> 24]! ^ TD1[(s0 >>> 16) & 0xff]! ^ TD2[(s3 >>> 8) & 0xff]! ^ TD3[s2 & 0xff]! ^ dk[k + 1]!;
    const t2 = TD0[s2 >>> 24]! ^ TD1[(s1 >>> 16) & 0xff]! ^ TD2[(s0 >>> 8) & 0xff]! ^ TD3[s3 & 0xff]! ^ dk[k + 2]!;
    const t3 = TD0[s3 >>> 24]! ^ TD1[(s2 >>> 16) & 0xff]! ^ TD2[(s1 >>> 8) & 0xff]! ^ TD3[s0 & 0xff]! ^ dk[k + 3]!;
    s0 = t0;
    s1 = t1;
    s2 = t2;
    s3 = t3;
  }
  // The final round has no InvMixColumns.
  out[0] = lastRound(s0, s3, s2, s1) ^ dk[k]!;
  out[1] = lastRound(s1, s0, s3, s2) ^ dk[k + 1]!;
  out[2] = lastRound(s2, s1, s0, s3) ^ dk[k + 2]!;
  out[3] = lastRound(s3, s2, s1, s0) ^ dk[k + 3]!;
}

const lastRound = (a: number, b: number, c: number, d: number): number =>
  (INV_SBOX[a >>> 24]! << 24) |
  (INV_SBOX[(b >>> 16) & 0xff]! << 16) |
  (INV_SBOX[(c >>> 8) & 0xff]! << 8) |
  INV_SBOX[d & 0xff]!;

/** Decrypts one 16-byte block (FIPS 197 §5.3) from `input` into `output` (which may be the same). */
export function aesDecryptBlock(dk: Int32Array, input: Uint8Array, output: Uint8Array): void {
  const out = new Int32Array(4);
  decryptWords(dk, readWord(input, 0), readWord(input, 4), readWord(input, 8), readWord(input, 12), out);
  for (let i = 0; i < 4; i++) {
    const w = out[i]!;
    output[4 * i] = w >>> 24;
    output[4 * i + 1] = w >>> 16;
    output[4 * i + 2] = w >>> 8;
    output[4 * i + 3] = w;
  }
}

function readWord(b: Uint8Array, i: number): number {
  return (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
}
