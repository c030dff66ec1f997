/**
 * PEM private and public keys (RFC 7468 textual encoding; RFC 1421 headers for OpenSSL's legacy
 * encryption), by armor label:
 *
 *   RSA PRIVATE KEY          PKCS#1 RSAPrivateKey, optionally Proc-Type/DEK-Info encrypted
 *   EC PRIVATE KEY           SEC 1 ECPrivateKey, optionally Proc-Type/DEK-Info encrypted; a
 *                            leading `EC PARAMETERS` block (openssl ecparam -genkey) is skipped
 *   PRIVATE KEY              PKCS#8 PrivateKeyInfo (RSA, EC, Ed25519)
 *   ENCRYPTED PRIVATE KEY    PKCS#8 EncryptedPrivateKeyInfo (PBES2)
 *   PUBLIC KEY               SubjectPublicKeyInfo (RFC 7468 §13)
 *   RSA PUBLIC KEY           PKCS#1 RSAPublicKey (`ssh-keygen -e -m PEM`)
 *
 * PEM keys carry no comment; parsed keys have comment "".
 * @module
 */
import { utf8Encode } from "@purssh/wire";
import { decodeArmor } from "./armor.js";
import {
  ecPrivateKeyFromSec1,
  privateKeyFromPkcs8,
  publicKeyFromPkcs1,
  publicKeyFromSpki,
  rsaPrivateKeyFromPkcs1,
} from "./asn1-keys.js";
import { KEY_ERROR, KeyError } from "./errors.js";
import { decryptLegacyPem, decryptPkcs8 } from "./pem-encryption.js";
import type { PrivateKey } from "./private-key.js";
import type { PublicKey } from "./public-key.js";

const WHAT = "PEM private key";

const EC_PARAMETERS = /^\s*-----BEGIN EC PARAMETERS-----[\s\S]*?-----END EC PARAMETERS-----\s*(?=-----BEGIN )/;

function passphraseBytes(passphrase: string | Uint8Array | undefined): Uint8Array | undefined {
  return typeof passphrase === "string" ? utf8Encode(passphrase) : passphrase;
}

/**
 * Runs `parse` over decrypted bytes: if decryption used a passphrase, a structure that does not
 * parse means the passphrase was wrong (CBC padding is right by chance 1 time in ~256). The
 * decrypted bytes are wiped afterwards: the key holds its own copies.
 */
function afterDecryption<T>(decrypted: Uint8Array, encrypted: boolean, parse: () => T, what: string): T {
  if (!encrypted) return parse();
  try {
    return parse();
  } catch (e) {
    if (e instanceof KeyError && (e.code === KEY_ERROR.PARSE || e.code === KEY_ERROR.TRUNCATED)) {
      throw new KeyError(KEY_ERROR.BAD_PASSPHRASE, `wrong passphrase: the ${what} does not decrypt to a key`, {
        cause: e,
      });
    }
    throw e;
  } finally {
    decrypted.fill(0);
  }
}

/**
 * Parses a PEM private key (PKCS#1, SEC 1, PKCS#8, encrypted PKCS#8, legacy-encrypted PKCS#1 and
 * SEC 1). Errors: ERR_KEY_ENCRYPTED (no passphrase), ERR_KEY_BAD_PASSPHRASE,
 * ERR_KEY_UNSUPPORTED_CIPHER (e.g. DES-EDE3-CBC), ERR_KEY_KDF_LIMIT, ERR_KEY_UNSUPPORTED_TYPE
 * (DSA, other curves), ERR_KEY_UNSUPPORTED_FORMAT (another label), ERR_KEY_TRUNCATED,
 * ERR_KEY_PARSE.
 */
export function parsePemPrivateKey(text: string, passphrase?: string | Uint8Array): PrivateKey {
  const { label, body, headers } = decodeArmor(text.replace(EC_PARAMETERS, ""), WHAT, { allowHeaders: true });
  const pass = passphraseBytes(passphrase);
  const legacy = (what: string) => decryptLegacyPem(headers, body, pass, what);
  const noHeaders = () => {
    if (headers.size > 0) throw new KeyError(KEY_ERROR.PARSE, `"${label}" PEM blocks have no headers (RFC 7468 §2)`);
  };
  switch (label) {
    case "RSA PRIVATE KEY": {
      const der = legacy("PEM RSA private key");
      return afterDecryption(der, headers.size > 0, () => rsaPrivateKeyFromPkcs1(der), "PEM RSA private key");
    }
    case "EC PRIVATE KEY": {
      const der = legacy("PEM EC private key");
      return afterDecryption(der, headers.size > 0, () => ecPrivateKeyFromSec1(der), "PEM EC private key");
    }
    case "PRIVATE KEY":
      noHeaders();
      return privateKeyFromPkcs8(body);
    case "ENCRYPTED PRIVATE KEY": {
      noHeaders();
      const der = decryptPkcs8(body, pass);
      return afterDecryption(der, true, () => privateKeyFromPkcs8(der), "encrypted PKCS#8 key");
    }
    case "DSA PRIVATE KEY":
      throw new KeyError(KEY_ERROR.UNSUPPORTED_TYPE, "DSA private keys are not supported: OpenSSH removed ssh-dss");
    default:
      throw new KeyError(
        KEY_ERROR.UNSUPPORTED_FORMAT,
        `"-----BEGIN ${label}-----" is not a PEM private key format we read ` +
          "(RSA PRIVATE KEY, EC PRIVATE KEY, PRIVATE KEY, ENCRYPTED PRIVATE KEY)",
      );
  }
}

/** Parses `BEGIN PUBLIC KEY` (SubjectPublicKeyInfo) or `BEGIN RSA PUBLIC KEY` (PKCS#1). */
export function parsePemPublicKey(text: string): PublicKey {
  const { label, body } = decodeArmor(text, "PEM public key");
  if (label === "PUBLIC KEY") return publicKeyFromSpki(body);
  if (label === "RSA PUBLIC KEY") return publicKeyFromPkcs1(body);
  throw new KeyError(
    KEY_ERROR.UNSUPPORTED_FORMAT,
    `"-----BEGIN ${label}-----" is not a PEM public key (PUBLIC KEY or RSA PUBLIC KEY)`,
  );
}
