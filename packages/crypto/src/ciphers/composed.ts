/**
 * A non-AEAD packet cipher: a block cipher mode (CTR or CBC) composed with a MAC into one
 * PacketCipher (RFC 4253 §6, §6.3, §6.4; OpenSSH PROTOCOL §1.5). The negotiated MAC decides the
 * order:
 *
 * - encrypt-and-MAC (RFC 4253 §6.4): mac = MAC(key, seq ‖ unencrypted packet); the whole packet,
 *   packet_length included, is encrypted; padding aligns all of it. The receiver must decrypt the
 *   first block to learn the length, before anything is authenticated.
 * - encrypt-then-MAC (the `-etm@openssh.com` MACs): packet_length travels in clear, the rest is
 *   encrypted, and mac = MAC(key, seq ‖ packet_length ‖ ciphertext) is verified before anything is
 *   decrypted; padding aligns the packet without its length field.
 *
 * The mode owns the cipher state (the running CTR counter, the CBC chaining value), which advances
 * exactly once per block of the stream, in both directions. The MAC tag is compared in constant
 * time and a failure is a ProtocolError with DISCONNECT.MAC_ERROR.
 *
 * CVE-2008-5161 (Albrecht, Paterson, Watson, "Plaintext Recovery Attacks Against SSH", 2009): with
 * CBC and encrypt-and-MAC, an attacker who injects a ciphertext block as the first block of a packet
 * learns bits of its decryption from how the receiver reacts to the decrypted "length": an
 * immediate error for an implausible length, or how many bytes it waits for before the MAC check.
 * Like OpenSSH (packet.c, ssh_packet_start_discard), a CBC cipher here does not reveal an
 * implausible length: `lengthFromFirstBlock` then reports a packet of OpenSSH's maximum size, and
 * `open` on that packet does the full decryption and MAC work and fails with the same MAC error as a
 * forged packet. What it cannot hide through this interface is when a plausible length's MAC check
 * fails; OpenSSH keeps reading up to 256 KiB after a CBC MAC failure, which needs the transport (see
 * its PacketReader). Encrypt-then-MAC and CTR are not affected, so they report lengths as they are.
 * @module
 */
import { equalBytes, SshError } from "@purssh/wire";
import type { CipherAlgorithm, Direction, Mac, MacAlgorithm, PacketCipher } from "../types.js";
import { checkKeyLength, macError, tagOffset } from "./packet-errors.js";

/**
 * One direction of a block cipher mode with its running state. `apply` encrypts when sealing and
 * decrypts when opening; `peek` and `skip` exist for the opening direction of encrypt-and-MAC.
 */
export interface BlockMode {
  readonly blockSize: number;
  /** Encrypts or decrypts `data[start, end)` in place, a whole number of blocks, advancing the state. */
  apply(data: Uint8Array, start: number, end: number): void;
  /** Decrypts the first block of `input` into `out` as `apply` would, leaving the state as it is. */
  peek(input: Uint8Array, out: Uint8Array): void;
  /** Advances the state past one block, `input` being its ciphertext, as if `apply` had decrypted it. */
  skip(input: Uint8Array): void;
}

/** What a block cipher name needs to become a registry entry. */
export interface BlockCipherSpec {
  readonly name: string;
  readonly keyLength: number;
  readonly ivLength: number;
  readonly blockSize: number;
  /** CBC decrypts an unauthenticated length with chained state: hide implausible lengths (CVE-2008-5161). */
  readonly hidesImplausibleLength: boolean;
  createMode(key: Uint8Array, iv: Uint8Array, direction: Direction): BlockMode;
}

/** OpenSSH's PACKET_MAX_SIZE (and the transport's MAX_PACKET_LENGTH): 256 KiB. */
const PACKET_MAX_SIZE = 256 * 1024;
/**
 * The packet_length reported for an implausible decrypted length under CBC + encrypt-and-MAC: the
 * largest that the transport accepts and that is aligned for 8- and 16-byte blocks, so that the
 * transport reads PACKET_MAX_SIZE bytes (plus the MAC) and then fails with a MAC error.
 */
