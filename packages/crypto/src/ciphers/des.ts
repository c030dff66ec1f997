/**
 * The DES block cipher (FIPS 46-3) and three-key TDEA, encrypt-decrypt-encrypt (NIST SP 800-67
 * Rev. 2 §3), the block cipher of the legacy `3des-cbc` (RFC 4253 §6.3). noble has no DES, so it
 * lives here. DES is broken by exhaustive search and TDEA's 64-bit block wears out after a few GiB
 * (SWEET32, CVE-2016-2183); this code exists only so that old peers can be reached on request.
 *
 * The tables are the standard's, typed from FIPS 46-3; everything else is derived from them when
 * the module loads: the 64-bit permutations IP and IP⁻¹ become byte-indexed look-up tables, and each
 * S-box is merged with the permutation P into one 64-entry table ("SP" table), so a round costs
 * eight look-ups. Like any table-based cipher this is not constant-time (cache timing).
 *
 * Layout. A 64-bit block is two big-endian words, bit 1 of the standard being the most significant
 * bit of the first word. In a round, R rotated right by one puts bit 32 in front of bit 1; then the
 * six-bit group that the expansion E feeds to S-box j (bits 4j .. 4j+5, wrapping) sits at
 * positions 4j .. 4j+5 of that word, or, for odd j, of the same word rotated left by four. Each
 * round key is stored to match: the even groups of the 48-bit K_n in one word and the odd groups in
 * another, each group at the position its S-box reads.
 *
 * Known answers: NIST SP 800-20 Appendix A tables, the FIPS 46 worked example, NIST CAVP
 * TCBCMMT3 (test-vectors/crypto/des-tdea-nist.json).
 * @module
 */
import { SshError } from "@purssh/wire";

/** FIPS 46-3 initial permutation IP: output bit i is input bit IP[i − 1]. */
const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24,
  16, 8, 57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31,
  23, 15, 7,
];
/** FIPS 46-3 permutation P of the cipher function f. */
const P = [
  16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
];
/** FIPS 46-3 Permuted Choice 1: the 56 key bits (C₀ then D₀); parity bits 8, 16, … are dropped. */
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36, 63, 55,
  47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];
/** FIPS 46-3 Permuted Choice 2: the 48 bits of K_n from C_n ‖ D_n. */
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52, 31, 37, 47, 55, 30,
  40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
/** FIPS 46-3 key schedule: left shifts of C and D before round n. */
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
/** FIPS 46-3 selection functions S1..S8, each four rows of sixteen. */
const S_BOXES = [
  [
    14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8, 4, 1,
    14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13,
  ],
  [
    15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5, 0, 14,
    7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9,
  ],
  [
    10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1, 13, 6,
    4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12,
  ],
  [
    7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9, 10, 6,
    9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14,
  ],
  [
    2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6, 4, 2, 1,
    11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3,
  ],
  [
    12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8, 9, 14,
    15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13,
  ],
  [
    4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6, 1, 4,
    11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12,
  ],
  [
    13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2, 7, 11,
    4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11,
  ],
];

/** The FIPS 46-3 tables, for tests that check them against the standard's properties. */
export const INSECURE_DES_TABLES = Object.freeze({ IP, P, PC1, PC2, SHIFTS, S_BOXES });

/**
 * A 64-bit permutation as byte-indexed tables: entry (b, v) holds, as two words, the output bits
 * that come from input byte b when that byte is v; the permuted block is the XOR of eight entries.
 */
function permutationTables(table: readonly number[]): Int32Array {
  const t = new Int32Array(8 * 256 * 2);
  table.forEach((source, out) => {
    const inByte = (source - 1) >> 3;
    const inMask = 0x80 >> ((source - 1) & 7);
    const word = out >> 5;
    const outBit = 1 << (31 - (out & 31));
    for (let v = 0; v < 256; v++) if (v & inMask) t[(((inByte << 8) | v) << 1) | word]! |= outBit;
  });
  return t;
}

