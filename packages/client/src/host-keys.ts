/**
 * Host-key verification policy (RFC 4251 §4.1, §9.2.4): connecting without one is an error, and
 * the decision fails closed. A policy is a callback, or a list of accepted keys given as OpenSSH
 * public-key lines or `SHA256:` fingerprints.
 * @module
 */
import { fingerprintSha256, parsePublicKey } from "@purssh/keys";
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
  return (info) => fingerprints.has(fingerprintSha256(info.blob)) || blobs.some((b) => equalBytes(b, info.blob));
}
