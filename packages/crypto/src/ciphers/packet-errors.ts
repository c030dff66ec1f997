/**
 * The errors packet ciphers raise (RFC 4253 §6 binary packet protocol, §11.1 DISCONNECT reasons):
 * a packet whose tag does not verify ends the connection with SSH_DISCONNECT_MAC_ERROR; a buffer that
 * cannot be a packet at all is a local programming error.
 * @module
 */
import { DISCONNECT, ProtocolError, SshError } from "@purssh/wire";

/** The tag or MAC of an incoming packet did not verify: fatal, DISCONNECT.MAC_ERROR. */
export function macError(cipherName: string, seq: number | bigint, cause?: unknown): ProtocolError {
  return new ProtocolError(
    "ERR_MAC_VERIFICATION_FAILED",
    `${cipherName}: packet ${seq} failed authentication`,
    DISCONNECT.MAC_ERROR,
    cause === undefined ? undefined : { cause },
  );
}

/** Throws unless `packet` has room for the 4-byte length and the tag. Returns where the tag starts. */
export function tagOffset(cipherName: string, packet: Uint8Array, tagLength: number): number {
  const end = packet.length - tagLength;
  if (end < 4) {
    throw new SshError(
      "ERR_CRYPTO_PACKET_TOO_SHORT",
      `${cipherName}: a ${packet.length}-byte buffer cannot hold a packet length and a ${tagLength}-byte tag`,
    );
  }
  return end;
}

/** Throws unless `key` has exactly the length the algorithm needs (RFC 4253 §7.2 derives it). */
export function checkKeyLength(cipherName: string, what: string, key: Uint8Array, expected: number): void {
  if (key.length !== expected) {
    throw new SshError(
      "ERR_CRYPTO_KEY_LENGTH",
      `${cipherName} needs a ${expected}-byte ${what}, got ${key.length} bytes`,
    );
  }
}
