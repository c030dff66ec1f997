/**
 * OpenSSH private key files (OpenSSH PROTOCOL.key, "openssh-key-v1"), unencrypted:
 *
 *   -----BEGIN OPENSSH PRIVATE KEY-----  base64 wrapped at 70 columns  -----END …-----
 *   byte[15] "openssh-key-v1\0"
 *   string ciphername        "none" here; anything else means passphrase-protected
 *   string kdfname           "none"
 *   string kdfoptions        ""
 *   uint32 N                 number of keys, 1
 *   string publickey         key blob (RFC 4253 §6.6)
 *   string private-list      uint32 checkint ‖ uint32 checkint ‖ key ‖ string comment ‖
 *                            padding 1, 2, 3, … to the cipher block size (8 for "none")
 *
 * For ssh-ed25519 the key is `string "ssh-ed25519" ‖ string pk(32) ‖ string sk(64)` with
 * sk = seed ‖ pk (OpenSSH's ssh-ed25519.c, the agent encoding of PROTOCOL.agent). Encrypted keys
 * (bcrypt-pbkdf) arrive in a later version and are reported as ERR_KEY_ENCRYPTED today.
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { equalBytes, SshReader, SshWriter, utf8Decode, utf8Encode } from "@purssh/wire";
import { decodeArmor, encodeArmor } from "./armor.js";
import { decoding, KEY_ERROR, KeyError } from "./errors.js";
import { ED25519_SEED_LENGTH, ed25519PrivateKeyFromSeed, type PrivateKey, privateKeyMaterial } from "./private-key.js";
import {
  ED25519_PUBLIC_KEY_LENGTH,
  encodeEd25519PublicKeyBlob,
  parsePublicKeyBlob,
  SSH_ED25519,
} from "./public-key.js";

/** PROTOCOL.key §1: the armor label and the magic that starts the decoded body. */
export const OPENSSH_PRIVATE_KEY_LABEL = "OPENSSH PRIVATE KEY";
const AUTH_MAGIC = utf8Encode("openssh-key-v1\0");
/** Block size of cipher "none" (OpenSSH cipher.c), the padding unit of an unencrypted list. */
const NONE_BLOCK_SIZE = 8;
/** OpenSSH wraps the base64 body at 70 columns (sshkey.c, `sshbuf_dtob64` with 70). */
const OPENSSH_WRAP_WIDTH = 70;

const WHAT = "OpenSSH private key";

/** Armor labels of other key formats, for a helpful ERR_KEY_UNSUPPORTED_FORMAT. */
const OTHER_FORMATS: Readonly<Record<string, string>> = {
  "RSA PRIVATE KEY": "PEM PKCS#1 RSA",
  "DSA PRIVATE KEY": "PEM DSA",
  "EC PRIVATE KEY": "PEM SEC1 EC",
  "PRIVATE KEY": "PEM PKCS#8",
  "ENCRYPTED PRIVATE KEY": "PEM PKCS#8 encrypted",
  "SSH2 ENCRYPTED PRIVATE KEY": "ssh.com / RFC 4716",
};

/** Decodes the text (or UTF-8 bytes) of a key file into its binary body, checking the armor. */
function dearmor(input: string | Uint8Array): Uint8Array {
  let text: string;
  if (typeof input === "string") {
    text = input;
  } else {
    text = decoding(WHAT, () => utf8Decode(input));
  }
  if (text.trimStart().startsWith("PuTTY-User-Key-File-")) {
    throw new KeyError(KEY_ERROR.UNSUPPORTED_FORMAT, "PuTTY .ppk private keys are not supported yet");
  }
  const { label, body } = decodeArmor(text, WHAT);
  if (label !== OPENSSH_PRIVATE_KEY_LABEL) {
    const known = OTHER_FORMATS[label];
    throw new KeyError(
      KEY_ERROR.UNSUPPORTED_FORMAT,
      known === undefined
        ? `expected "-----BEGIN ${OPENSSH_PRIVATE_KEY_LABEL}-----", found "-----BEGIN ${label}-----"`
        : `${known} private keys ("-----BEGIN ${label}-----") are not supported yet; ` +
            `convert with \`ssh-keygen -p -f <file>\`, which rewrites the key in OpenSSH format`,
    );
  }
  return body;
}