export const CBC_CAMOUFLAGE_PACKET_LENGTH = PACKET_MAX_SIZE - 4;

function readUint32(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
}

function alignmentError(label: string, what: string, blockSize: number): SshError {
  return new SshError(
    "ERR_CRYPTO_PACKET_ALIGNMENT",
    `${label}: ${what} is not a multiple of the ${blockSize}-byte block`,
  );
}

/** Encrypt-and-MAC (RFC 4253 §6, §6.4). */
export class EncryptAndMacCipher implements PacketCipher {
  readonly lengthExcludedFromPadding = false;
  readonly blockSize: number;
  readonly firstBlockLength: number;
  readonly tagLength: number;
  readonly #label: string;
  readonly #mode: BlockMode;
  readonly #mac: Mac;
  readonly #hidesImplausibleLength: boolean;
  /** The first block handed to `lengthFromFirstBlock`, as received and as decrypted. */
  readonly #peekedCiphertext: Uint8Array;
  readonly #peekedPlaintext: Uint8Array;
  #peeked = false;
  /** The peeked length was implausible and a camouflage length was reported instead. */
  #camouflaged = false;

  constructor(
    readonly name: string,
    macName: string,
    mode: BlockMode,
    mac: Mac,
    macLength: number,
    hidesImplausibleLength: boolean,
  ) {
    this.#label = `${name} with ${macName}`;
    this.#mode = mode;
    this.#mac = mac;
    this.blockSize = mode.blockSize;
    this.firstBlockLength = mode.blockSize;
    this.tagLength = macLength;
    this.#hidesImplausibleLength = hidesImplausibleLength;
    this.#peekedCiphertext = new Uint8Array(mode.blockSize);
    this.#peekedPlaintext = new Uint8Array(mode.blockSize);
  }

