/**
 * The ASN.1 key structures of the PEM formats, decoded with der.ts into SSH keys:
 *
 *   RSAPrivateKey        PKCS#1, RFC 8017 App. A.1.2 (`BEGIN RSA PRIVATE KEY`), two-prime only
 *   RSAPublicKey         PKCS#1, RFC 8017 App. A.1.1 (`BEGIN RSA PUBLIC KEY`)
 *   ECPrivateKey         SEC 1 §C.4 / RFC 5915 §3 (`BEGIN EC PRIVATE KEY`), named curves only
 *   PrivateKeyInfo       PKCS#8, RFC 5208 §5 / OneAsymmetricKey RFC 5958 §2 (`BEGIN PRIVATE KEY`)
 *                        for rsaEncryption (RFC 8017 App. A.1), id-ecPublicKey (RFC 5480 §2.1.1)
 *                        and id-Ed25519 (RFC 8410 §7: the key is an OCTET STRING of the seed)
 *   SubjectPublicKeyInfo RFC 5280 §4.1.2.7 (`BEGIN PUBLIC KEY`), same three algorithms
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { equalBytes } from "@purssh/wire";
import { bytesToBigint } from "./bigint.js";
import { DerReader, derSequence } from "./der.js";
import { curveByOid, type EcdsaCurveInfo, validateEcdsaPoint } from "./ecdsa-curves.js";
import { ecdsaPrivateKey } from "./ecdsa-key.js";
import { KEY_ERROR, KeyError } from "./errors.js";
import { checkRsaPublic, encodePublicKeyBlob, SSH_ED25519, SSH_RSA } from "./key-blobs.js";
import { ED25519_SEED_LENGTH, ed25519PrivateKeyFromSeed, type PrivateKey } from "./private-key.js";
import { type PublicKey, parsePublicKeyBlob } from "./public-key.js";
import { rsaPrivateKey } from "./rsa-key.js";

/** Algorithm OIDs: RFC 8017 App. A.1, RFC 5480 §2.1.1, RFC 8410 §3. */
export const OID = {
  rsaEncryption: "1.2.840.113549.1.1.1",
  ecPublicKey: "1.2.840.10045.2.1",
  ed25519: "1.3.101.112",
  dsa: "1.2.840.10040.4.1",
} as const;

/** Largest RSA component we read (16,384-bit modulus, see key-blobs.ts). */
const RSA_MAX_BYTES = 2048;

function curveOf(oid: string, what: string): EcdsaCurveInfo {
  const curve = curveByOid(oid);
  if (curve === undefined) {
    throw new KeyError(
      KEY_ERROR.UNSUPPORTED_TYPE,
      `${what} uses elliptic curve ${oid}; SSH ECDSA keys are on P-256, P-384 or P-521 (RFC 5656 §10.1)`,
    );
  }
  return curve;
}

function unsupportedAlgorithm(oid: string, what: string): KeyError {
  const name = oid === OID.dsa ? "DSA (not supported: OpenSSH removed ssh-dss)" : oid;
  return new KeyError(
    KEY_ERROR.UNSUPPORTED_TYPE,
    `${what} holds a key of algorithm ${name}; supported: RSA, EC (P-256/384/521), Ed25519`,
  );
}

/** RFC 8017 App. A.1.2 RSAPrivateKey (version 0, two primes). */
export function rsaPrivateKeyFromPkcs1(der: Uint8Array, what = "PKCS#1 RSAPrivateKey"): PrivateKey {
  const r = derSequence(der, what);
  const version = r.smallInteger("version");
  if (version !== 0) {
    throw new KeyError(
      KEY_ERROR.UNSUPPORTED_TYPE,
      `${what} has version ${version}; multi-prime RSA keys are not supported`,
    );
  }
  const n = r.integer("modulus", RSA_MAX_BYTES);
  const e = r.integer("publicExponent", RSA_MAX_BYTES);
  const d = r.integer("privateExponent", RSA_MAX_BYTES);
  const p = r.integer("prime1", RSA_MAX_BYTES);
  const q = r.integer("prime2", RSA_MAX_BYTES);
  const dp = r.integer("exponent1", RSA_MAX_BYTES);
  const dq = r.integer("exponent2", RSA_MAX_BYTES);
  const iqmp = r.integer("coefficient", RSA_MAX_BYTES);
  r.expectEnd(what);
  checkRsaPublic(e, n, what);
  if (p <= 1n || q <= 1n || dp !== d % (p - 1n) || dq !== d % (q - 1n)) {
    throw new KeyError(
      KEY_ERROR.PARSE,
      `${what} is inconsistent: exponent1/exponent2 are not d mod (p − 1), d mod (q − 1)`,
    );
  }
  return rsaPrivateKey({ n, e, d, p, q, iqmp }, "", what);
}

