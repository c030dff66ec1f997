/**
 * ecdh-sha2-nistp256, ecdh-sha2-nistp384 and ecdh-sha2-nistp521 (RFC 5656 §4, §6.3, §10.1):
 * ephemeral ECDH over the NIST prime curves, with SHA-256, SHA-384 and SHA-512 as the exchange
 * hash and KDF hash (RFC 5656 §6.2.1).
 *
 * - Q_C and Q_S travel as `string`s holding an uncompressed SEC1 point 0x04 ‖ X ‖ Y (RFC 5656 §4;
 *   OpenSSH's sshbuf_get_ec accepts only uncompressed points, so we never send nor accept the
 *   compressed form).
 * - Each side MUST validate the peer's point (RFC 5656 §4, §3.1 and SEC1 §3.2.2.1: on the curve,
 *   not the point at infinity, coordinates below the field prime); a bad point ends the exchange
 *   with "ERR_KEX_INVALID_PUBLIC_KEY" (KEY_EXCHANGE_FAILED).
 * - K is the x-coordinate of the shared point (SEC1 §3.3.1 ECSVDP-DH), read as an unsigned integer;
 *   it enters the exchange hash and the KDF as an mpint (RFC 5656 §4).
 * @module
 */
import { p256, p384, p521 } from "@noble/curves/nist.js";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import { DISCONNECT, encodeWith, ProtocolError, SshError } from "@purssh/wire";
import type { KexAlgorithm, KexClientExchange, KexServerExchange, RandomBytes } from "../types.js";

export const ECDH_SHA2_NISTP256 = "ecdh-sha2-nistp256";
export const ECDH_SHA2_NISTP384 = "ecdh-sha2-nistp384";
export const ECDH_SHA2_NISTP521 = "ecdh-sha2-nistp521";

/** SEC1 §2.3.3: the prefix of an uncompressed point. */
const SEC1_UNCOMPRESSED = 0x04;

/** The part of a noble Weierstrass curve this module uses. */
interface NistCurve {
  readonly lengths: { readonly seed?: number; readonly publicKeyUncompressed?: number };
  readonly utils: { randomSecretKey(seed?: Uint8Array): Uint8Array };
  getPublicKey(secretKey: Uint8Array, isCompressed?: boolean): Uint8Array;
  getSharedSecret(secretKey: Uint8Array, publicKey: Uint8Array, isCompressed?: boolean): Uint8Array;
}

interface CurveParams {
  readonly name: string;
  readonly curve: NistCurve;
  /** Bytes of one field element: 32, 48, 66. */
  readonly fieldLength: number;
}

function invalidPoint(method: string, why: string, cause?: unknown): ProtocolError {
  return new ProtocolError(
    "ERR_KEX_INVALID_PUBLIC_KEY",
    `${method}: the peer's public key ${why} (RFC 5656 §4: it MUST be a valid point)`,
    DISCONNECT.KEY_EXCHANGE_FAILED,
    cause === undefined ? undefined : { cause },
  );
}

/** One side's ephemeral key pair; client and server halves behave the same way. */
class NistEcdhExchange implements KexClientExchange, KexServerExchange {
  readonly publicKey: Uint8Array;
  readonly #params: CurveParams;
  readonly #secretKey: Uint8Array;

  constructor(params: CurveParams, random: RandomBytes) {
    this.#params = params;
    const seedLength = params.curve.lengths.seed as number;
    const seed = random(seedLength);
    if (seed.length !== seedLength) {
      throw new SshError("ERR_CRYPTO_RANDOM_LENGTH", `random source returned ${seed.length} bytes, not ${seedLength}`);
    }
    // FIPS 186-5 A.2.1 (extra random bits): d = (seed mod (n − 1)) + 1, so 1 ≤ d < n.
    this.#secretKey = params.curve.utils.randomSecretKey(seed.slice());
    this.publicKey = params.curve.getPublicKey(this.#secretKey, false);
  }

  /** K as it enters the exchange hash and the KDF: mpint(x(d · Q_peer)) with its length. */
  computeSharedSecret(peerPublicKey: Uint8Array): Uint8Array {
    const { name, curve, fieldLength } = this.#params;
    const expected = 1 + 2 * fieldLength;
    if (peerPublicKey.length !== expected || peerPublicKey[0] !== SEC1_UNCOMPRESSED) {
      throw invalidPoint(
        name,
        `is not an uncompressed ${expected}-byte SEC1 point (${peerPublicKey.length} bytes, prefix ${peerPublicKey[0] ?? "none"})`,
      );
    }
    let shared: Uint8Array;
    try {
      // noble decodes the point (coordinates < p, on the curve) and refuses the identity.
      shared = curve.getSharedSecret(this.#secretKey, peerPublicKey, true);
    } catch (cause) {
      throw invalidPoint(name, "is not a point on the curve", cause);
    }
    // A compressed point is prefix ‖ X: X is the shared secret.
    const x = shared.subarray(1);
    const encoded = encodeWith((w) => w.mpintUnsigned(x), 4 + fieldLength + 1);
    shared.fill(0);
    return encoded;
  }
}

function nistKex(params: CurveParams, hash: (data: Uint8Array) => Uint8Array): KexAlgorithm {
  return Object.freeze({
    name: params.name,
    publicKeyEncoding: "string",
    groupExchange: false,
    hash: (data: Uint8Array): Uint8Array => hash(data),
    createClient: (random: RandomBytes): KexClientExchange => new NistEcdhExchange(params, random),
    createServer: (random: RandomBytes): KexServerExchange => new NistEcdhExchange(params, random),
  });
}

/** RFC 5656 §10.1: nistp256 with SHA-256. */
export const ecdhSha2Nistp256: KexAlgorithm = nistKex(
  { name: ECDH_SHA2_NISTP256, curve: p256, fieldLength: 32 },
  sha256,
);
/** RFC 5656 §10.1: nistp384 with SHA-384. */
export const ecdhSha2Nistp384: KexAlgorithm = nistKex(
  { name: ECDH_SHA2_NISTP384, curve: p384, fieldLength: 48 },
  sha384,
);
/** RFC 5656 §10.1: nistp521 with SHA-512. */
export const ecdhSha2Nistp521: KexAlgorithm = nistKex(
  { name: ECDH_SHA2_NISTP521, curve: p521, fieldLength: 66 },
  sha512,
);
