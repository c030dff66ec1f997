/**
 * Passphrase encryption of PEM private keys:
 *
 *   EncryptedPrivateKeyInfo (PKCS#8, RFC 5958 §3) with PBES2 (RFC 8018 §6.2, App. A.4): PBKDF2
 *   (RFC 8018 §5.2, App. A.2) with HMAC-SHA-1/224/256/384/512 (App. B.1) or scrypt (RFC 7914 §7),
 *   and AES-128/192/256-CBC with PKCS#7 padding (App. B.2.5, RFC 8018 §6.1.1 step 4).
 *
 *   OpenSSL's legacy PEM encryption (RFC 1421 headers, as `ssh-keygen -m PEM -N pass` writes):
 *   `Proc-Type: 4,ENCRYPTED` and `DEK-Info: AES-128-CBC,<IV hex>`; the key is OpenSSL's
 *   EVP_BytesToKey with MD5, one iteration and the first 8 IV bytes as salt:
 *   D_1 = MD5(pass ‖ salt), D_i = MD5(D_{i−1} ‖ pass ‖ salt), key = D_1 ‖ D_2 ‖ … truncated.
 *
 * A wrong passphrase shows as bad padding or as plaintext that is not DER; both are
 * ERR_KEY_BAD_PASSPHRASE. DES and 3DES (openssl's `-des3`) and PBES1 are ERR_KEY_UNSUPPORTED_CIPHER.
 * @module
 */
