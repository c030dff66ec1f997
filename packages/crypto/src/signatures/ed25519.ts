/**
 * ssh-ed25519 (RFC 8709): Ed25519 (RFC 8032 §5.1) public keys and signatures in SSH.
 *   public key blob  string "ssh-ed25519" ‖ string ENC(A)   (32 bytes; RFC 8709 §4)
 *   signature blob   string "ssh-ed25519" ‖ string R ‖ S   (64 bytes; RFC 8709 §6)
 * Verification follows RFC 8032 §5.1.7 strictly (canonical encodings, S < L) and refuses trailing
 * bytes in either blob.
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { encodeWith, equalBytes, SshError, SshReader, utf8Encode } from "@purssh/wire";
import type { SignatureAlgorithm } from "../types.js";

export const SSH_ED25519 = "ssh-ed25519";

const NAME = utf8Encode(SSH_ED25519);
const PUBLIC_KEY_LENGTH = 32;
const SIGNATURE_LENGTH = 64;
const SEED_LENGTH = 32;

function checkLength(what: string, bytes: Uint8Array, expected: number): void {
  if (bytes.length !== expected) {
    throw new SshError("ERR_CRYPTO_KEY_LENGTH", `an Ed25519 ${what} is ${expected} bytes, got ${bytes.length}`);
  }
}

/** RFC 8709 §4: the SSH public key blob of a raw 32-byte Ed25519 public key. */
export function ed25519PublicKeyBlob(publicKey: Uint8Array): Uint8Array {
  checkLength("public key", publicKey, PUBLIC_KEY_LENGTH);
  return encodeWith((w) => w.string(NAME).string(publicKey), 4 + NAME.length + 4 + PUBLIC_KEY_LENGTH);
}

/** RFC 8709 §6: the SSH signature blob of a raw 64-byte Ed25519 signature. */
export function ed25519SignatureBlob(signature: Uint8Array): Uint8Array {
  checkLength("signature", signature, SIGNATURE_LENGTH);
  return encodeWith((w) => w.string(NAME).string(signature), 4 + NAME.length + 4 + SIGNATURE_LENGTH);
}

/** RFC 8032 §5.1.5: the raw public key of a 32-byte secret key (the "seed"). */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  checkLength("secret key", seed, SEED_LENGTH);
  return ed25519.getPublicKey(seed);
}

/** Signs `data` with a 32-byte secret key (RFC 8032 §5.1.6); returns the SSH signature blob. */
export function signEd25519(seed: Uint8Array, data: Uint8Array): Uint8Array {
  checkLength("secret key", seed, SEED_LENGTH);
  return ed25519SignatureBlob(ed25519.sign(data, seed));
}

/** Reads `string "ssh-ed25519" ‖ string field` with an exact field length and nothing after it. */
function parseBlob(blob: Uint8Array, fieldLength: number): Uint8Array | undefined {
  try {
    const r = new SshReader(blob);
    if (!equalBytes(r.string(), NAME)) return undefined;
    const field = r.string();
    r.expectEnd();
    return field.length === fieldLength ? field : undefined;
  } catch {
    return undefined;
  }
}

/** The raw 32-byte public key inside an ssh-ed25519 key blob, or undefined if it is malformed. */
export function parseEd25519PublicKeyBlob(blob: Uint8Array): Uint8Array | undefined {
  return parseBlob(blob, PUBLIC_KEY_LENGTH);
}

/** The raw 64-byte signature inside an ssh-ed25519 signature blob, or undefined if it is malformed. */
export function parseEd25519SignatureBlob(blob: Uint8Array): Uint8Array | undefined {
  return parseBlob(blob, SIGNATURE_LENGTH);
}

export const sshEd25519: SignatureAlgorithm = Object.freeze({
  name: SSH_ED25519,
  keyType: SSH_ED25519,
  verify(publicKeyBlob: Uint8Array, signatureBlob: Uint8Array, data: Uint8Array): boolean {
    const publicKey = parseEd25519PublicKeyBlob(publicKeyBlob);
    const signature = parseEd25519SignatureBlob(signatureBlob);
    if (publicKey === undefined || signature === undefined) return false;
    try {
      return ed25519.verify(signature, data, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
});