/** The outer, unencrypted part of the file (PROTOCOL.key §1). */
interface Envelope {
  readonly cipherName: string;
  readonly kdfName: string;
  readonly kdfOptions: Uint8Array;
  readonly publicKeyBlob: Uint8Array;
  readonly privateList: Uint8Array;
}

function readEnvelope(body: Uint8Array): Envelope {
  const magicLength = AUTH_MAGIC.length;
  const head = body.subarray(0, magicLength);
  if (!equalBytes(head, AUTH_MAGIC.subarray(0, head.length))) {
    throw new KeyError(KEY_ERROR.PARSE, `${WHAT} does not start with the "openssh-key-v1" magic (PROTOCOL.key)`);
  }
  if (head.length < magicLength) {
    throw new KeyError(KEY_ERROR.TRUNCATED, `${WHAT} is truncated inside its "openssh-key-v1" magic`);
  }
  return decoding(WHAT, () => {
    const r = new SshReader(body, magicLength);
    const cipherName = r.utf8();
    const kdfName = r.utf8();
    const kdfOptions = r.string();
    const n = r.uint32();
    if (n !== 1) {
      throw new KeyError(KEY_ERROR.PARSE, `${WHAT} file declares ${n} keys; exactly one is supported (PROTOCOL.key)`);
    }
    const publicKeyBlob = r.string();
    const privateList = r.string();
    r.expectEnd(WHAT);
    return { cipherName, kdfName, kdfOptions, publicKeyBlob, privateList };
  });
}

/** PROTOCOL.key: padding bytes are 1, 2, 3, … (OpenSSH checks each byte, mod 256). */
function checkPadding(r: SshReader): void {
  const padding = r.rest();
  for (let i = 0; i < padding.length; i++) {
    if (padding[i] !== ((i + 1) & 0xff)) {
      throw new KeyError(
        KEY_ERROR.PARSE,
        `${WHAT} has bad padding after the comment: byte ${i} is ${padding[i]}, expected ${(i + 1) & 0xff}`,
      );
    }
  }
}

/** OpenSSH ssh-ed25519.c private encoding: string pk(32) ‖ string sk(64), sk = seed ‖ pk. */
function readEd25519Private(r: SshReader, expectedPublicKey: Uint8Array): Uint8Array {
  const pk = r.string();
  if (pk.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw new KeyError(KEY_ERROR.PARSE, `ssh-ed25519 private key holds a ${pk.length}-byte public key, expected 32`);
  }
  const sk = r.string();
  if (sk.length !== ED25519_SEED_LENGTH + ED25519_PUBLIC_KEY_LENGTH) {
    throw new KeyError(KEY_ERROR.PARSE, `ssh-ed25519 private key holds a ${sk.length}-byte secret key, expected 64`);
  }
  const seed = sk.subarray(0, ED25519_SEED_LENGTH);
  if (!equalBytes(sk.subarray(ED25519_SEED_LENGTH), pk)) {
    throw new KeyError(KEY_ERROR.PARSE, "ssh-ed25519 private key is inconsistent: the second half of sk is not pk");
  }
  if (!equalBytes(ed25519.getPublicKey(seed), pk)) {
    throw new KeyError(KEY_ERROR.PARSE, "ssh-ed25519 private key is inconsistent: pk is not derived from the seed");
  }
  if (!equalBytes(encodeEd25519PublicKeyBlob(pk), expectedPublicKey)) {
    throw new KeyError(KEY_ERROR.PARSE, "ssh-ed25519 private key does not match the public key stored in the file");
  }
  return seed;
}

/** Comments are usually UTF-8 but OpenSSH does not require it; invalid bytes become U+FFFD. */
const lenientUtf8 = new TextDecoder("utf-8");

/**
 * Parses an unencrypted OpenSSH private key file (PROTOCOL.key) holding one ssh-ed25519 key.
 * Errors: ERR_KEY_ENCRYPTED (passphrase-protected), ERR_KEY_UNSUPPORTED_TYPE (e.g. ssh-rsa),
 * ERR_KEY_UNSUPPORTED_FORMAT (PEM, PuTTY), ERR_KEY_TRUNCATED, ERR_KEY_PARSE (anything else:
 * checkint mismatch, bad padding, inconsistent key material, trailing bytes). A comment that is
 * not valid UTF-8 is decoded with U+FFFD replacement characters, line breaks in it become spaces.
 */
