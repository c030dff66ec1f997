/**
 * aes128-gcm@openssh.com and aes256-gcm@openssh.com (RFC 5647 §7 as used by OpenSSH, PROTOCOL §1.6)
 * on node:crypto's OpenSSL AES-GCM: the same wire behaviour as @purssh/crypto's noble version. The
 * 12-byte IV from the KDF is a 4-byte fixed field ‖ an 8-byte invocation counter; each packet is one
 * GCM message under the current value as nonce, after which the counter is incremented as a 64-bit
 * big-endian integer (modulo 2^64). The packet length is in clear and is the additional
 * authenticated data; the 16-byte tag follows the ciphertext.
 *
 * OpenSSL has no in-place interface, so each packet is encrypted into a fresh buffer and copied back
 * into the packet. When opening, the plaintext is copied into the packet only after the tag has
 * verified (`final()` succeeded): a forged packet leaves the buffer and the counter as they were.
 * @module
 */
import { type CipherGCM, createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from "node:crypto";
import type { CipherAlgorithm, PacketCipher } from "@purssh/crypto";
import { checkKeyLength, macError, nextGcmInvocation, tagOffset } from "@purssh/crypto";
import { SshError } from "@purssh/wire";
import { readUint32 } from "./bytes.js";

const IV_LENGTH = 12;
const TAG_LENGTH = 16;

/** One direction of aes*-gcm@openssh.com over OpenSSL. */
export class NodeAesGcmOpenSSHCipher implements PacketCipher {
  readonly blockSize = 16;
  readonly lengthExcludedFromPadding = true;
  readonly tagLength = TAG_LENGTH;
  readonly firstBlockLength = 4;
  readonly #algorithm: "aes-128-gcm" | "aes-256-gcm";
  readonly #key: KeyObject;
  /** fixed field (4) ‖ invocation counter (8): the nonce of the next packet. */
  readonly #nonce: Buffer;

  constructor(
    readonly name: string,
    keyLength: 16 | 32,
    key: Uint8Array,
    iv: Uint8Array,
  ) {
    checkKeyLength(name, "key", key, keyLength);
    checkKeyLength(name, "IV", iv, IV_LENGTH);
    this.#algorithm = keyLength === 16 ? "aes-128-gcm" : "aes-256-gcm";
    this.#key = createSecretKey(key);
    // Buffer.alloc never hands out pooled memory: the counter lives in bytes of its own.
    this.#nonce = Buffer.alloc(IV_LENGTH);
    this.#nonce.set(iv);
  }

  /** The packet length is sent in clear (RFC 5647 §7.3). */
  lengthFromFirstBlock(_seq: number, firstBlock: Uint8Array): number {
    if (firstBlock.length < 4) {
      throw new SshError("ERR_CRYPTO_PACKET_TOO_SHORT", `${this.name}: the packet length needs 4 bytes`);
    }
    return readUint32(firstBlock, 0);
  }

  seal(_seq: number, packet: Uint8Array): Uint8Array {
    const end = tagOffset(this.name, packet, TAG_LENGTH);
    const c = createCipheriv(this.#algorithm, this.#key, this.#nonce, { authTagLength: TAG_LENGTH }) as CipherGCM;
    c.setAAD(packet.subarray(0, 4));
    packet.set(c.update(packet.subarray(4, end)), 4);
    c.final();
    packet.set(c.getAuthTag(), end);
    this.#nextInvocation();
    return packet;
  }

  open(seq: number, packet: Uint8Array): Uint8Array {
    const end = tagOffset(this.name, packet, TAG_LENGTH);
    const d = createDecipheriv(this.#algorithm, this.#key, this.#nonce, { authTagLength: TAG_LENGTH });
    d.setAuthTag(packet.subarray(end));
    d.setAAD(packet.subarray(0, 4));
    const plaintext = d.update(packet.subarray(4, end));
    try {
      d.final();
    } catch (cause) {
      plaintext.fill(0);
      throw macError(this.name, seq, cause);
    }
    packet.set(plaintext, 4);
    plaintext.fill(0);
    this.#nextInvocation();
    return packet.subarray(4, end);
  }

  #nextInvocation(): void {
    nextGcmInvocation(new DataView(this.#nonce.buffer, this.#nonce.byteOffset, this.#nonce.byteLength));
  }
}

function aesGcm(name: string, keyLength: 16 | 32): CipherAlgorithm {
  return Object.freeze({
    name,
    keyLength,
    ivLength: IV_LENGTH,
    blockSize: 16,
    aead: true,
    create: (key: Uint8Array, iv: Uint8Array): PacketCipher => new NodeAesGcmOpenSSHCipher(name, keyLength, key, iv),
  });
}

export const nodeAes128GcmOpenSSH: CipherAlgorithm = aesGcm("aes128-gcm@openssh.com", 16);
export const nodeAes256GcmOpenSSH: CipherAlgorithm = aesGcm("aes256-gcm@openssh.com", 32);
