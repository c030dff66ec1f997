/**
 * Private keys as the authentication layer sees them (RFC 4252 §7): something that has a public
 * key and can produce an SSH signature blob (RFC 4253 §6.6: `string algorithm ‖ string
 * signature`). Implemented here for ssh-ed25519 (RFC 8709 §6: the signature is the 64-byte
 * RFC 8032 Ed25519 signature of the data, without pre-hashing).
 *
 * The secret material never sits on the key object: it is kept in a module-private WeakMap, so
 * logging or serialising a key does not leak it; the OpenSSH writer reads it through
 * `privateKeyMaterial()`, which the package does not export.
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { SshWriter } from "@purssh/wire";
import { KEY_ERROR, KeyError } from "./errors.js";
import { encodeEd25519PublicKeyBlob, type PublicKey, SSH_ED25519 } from "./public-key.js";

/** A key that can sign for public key authentication. */
export interface PrivateKey {
  /** Key type name, e.g. "ssh-ed25519". */
  readonly type: string;
  readonly publicKey: PublicKey;
  /** Signature algorithms this key can sign with, preferred first, e.g. ["ssh-ed25519"]. */
  readonly signatureAlgorithms: readonly string[];
  /**
   * Signs `data` and returns the SSH signature blob `string algorithm ‖ string signature`.
   * `algorithm` defaults to the first of `signatureAlgorithms`; any other value is rejected
   * with ERR_KEY_UNSUPPORTED_ALGORITHM.
   */
  sign(data: Uint8Array, algorithm?: string): Uint8Array;
}

/** RFC 8032 §5.1.5: an Ed25519 private key is a 32-byte seed. */
export const ED25519_SEED_LENGTH = 32;

/** The secret parts of keys created by this package, by key type. @internal */
export type PrivateKeyMaterial = {
  readonly type: typeof SSH_ED25519;
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
};

const materials = new WeakMap<PrivateKey, PrivateKeyMaterial>();

/** The secret material of a key made by this package, or undefined (e.g. an agent key). @internal */
export function privateKeyMaterial(key: PrivateKey): PrivateKeyMaterial | undefined {
  return materials.get(key);
}

/** RFC 8709 §6: `string "ssh-ed25519" ‖ string signature(64)`. */
function ed25519SignatureBlob(signature: Uint8Array): Uint8Array {
  return new SshWriter(83).utf8(SSH_ED25519).string(signature).finish();
}

function checkComment(comment: string): void {
  if (/[\r\n]/.test(comment)) {
    throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, "a key comment cannot contain a line break");
  }
}

/**
 * An ssh-ed25519 private key from its 32-byte RFC 8032 seed (the first half of OpenSSH's 64-byte
 * "sk" field). The seed is copied.
 */
export function ed25519PrivateKeyFromSeed(seed: Uint8Array, comment = ""): PrivateKey {
  if (seed.length !== ED25519_SEED_LENGTH) {
    throw new KeyError(
      KEY_ERROR.INVALID_ARGUMENT,
      `an Ed25519 private key seed is ${ED25519_SEED_LENGTH} bytes (RFC 8032 §5.1.5), got ${seed.length}`,
    );
  }
  checkComment(comment);
  const secret = seed.slice();
  const pk = ed25519.getPublicKey(secret);
  const algorithms: readonly string[] = Object.freeze([SSH_ED25519]);
  const publicKey: PublicKey = Object.freeze({ type: SSH_ED25519, blob: encodeEd25519PublicKeyBlob(pk), comment });
  const key: PrivateKey = Object.freeze({
    type: SSH_ED25519,
    publicKey,
    signatureAlgorithms: algorithms,
    sign(data: Uint8Array, algorithm: string = SSH_ED25519): Uint8Array {
      if (algorithm !== SSH_ED25519) {
        throw new KeyError(
          KEY_ERROR.UNSUPPORTED_ALGORITHM,
          `an ssh-ed25519 key cannot sign with ${JSON.stringify(algorithm)}; it signs with: ${algorithms.join(", ")}`,
        );
      }
      return ed25519SignatureBlob(ed25519.sign(data, secret));
    },
  });
  materials.set(key, Object.freeze({ type: SSH_ED25519, seed: secret, publicKey: pk }));
  return key;
}

/** A new random ssh-ed25519 key; the seed comes from `crypto.getRandomValues`. */
export function generateEd25519Key(comment = ""): PrivateKey {
  const seed = crypto.getRandomValues(new Uint8Array(ED25519_SEED_LENGTH));
  try {
    return ed25519PrivateKeyFromSeed(seed, comment);
  } finally {
    seed.fill(0);
  }
}
