/**
 * 3des-cbc (RFC 4253 §6.3): three-key triple DES, encrypt-decrypt-encrypt (NIST SP 800-67), "the
 * first 8 bytes of the key are used for the first encryption, the next 8 bytes for the decryption,
 * and the following 8 bytes for the final encryption", in CBC mode over the whole EDE operation
 * (outer CBC, as OpenSSH and OpenSSL's des-ede3-cbc), 8-byte blocks, a 24-byte key and an 8-byte
 * IV. As with every CBC cipher of RFC 4253, the chain runs on across packets.
 *
 * Legacy and opt-in, REQUIRED by RFC 4253 only for historical reasons: 64-bit blocks (SWEET32,
 * CVE-2016-2183), CBC with encrypt-and-MAC (CVE-2008-5161, see ./composed.ts), and slow. The
 * identifier carries `insecure` and no default list names it.
 *
 * Known answers: NIST SP 800-20 tables and CAVP TCBCMMT3 (test-vectors/crypto/des-tdea-nist.json),
 * whole packets in ssh-packets-cbc-ctr.json.
 * @module
 */
import type { CipherAlgorithm, Direction } from "../types.js";
import { type BlockMode, composedCipherAlgorithm } from "./composed.js";
import { InsecureTripleDesKey } from "./des.js";

function readWord(b: Uint8Array, i: number): number {
  return (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
}

function writeWord(b: Uint8Array, i: number, w: number): void {
  b[i] = w >>> 24;
  b[i + 1] = w >>> 16;
  b[i + 2] = w >>> 8;
  b[i + 3] = w;
}

/** One direction of TDEA-CBC: C_i = TDEA(P_i ⊕ C_{i−1}), P_i = TDEA⁻¹(C_i) ⊕ C_{i−1}. */
export class InsecureTripleDesCbcMode implements BlockMode {
  readonly blockSize = 8;
  readonly #key: InsecureTripleDesKey;
  readonly #decrypt: boolean;
  /** The chaining value C_{i−1} as two words. */
  #v0: number;
  #v1: number;
  readonly #out = new Int32Array(2);

  constructor(key: Uint8Array, iv: Uint8Array, direction: Direction) {
    this.#key = new InsecureTripleDesKey(key);
    this.#decrypt = direction === "open";
    this.#v0 = readWord(iv, 0);
    this.#v1 = readWord(iv, 4);
  }

  apply(data: Uint8Array, start: number, end: number): void {
    const out = this.#out;
    for (let i = start; i < end; i += 8) {
      const x0 = readWord(data, i);
      const x1 = readWord(data, i + 4);
      if (this.#decrypt) {
        this.#key.cryptWords(true, x0, x1, out);
        writeWord(data, i, out[0]! ^ this.#v0);
        writeWord(data, i + 4, out[1]! ^ this.#v1);
        this.#v0 = x0;
        this.#v1 = x1;
      } else {
        this.#key.cryptWords(false, x0 ^ this.#v0, x1 ^ this.#v1, out);
        writeWord(data, i, out[0]!);
        writeWord(data, i + 4, out[1]!);
        this.#v0 = out[0]!;
        this.#v1 = out[1]!;
      }
    }
    out.fill(0);
  }

  /** Only meaningful when opening: decrypts a block against the current chaining value. */
  peek(input: Uint8Array, result: Uint8Array): void {
    const out = this.#out;
    this.#key.cryptWords(true, readWord(input, 0), readWord(input, 4), out);
    writeWord(result, 0, out[0]! ^ this.#v0);
    writeWord(result, 4, out[1]! ^ this.#v1);
    out.fill(0);
  }

  skip(input: Uint8Array): void {
    this.#v0 = readWord(input, 0);
    this.#v1 = readWord(input, 4);
  }
}

/** Registry entry (legacy, opt-in): 24-byte key (letters C/D), 8-byte IV (letters A/B). */
export const insecureTripleDesCbc: CipherAlgorithm = composedCipherAlgorithm({
  name: "3des-cbc",
  keyLength: 24,
  ivLength: 8,
  blockSize: 8,
  hidesImplausibleLength: true,
  createMode: (key, iv, direction) => new InsecureTripleDesCbcMode(key, iv, direction),
});
