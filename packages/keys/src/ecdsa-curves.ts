/**
 * The elliptic curves of SSH ECDSA keys (RFC 5656 §6.1 and §10.1: nistp256, nistp384, nistp521,
 * hashed with SHA-256/384/512), with their ASN.1 object identifiers (RFC 5480 §2.1.1.1, SEC 2
 * §2.4.2, §2.5.1, §2.6.1) for the PEM formats, and validation of points (SEC 1 §2.3.3 octet
 * strings, uncompressed as OpenSSH writes them) and private scalars (1 ≤ d < n).
 * @module
 */
import { p256, p384, p521 } from "@noble/curves/nist.js";
import { bigintToBytes } from "./bigint.js";
import { KEY_ERROR, KeyError } from "./errors.js";

/** RFC 5656 §10.1 curve identifiers. */
export const ECDSA_CURVES = ["nistp256", "nistp384", "nistp521"] as const;
export type EcdsaCurveName = (typeof ECDSA_CURVES)[number];
/** RFC 5656 §6.2 key type names, `ecdsa-sha2-[identifier]`. */
export type EcdsaKeyType = `ecdsa-sha2-${EcdsaCurveName}`;

type NobleCurve = typeof p256;

export interface EcdsaCurveInfo {
  readonly name: EcdsaCurveName;
  readonly keyType: EcdsaKeyType;
  /** Field element size in bytes: 32, 48, 66; points are 1 + 2·size bytes. */
  readonly fieldBytes: number;
  /** ASN.1 namedCurve OID (RFC 5480 §2.1.1.1). */
  readonly oid: string;
  /** The curve order n. */
  readonly order: bigint;
  readonly noble: NobleCurve;
}

export const ECDSA_CURVE_INFO: Readonly<Record<EcdsaCurveName, EcdsaCurveInfo>> = {
  nistp256: {
    name: "nistp256",
    keyType: "ecdsa-sha2-nistp256",
    fieldBytes: 32,
    oid: "1.2.840.10045.3.1.7",
    order: p256.Point.Fn.ORDER,
    noble: p256,
  },
  nistp384: {
    name: "nistp384",
    keyType: "ecdsa-sha2-nistp384",
    fieldBytes: 48,
    oid: "1.3.132.0.34",
    order: p384.Point.Fn.ORDER,
    noble: p384,
  },
  nistp521: {
    name: "nistp521",
    keyType: "ecdsa-sha2-nistp521",
    fieldBytes: 66,
    oid: "1.3.132.0.35",
    order: p521.Point.Fn.ORDER,
    noble: p521,
  },
};

export function isEcdsaCurveName(name: string): name is EcdsaCurveName {
  return (ECDSA_CURVES as readonly string[]).includes(name);
}

export function isEcdsaKeyType(type: string): type is EcdsaKeyType {
  return type.startsWith("ecdsa-sha2-") && isEcdsaCurveName(type.slice("ecdsa-sha2-".length));
}

/** The curve of an `ecdsa-sha2-*` key type. */
export function curveOfKeyType(type: EcdsaKeyType): EcdsaCurveInfo {
  return ECDSA_CURVE_INFO[type.slice("ecdsa-sha2-".length) as EcdsaCurveName];
}

/** The curve with ASN.1 OID `oid`, or undefined. */
export function curveByOid(oid: string): EcdsaCurveInfo | undefined {
  return Object.values(ECDSA_CURVE_INFO).find((c) => c.oid === oid);
}

/**
 * Checks that `point` is an uncompressed SEC 1 point (0x04 ‖ X ‖ Y) on the curve and not the
 * point at infinity (RFC 5656 §3.1; OpenSSH sshkey_ec_validate_public). `what` names the key.
 */
export function validateEcdsaPoint(curve: EcdsaCurveInfo, point: Uint8Array, what: string): void {
  const want = 1 + 2 * curve.fieldBytes;
  if (point.length !== want || point[0] !== 0x04) {
    throw new KeyError(
      KEY_ERROR.PARSE,
      `${what}: the ${curve.name} public point must be ${want} bytes starting 0x04 (SEC 1 uncompressed), ` +
        `got ${point.length} bytes starting 0x${(point[0] ?? 0).toString(16).padStart(2, "0")}`,
    );
  }
  try {
    curve.noble.Point.fromBytes(point).assertValidity();
  } catch (cause) {
    throw new KeyError(KEY_ERROR.PARSE, `${what}: the public point is not on curve ${curve.name}`, { cause });
  }
}

/** The private scalar as a fixed-width big-endian byte string, after checking 1 ≤ d < n. */
export function ecdsaScalarBytes(curve: EcdsaCurveInfo, d: bigint, what: string): Uint8Array {
  if (d < 1n || d >= curve.order) {
    throw new KeyError(KEY_ERROR.PARSE, `${what}: the ${curve.name} private scalar is out of range (1 ≤ d < n)`);
  }
  return bigintToBytes(d, curve.fieldBytes);
}

/** The uncompressed public point d·G. */
export function ecdsaPublicPoint(curve: EcdsaCurveInfo, scalar: Uint8Array): Uint8Array {
  return curve.noble.getPublicKey(scalar, false);
}
