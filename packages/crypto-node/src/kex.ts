/**
 * ECDH-style key exchanges on node:crypto, with the wire behaviour of @purssh/crypto's noble versions:
 *
 * - curve25519-sha256 and curve25519-sha256@libssh.org (RFC 8731) over OpenSSL's X25519 (RFC 7748):
 *   the 32 random bytes become the private key as they are (X25519 clamps them), public values are
 *   exactly 32 bytes, an all-zero shared secret aborts (RFC 8731 §3; OpenSSL refuses it too), and K
 *   is the output read as a big-endian unsigned integer, encoded as an mpint (RFC 8731 §3.1).
 * - ecdh-sha2-nistp256/384/521 (RFC 5656 §4) over OpenSSL's ECDH: the private scalar is derived from
 *   the random seed exactly as noble does (FIPS 186-5 A.2.1, d = seed mod (n − 1) + 1, via noble's
 *   own helper, so a deterministic random source gives the same keys with either provider); Q_C and
 *   Q_S are uncompressed SEC1 points, anything else is refused before OpenSSL sees it, and OpenSSL
 *   refuses coordinates ≥ p and points off the curve (RFC 5656 §4, SEC1 §3.2.2.1); K is the shared
 *   x-coordinate as an mpint.
 *
 * A refused public value is ERR_KEX_INVALID_PUBLIC_KEY with DISCONNECT.KEY_EXCHANGE_FAILED. The
 * exchange hash is node:crypto's SHA-2 of the same size.
 * @module
 */