/** IP⁻¹, by definition the inverse of IP (FIPS 46-3 lists it as a table too). */
const FP = IP.map((_, i) => IP.indexOf(i + 1) + 1);
const IP_TABLES = permutationTables(IP);
const FP_TABLES = permutationTables(FP);

/** Output bit i (1-based) of the 32-bit permutation `table` is input bit table[i − 1]. */
function permute32(w: number, table: readonly number[]): number {
  let out = 0;
  table.forEach((source, i) => {
    if ((w >>> (32 - source)) & 1) out |= 1 << (31 - i);
  });
  return out;
}

/** SP[j][v]: P applied to S-box j's output for the six-bit input v, placed as bits 4j+1..4j+4. */
const SP = S_BOXES.map((box, j) => {
  const t = new Int32Array(64);
  for (let v = 0; v < 64; v++) {
    // The outer bits b1 b6 pick the row, the inner four the column (FIPS 46-3, "the functions S").
    const row = ((v >> 4) & 2) | (v & 1);
    const column = (v >> 1) & 0xf;
    t[v] = permute32(box[16 * row + column]! << (28 - 4 * j), P);
  }
  return t;
});
const [SP0, SP1, SP2, SP3, SP4, SP5, SP6, SP7] = SP as [
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
];

/** Applies a byte-indexed 64-bit permutation to the block (hi, lo); the result goes to out[0], out[1]. */
function permute64(t: Int32Array, hi: number, lo: number, out: Int32Array): void {
  let a = 0;
  let b = 0;
  for (let i = 0; i < 4; i++) {
    const o = (((i << 8) | ((hi >>> (24 - 8 * i)) & 0xff)) << 1) >>> 0;
    a ^= t[o]!;
    b ^= t[o + 1]!;
    const p = ((((i + 4) << 8) | ((lo >>> (24 - 8 * i)) & 0xff)) << 1) >>> 0;
    a ^= t[p]!;
    b ^= t[p + 1]!;
  }
  out[0] = a;
  out[1] = b;
}

/**
 * FIPS 46-3 key schedule KS for an 8-byte key at key[offset..]: 16 round keys, each as two words
 * (even S-box groups, odd S-box groups) laid out as the round function reads them.
 */
export function insecureDesKeySchedule(key: Uint8Array, offset = 0): Int32Array {
  if (key.length < offset + 8) throw new SshError("ERR_CRYPTO_KEY_LENGTH", "DES needs an 8-byte key");
  const bit = (n: number): number => (key[offset + ((n - 1) >> 3)]! >> (7 - ((n - 1) & 7))) & 1;
  const cd = PC1.map(bit);
  const schedule = new Int32Array(32);
  for (let round = 0; round < 16; round++) {
    for (let s = 0; s < SHIFTS[round]!; s++) {
      // C and D (28 bits each) rotate left separately.
      cd.splice(0, 28, ...cd.slice(1, 28), cd[0]!);
      cd.splice(28, 28, ...cd.slice(29, 56), cd[28]!);
    }
    let even = 0;
    let odd = 0;
    for (let group = 0; group < 8; group++) {
      let g = 0;
      for (let i = 0; i < 6; i++) g = (g << 1) | cd[PC2[6 * group + i]! - 1]!;
      const shift = 26 - 8 * (group >> 1);
      if (group & 1) odd |= g << shift;
      else even |= g << shift;
    }
    schedule[2 * round] = even;
    schedule[2 * round + 1] = odd;
  }
  return schedule;
}

/**
 * The sixteen rounds on (L₀, R₀) = (l, r) with round keys from `schedule`, in reverse order when
 * decrypting (FIPS 46-3 "Deciphering"). Leaves (R₁₆, L₁₆), the pre-output block, in out[0], out[1].
 */
