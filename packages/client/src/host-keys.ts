/**
 * Host-key verification policy (RFC 4251 §4.1, §9.2.4): connecting without one is an error, and
 * the decision fails closed. A policy is a callback (e.g. `knownHosts(text)`), or a list of
 * accepted keys given as OpenSSH public-key lines or `SHA256:` fingerprints.
 * @module
 */
import { certifiedKeyBlob } from "@purssh/crypto";
import { fingerprintSha256, type KnownHostsCheckOptions, parseKnownHosts, parsePublicKey } from "@purssh/keys";
import type { HostKeyInfo } from "@purssh/transport";
import { equalBytes, SshError } from "@purssh/wire";

/** What a host-key callback sees. */
export interface HostKeyCheck extends HostKeyInfo {
  /** `SHA256:…` as `ssh-keygen -l` prints it. */
  fingerprint: string;
  host: string;
  port: number;
}

export type HostKeyVerifier = (check: HostKeyCheck) => boolean | Promise<boolean>;
export type HostKeyPolicy = HostKeyVerifier | readonly string[];

/** Turns a policy into the transport's verifier; a missing policy is a configuration error. */
export function hostKeyVerifier(
  policy: HostKeyPolicy | undefined,
  host: string,
  port: number,
): (info: HostKeyInfo) => boolean | Promise<boolean> {
  if (policy === undefined) {
    throw new SshError(
      "ERR_HOST_KEY_POLICY_MISSING",
      "no host-key policy: pass hostKeys (a verifier callback, or accepted keys / SHA256 fingerprints)",
    );
  }
  if (typeof policy === "function") {
    return (info) => policy({ ...info, fingerprint: fingerprintSha256(info.blob), host, port });
  }
  const blobs: Uint8Array[] = [];
  const fingerprints = new Set<string>();
  for (const entry of policy) {
    const t = entry.trim();
    if (t.startsWith("SHA256:")) fingerprints.add(t.replace(/=+$/, ""));
    else blobs.push(parsePublicKey(t).blob);
  }
  const listed = (blob: Uint8Array) =>
    fingerprints.has(fingerprintSha256(blob)) || blobs.some((b) => equalBytes(b, blob));
  // A host certificate whose certified key is pinned is accepted as that key, as OpenSSH falls
  // back to the raw key when no CA vouches for the certificate.
  return (info) => {
    if (listed(info.blob)) return true;
    const plain = certifiedKeyBlob(info.blob);
    return plain !== undefined && listed(plain);
  };
}

/**
 * A verifier backed by an OpenSSH known_hosts file's text (sshd(8) SSH_KNOWN_HOSTS FILE FORMAT):
 * hashed names, `[host]:port`, wildcards, `@cert-authority` (host certificates signed by a listed
 * CA, checked for validity and principal) and `@revoked`. Only a "known" verdict accepts; a
 * changed key, a revoked key or an unknown host rejects.
 */
export function knownHosts(text: string, options: KnownHostsCheckOptions = {}): HostKeyVerifier {
  const file = parseKnownHosts(text);
  return (check) => file.check(check.host, check.port, check.blob, options).status === "known";
}