  /**
   * Decrypts a copy of the first block without moving the cipher state; `open` reuses it, so each
   * block is decrypted once.
   */
  lengthFromFirstBlock(_seq: number, firstBlock: Uint8Array): number {
    const bs = this.blockSize;
    if (firstBlock.length < bs) {
      throw new SshError("ERR_CRYPTO_PACKET_TOO_SHORT", `${this.#label}: the first block needs ${bs} bytes`);
    }
    for (let i = 0; i < bs; i++) this.#peekedCiphertext[i] = firstBlock[i]!;
    this.#mode.peek(this.#peekedCiphertext, this.#peekedPlaintext);
    this.#peeked = true;
    const length = readUint32(this.#peekedPlaintext, 0);
    this.#camouflaged = this.#hidesImplausibleLength && !this.#plausible(length);
    return this.#camouflaged ? CBC_CAMOUFLAGE_PACKET_LENGTH : length;
  }

  seal(seq: number, packet: Uint8Array): Uint8Array {
    const end = tagOffset(this.#label, packet, this.tagLength);
    if (end % this.blockSize !== 0) throw alignmentError(this.#label, "the packet with its length", this.blockSize);
    packet.set(this.#mac.compute(seq, packet.subarray(0, end)), end);
    this.#mode.apply(packet, 0, end);
    return packet;
  }

  open(seq: number, packet: Uint8Array): Uint8Array {
    const bs = this.blockSize;
    const end = tagOffset(this.#label, packet, this.tagLength);
    if (end % bs !== 0 || end < bs) throw alignmentError(this.#label, "the packet with its length", bs);
    // The transport passes the block it peeked at; anything else is decrypted afresh.
    const peeked = this.#peeked && this.#isPeekedBlock(packet);
    const camouflaged = peeked && this.#camouflaged;
    if (peeked) {
      this.#mode.skip(this.#peekedCiphertext);
      packet.set(this.#peekedPlaintext, 0);
    } else {
      this.#mode.apply(packet, 0, bs);
    }
    this.#peeked = false;
    this.#camouflaged = false;
    this.#peekedPlaintext.fill(0);
    this.#mode.apply(packet, bs, end);
    // A camouflaged packet costs the same decryption and MAC work and fails the same way.
    const ok = equalBytes(this.#mac.compute(seq, packet.subarray(0, end)), packet.subarray(end));
    if (!ok || camouflaged) throw macError(this.#label, seq);
    return packet.subarray(4, end);
  }

  /** What the transport would accept (RFC 4253 §6.1; PACKET_MAX_SIZE; whole blocks). */
  #plausible(length: number): boolean {
    return length >= 5 && length <= PACKET_MAX_SIZE && (length + 4) % Math.max(8, this.blockSize) === 0;
  }

  #isPeekedBlock(packet: Uint8Array): boolean {
    for (let i = 0; i < this.blockSize; i++) if (packet[i] !== this.#peekedCiphertext[i]) return false;
    return true;
  }
}

/** Encrypt-then-MAC (OpenSSH PROTOCOL §1.5, the -etm@openssh.com MACs). */
export class EncryptThenMacCipher implements PacketCipher {
  readonly lengthExcludedFromPadding = true;
  readonly firstBlockLength = 4;
  readonly blockSize: number;
  readonly tagLength: number;
  readonly #label: string;
  readonly #mode: BlockMode;
  readonly #mac: Mac;

  constructor(
    readonly name: string,
    macName: string,
    mode: BlockMode,
    mac: Mac,
    macLength: number,
  ) {
    this.#label = `${name} with ${macName}`;
    this.#mode = mode;
    this.#mac = mac;
    this.blockSize = mode.blockSize;
    this.tagLength = macLength;
  }

  /** The packet length is sent in clear. */
  lengthFromFirstBlock(_seq: number, firstBlock: Uint8Array): number {
    if (firstBlock.length < 4) {
      throw new SshError("ERR_CRYPTO_PACKET_TOO_SHORT", `${this.#label}: the packet length needs 4 bytes`);
    }
    return readUint32(firstBlock, 0);
  }

  seal(seq: number, packet: Uint8Array): Uint8Array {
    const end = tagOffset(this.#label, packet, this.tagLength);
    if ((end - 4) % this.blockSize !== 0) throw alignmentError(this.#label, "the packet", this.blockSize);
    this.#mode.apply(packet, 4, end);
    packet.set(this.#mac.compute(seq, packet.subarray(0, end)), end);
    return packet;
  }

  open(seq: number, packet: Uint8Array): Uint8Array {
    const end = tagOffset(this.#label, packet, this.tagLength);
    if ((end - 4) % this.blockSize !== 0) throw alignmentError(this.#label, "the packet", this.blockSize);
    // The MAC is checked before anything is decrypted; on failure the cipher state does not move.
    if (!equalBytes(this.#mac.compute(seq, packet.subarray(0, end)), packet.subarray(end))) {
      throw macError(this.#label, seq);
    }
    this.#mode.apply(packet, 4, end);
    return packet.subarray(4, end);
  }
}

/**
 * The registry entry for a block cipher: `create` needs the negotiated MAC and its key and returns
 * the encrypt-and-MAC or encrypt-then-MAC composition.
 */
export function composedCipherAlgorithm(spec: BlockCipherSpec): CipherAlgorithm {
  const { name, keyLength, ivLength, blockSize } = spec;
  return Object.freeze({
    name,
    keyLength,
    ivLength,
    blockSize,
    aead: false,
    create(
      key: Uint8Array,
      iv: Uint8Array,
      direction: Direction,
      mac?: { algorithm: MacAlgorithm; key: Uint8Array },
    ): PacketCipher {
      checkKeyLength(name, "key", key, keyLength);
      checkKeyLength(name, "IV", iv, ivLength);
      if (!mac) {
        throw new SshError(
          "ERR_CRYPTO_MAC_REQUIRED",
          `${name} is not an AEAD cipher: it needs the negotiated MAC algorithm and its key`,
        );
      }
      const { algorithm } = mac;
      const keyedMac = algorithm.create(mac.key);
      const mode = spec.createMode(key, iv, direction);
      return algorithm.etm
        ? new EncryptThenMacCipher(name, algorithm.name, mode, keyedMac, algorithm.macLength)
        : new EncryptAndMacCipher(
            name,
            algorithm.name,
            mode,
            keyedMac,
            algorithm.macLength,
            spec.hidesImplausibleLength,
          );
    },
  });
}