import { createECDH, createHash, createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from "node:crypto";
import { p256, p384, p521 } from "@noble/curves/nist.js";
import type { KexAlgorithm, KexClientExchange, KexServerExchange, RandomBytes } from "@purssh/crypto";
import { concatBytes, DISCONNECT, encodeWith, fromHex, ProtocolError, SshError } from "@purssh/wire";
import { plain } from "./bytes.js";

/** RFC 7748 §5. */
const X25519_LENGTH = 32;
/** RFC 8410: PKCS#8 PrivateKeyInfo and SubjectPublicKeyInfo of an X25519 key, up to the key bytes. */
const X25519_PKCS8_PREFIX = fromHex("302e020100300506032b656e04220420");
const X25519_SPKI_PREFIX = fromHex("302a300506032b656e032100");

function draw(random: RandomBytes, n: number): Uint8Array {
  const bytes = random(n);
  if (bytes.length !== n) {
    throw new SshError("ERR_CRYPTO_RANDOM_LENGTH", `random source returned ${bytes.length} bytes, not ${n}`);
  }
  return bytes.slice();
}

function invalidPublicKey(message: string, cause?: unknown): ProtocolError {
  return new ProtocolError(
    "ERR_KEX_INVALID_PUBLIC_KEY",
    message,
    DISCONNECT.KEY_EXCHANGE_FAILED,
    cause === undefined ? undefined : { cause },
  );
}

function zeroSharedSecret(cause?: unknown): ProtocolError {
  return invalidPublicKey(
    "curve25519-sha256: the peer's public key gives an all-zero shared secret (RFC 8731 §3: abort)",
    cause,
  );
}

/** One side's ephemeral X25519 key pair (client and server alike). */
class NodeCurve25519Exchange implements KexClientExchange, KexServerExchange {
  readonly publicKey: Uint8Array;
  readonly #privateKey: KeyObject;

  constructor(random: RandomBytes) {
    const der = concatBytes(X25519_PKCS8_PREFIX, draw(random, X25519_LENGTH));
    this.#privateKey = createPrivateKey({
      key: Buffer.from(der.buffer, der.byteOffset, der.length),
      format: "der",
      type: "pkcs8",
    });
    der.fill(0);
    const spki = createPublicKey(this.#privateKey).export({ format: "der", type: "spki" });
    this.publicKey = plain(spki.subarray(X25519_SPKI_PREFIX.length));
  }

  computeSharedSecret(peerPublicKey: Uint8Array): Uint8Array {
    if (peerPublicKey.length !== X25519_LENGTH) {
      throw invalidPublicKey(
        `curve25519-sha256: the peer's public key is ${peerPublicKey.length} bytes, RFC 8731 §3 requires 32`,
      );
    }
    let shared: Buffer;
    try {
      const der = concatBytes(X25519_SPKI_PREFIX, peerPublicKey);
      const publicKey = createPublicKey({
        key: Buffer.from(der.buffer, der.byteOffset, der.length),
        format: "der",
        type: "spki",
      });
      // OpenSSL's X25519 derivation fails on an all-zero result.
      shared = diffieHellman({ privateKey: this.#privateKey, publicKey });
    } catch (cause) {
      throw zeroSharedSecret(cause);
    }
    let any = 0;
    for (let i = 0; i < shared.length; i++) any |= shared[i]!;
    if (any === 0) throw zeroSharedSecret();
    const encoded = encodeWith((w) => w.mpintUnsigned(shared), 4 + X25519_LENGTH + 1);
    shared.fill(0);
    return encoded;
  }
}

function sha(bits: 256 | 384 | 512): (data: Uint8Array) => Uint8Array {
  const name = `sha${bits}`;
  return (data) => plain(createHash(name).update(data).digest());
}

function curve25519Kex(name: string): KexAlgorithm {
  return Object.freeze({
    name,
    publicKeyEncoding: "string",
    groupExchange: false,
    hash: sha(256),
    createClient: (random: RandomBytes): KexClientExchange => new NodeCurve25519Exchange(random),
    createServer: (random: RandomBytes): KexServerExchange => new NodeCurve25519Exchange(random),
  });
}

export const nodeCurve25519Sha256: KexAlgorithm = curve25519Kex("curve25519-sha256");
export const nodeCurve25519Sha256Libssh: KexAlgorithm = curve25519Kex("curve25519-sha256@libssh.org");

/** The part of a noble curve used here: the seed length and the FIPS 186-5 A.2.1 reduction. */
interface NobleCurve {
  readonly lengths: { readonly seed?: number };
  readonly utils: { randomSecretKey(seed?: Uint8Array): Uint8Array };
}

interface NistParams {
  readonly name: string;
  /** OpenSSL's curve name. */
  readonly openssl: string;
  readonly noble: NobleCurve;
  /** Bytes of one field element: 32, 48, 66. */
  readonly fieldLength: number;
}

/** One side's ephemeral key pair on a NIST curve (client and server alike). */
class NodeNistEcdhExchange implements KexClientExchange, KexServerExchange {
  readonly publicKey: Uint8Array;
  readonly #params: NistParams;
  readonly #ecdh: ReturnType<typeof createECDH>;

  constructor(params: NistParams, random: RandomBytes) {
    this.#params = params;
    const seed = draw(random, params.noble.lengths.seed as number);
    const secretKey = params.noble.utils.randomSecretKey(seed);
    seed.fill(0);
    this.#ecdh = createECDH(params.openssl);
    this.#ecdh.setPrivateKey(secretKey);
    secretKey.fill(0);
    this.publicKey = plain(this.#ecdh.getPublicKey(null, "uncompressed"));
  }

  computeSharedSecret(peerPublicKey: Uint8Array): Uint8Array {
    const { name, fieldLength } = this.#params;
    const expected = 1 + 2 * fieldLength;
    const invalid = (why: string, cause?: unknown) =>
      invalidPublicKey(`${name}: the peer's public key ${why} (RFC 5656 §4: it MUST be a valid point)`, cause);
    if (peerPublicKey.length !== expected || peerPublicKey[0] !== 0x04) {
      throw invalid(
        `is not an uncompressed ${expected}-byte SEC1 point (${peerPublicKey.length} bytes, prefix ${peerPublicKey[0] ?? "none"})`,
      );
    }
    let x: Buffer;
    try {
      x = this.#ecdh.computeSecret(peerPublicKey);
    } catch (cause) {
      throw invalid("is not a point on the curve", cause);
    }
    const encoded = encodeWith((w) => w.mpintUnsigned(x), 4 + fieldLength + 1);
    x.fill(0);
    return encoded;
  }
}

function nistKex(params: NistParams, bits: 256 | 384 | 512): KexAlgorithm {
  return Object.freeze({
    name: params.name,
    publicKeyEncoding: "string",
    groupExchange: false,
    hash: sha(bits),
    createClient: (random: RandomBytes): KexClientExchange => new NodeNistEcdhExchange(params, random),
    createServer: (random: RandomBytes): KexServerExchange => new NodeNistEcdhExchange(params, random),
  });
}

export const nodeEcdhSha2Nistp256: KexAlgorithm = nistKex(
  { name: "ecdh-sha2-nistp256", openssl: "prime256v1", noble: p256, fieldLength: 32 },
  256,
);
export const nodeEcdhSha2Nistp384: KexAlgorithm = nistKex(
  { name: "ecdh-sha2-nistp384", openssl: "secp384r1", noble: p384, fieldLength: 48 },
  384,
);
export const nodeEcdhSha2Nistp521: KexAlgorithm = nistKex(
  { name: "ecdh-sha2-nistp521", openssl: "secp521r1", noble: p521, fieldLength: 66 },
  512,
);
