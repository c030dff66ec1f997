/**
 * What both roles of publickey authentication agree on (RFC 4252 §7): the exact bytes a
 * signature covers, which signature algorithm a key may use (RFC 8332 §3 for ssh-rsa keys,
 * PROTOCOL.certkeys for `*-cert-v01@openssh.com` certificates), the client's choice among them
 * from the server's `server-sig-algs` (RFC 8308 §3.1), and the server's default accepted list.
 * @module
 */
import { CERTIFICATE_ALGORITHMS, DEFAULT_HOST_KEY_ALGORITHMS } from "@purssh/crypto";
import type { Signer } from "@purssh/keys";
import { MSG, SshWriter } from "@purssh/wire";

/**
 * RFC 4252 §7: `string session_id ‖ byte SSH_MSG_USERAUTH_REQUEST ‖ string user ‖ string service
 * ‖ string "publickey" ‖ boolean TRUE ‖ string algorithm ‖ string public key blob`.
 */
export function publickeySignedData(
  sessionId: Uint8Array,
  userName: string,
  serviceName: string,
  algorithm: string,
  publicKeyBlob: Uint8Array,
): Uint8Array {
  return new SshWriter(128 + publicKeyBlob.length)
    .string(sessionId)
    .byte(MSG.USERAUTH_REQUEST)
    .utf8(userName)
    .utf8(serviceName)
    .utf8("publickey")
    .boolean(true)
    .utf8(algorithm)
    .string(publicKeyBlob)
    .finish();
}

/**
 * The plain signature algorithm behind a certificate algorithm
 * (rsa-sha2-256-cert-v01@openssh.com → rsa-sha2-256); a plain name is returned as it is.
 */
export function baseSignatureAlgorithm(name: string): string {
  return CERTIFICATE_ALGORITHMS.find((c) => c.name === name)?.base ?? name;
}

/**
 * RFC 8332 §3.1: among the algorithms the signer supports and the caller allows (preferred
 * first), the first whose plain form the server lists in `server-sig-algs`; without that
 * extension, or when it lists none of them, the first one. Undefined when none is allowed.
 */
export function chooseSignatureAlgorithm(
  signer: Signer,
  allowed: readonly string[] | undefined,
  serverSigAlgs: readonly string[] | undefined,
): string | undefined {
  const usable = (allowed ?? signer.signatureAlgorithms).filter((a) => signer.signatureAlgorithms.includes(a));
  const accepted = serverSigAlgs && usable.find((a) => serverSigAlgs.includes(baseSignatureAlgorithm(a)));
  return accepted ?? usable[0];
}

/**
 * OpenSSH's default PubkeyAcceptedAlgorithms (sshd_config(5), 8.8 and later): certificates first,
 * then plain keys; no ssh-rsa (SHA-1) in either form. OpenSSH uses one list (KEX_DEFAULT_PK_ALG)
 * for this and for host keys, so the plain part is our DEFAULT_HOST_KEY_ALGORITHMS.
 */
export const DEFAULT_PUBLICKEY_ALGORITHMS: readonly string[] = Object.freeze([
  "ssh-ed25519-cert-v01@openssh.com",
  "ecdsa-sha2-nistp256-cert-v01@openssh.com",
  "ecdsa-sha2-nistp384-cert-v01@openssh.com",
  "ecdsa-sha2-nistp521-cert-v01@openssh.com",
  "sk-ssh-ed25519-cert-v01@openssh.com",
  "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
  "rsa-sha2-512-cert-v01@openssh.com",
  "rsa-sha2-256-cert-v01@openssh.com",
  ...DEFAULT_HOST_KEY_ALGORITHMS,
]);

/**
 * The `server-sig-algs` value (RFC 8308 §3.1) for a server accepting `accepted`: the plain
 * signature algorithms, certificate algorithms mapped to theirs, without duplicates. Pass it to
 * the server transport's `serverSigAlgs`.
 */
export function serverSigAlgsFor(accepted: readonly string[] = DEFAULT_PUBLICKEY_ALGORITHMS): string[] {
  return [...new Set(accepted.map(baseSignatureAlgorithm))];
}
