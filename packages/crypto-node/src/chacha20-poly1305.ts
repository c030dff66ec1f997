/**
 * chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305) with node:crypto's OpenSSL
 * ChaCha20 for the key stream and noble's Poly1305 for the tag: the same wire behaviour as
 * @purssh/crypto's all-noble version.
 *
 * The 64 bytes of key material are K_2 ‖ K_1. OpenSSH uses the original DJB ChaCha20 (64-bit block
 * counter, 64-bit nonce = the sequence number as a big-endian uint64); OpenSSL's "chacha20" takes a
 * 16-byte IV that is the RFC 8439 layout, a 32-bit little-endian block counter ‖ a 96-bit nonce.
 * Both fill the same four state words (12–15), so
 *
 *   IV = LE32(counter) ‖ 00000000 ‖ nonce
 *
 * is the DJB cipher as long as the counter stays below 2^32, which a packet of at most 256 KiB (4096
 * blocks after block 0) never reaches. One K_2 stream from block 0 gives the Poly1305 key (the
 * first 32 bytes of block 0; the other 32 are discarded) and then, from block 1, the body. The tag
 * is Poly1305 over encrypted length ‖ encrypted body, verified before anything is decrypted.
 *
 * Two pieces stay noble's. node:crypto has no raw Poly1305 (its "chacha20-poly1305" is the RFC 8439
 * AEAD, whose MAC input is padded and length-suffixed, so its tag differs). And the 4-byte length
 * under K_1 is one block of key stream, which noble's chacha20orig computes faster than OpenSSL
 * sets up a cipher context (../bench/cipher-throughput.ts). Poly1305 then dominates: on 32 KiB
 * packets this version is about 1.5–2× the all-noble one, where AES-GCM on OpenSSL is over 10×.
 * @module
 */
import { createCipheriv, createSecretKey, type KeyObject } from "node:crypto";
import { poly1305 } from "@noble/ciphers/_poly1305.js";
import { chacha20orig } from "@noble/ciphers/chacha.js";
import { type CipherAlgorithm, checkKeyLength, macError, type PacketCipher, tagOffset } from "@purssh/crypto";
import { equalBytes, SshError } from "@purssh/wire";
import { readUint32 } from "./bytes.js";

const NAME = "chacha20-poly1305@openssh.com";
const KEY_LENGTH = 64;
const TAG_LENGTH = 16;
/** Block 0 of K_2's stream: the Poly1305 key, then 32 bytes OpenSSH does not use. */
const BLOCK_0 = new Uint8Array(64);
const TWO_POW_32 = 0x1_0000_0000;
const UINT64_LIMIT = 1n << 64n;

function badSequence(seq: number | bigint): SshError {
  return new SshError("ERR_CRYPTO_SEQUENCE_NUMBER", `not a packet sequence number: ${seq}`);
}

/**
 * One direction of chacha20-poly1305@openssh.com. Like the noble version, sequence numbers may be
 * bigints up to 2^64 − 1 (test vectors need them; the transport's are uint32).
 */
export class NodeChaCha20Poly1305OpenSSHCipher implements PacketCipher {
  readonly name = NAME;
  readonly blockSize = 8;
  readonly lengthExcludedFromPadding = true;
  readonly tagLength = TAG_LENGTH;
  readonly firstBlockLength = 4;
  /** K_2: Poly1305 key and payload. */
  readonly #payloadKey: KeyObject;
  /** K_1: packet length only (noble's chacha20orig). */
  readonly #lengthKey: Uint8Array;
  /** OpenSSL's IV: block counter 0 (LE32) ‖ 0 ‖ the sequence number (BE64); its last 8 bytes are the DJB nonce. */
  readonly #iv = Buffer.alloc(16);
  readonly #nonce = new Uint8Array(this.#iv.buffer, this.#iv.byteOffset + 8, 8);
  readonly #tag = new Uint8Array(TAG_LENGTH);
  readonly #length = new Uint8Array(4);

  constructor(key: Uint8Array) {
    checkKeyLength(NAME, "key", key, KEY_LENGTH);
    this.#payloadKey = createSecretKey(key.subarray(0, 32));
    // A copy in a plain array (Buffer#slice would be a view of the caller's, maybe pooled, memory).
    this.#lengthKey = new Uint8Array(key.subarray(32, 64));
  }

  lengthFromFirstBlock(seq: number | bigint, firstBlock: Uint8Array): number {
    if (firstBlock.length < 4) {
      throw new SshError("ERR_CRYPTO_PACKET_TOO_SHORT", `${this.name}: the packet length needs 4 bytes`);
    }
    this.#setNonce(seq);
    return readUint32(chacha20orig(this.#lengthKey, this.#nonce, firstBlock.subarray(0, 4), this.#length), 0);
  }

  seal(seq: number | bigint, packet: Uint8Array): Uint8Array {
    const end = tagOffset(this.name, packet, TAG_LENGTH);
    const iv = this.#setNonce(seq);
    const length = packet.subarray(0, 4);
    chacha20orig(this.#lengthKey, this.#nonce, length, length);
    const stream = createCipheriv("chacha20", this.#payloadKey, iv);
    const block0 = stream.update(BLOCK_0);
    packet.set(stream.update(packet.subarray(4, end)), 4);
    poly1305.create(block0.subarray(0, 32)).update(packet.subarray(0, end)).digestInto(packet.subarray(end));
    block0.fill(0);
    return packet;
  }

  open(seq: number | bigint, packet: Uint8Array): Uint8Array {
    const end = tagOffset(this.name, packet, TAG_LENGTH);
    const iv = this.#setNonce(seq);
    const stream = createCipheriv("chacha20", this.#payloadKey, iv);
    const block0 = stream.update(BLOCK_0);
    poly1305.create(block0.subarray(0, 32)).update(packet.subarray(0, end)).digestInto(this.#tag);
    block0.fill(0);
    if (!equalBytes(this.#tag, packet.subarray(end))) throw macError(this.name, seq);
    const body = packet.subarray(4, end);
    body.set(stream.update(body));
    return body;
  }

  /** The IV for block 0 under the sequence number as a big-endian uint64 nonce. */
  #setNonce(seq: number | bigint): Buffer {
    if (typeof seq === "bigint") {
      if (seq < 0n || seq >= UINT64_LIMIT) throw badSequence(seq);
      this.#iv.writeBigUInt64BE(seq, 8);
    } else {
      if (!Number.isSafeInteger(seq) || seq < 0) throw badSequence(seq);
      this.#iv.writeUInt32BE(Math.floor(seq / TWO_POW_32), 8);
      this.#iv.writeUInt32BE(seq >>> 0, 12);
    }
    return this.#iv;
  }
}

export const nodeChacha20Poly1305OpenSSH: CipherAlgorithm = Object.freeze({
  name: NAME,
  keyLength: KEY_LENGTH,
  ivLength: 0,
  blockSize: 8,
  aead: true,
  create: (key: Uint8Array): PacketCipher => new NodeChaCha20Poly1305OpenSSHCipher(key),
});
