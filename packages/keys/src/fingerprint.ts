/**
 * Public key fingerprints: a hash of the public key blob (RFC 4253 §6.6) in the forms OpenSSH
 * prints (ssh-keygen(1) -l and -E; SHA-256 by default since OpenSSH 6.8): `SHA256:` / `SHA1:`
 * followed by unpadded base64 (RFC 4648 §4), or `MD5:` followed by colon-separated hex (the
 * RFC 4716 §4 legacy form). `fingerprintHex` gives the colon-separated hex of any of the digests,
 * the form of the seed class's `fingerprint` event field.
 * @module
 */
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { toBase64, toHex } from "@purssh/wire";
import { KEY_ERROR, KeyError } from "./errors.js";

/** Digest names accepted by `fingerprintHex` (the values of ssh-keygen's `-E`, upper-cased). */
export const FINGERPRINT_HASHES = ["SHA256", "SHA1", "MD5"] as const;
export type FingerprintHash = (typeof FINGERPRINT_HASHES)[number];

function digest(blob: Uint8Array, hash: FingerprintHash): Uint8Array {
  switch (hash) {
    case "SHA256":
      return sha256(blob);
    case "SHA1":
      return sha1(blob);
    case "MD5":
      return md5(blob);
    default: {
      const never: never = hash;
      throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, `unknown fingerprint hash ${JSON.stringify(never)}`);
    }
  }
}

function colonHex(bytes: Uint8Array): string {
  return (toHex(bytes).match(/../g) ?? []).join(":");
}

/** `SHA256:<unpadded base64>`, exactly as `ssh-keygen -lf` prints it. */
export function fingerprintSha256(blob: Uint8Array): string {
  return `SHA256:${toBase64(sha256(blob), false)}`;
}

/** `SHA1:<unpadded base64>`, as `ssh-keygen -l -E sha1` prints it. */
export function fingerprintSha1(blob: Uint8Array): string {
  return `SHA1:${toBase64(sha1(blob), false)}`;
}

/** `MD5:aa:bb:…`, as `ssh-keygen -l -E md5` prints it (lower-case hex). */
export function fingerprintMd5(blob: Uint8Array): string {
  return `MD5:${colonHex(md5(blob))}`;
}

/** Lower-case colon-separated hex of the digest, e.g. "0a:1b:…" (no algorithm prefix). */
export function fingerprintHex(blob: Uint8Array, hash: FingerprintHash): string {
  return colonHex(digest(blob, hash));
}
