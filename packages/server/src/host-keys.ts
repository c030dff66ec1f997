/**
 * The server's host keys beyond the key exchange: loading them, announcing all of them after login
 * (`hostkeys-00@openssh.com`, OpenSSH PROTOCOL §2.5, so clients can learn rotated keys) and
 * proving possession of the ones a client asks about (`hostkeys-prove-00@openssh.com`).
 * @module
 */
import { getSignatureAlgorithm } from "@purssh/crypto";
import { type PrivateKey, parsePrivateKey } from "@purssh/keys";
import { equalBytes, GlobalRequest, SshError, SshReader, SshWriter } from "@purssh/wire";

/** At most this many keys are proven per request (OpenSSH sends a handful; bounds the work). */
export const MAX_HOSTKEYS_PROVE = 32;

export function loadHostKeys(keys: readonly (PrivateKey | string | Uint8Array)[]): PrivateKey[] {
  if (keys.length === 0) throw new SshError("ERR_NO_HOST_KEY", "the server needs at least one host key");
  return keys.map((k) => (typeof k === "string" || k instanceof Uint8Array ? parsePrivateKey(k) : k));
}

/** The `hostkeys-00@openssh.com` announcement: want-reply false, one string per key blob. */
export function hostkeysAnnouncement(keys: readonly PrivateKey[]): Uint8Array {
  const data = new SshWriter();
  for (const k of keys) data.string(k.publicKey.blob);
  return GlobalRequest.encode({ requestName: "hostkeys-00@openssh.com", wantReply: false, requestData: data.finish() });
}

/**
 * The REQUEST_SUCCESS data for `hostkeys-prove-00@openssh.com`: for each key blob asked about, a
 * signature over `string "hostkeys-prove-00@openssh.com" ‖ string session_id ‖ string blob`. An
 * RSA key signs with the algorithm negotiated for the key exchange when that was RSA too (as
 * sshd's server_input_hostkeys_prove does), else with its default. Returns undefined (→
 * REQUEST_FAILURE) if a blob is not one of our keys.
 */
export function proveHostKeys(
  requestData: Uint8Array,
  keys: readonly PrivateKey[],
  sessionId: Uint8Array,
  negotiatedHostKeyAlgorithm: string,
): Uint8Array | undefined {
  const reader = new SshReader(requestData);
  const out = new SshWriter();
  const kexKeyType = getSignatureAlgorithm(negotiatedHostKeyAlgorithm)?.keyType;
  for (let n = 0; reader.remaining > 0; n++) {
    if (n >= MAX_HOSTKEYS_PROVE) return undefined;
    const blob = reader.string();
    const key = keys.find((k) => equalBytes(k.publicKey.blob, blob));
    if (!key) return undefined;
    const signed = new SshWriter().utf8("hostkeys-prove-00@openssh.com").string(sessionId).string(blob).finish();
    const algorithm =
      key.type === "ssh-rsa" && kexKeyType === "ssh-rsa" ? negotiatedHostKeyAlgorithm : key.signatureAlgorithms[0];
    out.string(key.sign(signed, algorithm));
  }
  return out.finish();
}