/** RFC 8017 App. A.1.1 RSAPublicKey. */
function rsaPublicFromPkcs1(der: Uint8Array, what: string): PublicKey {
  const r = derSequence(der, what);
  const n = r.integer("modulus", RSA_MAX_BYTES);
  const e = r.integer("publicExponent", RSA_MAX_BYTES);
  r.expectEnd(what);
  checkRsaPublic(e, n, what);
  return parsePublicKeyBlob(encodePublicKeyBlob({ kind: "rsa", type: SSH_RSA, e, n }));
}

/** `BEGIN RSA PUBLIC KEY` (what `ssh-keygen -e -m PEM` writes for RSA keys). */
export function publicKeyFromPkcs1(der: Uint8Array): PublicKey {
  return rsaPublicFromPkcs1(der, "PKCS#1 RSAPublicKey");
}

/**
 * SEC 1 §C.4 ECPrivateKey: version 1, privateKey OCTET STRING, [0] named curve, [1] public point.
 * `outerCurve` is the curve from a PKCS#8 AlgorithmIdentifier; one of the two must name it, and
 * they must agree when both do.
 */
export function ecPrivateKeyFromSec1(
  der: Uint8Array,
  outerCurve?: EcdsaCurveInfo,
  what = "SEC 1 ECPrivateKey",
): PrivateKey {
  const r = derSequence(der, what);
  const version = r.smallInteger("version");
  if (version !== 1) throw new KeyError(KEY_ERROR.PARSE, `${what} has version ${version}, RFC 5915 requires 1`);
  const scalar = r.octetString("privateKey");
  let curve = outerCurve;
  const params = r.optionalContext(0, "parameters");
  if (params !== undefined) {
    const inner = curveOf(params.oid("namedCurve"), what);
    params.expectEnd("parameters");
    if (curve !== undefined && curve !== inner) {
      throw new KeyError(KEY_ERROR.PARSE, `${what} names curve ${inner.name} inside and ${curve.name} outside`);
    }
    curve = inner;
  }
  const publicKey = r.optionalContext(1, "publicKey");
  let point: Uint8Array | undefined;
  if (publicKey !== undefined) {
    point = publicKey.bitString("publicKey");
    publicKey.expectEnd("publicKey");
  }
  r.expectEnd(what);
  if (curve === undefined) throw new KeyError(KEY_ERROR.PARSE, `${what} does not name its curve`);
  if (scalar.length === 0 || scalar.length > curve.fieldBytes) {
    throw new KeyError(KEY_ERROR.PARSE, `${what}: a ${scalar.length}-byte private key does not fit ${curve.name}`);
  }
  return ecdsaPrivateKey(curve.name, bytesToBigint(scalar), "", point, what);
}

/** AlgorithmIdentifier (RFC 5280 §4.1.1.2): the OID and a reader positioned at the parameters. */
function readAlgorithm(r: DerReader, name: string): { oid: string; params: DerReader } {
  const alg = r.sequence(name);
  return { oid: alg.oid(`${name} algorithm`), params: alg };
}

