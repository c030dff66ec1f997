/**
 * Key generation for the elliptic-curve key types: ssh-ed25519 (RFC 8709; a random 32-byte
 * RFC 8032 seed) and ecdsa-sha2-nistp256/384/521 (RFC 5656; a random scalar 1 ≤ d < n drawn by
 * noble's `randomSecretKey`, which reduces 64 extra bits so the bias is negligible, FIPS 186-5
 * A.2.1). RSA keys come from `generateRsaKey` (rsa-keygen.ts). All randomness comes from
 * `crypto.getRandomValues`.
 * @module
 */
import { ECDSA_CURVE_INFO, type EcdsaCurveName, isEcdsaCurveName } from "./ecdsa-curves.js";
import { ecdsaPrivateKey } from "./ecdsa-key.js";
import { KEY_ERROR, KeyError } from "./errors.js";
import { generateEd25519Key, type PrivateKey } from "./private-key.js";

export type GenerateKeyOptions =
  | { readonly type: "ed25519"; readonly comment?: string }
  | { readonly type: "ecdsa"; readonly curve?: EcdsaCurveName; readonly comment?: string };

/** A new random key: `{ type: "ed25519" }` or `{ type: "ecdsa", curve: "nistp256" (default) }`. */
export function generateKey(options: GenerateKeyOptions): PrivateKey {
  const comment = options.comment ?? "";
  switch (options.type) {
    case "ed25519":
      return generateEd25519Key(comment);
    case "ecdsa": {
      const curveName = options.curve ?? "nistp256";
      if (!isEcdsaCurveName(curveName)) {
        throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, `unknown ECDSA curve ${JSON.stringify(curveName)}`);
      }
      const curve = ECDSA_CURVE_INFO[curveName];
      const secret = curve.noble.utils.randomSecretKey();
      try {
        return ecdsaPrivateKey(curveName, secret, comment);
      } finally {
        secret.fill(0);
      }
    }
    default: {
      const never: never = options;
      throw new KeyError(
        KEY_ERROR.INVALID_ARGUMENT,
        `unknown key type ${JSON.stringify((never as { type: unknown }).type)}; use "ed25519", "ecdsa" or generateRsaKey()`,
      );
    }
  }
}
