/**
 * aes128-gcm@openssh.com and aes256-gcm@openssh.com: AES-GCM in the SSH transport (RFC 5647 §7 as
 * used by OpenSSH, PROTOCOL §1.6; draft-miller-sshm-aes-gcm). The 12-byte IV from the KDF is a
 * 4-byte fixed field ‖ an 8-byte invocation counter; every packet uses the current value as the GCM
 * nonce, then the invocation counter is incremented as a 64-bit big-endian integer (modulo 2^64; the
 * fixed field never changes). The packet length stays in clear and is the additional authenticated
 * data; the 16-byte tag follows the ciphertext. The negotiated MAC is ignored.
 * The AES key schedule and GHASH tables are computed once per direction (./aes-gcm-core.ts); each
 * packet is then encrypted and authenticated in place.
 * @module
 */
import { SshError } from "@purssh/wire";
import type { CipherAlgorithm, PacketCipher } from "../types.js";
import { AesGcmKey } from "./aes-gcm-core.js";
import { checkKeyLength, macError, tagOffset } from "./packet-errors.js";

export const AES128_GCM_OPENSSH = "aes128-gcm@openssh.com";
export const AES256_GCM_OPENSSH = "aes256-gcm@openssh.com";

const IV_LENGTH = 12;
const TAG_LENGTH = 16;

/**
 * One direction of AES-GCM. The sequence number is not used: the nonce comes from the invocation
 * counter, which advances once per sealed or successfully opened packet.
 */
export class AesGcmOpenSSHCipher implements PacketCipher {
  /** RFC 5647 §7.2: padding aligns to the 16-byte AES block. */
  readonly blockSize = 16;
  readonly lengthExcludedFromPadding = true;
  readonly tagLength = TAG_LENGTH;
  readonly firstBlockLength = 4;
  /** The key schedule and GHASH tables, computed once for this direction's key. */
  readonly #key: AesGcmKey;
  /** fixed field (4) ‖ invocation counter (8): the nonce of the next packet. */
  readonly #nonce: Uint8Array;
  readonly #nonceView: DataView;

  constructor(
    readonly name: string,
    keyLength: 16 | 32,
    key: Uint8Array,
    iv: Uint8Array,
  ) {
    checkKeyLength(name, "key", key, keyLength);
    checkKeyLength(name, "IV", iv, IV_LENGTH);
    this.#key = new AesGcmKey(key);
    // A fresh copy with its own buffer: `slice()` of a Node Buffer may share Node's pool, and the
    // DataView below would then write the counter into someone else's bytes.
    this.#nonce = new Uint8Array(iv);
    this.#nonceView = new DataView(this.#nonce.buffer, this.#nonce.byteOffset, this.#nonce.byteLength);
  }

  /** The packet length is sent in clear (RFC 5647 §7.3). */
  lengthFromFirstBlock(_seq: number, firstBlock: Uint8Array): number {
    if (firstBlock.length < 4) {
      throw new SshError("ERR_CRYPTO_PACKET_TOO_SHORT", `${this.name}: the packet length needs 4 bytes`);
    }
    return (
      (((firstBlock[0] as number) << 24) |
        ((firstBlock[1] as number) << 16) |
        ((firstBlock[2] as number) << 8) |
        (firstBlock[3] as number)) >>>
      0
    );
  }

  seal(_seq: number, packet: Uint8Array): Uint8Array {
    const end = tagOffset(this.name, packet, TAG_LENGTH);
    this.#key.seal(this.#nonce, packet, 4, end);
    this.#nextInvocation();
    return packet;
  }

  open(seq: number, packet: Uint8Array): Uint8Array {
    const end = tagOffset(this.name, packet, TAG_LENGTH);
    // The tag is checked (in constant time) before anything is decrypted; on failure `packet` is
    // left as it was and the invocation counter does not move.
    if (!this.#key.open(this.#nonce, packet, 4, end)) throw macError(this.name, seq);
    this.#nextInvocation();
    return packet.subarray(4, end);
  }

  #nextInvocation(): void {
    nextGcmInvocation(this.#nonceView);
  }
}

/**
 * RFC 5647 §7.1: invocation_counter += 1, as a 64-bit big-endian integer that wraps; `nonce` views
 * the 12-byte nonce (4-byte fixed field ‖ 8-byte counter). Shared with the node:crypto provider.
 */
export function nextGcmInvocation(nonce: DataView): void {
  const low = nonce.getUint32(8);
  if (low === 0xffffffff) {
    nonce.setUint32(8, 0);
    nonce.setUint32(4, (nonce.getUint32(4) + 1) >>> 0);
  } else {
    nonce.setUint32(8, low + 1);
  }
}

function aesGcm(name: string, keyLength: 16 | 32): CipherAlgorithm {
  return Object.freeze({
    name,
    keyLength,
    ivLength: IV_LENGTH,
    blockSize: 16,
    aead: true,
    create: (key: Uint8Array, iv: Uint8Array): PacketCipher => new AesGcmOpenSSHCipher(name, keyLength, key, iv),
  });
}

/** Registry entries: key from letters C/D, the 12-byte IV from letters A/B (RFC 4253 §7.2). */
export const aes128GcmOpenSSH: CipherAlgorithm = aesGcm(AES128_GCM_OPENSSH, 16);
export const aes256GcmOpenSSH: CipherAlgorithm = aesGcm(AES256_GCM_OPENSSH, 32);
