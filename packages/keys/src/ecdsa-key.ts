/**
 * ecdsa-sha2-nistp256/384/521 signing keys (RFC 5656 §3): a private scalar 1 ≤ d < n on one of
 * the curves of ecdsa-curves.ts, whose public point d·G is recomputed and compared with the one a
 * key file stores. Signatures (RFC 5656 §3.1.2: `string name ‖ string (mpint r ‖ mpint s)`, hashed
 * with SHA-256/384/512 by curve, RFC 6979 deterministic nonces) come from @purssh/crypto.
 * @module
 */
import { signEcdsa } from "@purssh/crypto";
import { equalBytes } from "@purssh/wire";
import { bytesToBigint } from "./bigint.js";
import {
  ECDSA_CURVE_INFO,
  type EcdsaCurveName,
  ecdsaPublicPoint,
  ecdsaScalarBytes,
  validateEcdsaPoint,
} from "./ecdsa-curves.js";
import { KEY_ERROR, KeyError } from "./errors.js";
import { encodePublicKeyBlob } from "./key-blobs.js";
import { createPrivateKey, type PrivateKey } from "./private-key.js";

/**
 * An ECDSA private key from its scalar (a bigint, or big-endian bytes of any length). When the
 * source stores the public point too, pass it as `expectedPoint`: a mismatch is ERR_KEY_PARSE.
 */
export function ecdsaPrivateKey(
  curveName: EcdsaCurveName,
  scalar: bigint | Uint8Array,
  comment = "",
  expectedPoint?: Uint8Array,
  what = "ECDSA private key",
): PrivateKey {
  const curve = ECDSA_CURVE_INFO[curveName];
  const d = typeof scalar === "bigint" ? scalar : bytesToBigint(scalar);
  const secret = ecdsaScalarBytes(curve, d, what);
  const point = ecdsaPublicPoint(curve, secret);
  if (expectedPoint !== undefined) {
    validateEcdsaPoint(curve, expectedPoint, what);
    if (!equalBytes(point, expectedPoint)) {
      throw new KeyError(KEY_ERROR.PARSE, `${what} is inconsistent: the public point is not d·G`);
    }
  }
  return createPrivateKey(
    curve.keyType,
    encodePublicKeyBlob({ kind: "ecdsa", type: curve.keyType, curve: curveName, point }),
    comment,
    [curve.keyType],
    (data) => signEcdsa(curveName, secret, data),
    { kind: "ecdsa", curve: curveName, d, point },
  );
}
