/**
 * SSH public keys: the key blob (RFC 4253 §6.6, "string type ‖ type-specific fields", decoded per
 * type in key-blobs.ts: RFC 8709 §4 ssh-ed25519, RFC 5656 §3.1 ECDSA, RFC 4253 §6.6 ssh-rsa,
 * PROTOCOL.u2f sk-* keys) and the one-line text form OpenSSH writes to `*.pub` files and
 * authorized_keys (sshd(8) AUTHORIZED_KEYS FILE FORMAT: `keytype base64-blob [comment]`). Key type
 * names follow RFC 4251 §6.
 *
 * Blobs of the types above are validated field by field; blobs of other types (certificates,
 * ssh-dss, …) are kept opaque, with their type name read from the blob.
 * @module
 */
import { fromBase64, SshReader, SshWriter, toBase64, utf8Decode } from "@purssh/wire";
import { decoding, KEY_ERROR, KeyError } from "./errors.js";
import {
  decodeKnownBlob,
  ED25519_PUBLIC_KEY_LENGTH,
  type PublicKeyParams,
  paramsBits,
  readPublicKeyFields,
  SSH_ED25519,
} from "./key-blobs.js";

export { ED25519_PUBLIC_KEY_LENGTH, SSH_ED25519 } from "./key-blobs.js";

/** A public key: its algorithm name, the wire-format key blob, and a free-text comment. */
export interface PublicKey {
  /** Key type name as found inside the blob, e.g. "ssh-ed25519". */
  readonly type: string;
  /** The public key blob (RFC 4253 §6.6), exactly as sent on the wire. */
  readonly blob: Uint8Array;
  /** The comment of the text form or of the private key file; "" when there is none. */
  readonly comment: string;
}

/** RFC 4251 §6: names are at most 64 printable US-ASCII characters without commas or whitespace. */
const MAX_ALGORITHM_NAME_LENGTH = 64;

/** Whether `name` is a syntactically valid RFC 4251 §6 algorithm name. */
export function isAlgorithmName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_ALGORITHM_NAME_LENGTH && /^[\x21-\x2b\x2d-\x7e]+$/.test(name);
}

/** Reads the leading `string type` of a key blob and checks that it is a valid name. */
function readKeyTypeName(r: SshReader, what: string): string {
  const raw = r.string();
  let name: string;
  try {
    name = utf8Decode(raw);
  } catch (cause) {
    throw new KeyError(KEY_ERROR.PARSE, `${what} has a key type name that is not valid UTF-8`, { cause });
  }
  if (!isAlgorithmName(name)) {
    throw new KeyError(
      KEY_ERROR.PARSE,
      `${what} has an invalid key type name ${JSON.stringify(name.slice(0, 80))} (RFC 4251 §6)`,
    );
  }
  return name;
}

/** The type name inside a key blob, without validating the rest of the blob. */
export function keyTypeOfBlob(blob: Uint8Array): string {
  return decoding("public key blob", () => readKeyTypeName(new SshReader(blob), "public key blob"));
}

/** RFC 8709 §4: `string "ssh-ed25519" ‖ string key(32)`. */
export function encodeEd25519PublicKeyBlob(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw new KeyError(
      KEY_ERROR.INVALID_ARGUMENT,
      `an Ed25519 public key is ${ED25519_PUBLIC_KEY_LENGTH} bytes, got ${publicKey.length}`,
    );
  }
  return new SshWriter(51).utf8(SSH_ED25519).string(publicKey).finish();
}

/**
 * Parses and validates a public key blob (RFC 4253 §6.6). Blobs of the types listed in the
 * module header must be well-formed with no trailing bytes; blobs of other types are accepted as
 * opaque bytes with the type name read from the blob. The blob is copied.
 */
export function parsePublicKeyBlob(blob: Uint8Array, comment = ""): PublicKey {
  const type = decoding("public key blob", () => {
    const r = new SshReader(blob);
    const name = readKeyTypeName(r, "public key blob");
    const params = readPublicKeyFields(r, name, `${name} key blob`);
    if (params.kind !== "opaque") r.expectEnd(`${name} key blob`);
    return name;
  });
  return { type, blob: blob.slice(), comment };
}

/**
 * The fields of a key blob by key type (Ed25519 key, ECDSA curve and point, RSA e and n, sk
 * application); `kind: "opaque"` for types this package does not interpret.
 */
export function decodePublicKey(key: PublicKey | Uint8Array): PublicKeyParams {
  const blob = key instanceof Uint8Array ? key : key.blob;
  return decodeKnownBlob(blob, "public key blob");
}