/** RFC 5958 §2 OneAsymmetricKey (v1 = RFC 5208 PrivateKeyInfo, v2 adds [1] publicKey). */
export function privateKeyFromPkcs8(der: Uint8Array, what = "PKCS#8 PrivateKeyInfo"): PrivateKey {
  const r = derSequence(der, what);
  const version = r.smallInteger("version");
  if (version !== 0 && version !== 1) throw new KeyError(KEY_ERROR.PARSE, `${what} has version ${version}`);
  const { oid, params } = readAlgorithm(r, "privateKeyAlgorithm");
  const privateKey = r.octetString("privateKey");
  if (r.peekTag() === 0xa0) r.skip("attributes"); // [0] IMPLICIT Attributes
  let publicKey: Uint8Array | undefined;
  if (version === 1 && r.peekTag() === 0x81) {
    // [1] IMPLICIT BIT STRING: first content byte is the unused-bits count.
    const bits = r.read(0x81, "publicKey");
    if (bits[0] !== 0) throw new KeyError(KEY_ERROR.PARSE, `${what}: publicKey has unused bits`);
    publicKey = bits.subarray(1);
  }
  r.expectEnd(what);
  switch (oid) {
    case OID.rsaEncryption:
      params.null("rsaEncryption parameters");
      params.expectEnd("rsaEncryption parameters");
      return rsaPrivateKeyFromPkcs1(privateKey, `${what} (RSA)`);
    case OID.ecPublicKey: {
      const curve = curveOf(params.oid("namedCurve"), what);
      params.expectEnd("id-ecPublicKey parameters");
      return ecPrivateKeyFromSec1(privateKey, curve, `${what} (EC)`);
    }
    case OID.ed25519: {
      params.expectEnd("id-Ed25519 parameters"); // RFC 8410 §3: parameters MUST be absent
      const inner = curvePrivateKey(privateKey, `${what} (Ed25519) CurvePrivateKey`);
      if (inner.length !== ED25519_SEED_LENGTH) {
        throw new KeyError(KEY_ERROR.PARSE, `${what}: an Ed25519 private key is 32 bytes, got ${inner.length}`);
      }
      if (publicKey !== undefined && !equalBytes(publicKey, ed25519.getPublicKey(inner))) {
        throw new KeyError(KEY_ERROR.PARSE, `${what} is inconsistent: publicKey is not derived from the private key`);
      }
      return ed25519PrivateKeyFromSeed(inner);
    }
    default:
      throw unsupportedAlgorithm(oid, what);
  }
}

/** RFC 8410 §7 CurvePrivateKey ::= OCTET STRING, the whole of a PKCS#8 privateKey field. */
function curvePrivateKey(der: Uint8Array, what: string): Uint8Array {
  const r = new DerReader(der, what);
  const seed = r.octetString("CurvePrivateKey");
  r.expectEnd(what);
  return seed;
}

/** RFC 5280 §4.1.2.7 SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`) as an SSH public key. */
export function publicKeyFromSpki(der: Uint8Array, what = "SubjectPublicKeyInfo"): PublicKey {
  const r = derSequence(der, what);
  const { oid, params } = readAlgorithm(r, "algorithm");
  const key = r.bitString("subjectPublicKey");
  r.expectEnd(what);
  switch (oid) {
    case OID.rsaEncryption:
      params.null("rsaEncryption parameters");
      params.expectEnd("rsaEncryption parameters");
      return rsaPublicFromPkcs1(key, `${what} (RSA)`);
    case OID.ecPublicKey: {
      const curve = curveOf(params.oid("namedCurve"), what);
      params.expectEnd("id-ecPublicKey parameters");
      validateEcdsaPoint(curve, key, what);
      return parsePublicKeyBlob(
        encodePublicKeyBlob({ kind: "ecdsa", type: curve.keyType, curve: curve.name, point: key }),
      );
    }
    case OID.ed25519:
      params.expectEnd("id-Ed25519 parameters");
      if (key.length !== 32) throw new KeyError(KEY_ERROR.PARSE, `${what}: an Ed25519 public key is 32 bytes`);
      return parsePublicKeyBlob(encodePublicKeyBlob({ kind: "ed25519", type: SSH_ED25519, publicKey: key }));
    default:
      throw unsupportedAlgorithm(oid, what);
  }
}
