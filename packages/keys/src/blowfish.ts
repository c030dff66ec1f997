/**
 * Blowfish (B. Schneier, "Description of a New Variable-Length Key, 64-Bit Block Cipher
 * (Blowfish)", Fast Software Encryption 1993), only as far as bcrypt_pbkdf needs it: the 16-round
 * Feistel encryption of one 64-bit block, the key schedule (OpenBSD's `Blowfish_expand0state`) and
 * bcrypt's salted schedule (`Blowfish_expandstate`, Provos & Mazières, "A Future-Adaptable
 * Password Scheme", USENIX 1999). Decryption is never needed and not provided.
 *
 * Schneier initialises the P-array and the four S-boxes "with a fixed string: the hexadecimal
 * digits of pi (less the initial 3)": P1 = 0x243F6A88, P2 = 0x85A308D3, … We compute those
 * 18 + 4·256 words from that definition once, on first use (Machin's formula in bigint
 * arithmetic, ~0.2 s), instead of carrying a 1,042-word table; the tests pin the published values
 * and Schneier's known-answer vectors.
 * @module
 */

/** 18 subkeys + 4 S-boxes of 256 entries. */
const P_WORDS = 18;
const S_WORDS = 4 * 256;
const INIT_WORDS = P_WORDS + S_WORDS;

let piWords: Uint32Array | undefined;

/** arctan(1/x) · 2^bits, truncated (Gregory series). */
function arctanInverse(x: bigint, one: bigint): bigint {
  const x2 = x * x;
  let power = one / x;
  let sum = power;
  let sign = -1n;
  for (let k = 3n; power !== 0n; k += 2n) {
    power /= x2;
    sum += sign * (power / k);
    sign = -sign;
  }
  return sum;
}

/**
 * The first `n` 32-bit words of the fractional part of pi, big-endian digit order. Machin:
 * pi = 16·arctan(1/5) − 4·arctan(1/239); 64 guard bits absorb the truncation of ~10^4 terms.
 */
function fractionOfPi(n: number): Uint32Array {
  const guard = 64n;
  const bits = BigInt(n * 32) + guard;
  const one = 1n << bits;
  const pi = 16n * arctanInverse(5n, one) - 4n * arctanInverse(239n, one);
  let fraction = (pi - (3n << bits)) >> guard;
  const out = new Uint32Array(n);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(fraction & 0xffffffffn);
    fraction >>= 32n;
  }
  return out;
}

/** The initial P-array followed by S-boxes 0–3 (Schneier's "digits of pi"). */
export function blowfishInitialWords(): Uint32Array {
  piWords ??= fractionOfPi(INIT_WORDS);
  return piWords;
}

/**
 * OpenBSD `Blowfish_stream2word`: the next 4 bytes of `data` as a big-endian word, wrapping around
 * to the start of `data` (so a key or salt of any length is used cyclically).
 */
function streamToWord(data: Uint8Array, position: { j: number }): number {
  let word = 0;
  let j = position.j;
  for (let i = 0; i < 4; i++) {
    if (j >= data.length) j = 0;
    word = ((word << 8) | (data[j] as number)) >>> 0;
    j++;
  }
  position.j = j;
  return word;
}

/** A Blowfish key schedule: P-array and S-boxes, mutated by the expand operations. */
export class BlowfishState {
  /** P[0..17] then S0, S1, S2, S3 (256 words each), as signed 32-bit words. */
  private readonly words: Int32Array;
  private readonly p: Int32Array;
  private readonly s0: Int32Array;
  private readonly s1: Int32Array;
  private readonly s2: Int32Array;
  private readonly s3: Int32Array;
  /** Output of the last `encipher` call. */
  private left = 0;
  private right = 0;

  /** A state holding Schneier's initial values (`Blowfish_initstate`). */
  constructor() {
    this.words = new Int32Array(blowfishInitialWords());
    this.p = this.words.subarray(0, P_WORDS);
    this.s0 = this.words.subarray(18, 274);
    this.s1 = this.words.subarray(274, 530);
    this.s2 = this.words.subarray(530, 786);
    this.s3 = this.words.subarray(786, 1042);
  }

  /**
   * Encrypts the 64-bit block (left, right) with 16 Feistel rounds, F(x) = ((S0[a] + S1[b]) ^
   * S2[c]) + S3[d] mod 2^32 (Schneier, "Encryption"); the result is in `this.left/right`.
   * Words stay signed 32-bit integers: `^` reduces the sums modulo 2^32.
   */
  private encipher(left: number, right: number): void {
    const { p, s0, s1, s2, s3 } = this;
    let l = left ^ (p[0] as number);
    let r = right;
    for (let i = 1; i <= 16; i += 2) {
      r ^=
        ((((s0[l >>> 24] as number) + (s1[(l >>> 16) & 0xff] as number)) ^ (s2[(l >>> 8) & 0xff] as number)) +
          (s3[l & 0xff] as number)) ^
        (p[i] as number);
      l ^=
        ((((s0[r >>> 24] as number) + (s1[(r >>> 16) & 0xff] as number)) ^ (s2[(r >>> 8) & 0xff] as number)) +
          (s3[r & 0xff] as number)) ^
        (p[i + 1] as number);
    }
    this.left = r ^ (p[17] as number);
    this.right = l;
  }

  /**
   * OpenBSD `Blowfish_expandstate`: XOR the key into P, then replace P and the S-boxes by the
   * chained encryption of the (cyclic) salt `data`, 64 bits at a time.
   */
  expandWithSalt(data: Uint8Array, key: Uint8Array): void {
    this.xorKey(key);
    const w = this.words;
    const position = { j: 0 };
    this.left = 0;
    this.right = 0;
    for (let i = 0; i < INIT_WORDS; i += 2) {
      this.encipher(this.left ^ streamToWord(data, position), this.right ^ streamToWord(data, position));
      w[i] = this.left;
      w[i + 1] = this.right;
    }
  }

  /** OpenBSD `Blowfish_expand0state`, Blowfish's own key schedule: expandWithSalt with zero salt. */
  expand(key: Uint8Array): void {
    this.xorKey(key);
    const w = this.words;
    this.left = 0;
    this.right = 0;
    for (let i = 0; i < INIT_WORDS; i += 2) {
      this.encipher(this.left, this.right);
      w[i] = this.left;
      w[i + 1] = this.right;
    }
  }

  /** Encrypts consecutive 64-bit blocks held as pairs of words (OpenBSD `blf_enc`), in place. */
  encryptWords(data: Uint32Array): void {
    for (let i = 0; i + 1 < data.length; i += 2) {
      this.encipher(data[i] as number, data[i + 1] as number);
      data[i] = this.left;
      data[i + 1] = this.right;
    }
  }

  private xorKey(key: Uint8Array): void {
    const p = this.p;
    const position = { j: 0 };
    for (let i = 0; i < P_WORDS; i++) p[i] = (p[i] as number) ^ streamToWord(key, position);
  }
}

/** Encrypts one 8-byte block with a fresh Blowfish key schedule for `key` (for known-answer tests). */
export function blowfishEncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  const state = new BlowfishState();
  state.expand(key);
  const view = new DataView(block.buffer, block.byteOffset, 8);
  const words = Uint32Array.of(view.getUint32(0), view.getUint32(4));
  state.encryptWords(words);
  const out = new Uint8Array(8);
  const o = new DataView(out.buffer);
  o.setUint32(0, words[0] as number);
  o.setUint32(4, words[1] as number);
  return out;
}