function sixteenRounds(schedule: Int32Array, decrypt: boolean, l: number, r: number, out: Int32Array): void {
  for (let n = 0; n < 16; n++) {
    const k = (decrypt ? 15 - n : n) << 1;
    const x = (r >>> 1) | (r << 31);
    const t = x ^ schedule[k]!;
    const u = ((x << 4) | (x >>> 28)) ^ schedule[k + 1]!;
    const f =
      SP0[(t >>> 26) & 63]! ^
      SP2[(t >>> 18) & 63]! ^
      SP4[(t >>> 10) & 63]! ^
      SP6[(t >>> 2) & 63]! ^
      SP1[(u >>> 26) & 63]! ^
      SP3[(u >>> 18) & 63]! ^
      SP5[(u >>> 10) & 63]! ^
      SP7[(u >>> 2) & 63]!;
    const next = l ^ f;
    l = r;
    r = next;
  }
  out[0] = r;
  out[1] = l;
}

const readWord = (b: Uint8Array, i: number): number => (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;

function writeWord(b: Uint8Array, i: number, w: number): void {
  b[i] = w >>> 24;
  b[i + 1] = w >>> 16;
  b[i + 2] = w >>> 8;
  b[i + 3] = w;
}

/** Single DES on one 8-byte block (FIPS 46-3 "Enciphering" / "Deciphering"); for tests and TDEA keying. */
export function insecureDesBlock(schedule: Int32Array, decrypt: boolean, input: Uint8Array, output: Uint8Array): void {
  const w = new Int32Array(2);
  permute64(IP_TABLES, readWord(input, 0), readWord(input, 4), w);
  sixteenRounds(schedule, decrypt, w[0]!, w[1]!, w);
  permute64(FP_TABLES, w[0]!, w[1]!, w);
  writeWord(output, 0, w[0]!);
  writeWord(output, 4, w[1]!);
}

/**
 * A three-key TDEA key (SP 800-67 §3.2, keying option 1): K1 ‖ K2 ‖ K3, 24 bytes with DES parity
 * bits (which are ignored). Encryption is E_K3(D_K2(E_K1(P))), decryption D_K1(E_K2(D_K3(C))).
 * IP⁻¹ of one DES operation and IP of the next cancel, so each block costs one IP, 48 rounds and
 * one IP⁻¹.
 */
export class InsecureTripleDesKey {
  readonly #k1: Int32Array;
  readonly #k2: Int32Array;
  readonly #k3: Int32Array;
  readonly #w = new Int32Array(2);

  constructor(key: Uint8Array) {
    if (key.length !== 24) {
      throw new SshError("ERR_CRYPTO_KEY_LENGTH", `three-key TDEA needs a 24-byte key, got ${key.length} bytes`);
    }
    this.#k1 = insecureDesKeySchedule(key, 0);
    this.#k2 = insecureDesKeySchedule(key, 8);
    this.#k3 = insecureDesKeySchedule(key, 16);
  }

  /** Encrypts (or decrypts) the block given as two big-endian words; the result is in `out[0..1]`. */
  cryptWords(decrypt: boolean, hi: number, lo: number, out: Int32Array): void {
    const w = this.#w;
    permute64(IP_TABLES, hi, lo, w);
    // Between the DES operations, the pre-output (R₁₆, L₁₆) is the next operation's (L₀, R₀).
    sixteenRounds(decrypt ? this.#k3 : this.#k1, decrypt, w[0]!, w[1]!, w);
    sixteenRounds(this.#k2, !decrypt, w[0]!, w[1]!, w);
    sixteenRounds(decrypt ? this.#k1 : this.#k3, decrypt, w[0]!, w[1]!, w);
    permute64(FP_TABLES, w[0]!, w[1]!, out);
  }

  /** One 8-byte block from `input` into `output` (which may be the same). */
  cryptBlock(decrypt: boolean, input: Uint8Array, output: Uint8Array): void {
    const w = this.#w;
    this.cryptWords(decrypt, readWord(input, 0), readWord(input, 4), w);
    writeWord(output, 0, w[0]!);
    writeWord(output, 4, w[1]!);
  }
}