import { cbc } from "@noble/ciphers/aes.js";
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { pbkdf2 } from "@noble/hashes/pbkdf2.js";
import { scrypt } from "@noble/hashes/scrypt.js";
import { sha224, sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import type { CHash } from "@noble/hashes/utils.js";
import { fromHex } from "@purssh/wire";
import { type DerReader, derSequence } from "./der.js";
import { KEY_ERROR, KeyError } from "./errors.js";

/** Most PBKDF2 iterations we run (OpenSSL writes 2,048; 10^7 is seconds of work). */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;
/** Most memory scrypt may use, 128·r·N bytes (openssl's default is 16 MiB). */
export const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;

const PBES2 = "1.2.840.113549.1.5.13";
const PBKDF2 = "1.2.840.113549.1.5.12";
const SCRYPT = "1.3.6.1.4.1.11591.4.11";

/** RFC 8018 App. B.1 PRFs. */
const PRFS: Readonly<Record<string, { name: string; hash: CHash }>> = {
  "1.2.840.113549.2.7": { name: "hmacWithSHA1", hash: sha1 },
  "1.2.840.113549.2.8": { name: "hmacWithSHA224", hash: sha224 },
  "1.2.840.113549.2.9": { name: "hmacWithSHA256", hash: sha256 },
  "1.2.840.113549.2.10": { name: "hmacWithSHA384", hash: sha384 },
  "1.2.840.113549.2.11": { name: "hmacWithSHA512", hash: sha512 },
};

/** RFC 8018 App. B.2.5 (NIST OIDs): AES-CBC-Pad, parameters = 16-byte IV. */
const AES_CBC: Readonly<Record<string, { name: string; keyLength: number }>> = {
  "2.16.840.1.101.3.4.1.2": { name: "aes128-CBC", keyLength: 16 },
  "2.16.840.1.101.3.4.1.22": { name: "aes192-CBC", keyLength: 24 },
  "2.16.840.1.101.3.4.1.42": { name: "aes256-CBC", keyLength: 32 },
};

/** Schemes we recognise but do not implement (no DES in @noble/ciphers; PBES1 is obsolete). */
const KNOWN_UNSUPPORTED: Readonly<Record<string, string>> = {
  "1.2.840.113549.3.7": "des-EDE3-CBC",
  "1.3.14.3.2.7": "desCBC",
  "1.2.840.113549.3.2": "rc2CBC",
  "1.2.840.113549.1.5.3": "PBES1 pbeWithMD5AndDES-CBC",
  "1.2.840.113549.1.5.10": "PBES1 pbeWithSHA1AndDES-CBC",
  "1.2.840.113549.1.12.1.3": "PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC",
  "1.2.840.113549.1.12.1.6": "PKCS#12 pbeWithSHAAnd40BitRC2-CBC",
};

function unsupported(oid: string, role: string): KeyError {
  const known = KNOWN_UNSUPPORTED[oid];
  return new KeyError(
    KEY_ERROR.UNSUPPORTED_CIPHER,
    `encrypted PKCS#8 key uses ${role} ${known ?? oid}, which is not supported ` +
      "(supported: PBES2 with PBKDF2 or scrypt and AES-128/192/256-CBC); re-encrypt it with " +
      "`openssl pkcs8 -topk8 -v2 aes-256-cbc`",
  );
}

/** RFC 8018 §6.1.1 step 4 / RFC 5652 §6.3: strip PKCS#7 padding; undefined when it is wrong. */
function unpad(plain: Uint8Array): Uint8Array | undefined {
  const n = plain[plain.length - 1] ?? 0;
  if (n < 1 || n > 16 || n > plain.length) return undefined;
  for (let i = plain.length - n; i < plain.length; i++) if (plain[i] !== n) return undefined;
  return plain.subarray(0, plain.length - n);
}

/** AES-CBC decryption with PKCS#7 padding; undefined for a wrong key (bad padding). */
export function aesCbcDecryptPadded(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array | undefined {
  if (data.length === 0 || data.length % 16 !== 0) return undefined;
  return unpad(cbc(key, iv, { disablePadding: true }).decrypt(data));
}

function badPassphrase(what: string): KeyError {
  return new KeyError(KEY_ERROR.BAD_PASSPHRASE, `wrong passphrase: the ${what} does not decrypt`);
}

interface Kdf {
  derive(passphrase: Uint8Array, keyLength: number): Uint8Array;
  /** Key length fixed by the parameters, if any. */
  readonly keyLength?: number;
}

function readPbkdf2(params: DerReader): Kdf {
  const p = params.sequence("PBKDF2-params");
  if (p.peekTag() !== 0x04) throw unsupported("otherSource", "PBKDF2 salt source");
  const salt = p.octetString("salt");
  const iterations = p.smallInteger("iterationCount");
  let keyLength: number | undefined;
  if (p.peekTag() === 0x02) keyLength = p.smallInteger("keyLength");
  let prf = PRFS["1.2.840.113549.2.7"] as { name: string; hash: CHash };
  if (!p.atEnd) {
    const alg = p.sequence("prf");
    const oid = alg.oid("prf algorithm");
    const found = PRFS[oid];
    if (found === undefined) throw unsupported(oid, "PBKDF2 PRF");
    if (!alg.atEnd) alg.null("prf parameters");
    alg.expectEnd("prf");
    prf = found;
  }
  p.expectEnd("PBKDF2-params");
  if (iterations < 1) throw new KeyError(KEY_ERROR.PARSE, "PBKDF2 iterationCount must be at least 1");
  if (iterations > MAX_PBKDF2_ITERATIONS) {
    throw new KeyError(
      KEY_ERROR.KDF_LIMIT,
      `PBKDF2 asks for ${iterations} iterations; at most ${MAX_PBKDF2_ITERATIONS} are allowed`,
    );
  }
  return {
    keyLength,
    derive: (passphrase, dkLen) => pbkdf2(prf.hash, passphrase, salt, { c: iterations, dkLen }),
  };
}

/** RFC 7914 §7.1 scrypt-params. */
function readScrypt(params: DerReader): Kdf {
  const p = params.sequence("scrypt-params");
  const salt = p.octetString("salt");
  const N = p.smallInteger("costParameter");
  const r = p.smallInteger("blockSize");
  const parallel = p.smallInteger("parallelizationParameter");
  let keyLength: number | undefined;
  if (!p.atEnd) keyLength = p.smallInteger("keyLength");
  p.expectEnd("scrypt-params");
  if (N < 2 || (N & (N - 1)) !== 0 || r < 1 || parallel < 1) {
    throw new KeyError(KEY_ERROR.PARSE, `scrypt parameters N=${N} r=${r} p=${parallel} are invalid (RFC 7914 §2)`);
  }
  if (128 * r * N > MAX_SCRYPT_MEMORY || parallel > 16) {
    throw new KeyError(
      KEY_ERROR.KDF_LIMIT,
      `scrypt N=${N} r=${r} p=${parallel} needs more than the ${MAX_SCRYPT_MEMORY / 2 ** 20} MiB / 16 lanes we allow`,
    );
  }
  return {
    keyLength,
    derive: (passphrase, dkLen) =>
      scrypt(passphrase, salt, { N, r, p: parallel, dkLen, maxmem: MAX_SCRYPT_MEMORY + 1024 * 1024 }),
  };
}

/**
 * Decrypts an EncryptedPrivateKeyInfo (RFC 5958 §3) and returns the DER of the inner
 * PrivateKeyInfo. The result is checked only to be padded correctly and to start like a DER
 * SEQUENCE; the caller's PKCS#8 parse is the rest of the check (a failure there is also
 * reported as a wrong passphrase). Structure is checked before a missing passphrase is
 * reported (ERR_KEY_ENCRYPTED).
 */
export function decryptPkcs8(der: Uint8Array, passphrase: Uint8Array | undefined): Uint8Array {
  const what = "PKCS#8 EncryptedPrivateKeyInfo";
  const r = derSequence(der, what);
  const alg = r.sequence("encryptionAlgorithm");
  const scheme = alg.oid("encryptionAlgorithm algorithm");
  if (scheme !== PBES2) throw unsupported(scheme, "encryption scheme");
  const pbes2 = alg.sequence("PBES2-params");
  alg.expectEnd("encryptionAlgorithm");
  const kdfAlg = pbes2.sequence("keyDerivationFunc");
  const kdfOid = kdfAlg.oid("keyDerivationFunc algorithm");
  let kdf: Kdf;
  if (kdfOid === PBKDF2) kdf = readPbkdf2(kdfAlg);
  else if (kdfOid === SCRYPT) kdf = readScrypt(kdfAlg);
  else throw unsupported(kdfOid, "key derivation function");
  kdfAlg.expectEnd("keyDerivationFunc");
  const encAlg = pbes2.sequence("encryptionScheme");
  const encOid = encAlg.oid("encryptionScheme algorithm");
  const cipher = AES_CBC[encOid];
  if (cipher === undefined) throw unsupported(encOid, "cipher");
  const iv = encAlg.octetString("AES-CBC IV");
  encAlg.expectEnd("encryptionScheme");
  pbes2.expectEnd("PBES2-params");
  const encrypted = r.octetString("encryptedData");
  r.expectEnd(what);
  if (iv.length !== 16)
    throw new KeyError(KEY_ERROR.PARSE, `${what}: the ${cipher.name} IV is ${iv.length} bytes, not 16`);
  if (kdf.keyLength !== undefined && kdf.keyLength !== cipher.keyLength) {
    throw new KeyError(KEY_ERROR.PARSE, `${what}: keyLength ${kdf.keyLength} does not fit ${cipher.name}`);
  }
  if (encrypted.length === 0 || encrypted.length % 16 !== 0) {
    throw new KeyError(KEY_ERROR.PARSE, `${what}: encryptedData is ${encrypted.length} bytes, not whole AES blocks`);
  }
  if (passphrase === undefined) {
    throw new KeyError(
      KEY_ERROR.ENCRYPTED,
      `this PKCS#8 private key is passphrase-protected (${cipher.name}); pass its passphrase`,
    );
  }
  const key = kdf.derive(passphrase, cipher.keyLength);
  const plain = aesCbcDecryptPadded(key, iv, encrypted);
  key.fill(0);
  if (plain === undefined || plain[0] !== 0x30) throw badPassphrase("encrypted PKCS#8 key");
  return plain;
}

/** OpenSSL EVP_BytesToKey(MD5, salt, passphrase, count 1) — the legacy PEM key derivation. */
export function evpBytesToKeyMd5(passphrase: Uint8Array, salt: Uint8Array, keyLength: number): Uint8Array {
  const out = new Uint8Array(keyLength);
  let previous = new Uint8Array(0);
  for (let filled = 0; filled < keyLength; ) {
    const input = new Uint8Array(previous.length + passphrase.length + salt.length);
    input.set(previous);
    input.set(passphrase, previous.length);
    input.set(salt, previous.length + passphrase.length);
    previous = md5(input);
    out.set(previous.subarray(0, keyLength - filled), filled);
    filled += previous.length;
  }
  return out;
}

/** DEK-Info algorithms OpenSSL writes (`PEM_write_bio_PrivateKey` with EVP_aes_*_cbc). */
const LEGACY_AES: Readonly<Record<string, number>> = { "AES-128-CBC": 16, "AES-192-CBC": 24, "AES-256-CBC": 32 };

/**
 * Decrypts the body of a legacy encrypted PEM block given its RFC 1421 headers; returns the body
 * unchanged when the headers do not say it is encrypted. `passphrase` undefined →
 * ERR_KEY_ENCRYPTED.
 */
export function decryptLegacyPem(
  headers: ReadonlyMap<string, string>,
  body: Uint8Array,
  passphrase: Uint8Array | undefined,
  what: string,
): Uint8Array {
  const procType = headers.get("Proc-Type");
  if (procType === undefined) {
    if (headers.size > 0) throw new KeyError(KEY_ERROR.PARSE, `${what} has PEM headers but no Proc-Type`);
    return body;
  }
  if (procType.replace(/\s+/g, "") !== "4,ENCRYPTED") {
    throw new KeyError(KEY_ERROR.PARSE, `${what} has Proc-Type ${JSON.stringify(procType)}, expected "4,ENCRYPTED"`);
  }
  const dekInfo = /^([A-Za-z0-9-]+),([0-9A-Fa-f]+)$/.exec((headers.get("DEK-Info") ?? "").trim());
  if (dekInfo === null) throw new KeyError(KEY_ERROR.PARSE, `${what} is encrypted but has no valid DEK-Info header`);
  const algorithm = (dekInfo[1] as string).toUpperCase();
  const keyLength = LEGACY_AES[algorithm];
  if (keyLength === undefined) {
    throw new KeyError(
      KEY_ERROR.UNSUPPORTED_CIPHER,
      `${what} is encrypted with ${algorithm}, which is not supported (supported: ${Object.keys(LEGACY_AES).join(", ")}); ` +
        "re-encrypt it with `ssh-keygen -p -f <file>`",
    );
  }
  const iv = fromHex(dekInfo[2] as string);
  if (iv.length !== 16) throw new KeyError(KEY_ERROR.PARSE, `${what}: DEK-Info IV is ${iv.length} bytes, not 16`);
  if (body.length === 0 || body.length % 16 !== 0) {
    throw new KeyError(KEY_ERROR.PARSE, `${what}: the encrypted body is ${body.length} bytes, not whole AES blocks`);
  }
  if (passphrase === undefined) {
    throw new KeyError(KEY_ERROR.ENCRYPTED, `this ${what} is passphrase-protected (${algorithm}); pass its passphrase`);
  }
  const key = evpBytesToKeyMd5(passphrase, iv.subarray(0, 8), keyLength);
  const plain = aesCbcDecryptPadded(key, iv, body);
  key.fill(0);
  if (plain === undefined || plain[0] !== 0x30) throw badPassphrase(what);
  return plain;
}
