/**
 * Signature verification on node:crypto, with the acceptance rules of @purssh/crypto's noble
 * versions: the blobs are parsed by @purssh/crypto's own strict parsers (whole-blob, minimal mpints,
 * the key-size and exponent policy, the curve and algorithm names), and only the arithmetic moves to
 * OpenSSL.
 *
 * - rsa-sha2-256, rsa-sha2-512 (RFC 8332) and the legacy ssh-rsa (RFC 4253 §6.6, SHA-1):
 *   RSASSA-PKCS1-v1_5 (RFC 8017 §8.2.2) with a public key built as a JWK from the blob's n and e.
 *   As in OpenSSH's ssh-rsa.c and the noble version, a signature shorter than the modulus is
 *   left-padded with zeros and a longer one refused; the signature's name must be the algorithm's.
 * - ecdsa-sha2-nistp256/384/521 (RFC 5656 §3.1): the point must be on the algorithm's own curve and
 *   1 ≤ r, s < n (checked by the parser); r ‖ s go to OpenSSL in the IEEE P1363 fixed-width form.
 *
 * verify() returns false for any malformed input and never throws on peer data.
 * @module
 */
import { constants, createPublicKey, verify } from "node:crypto";
import {
  parseEcdsaPublicKeyBlob,
  parseEcdsaSignatureBlob,
  parseRsaPublicKeyBlob,
  parseRsaSignatureBlob,
  rsaModulusLength,
  type SignatureAlgorithm,
} from "@purssh/crypto";
import { concatBytes } from "@purssh/wire";
import { base64url, fixedWidth, minimalBytes } from "./bytes.js";

type RsaName = "ssh-rsa" | "rsa-sha2-256" | "rsa-sha2-512";

const RSA_HASH: Readonly<Record<RsaName, string>> = {
  "ssh-rsa": "sha1",
  "rsa-sha2-256": "sha256",
  "rsa-sha2-512": "sha512",
};

function rsaAlgorithm(name: RsaName): SignatureAlgorithm {
  const hash = RSA_HASH[name];
  return Object.freeze({
    name,
    keyType: "ssh-rsa",
    verify(publicKeyBlob: Uint8Array, signatureBlob: Uint8Array, data: Uint8Array): boolean {
      try {
        const key = parseRsaPublicKeyBlob(publicKeyBlob);
        const sig = parseRsaSignatureBlob(signatureBlob);
        if (key === undefined || sig === undefined || sig.algorithm !== name) return false;
        const k = rsaModulusLength(key.n);
        if (sig.signature.length > k) return false;
        const s = new Uint8Array(k);
        s.set(sig.signature, k - sig.signature.length);
        const publicKey = createPublicKey({
          key: { kty: "RSA", n: base64url(fixedWidth(key.n, k)), e: base64url(minimalBytes(key.e)) },
          format: "jwk",
        });
        return verify(hash, data, { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, s);
      } catch {
        return false;
      }
    },
  });
}

export const nodeRsaSha2256: SignatureAlgorithm = rsaAlgorithm("rsa-sha2-256");
export const nodeRsaSha2512: SignatureAlgorithm = rsaAlgorithm("rsa-sha2-512");
/** Legacy, opt-in: SHA-1 (see @purssh/crypto's insecureSshRsaSha1). */
export const nodeInsecureSshRsaSha1: SignatureAlgorithm = rsaAlgorithm("ssh-rsa");

interface EcdsaParams {
  readonly identifier: "nistp256" | "nistp384" | "nistp521";
  /** JWK curve name (RFC 7518 §6.2.1.1). */
  readonly jwk: "P-256" | "P-384" | "P-521";
  /** RFC 5656 §6.2.1: the hash by curve size. */
  readonly hash: "sha256" | "sha384" | "sha512";
  /** Bytes of a coordinate and of a scalar (the same for these curves). */
  readonly length: number;
}

function ecdsaAlgorithm(p: EcdsaParams): SignatureAlgorithm {
  const name = `ecdsa-sha2-${p.identifier}`;
  return Object.freeze({
    name,
    keyType: name,
    verify(publicKeyBlob: Uint8Array, signatureBlob: Uint8Array, data: Uint8Array): boolean {
      try {
        const key = parseEcdsaPublicKeyBlob(publicKeyBlob);
        const sig = parseEcdsaSignatureBlob(signatureBlob);
        if (key?.curve !== p.identifier || sig?.curve !== p.identifier) return false;
        const { point } = key;
        const publicKey = createPublicKey({
          key: {
            kty: "EC",
            crv: p.jwk,
            x: base64url(point.subarray(1, 1 + p.length)),
            y: base64url(point.subarray(1 + p.length)),
          },
          format: "jwk",
        });
        const rs = concatBytes(fixedWidth(sig.r, p.length), fixedWidth(sig.s, p.length));
        return verify(p.hash, data, { key: publicKey, dsaEncoding: "ieee-p1363" }, rs);
      } catch {
        return false;
      }
    },
  });
}

export const nodeEcdsaSha2Nistp256: SignatureAlgorithm = ecdsaAlgorithm({
  identifier: "nistp256",
  jwk: "P-256",
  hash: "sha256",
  length: 32,
});
export const nodeEcdsaSha2Nistp384: SignatureAlgorithm = ecdsaAlgorithm({
  identifier: "nistp384",
  jwk: "P-384",
  hash: "sha384",
  length: 48,
});
export const nodeEcdsaSha2Nistp521: SignatureAlgorithm = ecdsaAlgorithm({
  identifier: "nistp521",
  jwk: "P-521",
  hash: "sha512",
  length: 66,
});
