/**
 * Public key blobs by key type (RFC 4253 §6.6 "string type ‖ type-specific fields"):
 *
 *   ssh-ed25519                          string pk(32)                               RFC 8709 §4
 *   ecdsa-sha2-nistp256/384/521          string curve, string Q                      RFC 5656 §3.1
 *   ssh-rsa                              mpint e, mpint n                            RFC 4253 §6.6
 *   sk-ssh-ed25519@openssh.com           string pk(32), string application          PROTOCOL.u2f
 *   sk-ecdsa-sha2-nistp256@openssh.com   string curve, string Q, string application  PROTOCOL.u2f
 *
 * Each is decoded strictly (no trailing bytes, minimal mpints, points on the curve, RSA moduli of
 * 1,024…16,384 bits as OpenSSH and Go accept); other types stay opaque.
 * @module
 */
import { SshReader, SshWriter } from "@purssh/wire";
import { bitLength } from "./bigint.js";
import {
  curveOfKeyType,
  ECDSA_CURVE_INFO,
  type EcdsaCurveName,
  type EcdsaKeyType,
  isEcdsaKeyType,
  validateEcdsaPoint,
} from "./ecdsa-curves.js";
import { decoding, KEY_ERROR, KeyError } from "./errors.js";

export const SSH_ED25519 = "ssh-ed25519";
export const SSH_RSA = "ssh-rsa";
export const SK_SSH_ED25519 = "sk-ssh-ed25519@openssh.com";
export const SK_ECDSA_NISTP256 = "sk-ecdsa-sha2-nistp256@openssh.com";
export const ED25519_PUBLIC_KEY_LENGTH = 32;

/** OpenSSH SSH_RSA_MINIMUM_MODULUS_SIZE; Go caps at 16,384 bits (CVE-2026-39829). */
export const RSA_MIN_BITS = 1024;
export const RSA_MAX_BITS = 16384;

/** A decoded public key blob. `opaque` is any type this package does not interpret. */
export type PublicKeyParams =
  | { readonly kind: "ed25519"; readonly type: typeof SSH_ED25519; readonly publicKey: Uint8Array }
  | {
      readonly kind: "ecdsa";
      readonly type: EcdsaKeyType;
      readonly curve: EcdsaCurveName;
      /** SEC 1 uncompressed point 0x04 ‖ X ‖ Y. */
      readonly point: Uint8Array;
    }
  | { readonly kind: "rsa"; readonly type: typeof SSH_RSA; readonly e: bigint; readonly n: bigint }
  | {
      readonly kind: "sk-ed25519";
      readonly type: typeof SK_SSH_ED25519;
      readonly publicKey: Uint8Array;
      /** FIDO application (relying party) string, "ssh:" by default. */
      readonly application: string;
    }
  | {
      readonly kind: "sk-ecdsa";
      readonly type: typeof SK_ECDSA_NISTP256;
      readonly curve: "nistp256";
      readonly point: Uint8Array;
      readonly application: string;
    }
  | { readonly kind: "opaque"; readonly type: string };

export function checkRsaPublic(e: bigint, n: bigint, what: string): void {
  const bits = bitLength(n);
  if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
    throw new KeyError(
      KEY_ERROR.PARSE,
      `${what}: RSA modulus of ${bits} bits is outside the ${RSA_MIN_BITS}…${RSA_MAX_BITS} bits OpenSSH accepts`,
    );
  }
  if ((n & 1n) === 0n) throw new KeyError(KEY_ERROR.PARSE, `${what}: RSA modulus is even`);
  if (e < 3n || (e & 1n) === 0n || bitLength(e) > 32 || e >= n) {
    throw new KeyError(KEY_ERROR.PARSE, `${what}: RSA public exponent ${e} is not an odd number ≥ 3 below 2^32`);
  }
}

function readPositiveMpint(r: SshReader, what: string, field: string): bigint {
  const v = r.mpint();
  if (v <= 0n) throw new KeyError(KEY_ERROR.PARSE, `${what}: RSA ${field} is not positive`);
  return v;
}

