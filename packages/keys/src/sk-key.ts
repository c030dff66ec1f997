/**
 * FIDO/U2F security keys (OpenSSH PROTOCOL.u2f): sk-ssh-ed25519@openssh.com and
 * sk-ecdsa-sha2-nistp256@openssh.com. The private key file holds only the public key, the
 * application string, flags and the token's key handle; the private key never leaves the
 * hardware, so these keys can be parsed, written and listed, but `sign()` throws
 * ERR_KEY_SECURITY_KEY_REQUIRED: signing needs the token (OpenSSH's ssh-sk-helper).
 * @module
 */
import { ECDSA_CURVE_INFO, validateEcdsaPoint } from "./ecdsa-curves.js";
import { KEY_ERROR, KeyError } from "./errors.js";
import { ED25519_PUBLIC_KEY_LENGTH, encodePublicKeyBlob, SK_ECDSA_NISTP256, SK_SSH_ED25519 } from "./key-blobs.js";
import { createPrivateKey, type PrivateKey, type SecurityKeyFields } from "./private-key.js";

/** The public half of a security key: Ed25519 key or P-256 point. */
export type SecurityKeyPublic =
  | { readonly kind: "sk-ed25519"; readonly publicKey: Uint8Array }
  | { readonly kind: "sk-ecdsa"; readonly point: Uint8Array };

/** A security-key private key: its public key, application, flags and key handle. */
export function securityKeyPrivateKey(pub: SecurityKeyPublic, fields: SecurityKeyFields, comment = ""): PrivateKey {
  const fieldsCopy: SecurityKeyFields = {
    application: fields.application,
    flags: fields.flags,
    keyHandle: fields.keyHandle.slice(),
    reserved: fields.reserved.slice(),
  };
  if (!Number.isInteger(fields.flags) || fields.flags < 0 || fields.flags > 255) {
    throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, `security key flags are a byte, got ${fields.flags}`);
  }
  const type = pub.kind === "sk-ed25519" ? SK_SSH_ED25519 : SK_ECDSA_NISTP256;
  let blob: Uint8Array;
  if (pub.kind === "sk-ed25519") {
    if (pub.publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
      throw new KeyError(KEY_ERROR.PARSE, `${type} key holds a ${pub.publicKey.length}-byte public key, expected 32`);
    }
    blob = encodePublicKeyBlob({
      kind: "sk-ed25519",
      type: SK_SSH_ED25519,
      publicKey: pub.publicKey,
      application: fields.application,
    });
  } else {
    validateEcdsaPoint(ECDSA_CURVE_INFO.nistp256, pub.point, `${type} key`);
    blob = encodePublicKeyBlob({
      kind: "sk-ecdsa",
      type: SK_ECDSA_NISTP256,
      curve: "nistp256",
      point: pub.point,
      application: fields.application,
    });
  }
  const material =
    pub.kind === "sk-ed25519"
      ? { kind: "sk-ed25519" as const, publicKey: pub.publicKey.slice(), ...fieldsCopy }
      : { kind: "sk-ecdsa" as const, curve: "nistp256" as const, point: pub.point.slice(), ...fieldsCopy };
  return createPrivateKey(
    type,
    blob,
    comment,
    [type],
    () => {
      throw new KeyError(
        KEY_ERROR.SECURITY_KEY_REQUIRED,
        `a ${type} key signs on its FIDO security key (application ${JSON.stringify(fields.application)}); ` +
          "the key file holds only a key handle, so signing needs the hardware token (use ssh-agent or ssh-sk-helper)",
      );
    },
    material,
  );
}
