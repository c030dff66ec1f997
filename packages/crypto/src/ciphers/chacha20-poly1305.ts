/**
 * chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305, now
 * draft-ietf-sshm-chacha20-poly1305): the 64 bytes of key material are K_2 ‖ K_1. K_1 encrypts only
 * the 4-byte packet length; K_2 gives the Poly1305 key (its first 32 keystream bytes at block
 * counter 0) and encrypts the rest of the packet from block counter 1. Both use the original
 * DJB ChaCha20 (64-bit counter, 64-bit nonce), the nonce being the sequence number as a big-endian
 * uint64. The tag is Poly1305 over encrypted length ‖ encrypted payload; it is verified before
 * anything is decrypted. The length is keyed separately, so decrypting it first gives no oracle.
 * @module
 */

import { poly1305 } from "@noble/ciphers/_poly1305.js";
import { chacha20orig } from "@noble/ciphers/chacha.js";
import { equalBytes, SshError } from "@purssh/wire";
import type { CipherAlgorithm, PacketCipher } from "../types.js";
import { checkKeyLength, macError, tagOffset } from "./packet-errors.js";

export const CHACHA20_POLY1305_OPENSSH = "chacha20-poly1305@openssh.com";

const KEY_LENGTH = 64;
const TAG_LENGTH = 16;
/** 32 bytes that are never written: encrypting them yields the Poly1305 key. */
const ZERO_32 = new Uint8Array(32);
const TWO_POW_32 = 0x1_0000_0000;
const UINT64_LIMIT = 1n << 64n;

/**
 * One direction of chacha20-poly1305@openssh.com. Sequence numbers may be given as a bigint too
 * (up to 2^64 − 1), which only test vectors need: the transport's sequence number is a uint32.
 */
export class ChaCha20Poly1305OpenSSHCipher implements PacketCipher {
  readonly name = CHACHA20_POLY1305_OPENSSH;
  /** PROTOCOL.chacha20poly1305: padding as for an 8-byte block cipher. */
  readonly blockSize = 8;
  readonly lengthExcludedFromPadding = true;
  readonly tagLength = TAG_LENGTH;
  readonly firstBlockLength = 4;
  /** K_2: Poly1305 key and payload. */
  readonly #payloadKey: Uint8Array;
  /** K_1: packet length only. */
  readonly #lengthKey: Uint8Array;
  readonly #nonce = new Uint8Array(8);
  readonly #nonceView = new DataView(this.#nonce.buffer);
  readonly #polyKey = new Uint8Array(32);
  readonly #tag = new Uint8Array(TAG_LENGTH);
  readonly #length = new Uint8Array(4);

  constructor(key: Uint8Array) {
    checkKeyLength(CHACHA20_POLY1305_OPENSSH, "key", key, KEY_LENGTH);
    this.#payloadKey = key.slice(0, 32);
    this.#lengthKey = key.slice(32, 64);
  }

  lengthFromFirstBlock(seq: number | bigint, firstBlock: Uint8Array): number {
    if (firstBlock.length < 4) {
      throw new SshError("ERR_CRYPTO_PACKET_TOO_SHORT", `${this.name}: the packet length needs 4 bytes`);
    }
    const encrypted = firstBlock.length === 4 ? firstBlock : firstBlock.subarray(0, 4);
    const l = chacha20orig(this.#lengthKey, this.#setNonce(seq), encrypted, this.#length);
    return (((l[0] as number) << 24) | ((l[1] as number) << 16) | ((l[2] as number) << 8) | (l[3] as number)) >>> 0;
  }

  seal(seq: number | bigint, packet: Uint8Array): Uint8Array {
    const end = tagOffset(this.name, packet, TAG_LENGTH);
    const nonce = this.#setNonce(seq);
    const length = packet.subarray(0, 4);
    chacha20orig(this.#lengthKey, nonce, length, length);
    const body = packet.subarray(4, end);
    chacha20orig(this.#payloadKey, nonce, body, body, 1);
    this.#authenticate(nonce, packet.subarray(0, end), packet.subarray(end));
    return packet;
  }

  open(seq: number | bigint, packet: Uint8Array): Uint8Array {
    const end = tagOffset(this.name, packet, TAG_LENGTH);
    const nonce = this.#setNonce(seq);
    this.#authenticate(nonce, packet.subarray(0, end), this.#tag);
    if (!equalBytes(this.#tag, packet.subarray(end))) throw macError(this.name, seq);
    const body = packet.subarray(4, end);
    chacha20orig(this.#payloadKey, nonce, body, body, 1);
    return body;
  }

  /** Poly1305 with the one-time key from K_2 at block counter 0, written into `tagOut`. */
  #authenticate(nonce: Uint8Array, encrypted: Uint8Array, tagOut: Uint8Array): void {
    const polyKey = chacha20orig(this.#payloadKey, nonce, ZERO_32, this.#polyKey);
    poly1305.create(polyKey).update(encrypted).digestInto(tagOut);
    polyKey.fill(0);
  }

  /** The ChaCha20 nonce: the sequence number as a big-endian uint64. */
  #setNonce(seq: number | bigint): Uint8Array {
    if (typeof seq === "bigint") {
      if (seq < 0n || seq >= UINT64_LIMIT) throw badSequence(seq);
      this.#nonceView.setBigUint64(0, seq);
    } else {
      if (!Number.isSafeInteger(seq) || seq < 0) throw badSequence(seq);
      this.#nonceView.setUint32(0, Math.floor(seq / TWO_POW_32));
      this.#nonceView.setUint32(4, seq >>> 0);
    }
    return this.#nonce;
  }
}

function badSequence(seq: number | bigint): SshError {
  return new SshError("ERR_CRYPTO_SEQUENCE_NUMBER", `not a packet sequence number: ${seq}`);
}

/** Registry entry: 64 bytes of key (RFC 4253 §7.2 letters C/D), no IV; the MAC is not used. */
export const chacha20Poly1305OpenSSH: CipherAlgorithm = Object.freeze({
  name: CHACHA20_POLY1305_OPENSSH,
  keyLength: KEY_LENGTH,
  ivLength: 0,
  blockSize: 8,
  aead: true,
  create: (key: Uint8Array): PacketCipher => new ChaCha20Poly1305OpenSSHCipher(key),
});
