/**
 * aes128/192/256-ctr (RFC 4344 §4), aes128/192/256-cbc and 3des-cbc (RFC 4253 §6.3) as node:crypto
 * block modes inside @purssh/crypto's cipher+MAC composition (composedCipherAlgorithm: encrypt-and-MAC
 * or, for -etm MACs, encrypt-then-MAC, with the CVE-2008-5161 length camouflage for CBC), so that
 * only the block cipher differs from the noble version.
 *
 * Each direction keeps one OpenSSL cipher context for as long as its keys are in use, so the CTR
 * counter and the CBC chaining value run on across packets by themselves, as RFC 4344 §4 and
 * RFC 4253 §6.3 require (OpenSSL's CTR counter is the whole 128-bit block, big-endian, like SSH's).
 * The composition also needs `peek` (decrypt the first block without moving the state, to read the
 * packet length under encrypt-and-MAC) and `skip`; those use a second context in ECB mode on the
 * same key and the counter or chaining value this module tracks alongside OpenSSL's.
 *
 * The CBC and 3DES names are legacy opt-ins (`insecure` in their @purssh/crypto identifiers); this
 * module only makes them faster where a peer insists on them.
 * @module
 */
import { type Cipher, createCipheriv, createDecipheriv, type Decipher } from "node:crypto";
import {
  type BlockCipherSpec,
  type BlockMode,
  type CipherAlgorithm,
  composedCipherAlgorithm,
  type Direction,
} from "@purssh/crypto";
import { SshError } from "@purssh/wire";

type OpenSslContext = Cipher | Decipher;

/** Runs whole blocks of `data[start, end)` through `context` and writes the result back in place. */
function update(context: OpenSslContext, data: Uint8Array, start: number, end: number): void {
  if (end > start) data.set(context.update(data.subarray(start, end)), start);
}

/** AES-CTR: one OpenSSL CTR context; the next counter block is tracked for `peek`. */
export class NodeAesCtrMode implements BlockMode {
  readonly blockSize = 16;
  readonly #stream: Cipher;
  readonly #ecb: Cipher;
  /** The counter block of the next key stream block, big-endian. */
  readonly #counter: Uint8Array;

  constructor(key: Uint8Array, iv: Uint8Array) {
    const bits = key.length * 8;
    this.#stream = createCipheriv(`aes-${bits}-ctr`, key, iv);
    this.#ecb = createCipheriv(`aes-${bits}-ecb`, key, null).setAutoPadding(false);
    this.#counter = new Uint8Array(iv);
  }

  apply(data: Uint8Array, start: number, end: number): void {
    update(this.#stream, data, start, end);
    this.#advance((end - start) / 16);
  }

  peek(input: Uint8Array, out: Uint8Array): void {
    const keyStream = this.#ecb.update(this.#counter);
    for (let i = 0; i < 16; i++) out[i] = input[i]! ^ keyStream[i]!;
    keyStream.fill(0);
  }

  skip(input: Uint8Array): void {
    this.#stream.update(input.subarray(0, 16)).fill(0);
    this.#advance(1);
  }

  /** X += n modulo 2^128 (RFC 4344 §4). */
  #advance(n: number): void {
    let carry = n;
    for (let i = 15; i >= 0 && carry > 0; i--) {
      const sum = this.#counter[i]! + carry;
      this.#counter[i] = sum & 0xff;
      carry = Math.floor(sum / 256);
    }
  }
}

/** CBC sealing: C_i = E(K, P_i ⊕ C_{i−1}), one OpenSSL context without padding. */
export class NodeCbcEncryptMode implements BlockMode {
  readonly #context: Cipher;

  constructor(
    readonly blockSize: number,
    algorithm: string,
    key: Uint8Array,
    iv: Uint8Array,
  ) {
    this.#context = createCipheriv(algorithm, key, iv).setAutoPadding(false);
  }