function readCurve(r: SshReader, type: EcdsaKeyType | typeof SK_ECDSA_NISTP256, what: string): EcdsaCurveName {
  const curve = r.utf8();
  const expected = type === SK_ECDSA_NISTP256 ? "nistp256" : type.slice("ecdsa-sha2-".length);
  if (curve !== expected) {
    throw new KeyError(
      KEY_ERROR.PARSE,
      `${what}: a ${type} key names curve ${JSON.stringify(curve.slice(0, 40))}, RFC 5656 §3.1 requires "${expected}"`,
    );
  }
  return expected as EcdsaCurveName;
}

function readEd25519Key(r: SshReader, what: string): Uint8Array {
  const pk = r.string();
  if (pk.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw new KeyError(
      KEY_ERROR.PARSE,
      `${what} holds a ${pk.length}-byte key, RFC 8709 §4 requires ${ED25519_PUBLIC_KEY_LENGTH}`,
    );
  }
  return pk.slice();
}

/**
 * Decodes the type-specific fields after the type name (already read from `r`). Leaves `r` at
 * the end of the known fields; the caller checks for trailing bytes.
 */
export function readPublicKeyFields(r: SshReader, type: string, what: string): PublicKeyParams {
  if (type === SSH_ED25519) return { kind: "ed25519", type, publicKey: readEd25519Key(r, `${what} (${type})`) };
  if (isEcdsaKeyType(type)) {
    const curve = readCurve(r, type, what);
    const point = r.string().slice();
    validateEcdsaPoint(curveOfKeyType(type), point, what);
    return { kind: "ecdsa", type, curve, point };
  }
  if (type === SSH_RSA) {
    const e = readPositiveMpint(r, what, "exponent e");
    const n = readPositiveMpint(r, what, "modulus n");
    checkRsaPublic(e, n, what);
    return { kind: "rsa", type, e, n };
  }
  if (type === SK_SSH_ED25519) {
    const publicKey = readEd25519Key(r, `${what} (${type})`);
    return { kind: "sk-ed25519", type, publicKey, application: r.utf8() };
  }
  if (type === SK_ECDSA_NISTP256) {
    readCurve(r, type, what);
    const point = r.string().slice();
    validateEcdsaPoint(ECDSA_CURVE_INFO.nistp256, point, what);
    return { kind: "sk-ecdsa", type, curve: "nistp256", point, application: r.utf8() };
  }
  return { kind: "opaque", type };
}

/** Decodes a whole blob whose type name is `type` (read by the caller); rejects trailing bytes. */
export function decodeKnownBlob(blob: Uint8Array, what: string): PublicKeyParams {
  return decoding(what, () => {
    const r = new SshReader(blob);
    const type = r.utf8();
    const params = readPublicKeyFields(r, type, what);
    if (params.kind !== "opaque") r.expectEnd(what);
    return params;
  });
}

/** Encodes the blob of decoded params (the inverse of `readPublicKeyFields`); not for opaque keys. */
export function encodePublicKeyBlob(params: Exclude<PublicKeyParams, { kind: "opaque" }>): Uint8Array {
  const w = new SshWriter(128).utf8(params.type);
  switch (params.kind) {
    case "ed25519":
      return w.string(params.publicKey).finish();
    case "ecdsa":
      return w.utf8(params.curve).string(params.point).finish();
    case "rsa":
      return w.mpint(params.e).mpint(params.n).finish();
    case "sk-ed25519":
      return w.string(params.publicKey).utf8(params.application).finish();
    case "sk-ecdsa":
      return w.utf8(params.curve).string(params.point).utf8(params.application).finish();
    default: {
      const never: never = params;
      throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, `cannot encode key params ${JSON.stringify(never)}`);
    }
  }
}

/** Key size in bits as `ssh-keygen -l` prints it: 256 for Ed25519, the curve or modulus size. */
export function paramsBits(params: PublicKeyParams): number | undefined {
  switch (params.kind) {
    case "ed25519":
    case "sk-ed25519":
      return 256;
    case "ecdsa":
    case "sk-ecdsa":
      return params.curve === "nistp521" ? 521 : Number(params.curve.slice(5));
    case "rsa":
      return bitLength(params.n);
    case "opaque":
      return undefined;
    default: {
      const never: never = params;
      return never;
    }
  }
}
