/**
 * Ciphers that protect the private section of OpenSSH private key files (PROTOCOL.key §3; the
 * parameters are those of OpenSSH cipher.c): key and IV come from the KDF, the plaintext is padded
 * to the block size, and the AEAD ciphers append their 16-byte tag *after* the encrypted string,
 * outside its length (sshkey.c `sshkey_parse_private2`: `string encrypted ‖ byte[authlen] tag`).
 *
 *   aes{128,192,256}-ctr             RFC 4344 §4 (128-bit big-endian counter = IV)
 *   aes{128,192,256}-cbc             RFC 4253 §6.3, no padding layer
 *   aes{128,256}-gcm@openssh.com     RFC 5647 as OpenSSH uses it: 12-byte IV, no AAD here
 *   chacha20-poly1305@openssh.com    PROTOCOL.chacha20poly1305 with sequence number 0 and no
 *                                    length field: Poly1305 key from block 0, data from block 1,
 *                                    tag over the ciphertext; K_2 = first 32 key bytes
 *
 * Key decryption is not a hot path, so this uses @noble/ciphers directly rather than the
 * transport's packet ciphers.
 * @module
 */
import { poly1305 } from "@noble/ciphers/_poly1305.js";
import { cbc, ctr, gcm } from "@noble/ciphers/aes.js";
import { chacha20orig } from "@noble/ciphers/chacha.js";
import { equalBytes } from "@purssh/wire";

export interface KeyFileCipher {
  readonly name: string;
  readonly keyLength: number;
  readonly ivLength: number;
  /** The private list is padded to a multiple of this. */
  readonly blockSize: number;
  /** Bytes of authentication tag after the encrypted string (0 for CTR/CBC). */
  readonly tagLength: number;
  /** Decrypts; undefined when the tag does not verify (a wrong passphrase or a damaged file). */
  decrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): Uint8Array | undefined;
  encrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): { ciphertext: Uint8Array; tag: Uint8Array };
}

const NO_TAG = new Uint8Array(0);

function aesCtr(bits: 128 | 192 | 256): KeyFileCipher {
  return {
    name: `aes${bits}-ctr`,
    keyLength: bits / 8,
    ivLength: 16,
    blockSize: 16,
    tagLength: 0,
    decrypt: (key, iv, ciphertext) => ctr(key, iv).decrypt(ciphertext),
    encrypt: (key, iv, plaintext) => ({ ciphertext: ctr(key, iv).encrypt(plaintext), tag: NO_TAG }),
  };
}

function aesCbc(bits: 128 | 192 | 256): KeyFileCipher {
  return {
    name: `aes${bits}-cbc`,
    keyLength: bits / 8,
    ivLength: 16,
    blockSize: 16,
    tagLength: 0,
    decrypt: (key, iv, ciphertext) => cbc(key, iv, { disablePadding: true }).decrypt(ciphertext),
    encrypt: (key, iv, plaintext) => ({
      ciphertext: cbc(key, iv, { disablePadding: true }).encrypt(plaintext),
      tag: NO_TAG,
    }),
  };
}

function aesGcm(bits: 128 | 256): KeyFileCipher {
  return {
    name: `aes${bits}-gcm@openssh.com`,
    keyLength: bits / 8,
    ivLength: 12,
    blockSize: 16,
    tagLength: 16,
    decrypt: (key, iv, ciphertext, tag) => {
      const sealed = new Uint8Array(ciphertext.length + tag.length);
      sealed.set(ciphertext);
      sealed.set(tag, ciphertext.length);
      try {
        return gcm(key, iv).decrypt(sealed);
      } catch {
        return undefined;
      }
    },
    encrypt: (key, iv, plaintext) => {
      const sealed = gcm(key, iv).encrypt(plaintext);
      return { ciphertext: sealed.subarray(0, plaintext.length), tag: sealed.subarray(plaintext.length) };
    },
  };
}

/** PROTOCOL.chacha20poly1305 for packet sequence number 0 without the encrypted length. */
const CHACHA_NONCE = new Uint8Array(8);

function chachaPolyKey(mainKey: Uint8Array): Uint8Array {
  return chacha20orig(mainKey, CHACHA_NONCE, new Uint8Array(32), undefined, 0);
}

const chacha20Poly1305: KeyFileCipher = {
  name: "chacha20-poly1305@openssh.com",
  keyLength: 64,
  ivLength: 0,
  blockSize: 8,
  tagLength: 16,
  decrypt: (key, _iv, ciphertext, tag) => {
    const mainKey = key.subarray(0, 32);
    if (!equalBytes(poly1305(ciphertext, chachaPolyKey(mainKey)), tag)) return undefined;
    return chacha20orig(mainKey, CHACHA_NONCE, ciphertext, undefined, 1);
  },
  encrypt: (key, _iv, plaintext) => {
    const mainKey = key.subarray(0, 32);
    const ciphertext = chacha20orig(mainKey, CHACHA_NONCE, plaintext, undefined, 1);
    return { ciphertext, tag: poly1305(ciphertext, chachaPolyKey(mainKey)) };
  },
};

const CIPHERS: ReadonlyMap<string, KeyFileCipher> = new Map(
  [
    aesCtr(128),
    aesCtr(192),
    aesCtr(256),
    aesCbc(128),
    aesCbc(192),
    aesCbc(256),
    aesGcm(128),
    aesGcm(256),
    chacha20Poly1305,
  ].map((c) => [c.name, c]),
);

/** Names of the ciphers we can decrypt (and encrypt) key files with. */
export const KEY_FILE_CIPHERS: readonly string[] = [...CIPHERS.keys()];

export function keyFileCipher(name: string): KeyFileCipher | undefined {
  return CIPHERS.get(name);
}
