/**
 * ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521 (RFC 5656 §3.1, §6.2.1):
 *   public key blob  string "ecdsa-sha2-[identifier]" ‖ string [identifier] ‖ string Q
 *                    (Q an uncompressed SEC 1 point; RFC 5656 §3.1)
 *   signature blob   string "ecdsa-sha2-[identifier]" ‖ string (mpint r ‖ mpint s)   (§3.1.2)
 * with SHA-256 / SHA-384 / SHA-512 by curve size (§6.2.1).
 *
 * Verification rejects a curve identifier that does not match the algorithm, compressed or
 * off-curve points, r or s outside [1, n − 1], negative or non-minimal mpints, and trailing bytes
 * in the blob or inside the signature string. It does not require low s (OpenSSH does not either).
 * Signing uses RFC 6979 deterministic nonces (noble's default), so no signature depends on the
 * quality of a random source, and P-521 nonces are drawn over the full order (CVE-2024-31497).
 * @module
 */
import { encodeWith, SshError, utf8Encode } from "@purssh/wire";
import type { SignatureAlgorithm } from "../types.js";
import {
  ECDSA_CURVES,
  type EcdsaCurve,
  type EcdsaCurveName,
  ecdsaCurve,
  encodeEcdsaRS,
  isValidEcPoint,
  normalizeScalar,
  readEcdsaRS,
  verifyEcdsaDigest,
} from "./ecdsa-core.js";
import { parseWhole, readExpected } from "./ssh-blob.js";

export type { EcdsaCurveName } from "./ecdsa-core.js";

export const ECDSA_SHA2_NISTP256 = "ecdsa-sha2-nistp256";
export const ECDSA_SHA2_NISTP384 = "ecdsa-sha2-nistp384";
export const ECDSA_SHA2_NISTP521 = "ecdsa-sha2-nistp521";

/** The RFC 5656 §6.2 algorithm name of a curve ("ecdsa-sha2-" + identifier). */
export function ecdsaAlgorithmName(curve: EcdsaCurveName): string {
  return `ecdsa-sha2-${ecdsaCurve(curve).identifier}`;
}

const NAMES: Readonly<Record<EcdsaCurveName, Uint8Array>> = {
  nistp256: utf8Encode(ECDSA_SHA2_NISTP256),
  nistp384: utf8Encode(ECDSA_SHA2_NISTP384),
  nistp521: utf8Encode(ECDSA_SHA2_NISTP521),
};

/**
 * RFC 5656 §3.1: the SSH public key blob of an uncompressed point (0x04 ‖ X ‖ Y). Throws
 * ERR_CRYPTO_BAD_POINT unless the point is on the curve.
 */
export function ecdsaPublicKeyBlob(curve: EcdsaCurveName, point: Uint8Array): Uint8Array {
  const c = ecdsaCurve(curve);
  if (!isValidEcPoint(c, point)) {
    throw new SshError("ERR_CRYPTO_BAD_POINT", `not an uncompressed point on ${c.identifier} (${point.length} bytes)`);
  }
  return encodeWith((w) => w.string(NAMES[curve]).string(c.identifierBytes).string(point));
}

/** The uncompressed public point (0x04 ‖ X ‖ Y) of a private scalar d (big-endian, 1 ≤ d < n). */
export function ecdsaPublicKey(curve: EcdsaCurveName, privateScalar: Uint8Array): Uint8Array {
  const c = ecdsaCurve(curve);
  return c.curve.getPublicKey(normalizeScalar(c, privateScalar), false);
}

/** RFC 5656 §3.1.2: the SSH signature blob of (r, s). Throws unless 1 ≤ r, s < n. */
export function ecdsaSignatureBlob(curve: EcdsaCurveName, r: bigint, s: bigint): Uint8Array {
  const c = ecdsaCurve(curve);
  if (r < 1n || r >= c.order || s < 1n || s >= c.order) {
    throw new SshError("ERR_CRYPTO_RANGE", `ECDSA r and s must be in [1, n − 1] for ${c.identifier}`);
  }
  return encodeWith((w) => w.string(NAMES[curve]).string(encodeEcdsaRS(r, s)));
}

/**
 * Signs `data` (RFC 5656 §3.1.2: hash by curve, RFC 6979 deterministic nonce) with the private
 * scalar d, given as big-endian bytes of any length (an OpenSSH key's mpint magnitude works);
 * returns the SSH signature blob. Throws ERR_CRYPTO_KEY_LENGTH unless 1 ≤ d < n.
 */
export function signEcdsa(curve: EcdsaCurveName, privateScalar: Uint8Array, data: Uint8Array): Uint8Array {
  const c = ecdsaCurve(curve);
  const d = normalizeScalar(c, privateScalar);
  const compact = c.curve.sign(c.hash(data), d, { prehash: false, lowS: false, format: "compact" });
  const sig = c.curve.Signature.fromBytes(compact, "compact");
  return ecdsaSignatureBlob(curve, sig.r, sig.s);
}

/** The curve and point inside an ecdsa-sha2-* key blob, or undefined if it is malformed or invalid. */
export function parseEcdsaPublicKeyBlob(blob: Uint8Array): { curve: EcdsaCurveName; point: Uint8Array } | undefined {
  for (const c of Object.values(ECDSA_CURVES)) {
    const point = parseKeyBlob(c, blob);
    if (point !== undefined) return { curve: c.identifier, point };
  }
  return undefined;
}

/** (r, s) inside an ecdsa-sha2-* signature blob, or undefined if it is malformed or out of range. */
export function parseEcdsaSignatureBlob(blob: Uint8Array): { curve: EcdsaCurveName; r: bigint; s: bigint } | undefined {
  for (const c of Object.values(ECDSA_CURVES)) {
    const rs = parseSignatureBlob(c, blob);
    if (rs !== undefined) return { curve: c.identifier, ...rs };
  }
  return undefined;
}

function parseKeyBlob(c: EcdsaCurve, blob: Uint8Array): Uint8Array | undefined {
  return parseWhole(blob, (r) => {
    if (!readExpected(r, NAMES[c.identifier])) return undefined;
    if (!readExpected(r, c.identifierBytes)) return undefined; // RFC 5656 §3.1: must match the name
    const point = r.string();
    return isValidEcPoint(c, point) ? point : undefined;
  });
}

function parseSignatureBlob(c: EcdsaCurve, blob: Uint8Array): { r: bigint; s: bigint } | undefined {
  return parseWhole(blob, (r) => {
    if (!readExpected(r, NAMES[c.identifier])) return undefined;
    return parseWhole(r.string(), (inner) => readEcdsaRS(inner, c));
  });
}

function algorithm(curve: EcdsaCurveName): SignatureAlgorithm {
  const c = ECDSA_CURVES[curve];
  const name = ecdsaAlgorithmName(curve);
  return Object.freeze({
    name,
    keyType: name,
    verify(publicKeyBlob: Uint8Array, signatureBlob: Uint8Array, data: Uint8Array): boolean {
      const point = parseKeyBlob(c, publicKeyBlob);
      const rs = parseSignatureBlob(c, signatureBlob);
      if (point === undefined || rs === undefined) return false;
      return verifyEcdsaDigest(c, point, rs.r, rs.s, c.hash(data));
    },
  });
}

export const ecdsaSha2Nistp256: SignatureAlgorithm = algorithm("nistp256");
export const ecdsaSha2Nistp384: SignatureAlgorithm = algorithm("nistp384");
export const ecdsaSha2Nistp521: SignatureAlgorithm = algorithm("nistp521");
