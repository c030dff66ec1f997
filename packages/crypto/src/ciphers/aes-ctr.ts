/**
 * aes128-ctr, aes192-ctr and aes256-ctr (RFC 4344 §4): AES in counter mode (NIST SP 800-38A §6.5).
 * The 16-byte IV from the RFC 4253 §7.2 KDF is the initial counter X; block i of the key stream is
 * AES(K, X + i mod 2^128), X read as one big-endian 128-bit integer. The counter is not reset per
 * packet: it runs on across packets for as long as the keys are in use, and identically in both
 * directions of use (encryption and decryption are the same operation).
 *
 * The key schedule is computed once per direction (./aes-gcm-core.ts); each packet is then
 * encrypted in place with the GCM engine's counter loop (`gctr`, which increments the low 32-bit
 * word), called once per run of blocks that does not carry out of that word. Composed with a MAC by
 * ./composed.ts.
 *
 * Known answers: SP 800-38A F.5.1–F.5.6 and 128-bit counter carries
 * (test-vectors/crypto/aes-cbc-ctr-sp800-38a.json), whole packets in ssh-packets-cbc-ctr.json.
 * @module
 */
import type { CipherAlgorithm } from "../types.js";
import { expandAesKey, gctr } from "./aes-gcm-core.js";
import { type BlockMode, composedCipherAlgorithm } from "./composed.js";

const TWO_POW_32 = 0x1_0000_0000;

/** The running state of AES-CTR: the key schedule and the next counter block, as four uint32 words. */
export class AesCtrMode implements BlockMode {
  readonly blockSize = 16;
  readonly #rk: Int32Array;
  /** The next counter block, most significant word first, each 0 ≤ c < 2^32. */
  #c0: number;
  #c1: number;
  #c2: number;
  #c3: number;
  readonly #ks = new Int32Array(4);

  constructor(key: Uint8Array, iv: Uint8Array) {
    this.#rk = expandAesKey(key);
    const v = new DataView(iv.buffer, iv.byteOffset, 16);
    this.#c0 = v.getUint32(0);
    this.#c1 = v.getUint32(4);
    this.#c2 = v.getUint32(8);
    this.#c3 = v.getUint32(12);
  }

  apply(data: Uint8Array, start: number, end: number): void {
    for (let i = start; i < end; ) {
      // Blocks left before the low word wraps; gctr covers a run that stays within it.
      const blocks = Math.min((end - i) / 16, TWO_POW_32 - this.#c3);
      const runEnd = i + 16 * blocks;
      gctr(this.#rk, this.#ks, this.#c0, this.#c1, this.#c2, this.#c3, data, i, runEnd);
      this.#advance(blocks);
      i = runEnd;
    }
    this.#ks.fill(0);
  }

  peek(input: Uint8Array, out: Uint8Array): void {
    for (let i = 0; i < 16; i++) out[i] = input[i]!;
    gctr(this.#rk, this.#ks, this.#c0, this.#c1, this.#c2, this.#c3, out, 0, 16);
    this.#ks.fill(0);
  }

  skip(_input: Uint8Array): void {
    this.#advance(1);
  }

  /** X += n modulo 2^128, for n ≤ 2^32 − c3 (so the low word carries at most once). */
  #advance(n: number): void {
    this.#c3 += n;
    if (this.#c3 < TWO_POW_32) return;
    this.#c3 -= TWO_POW_32;
    this.#c2 = (this.#c2 + 1) % TWO_POW_32;
    if (this.#c2 !== 0) return;
    this.#c1 = (this.#c1 + 1) % TWO_POW_32;
    if (this.#c1 !== 0) return;
    this.#c0 = (this.#c0 + 1) % TWO_POW_32;
  }
}

function aesCtr(keyLength: 16 | 24 | 32): CipherAlgorithm {
  return composedCipherAlgorithm({
    name: `aes${keyLength * 8}-ctr`,
    keyLength,
    ivLength: 16,
    blockSize: 16,
    hidesImplausibleLength: false,
    createMode: (key, iv) => new AesCtrMode(key, iv),
  });
}

/** Registry entries: key from letters C/D, the initial counter from letters A/B (RFC 4253 §7.2). */
export const aes128Ctr: CipherAlgorithm = aesCtr(16);
export const aes192Ctr: CipherAlgorithm = aesCtr(24);
export const aes256Ctr: CipherAlgorithm = aesCtr(32);
