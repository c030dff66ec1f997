/**
 * Host-key signature algorithms for OpenSSH certificates (PROTOCOL.certkeys,
 * draft-miller-ssh-cert): `*-cert-v01@openssh.com`. During key exchange (RFC 4253 §8) the server
 * proves possession of the *certified* key, so verification rebuilds the plain public-key blob from
 * the certificate and checks the signature with the base algorithm. Whether the certificate itself
 * is trusted (CA signature, validity, principals) is the host-key policy's decision, made with
 * @purssh/keys' certificate verification.
 * @module
 */
import { SshReader, SshWriter } from "@purssh/wire";
import type { SignatureAlgorithm } from "../types.js";

/** Certificate key types: the plain key type and how many public-key fields follow the nonce. */
const CERT_TYPES: Record<string, { plainType: string; fields: number }> = {
  "ssh-ed25519-cert-v01@openssh.com": { plainType: "ssh-ed25519", fields: 1 },
  "ecdsa-sha2-nistp256-cert-v01@openssh.com": { plainType: "ecdsa-sha2-nistp256", fields: 2 },
  "ecdsa-sha2-nistp384-cert-v01@openssh.com": { plainType: "ecdsa-sha2-nistp384", fields: 2 },
  "ecdsa-sha2-nistp521-cert-v01@openssh.com": { plainType: "ecdsa-sha2-nistp521", fields: 2 },
  "ssh-rsa-cert-v01@openssh.com": { plainType: "ssh-rsa", fields: 2 },
  "sk-ssh-ed25519-cert-v01@openssh.com": { plainType: "sk-ssh-ed25519@openssh.com", fields: 2 },
  "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com": { plainType: "sk-ecdsa-sha2-nistp256@openssh.com", fields: 3 },
};

/**
 * The plain public-key blob certified by an OpenSSH certificate blob (type ‖ nonce ‖ key fields
 * ‖ …), or undefined when the blob is not a well-formed certificate of a known type.
 */
export function certifiedKeyBlob(certBlob: Uint8Array): Uint8Array | undefined {
  try {
    const r = new SshReader(certBlob);
    const info = CERT_TYPES[r.utf8()];
    if (!info) return undefined;
    r.string(); // nonce
    const w = new SshWriter(certBlob.length).utf8(info.plainType);
    // mpint and string fields share one wire form; copy each as it stands.
    for (let i = 0; i < info.fields; i++) w.string(r.string());
    return w.finish();
  } catch {
    return undefined;
  }
}

/** A certificate host-key algorithm over a base signature algorithm. */
export function certificateSignatureAlgorithm(
  name: string,
  certType: string,
  base: SignatureAlgorithm,
): SignatureAlgorithm {
  return Object.freeze({
    name,
    keyType: certType,
    verify(publicKeyBlob: Uint8Array, signatureBlob: Uint8Array, data: Uint8Array): boolean {
      const plain = certifiedKeyBlob(publicKeyBlob);
      return plain !== undefined && base.verify(plain, signatureBlob, data);
    },
  });
}

/** OpenSSH's certificate host-key algorithm names and their base signature algorithms. */
export const CERTIFICATE_ALGORITHMS: ReadonlyArray<{ name: string; certType: string; base: string }> = [
  { name: "ssh-ed25519-cert-v01@openssh.com", certType: "ssh-ed25519-cert-v01@openssh.com", base: "ssh-ed25519" },
  ...(["256", "384", "521"] as const).map((b) => ({
    name: `ecdsa-sha2-nistp${b}-cert-v01@openssh.com`,
    certType: `ecdsa-sha2-nistp${b}-cert-v01@openssh.com`,
    base: `ecdsa-sha2-nistp${b}`,
  })),
  {
    name: "sk-ssh-ed25519-cert-v01@openssh.com",
    certType: "sk-ssh-ed25519-cert-v01@openssh.com",
    base: "sk-ssh-ed25519@openssh.com",
  },
  {
    name: "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
    certType: "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
    base: "sk-ecdsa-sha2-nistp256@openssh.com",
  },
  { name: "rsa-sha2-512-cert-v01@openssh.com", certType: "ssh-rsa-cert-v01@openssh.com", base: "rsa-sha2-512" },
  { name: "rsa-sha2-256-cert-v01@openssh.com", certType: "ssh-rsa-cert-v01@openssh.com", base: "rsa-sha2-256" },
  { name: "ssh-rsa-cert-v01@openssh.com", certType: "ssh-rsa-cert-v01@openssh.com", base: "ssh-rsa" },
];
