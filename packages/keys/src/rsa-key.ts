/**
 * ssh-rsa signing keys: RFC 8017 §3.2 private keys (n, e, d, p, q and qInv = q⁻¹ mod p, which
 * OpenSSH and PuTTY call iqmp) that sign with rsa-sha2-512, rsa-sha2-256 (RFC 8332 §3) or ssh-rsa
 * (SHA-1, RFC 4253 §6.6), RSASSA-PKCS1-v1_5 from @purssh/crypto. Every key file format gives the
 * same components, so the consistency checks live here: p·q = n, e·d ≡ 1 modulo p − 1 and q − 1,
 * q·qInv ≡ 1 mod p, and the modulus size policy of key-blobs.ts.
 * @module
 */
import { rsaSignatureBlob, rsaSignPkcs1v15 } from "@purssh/crypto";
import { modInverse } from "./bigint.js";
import { KEY_ERROR, KeyError } from "./errors.js";
import { checkRsaPublic, encodePublicKeyBlob, SSH_RSA } from "./key-blobs.js";
import { createPrivateKey, type PrivateKey } from "./private-key.js";

/** RFC 8332 §3 names, strongest first; the key blob type stays "ssh-rsa" for all three. */
export const RSA_SIGNATURE_ALGORITHMS = ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] as const;
export type RsaSignatureAlgorithm = (typeof RSA_SIGNATURE_ALGORITHMS)[number];

const HASH_OF: Readonly<Record<RsaSignatureAlgorithm, "sha512" | "sha256" | "sha1">> = {
  "rsa-sha2-512": "sha512",
  "rsa-sha2-256": "sha256",
  "ssh-rsa": "sha1",
};

/** RSA private key components (RFC 8017 §3.2); `iqmp` is derived from p and q when absent. */
export interface RsaPrivateComponents {
  readonly n: bigint;
  readonly e: bigint;
  readonly d: bigint;
  readonly p: bigint;
  readonly q: bigint;
  readonly iqmp?: bigint;
}

function inconsistent(what: string, detail: string): KeyError {
  return new KeyError(KEY_ERROR.PARSE, `${what} is inconsistent: ${detail}`);
}

/**
 * An ssh-rsa private key from its components, after checking that they belong together. `what`
 * names the source in error messages (e.g. "OpenSSH private key").
 */
export function rsaPrivateKey(components: RsaPrivateComponents, comment = "", what = "RSA private key"): PrivateKey {
  const { n, e, d, p, q } = components;
  checkRsaPublic(e, n, what);
  if (p <= 1n || q <= 1n || p * q !== n) throw inconsistent(what, "p × q is not the modulus n");
  if (d <= 1n || d >= n) throw inconsistent(what, "the private exponent d is out of range");
  if ((e * d) % (p - 1n) !== 1n || (e * d) % (q - 1n) !== 1n) {
    throw inconsistent(what, "e × d is not 1 modulo p − 1 and q − 1");
  }
  const iqmp = components.iqmp ?? modInverse(q, p);
  if (iqmp === undefined || iqmp <= 0n || iqmp >= p || (iqmp * q) % p !== 1n) {
    throw inconsistent(what, "iqmp is not the inverse of q modulo p");
  }
  const dp = d % (p - 1n);
  const dq = d % (q - 1n);
  const key = { n, e, d, p, q, dp, dq, qinv: iqmp };
  return createPrivateKey(
    SSH_RSA,
    encodePublicKeyBlob({ kind: "rsa", type: SSH_RSA, e, n }),
    comment,
    RSA_SIGNATURE_ALGORITHMS,
    (data, algorithm) => {
      const alg = algorithm as RsaSignatureAlgorithm;
      return rsaSignatureBlob(alg, rsaSignPkcs1v15(key, HASH_OF[alg], data));
    },
    { kind: "rsa", n, e, d, p, q, iqmp },
  );
}
