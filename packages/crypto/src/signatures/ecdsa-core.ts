/**
 * The ECDSA machinery shared by ecdsa-sha2-nistp* (RFC 5656 §3.1) and
 * sk-ecdsa-sha2-nistp256@openssh.com (OpenSSH PROTOCOL.u2f): the three NIST curves with their
 * RFC 5656 §6.2.1 hash, point validation (SEC 1 §2.3.4 / RFC 5656 §3.1: uncompressed points only,
 * as OpenSSH accepts), and verification of an (r, s) pair over a digest. Internal.
 *
 * Like OpenSSH (OpenSSL's ECDSA_do_verify) we accept any s in [1, n − 1]: SSH has no low-S rule,
 * and noble's low-S default is switched off on both sides.
 * @module
 */
import { p256, p384, p521 } from "@noble/curves/nist.js";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import { concatBytes, encodeWith, SshError, type SshReader, utf8Encode } from "@purssh/wire";
import { i2osp } from "../rsa/arithmetic.js";
import { readUnsignedMpint } from "./ssh-blob.js";

/** RFC 5656 §6.1 curve identifiers (the second string of the key blob). */
export type EcdsaCurveName = "nistp256" | "nistp384" | "nistp521";

type NobleEcdsa = typeof p256;

export interface EcdsaCurve {
  readonly identifier: EcdsaCurveName;
  readonly identifierBytes: Uint8Array;
  readonly curve: NobleEcdsa;
  /** RFC 5656 §6.2.1: SHA-256 for ≤ 256-bit curves, SHA-384 up to 384 bits, SHA-512 above. */
  readonly hash: (data: Uint8Array) => Uint8Array;
  /** Bytes of a scalar (the group order n): 32, 48, 66. */
  readonly scalarLength: number;
  /** Bytes of an uncompressed point 0x04 ‖ X ‖ Y. */
  readonly pointLength: number;
  readonly order: bigint;
}

function spec(identifier: EcdsaCurveName, curve: NobleEcdsa, hash: (d: Uint8Array) => Uint8Array): EcdsaCurve {
  return Object.freeze({
    identifier,
    identifierBytes: utf8Encode(identifier),
    curve,
    hash,
    scalarLength: curve.Point.Fn.BYTES,
    pointLength: 1 + 2 * curve.Point.Fp.BYTES,
    order: curve.Point.Fn.ORDER,
  });
}

export const ECDSA_CURVES: Readonly<Record<EcdsaCurveName, EcdsaCurve>> = Object.freeze({
  nistp256: spec("nistp256", p256, sha256),
  nistp384: spec("nistp384", p384, sha384),
  nistp521: spec("nistp521", p521, sha512),
});

/** The curve of a name, or throws ERR_CRYPTO_UNKNOWN_CURVE (for callers passing a string). */
export function ecdsaCurve(name: EcdsaCurveName): EcdsaCurve {
  const c = Object.hasOwn(ECDSA_CURVES, name) ? ECDSA_CURVES[name] : undefined;
  if (c === undefined) throw new SshError("ERR_CRYPTO_UNKNOWN_CURVE", `not an ECDSA curve identifier: ${String(name)}`);
  return c;
}

/** True when `point` is an uncompressed SEC 1 encoding of a point on the curve other than infinity. */
export function isValidEcPoint(c: EcdsaCurve, point: Uint8Array): boolean {
  if (point.length !== c.pointLength || point[0] !== 0x04) return false;
  try {
    const P = c.curve.Point.fromBytes(point);
    P.assertValidity();
    return !P.is0();
  } catch {
    return false;
  }
}

/** Reads RFC 5656 §3.1.2 `mpint r ‖ mpint s` (the body of the signature string); both in [1, n − 1]. */
export function readEcdsaRS(r: SshReader, c: EcdsaCurve): { r: bigint; s: bigint } | undefined {
  const sigR = readUnsignedMpint(r, c.scalarLength);
  const sigS = readUnsignedMpint(r, c.scalarLength);
  if (sigR === undefined || sigS === undefined) return undefined;
  if (sigR < 1n || sigR >= c.order || sigS < 1n || sigS >= c.order) return undefined;
  return { r: sigR, s: sigS };
}

/** RFC 5656 §3.1.2: the encoding `mpint r ‖ mpint s` (without the enclosing string). */
export function encodeEcdsaRS(r: bigint, s: bigint): Uint8Array {
  return encodeWith((w) => w.mpint(r).mpint(s));
}

/** SEC 1 §4.1.4 verification of (r, s) over an already computed digest; false on any failure. */
export function verifyEcdsaDigest(c: EcdsaCurve, point: Uint8Array, r: bigint, s: bigint, digest: Uint8Array): boolean {
  try {
    const compact = concatBytes(i2osp(r, c.scalarLength), i2osp(s, c.scalarLength));
    return c.curve.verify(compact, digest, point, { prehash: false, lowS: false, format: "compact" });
  } catch {
    return false;
  }
}

/**
 * A private scalar as fixed-width bytes: accepts any big-endian length (an OpenSSH key stores it as
 * an mpint, so it may be shorter or carry a zero sign byte) and requires 1 ≤ d < n.
 */
export function normalizeScalar(c: EcdsaCurve, privateScalar: Uint8Array): Uint8Array {
  let start = 0;
  while (start < privateScalar.length && privateScalar[start] === 0) start++;
  const magnitude = privateScalar.subarray(start);
  if (magnitude.length === 0 || magnitude.length > c.scalarLength) {
    throw new SshError("ERR_CRYPTO_KEY_LENGTH", `an ECDSA ${c.identifier} private scalar must be in [1, n − 1]`);
  }
  const fixed = new Uint8Array(c.scalarLength);
  fixed.set(magnitude, c.scalarLength - magnitude.length);
  if (!c.curve.utils.isValidSecretKey(fixed)) {
    throw new SshError("ERR_CRYPTO_KEY_LENGTH", `an ECDSA ${c.identifier} private scalar must be in [1, n − 1]`);
  }
  return fixed;
}