  apply(data: Uint8Array, start: number, end: number): void {
    update(this.#context, data, start, end);
  }

  /** Reading packets is the opening direction's business. */
  peek(_input: Uint8Array, _out: Uint8Array): never {
    throw new SshError("ERR_CRYPTO_DIRECTION", "a sealing cipher does not read packets");
  }

  skip(_input: Uint8Array): never {
    throw new SshError("ERR_CRYPTO_DIRECTION", "a sealing cipher does not read packets");
  }
}

/**
 * CBC opening: P_i = D(K, C_i) ⊕ C_{i−1}. Without padding OpenSSL returns every whole block at once;
 * the chaining value is tracked for `peek`.
 */
export class NodeCbcDecryptMode implements BlockMode {
  readonly #context: Decipher;
  readonly #ecb: Decipher;
  /** C_{i−1}: the last ciphertext block seen, the IV at first. */
  readonly #chain: Uint8Array;

  constructor(
    readonly blockSize: number,
    algorithm: string,
    ecbAlgorithm: string,
    key: Uint8Array,
    iv: Uint8Array,
  ) {
    this.#context = createDecipheriv(algorithm, key, iv).setAutoPadding(false);
    this.#ecb = createDecipheriv(ecbAlgorithm, key, null).setAutoPadding(false);
    this.#chain = new Uint8Array(iv);
  }

  apply(data: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    this.#chain.set(data.subarray(end - this.blockSize, end));
    update(this.#context, data, start, end);
  }

  peek(input: Uint8Array, out: Uint8Array): void {
    const bs = this.blockSize;
    const decrypted = this.#ecb.update(input.subarray(0, bs));
    for (let i = 0; i < bs; i++) out[i] = decrypted[i]! ^ this.#chain[i]!;
    decrypted.fill(0);
  }

  skip(input: Uint8Array): void {
    const bs = this.blockSize;
    this.#context.update(input.subarray(0, bs)).fill(0);
    this.#chain.set(input.subarray(0, bs));
  }
}

function aesCtr(keyLength: 16 | 24 | 32): CipherAlgorithm {
  return composedCipherAlgorithm({
    name: `aes${keyLength * 8}-ctr`,
    keyLength,
    ivLength: 16,
    blockSize: 16,
    hidesImplausibleLength: false,
    createMode: (key, iv) => new NodeAesCtrMode(key, iv),
  });
}

function cbc(name: string, keyLength: number, blockSize: number, openssl: string): CipherAlgorithm {
  const spec: BlockCipherSpec = {
    name,
    keyLength,
    ivLength: blockSize,
    blockSize,
    hidesImplausibleLength: true,
    createMode: (key: Uint8Array, iv: Uint8Array, direction: Direction): BlockMode =>
      direction === "seal"
        ? new NodeCbcEncryptMode(blockSize, `${openssl}-cbc`, key, iv)
        : new NodeCbcDecryptMode(blockSize, `${openssl}-cbc`, `${openssl}-ecb`, key, iv),
  };
  return composedCipherAlgorithm(spec);
}

export const nodeAes128Ctr: CipherAlgorithm = aesCtr(16);
export const nodeAes192Ctr: CipherAlgorithm = aesCtr(24);
export const nodeAes256Ctr: CipherAlgorithm = aesCtr(32);
/** Legacy, opt-in (RFC 4253 §6.3; see @purssh/crypto's insecureAes*Cbc). */
export const nodeInsecureAes128Cbc: CipherAlgorithm = cbc("aes128-cbc", 16, 16, "aes-128");
export const nodeInsecureAes192Cbc: CipherAlgorithm = cbc("aes192-cbc", 24, 16, "aes-192");
export const nodeInsecureAes256Cbc: CipherAlgorithm = cbc("aes256-cbc", 32, 16, "aes-256");
/** Legacy, opt-in (RFC 4253 §6.3 3des-cbc: three-key EDE, 8-byte blocks). */
export const nodeInsecureTripleDesCbc: CipherAlgorithm = cbc("3des-cbc", 24, 8, "des-ede3");
