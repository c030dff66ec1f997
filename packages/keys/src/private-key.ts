/**
 * Private keys as the authentication layer sees them (RFC 4252 §7): something that has a public
 * key and can produce an SSH signature blob (RFC 4253 §6.6: `string algorithm ‖ string
 * signature`). This module holds the interface, the construction shared by every key type and
 * ssh-ed25519 (RFC 8709 §6: the 64-byte RFC 8032 signature of the data, without pre-hashing);
 * ECDSA, RSA and security keys live in ecdsa-key.ts, rsa-key.ts and sk-key.ts.
 *
 * The secret material never sits on the key object: it is kept in a module-private WeakMap, so
 * logging or serialising a key does not leak it; the OpenSSH writer reads it through
 * `privateKeyMaterial()`, which the package does not export.
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { SshWriter } from "@purssh/wire";
import type { EcdsaCurveName } from "./ecdsa-curves.js";
import { KEY_ERROR, KeyError } from "./errors.js";
import { encodeEd25519PublicKeyBlob, type PublicKey, SSH_ED25519 } from "./public-key.js";

/**
 * Anything that can sign for public key authentication (RFC 4252 §7): a key held here
 * (`PrivateKey`) or one held elsewhere, such as in an ssh-agent, whose signatures arrive later.
 */
export interface Signer {
  /** Key type name, e.g. "ssh-ed25519" or "ssh-ed25519-cert-v01@openssh.com". */
  readonly type: string;
  readonly publicKey: PublicKey;
  /** Signature algorithms this key can sign with, preferred first. */
  readonly signatureAlgorithms: readonly string[];
  /** Returns the SSH signature blob `string algorithm ‖ string signature` (RFC 4253 §6.6). */
  sign(data: Uint8Array, algorithm?: string): Uint8Array | Promise<Uint8Array>;
}

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

/**
 * The secret parts of keys created by this package, by kind. The sk-* kinds hold what OpenSSH
 * stores for a FIDO key (PROTOCOL.u2f): the key handle is an opaque credential the token needs,
 * not a private key. @internal
 */
export type PrivateKeyMaterial =
  | { readonly kind: "ed25519"; readonly seed: Uint8Array; readonly publicKey: Uint8Array }
  | { readonly kind: "ecdsa"; readonly curve: EcdsaCurveName; readonly d: bigint; readonly point: Uint8Array }
  | {
      readonly kind: "rsa";
      readonly n: bigint;
      readonly e: bigint;
      readonly d: bigint;
      readonly p: bigint;
      readonly q: bigint;
      /** q⁻¹ mod p (RFC 8017 §3.2 qInv; OpenSSH and PuTTY call it iqmp). */
      readonly iqmp: bigint;
    }
  | ({ readonly kind: "sk-ed25519"; readonly publicKey: Uint8Array } & SecurityKeyFields)
  | ({ readonly kind: "sk-ecdsa"; readonly curve: "nistp256"; readonly point: Uint8Array } & SecurityKeyFields);

/** PROTOCOL.u2f private fields of sk-* keys. */
export interface SecurityKeyFields {
  readonly application: string;
  /** SSH_SK_USER_PRESENCE_REQD 0x01, SSH_SK_USER_VERIFICATION_REQD 0x04, SSH_SK_RESIDENT_KEY 0x20. */
  readonly flags: number;
  readonly keyHandle: Uint8Array;
  readonly reserved: Uint8Array;
}

const materials = new WeakMap<PrivateKey, PrivateKeyMaterial>();

/** The secret material of a key made by this package, or undefined (e.g. an agent key). @internal */
export function privateKeyMaterial(key: PrivateKey): PrivateKeyMaterial | undefined {
  return materials.get(key);
}

/** Rejects comments that cannot be written to a one-line public key. @internal */
export function checkComment(comment: string): void {
  if (/[\r\n]/.test(comment)) {
    throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, "a key comment cannot contain a line break");
  }
}

/**
 * Builds the frozen key object for any key type: `sign` checks the algorithm against
 * `algorithms` (the first is the default) before calling `signWith`; the material is kept in the
 * module's WeakMap, out of reach of logging and serialisation. @internal
 */
export function createPrivateKey(
  type: string,
  publicKeyBlob: Uint8Array,
  comment: string,
  algorithms: readonly string[],
  signWith: (data: Uint8Array, algorithm: string) => Uint8Array,
  material: PrivateKeyMaterial,
): PrivateKey {
  checkComment(comment);
  const frozenAlgorithms: readonly string[] = Object.freeze([...algorithms]);
  const publicKey: PublicKey = Object.freeze({ type, blob: publicKeyBlob, comment });
  const key: PrivateKey = Object.freeze({
    type,
    publicKey,
    signatureAlgorithms: frozenAlgorithms,
    sign(data: Uint8Array, algorithm: string = frozenAlgorithms[0] ?? type): Uint8Array {
      if (!frozenAlgorithms.includes(algorithm)) {
        throw new KeyError(
          KEY_ERROR.UNSUPPORTED_ALGORITHM,
          `a ${type} key cannot sign with ${JSON.stringify(algorithm)}; it signs with: ${frozenAlgorithms.join(", ")}`,
        );
      }
      return signWith(data, algorithm);
    },
  });
  materials.set(key, Object.freeze(material));
  return key;
}

/** RFC 8709 §6: `string "ssh-ed25519" ‖ string signature(64)`. */
function ed25519SignatureBlob(signature: Uint8Array): Uint8Array {
  return new SshWriter(83).utf8(SSH_ED25519).string(signature).finish();
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
  const secret = seed.slice();
  const pk = ed25519.getPublicKey(secret);
  return createPrivateKey(
    SSH_ED25519,
    encodeEd25519PublicKeyBlob(pk),
    comment,
    [SSH_ED25519],
    (data) => ed25519SignatureBlob(ed25519.sign(data, secret)),
    { kind: "ed25519", seed: secret, publicKey: pk },
  );
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
