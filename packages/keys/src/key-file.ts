/**
 * Key files of any supported format, recognised by their first line:
 *
 *   private: `-----BEGIN OPENSSH PRIVATE KEY-----` (PROTOCOL.key), other `-----BEGIN …-----`
 *            PEM labels (PKCS#1, SEC 1, PKCS#8, encrypted PKCS#8), `PuTTY-User-Key-File-2/3:`
 *   public:  `ssh-… AAAA… comment` (OpenSSH), `---- BEGIN SSH2 PUBLIC KEY ----` (RFC 4716),
 *            `-----BEGIN PUBLIC KEY-----` / `-----BEGIN RSA PUBLIC KEY-----` (PEM)
 * @module
 */
import { utf8Decode } from "@purssh/wire";
import { decoding, KEY_ERROR, KeyError } from "./errors.js";
import { OPENSSH_PRIVATE_KEY_LABEL, parseOpenSshPrivateKey } from "./openssh-private.js";
import { parsePemPrivateKey, parsePemPublicKey } from "./pem.js";
import { parsePpkPrivateKey } from "./ppk.js";
import type { PrivateKey } from "./private-key.js";
import { type PublicKey, parsePublicKey } from "./public-key.js";
import { parseRfc4716PublicKey, RFC4716_BEGIN } from "./rfc4716.js";

/** The start of a file as text, for format detection only (PPK bytes are passed on as bytes). */
function head(input: string | Uint8Array): string {
  if (typeof input === "string") return input.trimStart().slice(0, 64);
  const start = input.subarray(0, 256);
  return new TextDecoder("latin1").decode(start).trimStart().slice(0, 64);
}

function asText(input: string | Uint8Array, what: string): string {
  return typeof input === "string" ? input : decoding(what, () => utf8Decode(input));
}

/**
 * Parses a private key file of any supported format — OpenSSH (plain or encrypted), PEM PKCS#1 /
 * SEC 1 / PKCS#8 (plain or encrypted) or PuTTY PPK v2/v3 — decrypting it with `passphrase` if
 * it is encrypted. Errors are those of the format's parser; input in no known format is
 * ERR_KEY_UNSUPPORTED_FORMAT (recognised but unsupported, e.g. ssh.com keys or DER) or
 * ERR_KEY_PARSE.
 */
export function parsePrivateKey(input: string | Uint8Array, passphrase?: string | Uint8Array): PrivateKey {
  const start = head(input);
  if (start.startsWith("PuTTY-User-Key-File-")) return parsePpkPrivateKey(input, passphrase);
  if (start.startsWith(`-----BEGIN ${OPENSSH_PRIVATE_KEY_LABEL}-----`))
    return parseOpenSshPrivateKey(input, passphrase);
  if (start.startsWith("-----BEGIN ")) return parsePemPrivateKey(asText(input, "PEM private key"), passphrase);
  if (start.startsWith("---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----")) {
    throw new KeyError(
      KEY_ERROR.UNSUPPORTED_FORMAT,
      "ssh.com (SECSH) private keys are not supported; convert with `ssh-keygen -i -f <file>` or PuTTYgen",
    );
  }
  if (start.startsWith(RFC4716_BEGIN) || /^(ssh-|ecdsa-|sk-)\S* AAAA/.test(start)) {
    throw new KeyError(KEY_ERROR.UNSUPPORTED_FORMAT, "this is a public key, not a private key");
  }
  if (typeof input !== "string" && input[0] === 0x30) {
    throw new KeyError(
      KEY_ERROR.UNSUPPORTED_FORMAT,
      "binary DER private keys are not supported; convert to PEM with `openssl pkey -in <file> -inform DER`",
    );
  }
  if (start === "") throw new KeyError(KEY_ERROR.PARSE, "private key input is empty");
  throw new KeyError(KEY_ERROR.PARSE, "not a private key file: expected an OpenSSH, PEM or PuTTY (.ppk) private key");
}

/**
 * Parses a public key in any supported text form: an OpenSSH line (`ssh-ed25519 AAAA… comment`),
 * RFC 4716 (`---- BEGIN SSH2 PUBLIC KEY ----`) or PEM (`BEGIN PUBLIC KEY`, `BEGIN RSA PUBLIC KEY`).
 */
export function parsePublicKeyFile(input: string | Uint8Array): PublicKey {
  const text = asText(input, "public key file");
  const start = text.trimStart();
  if (start.startsWith(RFC4716_BEGIN)) {
    const { type, blob, comment } = parseRfc4716PublicKey(text);
    return { type, blob, comment };
  }
  if (start.startsWith("-----BEGIN ")) {
    if (/^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(start)) {
      throw new KeyError(KEY_ERROR.UNSUPPORTED_FORMAT, "this is a private key; parse it with parsePrivateKey()");
    }
    return parsePemPublicKey(text);
  }
  if (start.startsWith("PuTTY-User-Key-File-")) {
    throw new KeyError(KEY_ERROR.UNSUPPORTED_FORMAT, "this is a PuTTY private key; parse it with parsePrivateKey()");
  }
  return parsePublicKey(text);
}
