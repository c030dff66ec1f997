/**
 * Key derivation of the SSH transport (RFC 4253 §7.2): initial IVs, encryption keys and integrity
 * keys from the shared secret K, the exchange hash H and the session identifier.
 *
 *   K1 = HASH(K ‖ H ‖ X ‖ session_id)        X is one of the letters "A" … "F"
 *   K2 = HASH(K ‖ H ‖ K1)
 *   Kn = HASH(K ‖ H ‖ K1 ‖ … ‖ K(n-1))
 *   key = first `length` bytes of K1 ‖ K2 ‖ …
 *
 * K enters the hash exactly as encoded in the exchange hash: an mpint for classic and ECDH key
 * exchanges (RFC 4253 §8, RFC 5656 §4, RFC 8731 §3.1), a string for the hybrid post-quantum ones.
 * @module
 */
import { SshError } from "@purssh/wire";

/** The six derivation letters of RFC 4253 §7.2, by what they produce. */
export const KDF_LETTER = {
  /** Initial IV client to server. */
  IV_CLIENT_TO_SERVER: "A",
  /** Initial IV server to client. */
  IV_SERVER_TO_CLIENT: "B",
  /** Encryption key client to server. */
  ENCRYPTION_KEY_CLIENT_TO_SERVER: "C",
  /** Encryption key server to client. */
  ENCRYPTION_KEY_SERVER_TO_CLIENT: "D",
  /** Integrity key client to server. */
  INTEGRITY_KEY_CLIENT_TO_SERVER: "E",
  /** Integrity key server to client. */
  INTEGRITY_KEY_SERVER_TO_CLIENT: "F",
} as const;

export type KdfLetter = (typeof KDF_LETTER)[keyof typeof KDF_LETTER];

/** The exchange hash function negotiated with the key exchange method (RFC 4253 §7.2 HASH). */
export type HashFunction = (data: Uint8Array) => Uint8Array;

/**
 * Derives `length` bytes of key material (RFC 4253 §7.2).
 *
 * @param hash the key exchange method's hash
 * @param encodedK the shared secret K already encoded WITH its uint32 length prefix (mpint or string)
 * @param H the exchange hash of this key exchange
 * @param sessionId the exchange hash of the first key exchange (equal to H on the first one)
 * @param letter which key: "A" … "F"
 * @param length how many bytes to produce; beyond one hash output the K1 ‖ K2 … extension applies
 */
export function deriveKey(
  hash: HashFunction,
  encodedK: Uint8Array,
  H: Uint8Array,
  sessionId: Uint8Array,
  letter: KdfLetter,
  length: number,
): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new SshError("ERR_CRYPTO_KDF_LENGTH", `cannot derive ${length} bytes of key material`);
  }
  if (!/^[A-F]$/.test(letter)) {
    throw new SshError("ERR_CRYPTO_KDF_LETTER", `RFC 4253 §7.2 has no key letter ${JSON.stringify(letter)}`);
  }
  const prefixLength = encodedK.length + H.length;
  const first = new Uint8Array(prefixLength + 1 + sessionId.length);
  first.set(encodedK, 0);
  first.set(H, encodedK.length);
  first[prefixLength] = letter.charCodeAt(0);
  first.set(sessionId, prefixLength + 1);
  const k1 = hash(first);
  if (k1.length === 0) throw new SshError("ERR_CRYPTO_KDF_HASH", "the KDF hash returned no bytes");
  if (length <= k1.length) return k1.slice(0, length);

  // K ‖ H ‖ K1 ‖ K2 ‖ …: one buffer holds the growing input; its tail is the output so far.
  const rounds = Math.ceil(length / k1.length);
  const buffer = new Uint8Array(prefixLength + rounds * k1.length);
  buffer.set(first.subarray(0, prefixLength), 0);
  buffer.set(k1, prefixLength);
  let produced = k1.length;
  while (produced < length) {
    const next = hash(buffer.subarray(0, prefixLength + produced));
    buffer.set(next, prefixLength + produced);
    produced += next.length;
  }
  return buffer.slice(prefixLength, prefixLength + length);
}
