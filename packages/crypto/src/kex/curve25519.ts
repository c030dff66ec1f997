/**
 * curve25519-sha256 and its pre-standard alias curve25519-sha256@libssh.org (RFC 8731): an
 * ECDH-style key exchange (RFC 5656 §4) over X25519 (RFC 7748 §5) with SHA-256 as the exchange
 * hash and KDF hash. Public values are exactly 32 bytes (RFC 8731 §3); an all-zero shared secret
 * MUST abort the exchange (RFC 8731 §3, RFC 7748 §6.1); the 32-byte X25519 output is read as a
 * big-endian unsigned integer and enters the exchange hash and KDF as an mpint (RFC 8731 §3.1).
 * @module
 */
import { x25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { DISCONNECT, encodeWith, ProtocolError, SshError } from "@purssh/wire";
import type { KexAlgorithm, KexClientExchange, KexServerExchange, RandomBytes } from "../types.js";

export const CURVE25519_SHA256 = "curve25519-sha256";
export const CURVE25519_SHA256_LIBSSH = "curve25519-sha256@libssh.org";

/** RFC 7748 §5: scalars and u-coordinates are 32 bytes. */
const X25519_LENGTH = 32;

/** One side's ephemeral X25519 key pair; client and server halves behave the same way. */
class Curve25519Exchange implements KexClientExchange, KexServerExchange {
  readonly publicKey: Uint8Array;
  readonly #secretKey: Uint8Array;

  constructor(random: RandomBytes) {
    const secretKey = random(X25519_LENGTH);
    if (secretKey.length !== X25519_LENGTH) {
      throw new SshError("ERR_CRYPTO_RANDOM_LENGTH", `random source returned ${secretKey.length} bytes, not 32`);
    }
    this.#secretKey = secretKey.slice();
    this.publicKey = x25519.getPublicKey(this.#secretKey);
  }

  /** K as it enters the exchange hash and the KDF: mpint(X25519(secret, peer)) with its length. */
  computeSharedSecret(peerPublicKey: Uint8Array): Uint8Array {
    if (peerPublicKey.length !== X25519_LENGTH) {
      throw new ProtocolError(
        "ERR_KEX_INVALID_PUBLIC_KEY",
        `curve25519-sha256: the peer's public key is ${peerPublicKey.length} bytes, RFC 8731 §3 requires 32`,
        DISCONNECT.KEY_EXCHANGE_FAILED,
      );
    }
    let shared: Uint8Array;
    try {
      // noble rejects the low-order u-coordinates (whose result would be all zero) up front.
      shared = x25519.getSharedSecret(this.#secretKey, peerPublicKey);
    } catch (cause) {
      throw zeroSharedSecret(cause);
    }
    let any = 0;
    for (let i = 0; i < shared.length; i++) any |= shared[i] as number;
    if (any === 0) throw zeroSharedSecret();
    const encoded = encodeWith((w) => w.mpintUnsigned(shared), 4 + X25519_LENGTH + 1);
    shared.fill(0);
    return encoded;
  }
}

function zeroSharedSecret(cause?: unknown): ProtocolError {
  return new ProtocolError(
    "ERR_KEX_INVALID_PUBLIC_KEY",
    "curve25519-sha256: the peer's public key gives an all-zero shared secret (RFC 8731 §3: abort)",
    DISCONNECT.KEY_EXCHANGE_FAILED,
    cause === undefined ? undefined : { cause },
  );
}

function curve25519Kex(name: string): KexAlgorithm {
  return Object.freeze({
    name,
    publicKeyEncoding: "string",
    groupExchange: false,
    hash: (data: Uint8Array): Uint8Array => sha256(data),
    createClient: (random: RandomBytes): KexClientExchange => new Curve25519Exchange(random),
    createServer: (random: RandomBytes): KexServerExchange => new Curve25519Exchange(random),
  });
}

/** RFC 8731. */
export const curve25519Sha256: KexAlgorithm = curve25519Kex(CURVE25519_SHA256);
/** The same method under the name libssh and OpenSSH used before RFC 8731 (RFC 8731 §1). */
export const curve25519Sha256Libssh: KexAlgorithm = curve25519Kex(CURVE25519_SHA256_LIBSSH);
