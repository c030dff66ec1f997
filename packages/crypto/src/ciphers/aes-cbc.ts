/**
 * aes128-cbc, aes192-cbc and aes256-cbc (RFC 4253 §6.3): AES in cipher block chaining mode (NIST
 * SP 800-38A §6.2). The 16-byte IV from the RFC 4253 §7.2 KDF starts the chain, which then runs on
 * across packets: the last ciphertext block of one packet is the IV of the next.
 *
 * Legacy and opt-in: the identifiers carry `insecure`, and no default list names them. CBC with
 * encrypt-and-MAC is open to CVE-2008-5161 (see ./composed.ts for what is done about it); OpenSSH
 * stopped offering CBC by default in 7.x. Prefer aes*-ctr or an AEAD; with CBC prefer an -etm MAC.
 *
 * Encryption uses the key schedule and block function of ./aes-gcm-core.ts, decryption the
 * Equivalent Inverse Cipher of ./aes-decrypt.ts; both are computed once per direction.
 *
 * Known answers: SP 800-38A F.2.1–F.2.6 (test-vectors/crypto/aes-cbc-ctr-sp800-38a.json), whole
 * packets in ssh-packets-cbc-ctr.json.
 * @module
 */
import { SshError } from "@purssh/wire";
import type { CipherAlgorithm, Direction } from "../types.js";
import { decryptWords, expandAesDecryptionKey } from "./aes-decrypt.js";
import { encryptWords, expandAesKey } from "./aes-gcm-core.js";
import { type BlockMode, composedCipherAlgorithm } from "./composed.js";

function readWord(b: Uint8Array, i: number): number {
  return (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
}

function writeWord(b: Uint8Array, i: number, w: number): void {
  b[i] = w >>> 24;
  b[i + 1] = w >>> 16;
  b[i + 2] = w >>> 8;
  b[i + 3] = w;
}

/** The sealing direction: C_i = AES(K, P_i ⊕ C_{i−1}), C_0 being the IV. */
export class InsecureAesCbcEncryptMode implements BlockMode {
  readonly blockSize = 16;
  readonly #rk: Int32Array;
  /** The chaining value C_{i−1} as words. */
  readonly #v = new Int32Array(4);

  constructor(key: Uint8Array, iv: Uint8Array) {
    this.#rk = expandAesKey(key);
    for (let i = 0; i < 4; i++) this.#v[i] = readWord(iv, 4 * i);
  }

  apply(data: Uint8Array, start: number, end: number): void {
    const v = this.#v;
    for (let i = start; i < end; i += 16) {
      encryptWords(
        this.#rk,
        readWord(data, i) ^ v[0]!,
        readWord(data, i + 4) ^ v[1]!,
        readWord(data, i + 8) ^ v[2]!,
        readWord(data, i + 12) ^ v[3]!,
        v,
      );
      for (let j = 0; j < 4; j++) writeWord(data, i + 4 * j, v[j]!);
    }
  }

  /** Reading packets is the opening direction's business. */
  peek(_input: Uint8Array, _out: Uint8Array): never {
    throw new SshError("ERR_CRYPTO_DIRECTION", "a sealing cipher does not read packets");
  }

  skip(_input: Uint8Array): never {
    throw new SshError("ERR_CRYPTO_DIRECTION", "a sealing cipher does not read packets");
  }
}

/** The opening direction: P_i = AES⁻¹(K, C_i) ⊕ C_{i−1}. */
export class InsecureAesCbcDecryptMode implements BlockMode {
  readonly blockSize = 16;
  readonly #dk: Int32Array;
  readonly #v = new Int32Array(4);
  readonly #out = new Int32Array(4);

  constructor(key: Uint8Array, iv: Uint8Array) {
    this.#dk = expandAesDecryptionKey(key);
    for (let i = 0; i < 4; i++) this.#v[i] = readWord(iv, 4 * i);
  }

  apply(data: Uint8Array, start: number, end: number): void {
    const v = this.#v;
    const out = this.#out;
    for (let i = start; i < end; i += 16) {
      const c0 = readWord(data, i);
      const c1 = readWord(data, i + 4);
      const c2 = readWord(data, i + 8);
      const c3 = readWord(data, i + 12);
      decryptWords(this.#dk, c0, c1, c2, c3, out);
      writeWord(data, i, out[0]! ^ v[0]!);
      writeWord(data, i + 4, out[1]! ^ v[1]!);
      writeWord(data, i + 8, out[2]! ^ v[2]!);
      writeWord(data, i + 12, out[3]! ^ v[3]!);
      v[0] = c0;
      v[1] = c1;
      v[2] = c2;
      v[3] = c3;
    }
    out.fill(0);
  }

  peek(input: Uint8Array, result: Uint8Array): void {
    const out = this.#out;
    decryptWords(this.#dk, readWord(input, 0), readWord(input, 4), readWord(input, 8), readWord(input, 12), out);
    for (let j = 0; j < 4; j++) writeWord(result, 4 * j, out[j]! ^ this.#v[j]!);
    out.fill(0);
  }

  skip(input: Uint8Array): void {
    for (let j = 0; j < 4; j++) this.#v[j] = readWord(input, 4 * j);
  }
}

function aesCbc(keyLength: 16 | 24 | 32): CipherAlgorithm {
  return composedCipherAlgorithm({
    name: `aes${keyLength * 8}-cbc`,
    keyLength,
    ivLength: 16,
    blockSize: 16,
    hidesImplausibleLength: true,
    createMode: (key: Uint8Array, iv: Uint8Array, direction: Direction): BlockMode =>
      direction === "seal" ? new InsecureAesCbcEncryptMode(key, iv) : new InsecureAesCbcDecryptMode(key, iv),
  });
}

/** Registry entries (legacy, opt-in): key from letters C/D, IV from letters A/B (RFC 4253 §7.2). */
export const insecureAes128Cbc: CipherAlgorithm = aesCbc(16);
export const insecureAes192Cbc: CipherAlgorithm = aesCbc(24);
export const insecureAes256Cbc: CipherAlgorithm = aesCbc(32);