/** Key size in bits, as `ssh-keygen -l` prints it (256 for Ed25519); undefined for opaque types. */
export function publicKeyBits(key: PublicKey | Uint8Array): number | undefined {
  return paramsBits(decodePublicKey(key));
}

/** The raw 32-byte Ed25519 public key inside an ssh-ed25519 key blob (RFC 8709 §4). */
export function ed25519PublicKeyBytes(key: PublicKey): Uint8Array {
  if (key.type !== SSH_ED25519) {
    throw new KeyError(KEY_ERROR.UNSUPPORTED_TYPE, `expected an ssh-ed25519 key, got ${JSON.stringify(key.type)}`);
  }
  return decoding("ssh-ed25519 key blob", () => {
    const r = new SshReader(key.blob);
    r.string();
    const pk = r.string();
    r.expectEnd("ssh-ed25519 key blob");
    if (pk.length !== ED25519_PUBLIC_KEY_LENGTH) {
      throw new KeyError(KEY_ERROR.PARSE, `ssh-ed25519 key blob holds a ${pk.length}-byte key`);
    }
    return pk.slice();
  });
}

/** Whether a token is base64 that decodes to something shaped like a key blob. */
function looksLikeKeyBlob(token: string): boolean {
  try {
    keyTypeOfBlob(fromBase64(token));
    return true;
  } catch {
    return false;
  }
}

const EXPECTED_FORM = "expected `<key type> <base64 key blob> [comment]`";

/**
 * Parses one OpenSSH public key line (the `*.pub` / authorized_keys form without options):
 * `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI… comment`. Leading and trailing whitespace (including a
 * CRLF line end) is ignored; the comment is the rest of the line and may contain spaces. The type
 * written in the text must equal the type inside the blob (else ERR_KEY_TYPE_MISMATCH).
 */
export function parsePublicKey(text: string): PublicKey {
  const line = text.trim();
  if (line === "") throw new KeyError(KEY_ERROR.PARSE, `public key text is empty; ${EXPECTED_FORM}`);
  if (/[\r\n]/.test(line)) {
    throw new KeyError(KEY_ERROR.PARSE, `public key text has more than one line; ${EXPECTED_FORM}`);
  }
  const m = /^(\S+)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
  const typeText = m?.[1];
  const blobText = m?.[2];
  if (typeText === undefined || blobText === undefined) {
    if (looksLikeKeyBlob(line)) {
      throw new KeyError(
        KEY_ERROR.PARSE,
        `public key text is only a base64 key blob, the key type is missing; ${EXPECTED_FORM}`,
      );
    }
    throw new KeyError(KEY_ERROR.PARSE, `public key text has a single field; ${EXPECTED_FORM}`);
  }
  if (!isAlgorithmName(typeText)) {
    // Real key blobs are longer than the 64 characters a type name may have (RFC 4251 §6).
    const hint = looksLikeKeyBlob(typeText)
      ? "that is a base64 key blob, the key type is missing"
      : "that is not a valid key type name (RFC 4251 §6)";
    throw new KeyError(
      KEY_ERROR.PARSE,
      `public key text starts with ${JSON.stringify(typeText.slice(0, 40))}: ${hint}; ${EXPECTED_FORM}`,
    );
  }
  let blob: Uint8Array;
  try {
    blob = fromBase64(blobText);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new KeyError(KEY_ERROR.PARSE, `the ${typeText} key blob is not valid base64: ${detail}`, { cause });
  }
  const key = parsePublicKeyBlob(blob, m?.[3] ?? "");
  if (key.type !== typeText) {
    throw new KeyError(
      KEY_ERROR.TYPE_MISMATCH,
      `key type ${JSON.stringify(typeText)} in the text does not match ${JSON.stringify(key.type)} inside the key blob`,
    );
  }
  return key;
}

/**
 * The OpenSSH one-line text form `type base64-blob[ comment]` (no line end). Rejects a `type`
 * that differs from the blob's and a comment containing a line break.
 */
export function formatPublicKey(key: PublicKey): string {
  const inner = keyTypeOfBlob(key.blob);
  if (inner !== key.type) {
    throw new KeyError(
      KEY_ERROR.TYPE_MISMATCH,
      `key type ${JSON.stringify(key.type)} does not match ${JSON.stringify(inner)} inside the key blob`,
    );
  }
  if (/[\r\n]/.test(key.comment)) {
    throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, "a public key comment cannot contain a line break");
  }
  const base = `${key.type} ${toBase64(key.blob)}`;
  return key.comment === "" ? base : `${base} ${key.comment}`;
}
