/**
 * A private key presented with an OpenSSH user certificate (PROTOCOL.certkeys; RFC 4252 §7 with
 * the certificate as the public key): the certificate blob goes in the publickey request under a
 * `*-cert-v01@openssh.com` algorithm name, and the signature is made by the certified key with the
 * matching plain algorithm.
 * @module
 */
import { CERTIFICATE_ALGORITHMS } from "@purssh/crypto";
import { equalBytes } from "@purssh/wire";
import type { Certificate } from "./certificate.js";
import { KEY_ERROR, KeyError } from "./errors.js";
import type { PrivateKey } from "./private-key.js";

/** Wraps `key` so that it authenticates with `certificate`, which must certify that key. */
export function certifiedPrivateKey(key: PrivateKey, certificate: Certificate): PrivateKey {
  if (!equalBytes(certificate.publicKey.blob, key.publicKey.blob)) {
    throw new KeyError(KEY_ERROR.TYPE_MISMATCH, "the certificate does not certify this private key");
  }
  const plainFor = new Map<string, string>();
  for (const c of CERTIFICATE_ALGORITHMS) {
    if (c.certType === certificate.type && key.signatureAlgorithms.includes(c.base)) plainFor.set(c.name, c.base);
  }
  if (plainFor.size === 0) {
    throw new KeyError(KEY_ERROR.UNSUPPORTED_TYPE, `no signature algorithm of this key fits a ${certificate.type}`);
  }
  return {
    type: certificate.type,
    publicKey: { type: certificate.type, blob: certificate.blob, comment: certificate.comment },
    signatureAlgorithms: [...plainFor.keys()],
    sign(data: Uint8Array, algorithm?: string): Uint8Array {
      const plain = plainFor.get(algorithm ?? [...plainFor.keys()][0]!);
      if (!plain) {
        throw new KeyError(KEY_ERROR.UNSUPPORTED_ALGORITHM, `a ${certificate.type} cannot sign with ${algorithm}`);
      }
      return key.sign(data, plain);
    },
  };
}
