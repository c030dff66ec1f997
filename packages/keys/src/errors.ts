/**
 * Errors of @purssh/keys: one `KeyError` class (a `SshError`, DESIGN.md principle 8) with a stable
 * string `code` per failure kind and a message that names the problem, so that a user holding a
 * bad key file learns what is wrong with it. Malformed bytes found by the RFC 4251 §5 reader
 * (`WireError`) are re-thrown as `KeyError`s by `decoding()`, so callers see a single error type.
 * @module
 */
import { SshError, WireError } from "@purssh/wire";

/** Stable codes of `KeyError`; programs switch on these, never on messages. */
export const KEY_ERROR = {
  /** The input is malformed: bad armor, bad base64, bad structure, inconsistent key material. */
  PARSE: "ERR_KEY_PARSE",
  /** The input ends before the structure it declares is complete. */
  TRUNCATED: "ERR_KEY_TRUNCATED",
  /** The private key is passphrase-protected and no passphrase was given. */
  ENCRYPTED: "ERR_KEY_ENCRYPTED",
  /**
   * The passphrase does not decrypt the key: the check values (OpenSSH checkints, an AEAD tag, a
   * PuTTY Private-MAC, CBC padding or the decrypted structure) do not verify.
   */
  BAD_PASSPHRASE: "ERR_KEY_BAD_PASSPHRASE",
  /** The key is encrypted with a cipher or key derivation function that is not implemented. */
  UNSUPPORTED_CIPHER: "ERR_KEY_UNSUPPORTED_CIPHER",
  /**
   * The key derivation asks for more work than we allow (bcrypt rounds, PBKDF2 iterations,
   * Argon2 memory or passes): a hostile file must not cost months of CPU or gigabytes of memory.
   */
  KDF_LIMIT: "ERR_KEY_KDF_LIMIT",
  /** The key lives on a FIDO security key (sk-* types): signing needs the hardware token. */
  SECURITY_KEY_REQUIRED: "ERR_KEY_SECURITY_KEY_REQUIRED",
  /** The key algorithm (e.g. "ssh-rsa") is recognised as a name but not implemented here. */
  UNSUPPORTED_TYPE: "ERR_KEY_UNSUPPORTED_TYPE",
  /** The container format (e.g. PuTTY PPK v1, ssh.com keys, DSA PEM) is not implemented here. */
  UNSUPPORTED_FORMAT: "ERR_KEY_UNSUPPORTED_FORMAT",
  /** The key type written in the text differs from the type inside the key blob. */
  TYPE_MISMATCH: "ERR_KEY_TYPE_MISMATCH",
  /** `sign()` was asked for a signature algorithm this key cannot produce. */
  UNSUPPORTED_ALGORITHM: "ERR_KEY_UNSUPPORTED_ALGORITHM",
  /** A caller passed an invalid value (wrong seed length, a comment containing a newline, …). */
  INVALID_ARGUMENT: "ERR_KEY_INVALID_ARGUMENT",
} as const;

export type KeyErrorCode = (typeof KEY_ERROR)[keyof typeof KEY_ERROR];

export class KeyError extends SshError {
  declare readonly code: KeyErrorCode;
  constructor(code: KeyErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * Runs a decoder and turns the reader's `WireError`s into `KeyError`s: a short read becomes
 * ERR_KEY_TRUNCATED, anything else ERR_KEY_PARSE; `what` names the structure being decoded.
 * @internal
 */
export function decoding<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof WireError) {
      const code = e.code === "ERR_WIRE_SHORT_READ" ? KEY_ERROR.TRUNCATED : KEY_ERROR.PARSE;
      const kind = code === KEY_ERROR.TRUNCATED ? "is truncated" : "is malformed";
      throw new KeyError(code, `${what} ${kind}: ${e.message}`, { cause: e });
    }
    throw e;
  }
}
