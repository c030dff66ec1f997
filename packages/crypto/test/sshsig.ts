/**
 * Test helper: just enough of OpenSSH PROTOCOL.sshsig (armored `ssh-keygen -Y sign` output) to get
 * the public key blob, the signature blob and the data that was signed, so signatures made by
 * OpenSSH can be checked through our SignatureAlgorithm objects. Not a full SSHSIG verifier.
 * @module
 */
import { readFileSync } from "node:fs";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { encodeWith, fromBase64, SshReader, utf8Decode, utf8Encode } from "@purssh/wire";

export interface SshSig {
  publicKeyBlob: Uint8Array;
  namespace: string;
  hashAlgorithm: "sha256" | "sha512";
  signatureBlob: Uint8Array;
  /** PROTOCOL.sshsig §3: "SSHSIG" ‖ string namespace ‖ string reserved ‖ string hash_algorithm ‖ string H(message). */
  signedData(message: Uint8Array): Uint8Array;
}

const MAGIC = utf8Encode("SSHSIG");

/** PROTOCOL.sshsig §1 and §2: the armored signature's blob, parsed. */
export function parseArmoredSshSig(armored: string): SshSig {
  const body = armored
    .replace("-----BEGIN SSH SIGNATURE-----", "")
    .replace("-----END SSH SIGNATURE-----", "")
    .replace(/\s+/g, "");
  const r = new SshReader(fromBase64(body));
  const magic = r.bytes(6);
  if (utf8Decode(magic) !== "SSHSIG" || r.uint32() !== 1) throw new Error("not an SSHSIG v1 blob");
  const publicKeyBlob = r.string();
  const namespace = r.utf8();
  const reserved = r.string();
  const hashAlgorithm = r.utf8();
  const signatureBlob = r.string();
  r.expectEnd();
  if (hashAlgorithm !== "sha256" && hashAlgorithm !== "sha512") throw new Error(`hash ${hashAlgorithm}`);
  return {
    publicKeyBlob,
    namespace,
    hashAlgorithm,
    signatureBlob,
    signedData(message) {
      const h = hashAlgorithm === "sha256" ? sha256(message) : sha512(message);
      return encodeWith((w) => w.raw(MAGIC).utf8(namespace).string(reserved).utf8(hashAlgorithm).string(h));
    },
  };
}

/** Reads a file of test-vectors/crypto as text. */
export function vectorText(path: string): string {
  return readFileSync(new URL(`../../../test-vectors/crypto/${path}`, import.meta.url), "utf8");
}

/** Reads a file of test-vectors/crypto as bytes. */
export function vectorBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../../test-vectors/crypto/${path}`, import.meta.url)));
}

/** The key blob of an OpenSSH public key line ("type base64 comment"). */
export function publicKeyLineBlob(line: string): Uint8Array {
  const b64 = line.trim().split(/\s+/)[1];
  if (b64 === undefined) throw new Error("not a public key line");
  return fromBase64(b64);
}