export function parseOpenSshPrivateKey(input: string | Uint8Array): PrivateKey {
  const env = readEnvelope(dearmor(input));
  if (env.cipherName !== "none") {
    throw new KeyError(
      KEY_ERROR.ENCRYPTED,
      `this OpenSSH private key is passphrase-protected (cipher ${JSON.stringify(env.cipherName)}, ` +
        `kdf ${JSON.stringify(env.kdfName)}); encrypted OpenSSH keys are not supported yet ` +
        '(remove the passphrase with `ssh-keygen -p -N "" -f <file>` to use it)',
    );
  }
  if (env.kdfName !== "none" || env.kdfOptions.length !== 0) {
    throw new KeyError(
      KEY_ERROR.PARSE,
      `${WHAT} with cipher "none" must have kdf "none" and empty kdf options, has kdf ${JSON.stringify(env.kdfName)}`,
    );
  }
  const outerPublic = parsePublicKeyBlob(env.publicKeyBlob);
  return decoding(`${WHAT} private section`, () => {
    const r = new SshReader(env.privateList);
    const check1 = r.uint32();
    const check2 = r.uint32();
    if (check1 !== check2) {
      throw new KeyError(
        KEY_ERROR.PARSE,
        `${WHAT} checkints differ (0x${check1.toString(16)} ≠ 0x${check2.toString(16)}): the private section is corrupt`,
      );
    }
    const type = r.utf8();
    if (type !== SSH_ED25519) {
      throw new KeyError(
        KEY_ERROR.UNSUPPORTED_TYPE,
        `${WHAT} of type ${JSON.stringify(type)} is not supported yet (supported: ${SSH_ED25519})`,
      );
    }
    if (outerPublic.type !== type) {
      throw new KeyError(KEY_ERROR.PARSE, `${WHAT} holds a ${type} private key but a ${outerPublic.type} public key`);
    }
    const seed = readEd25519Private(r, outerPublic.blob);
    const comment = lenientUtf8.decode(r.string());
    checkPadding(r);
    return ed25519PrivateKeyFromSeed(seed, comment.replace(/[\r\n]/g, " "));
  });
}

function randomUint32(): number {
  const b = crypto.getRandomValues(new Uint8Array(4));
  return new DataView(b.buffer).getUint32(0);
}

export interface FormatOpenSshPrivateKeyOptions {
  /** The two equal checkints; random by default (OpenSSH uses arc4random). */
  readonly checkint?: number;
}

/**
 * Writes `key` as an unencrypted OpenSSH private key file (PROTOCOL.key), base64 wrapped at 70
 * columns like ssh-keygen, ending with a line end. Only keys created by this package (parsed,
 * generated or from a seed) carry the secret material needed; others give
 * ERR_KEY_UNSUPPORTED_TYPE.
 */
export function formatOpenSshPrivateKey(key: PrivateKey, options: FormatOpenSshPrivateKeyOptions = {}): string {
  const material = privateKeyMaterial(key);
  if (material === undefined) {
    throw new KeyError(
      KEY_ERROR.UNSUPPORTED_TYPE,
      `cannot write this ${key.type} key: its secret material is not available (only keys created by @purssh/keys can be written)`,
    );
  }
  const checkint = options.checkint ?? randomUint32();
  const sk = new Uint8Array(ED25519_SEED_LENGTH + ED25519_PUBLIC_KEY_LENGTH);
  sk.set(material.seed, 0);
  sk.set(material.publicKey, ED25519_SEED_LENGTH);
  const list = new SshWriter(256)
    .uint32(checkint)
    .uint32(checkint)
    .utf8(material.type)
    .string(material.publicKey)
    .string(sk)
    .utf8(key.publicKey.comment);
  for (let i = 1; list.length % NONE_BLOCK_SIZE !== 0; i++) list.byte(i);
  const privateList = list.finish();
  const body = new SshWriter(512)
    .raw(AUTH_MAGIC)
    .utf8("none")
    .utf8("none")
    .string(new Uint8Array(0))
    .uint32(1)
    .string(encodeEd25519PublicKeyBlob(material.publicKey))
    .string(privateList)
    .finish();
  return encodeArmor(OPENSSH_PRIVATE_KEY_LABEL, body, OPENSSH_WRAP_WIDTH);
}
