/**
 * The SSH HMACs (RFC 4253 §6.4, RFC 6668, OpenSSH PROTOCOL §1.5) on node:crypto's createHmac:
 *
 *   mac = HMAC(key, uint32 sequence_number ‖ data), truncated to macLength
 *
 * with the same names, key and MAC lengths and encrypt-then-MAC flags as @purssh/crypto's noble
 * versions, which decide what `data` is (../block-modes.ts hands these to the same composition).
 * The key becomes a KeyObject once per direction; each packet gets a fresh HMAC context.
 * @module
 */
import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
import type { Mac, MacAlgorithm } from "@purssh/crypto";
import { SshError } from "@purssh/wire";

const TWO_POW_32 = 0x1_0000_0000;

/** One direction's keyed SSH MAC. */
class NodeSshHmac implements Mac {
  readonly #hash: string;
  readonly #key: KeyObject;
  readonly #macLength: number;
  readonly #seq = Buffer.alloc(4);

  constructor(hash: string, key: Uint8Array, macLength: number) {
    this.#hash = hash;
    this.#key = createSecretKey(key);
    this.#macLength = macLength;
  }

  compute(seq: number, data: Uint8Array): Uint8Array {
    if (!Number.isInteger(seq) || seq < 0 || seq >= TWO_POW_32) {
      throw new SshError("ERR_CRYPTO_SEQUENCE_NUMBER", `not a packet sequence number: ${seq}`);
    }
    this.#seq.writeUInt32BE(seq, 0);
    const digest = createHmac(this.#hash, this.#key).update(this.#seq).update(data).digest();
    // A plain array of the caller's own (the digest is a Node Buffer).
    return new Uint8Array(digest.subarray(0, this.#macLength));
  }
}

function hmacAlgorithm(name: string, hash: string, keyLength: number, macLength: number, etm: boolean): MacAlgorithm {
  return Object.freeze({
    name,
    keyLength,
    macLength,
    etm,
    create(key: Uint8Array): Mac {
      if (key.length !== keyLength) {
        throw new SshError("ERR_CRYPTO_KEY_LENGTH", `${name} needs a ${keyLength}-byte key, got ${key.length} bytes`);
      }
      return new NodeSshHmac(hash, key, macLength);
    },
  });
}

export const nodeHmacSha256: MacAlgorithm = hmacAlgorithm("hmac-sha2-256", "sha256", 32, 32, false);
export const nodeHmacSha512: MacAlgorithm = hmacAlgorithm("hmac-sha2-512", "sha512", 64, 64, false);
export const nodeHmacSha1: MacAlgorithm = hmacAlgorithm("hmac-sha1", "sha1", 20, 20, false);
export const nodeHmacSha256Etm: MacAlgorithm = hmacAlgorithm("hmac-sha2-256-etm@openssh.com", "sha256", 32, 32, true);
export const nodeHmacSha512Etm: MacAlgorithm = hmacAlgorithm("hmac-sha2-512-etm@openssh.com", "sha512", 64, 64, true);
export const nodeHmacSha1Etm: MacAlgorithm = hmacAlgorithm("hmac-sha1-etm@openssh.com", "sha1", 20, 20, true);
/** Legacy, opt-in (see @purssh/crypto's insecureHmacSha1_96, insecureHmacMd5, insecureHmacMd5Etm). */
export const nodeInsecureHmacSha1_96: MacAlgorithm = hmacAlgorithm("hmac-sha1-96", "sha1", 20, 12, false);
export const nodeInsecureHmacMd5: MacAlgorithm = hmacAlgorithm("hmac-md5", "md5", 16, 16, false);
export const nodeInsecureHmacMd5Etm: MacAlgorithm = hmacAlgorithm("hmac-md5-etm@openssh.com", "md5", 16, 16, true);
