/**
 * OpenSSH private key files (OpenSSH PROTOCOL.key, "openssh-key-v1"), plain and encrypted:
 *
 *   -----BEGIN OPENSSH PRIVATE KEY-----  base64 wrapped at 70 columns  -----END …-----
 *   byte[15] "openssh-key-v1\0"
 *   string ciphername        "none", or a cipher of openssh-key-ciphers.ts ("aes256-ctr" default)
 *   string kdfname           "none" or "bcrypt"
 *   string kdfoptions        "" or, for bcrypt, string salt ‖ uint32 rounds
 *   uint32 N                 number of keys, 1
 *   string publickey         key blob (RFC 4253 §6.6)
 *   string private-list      encrypted with key ‖ IV = bcrypt_pbkdf(passphrase, salt, rounds)
 *   byte[authlen] tag        AEAD ciphers only: the tag follows the string (sshkey.c)
 *
 * The decrypted list is `uint32 checkint ‖ uint32 checkint ‖ string type ‖ key fields
 * (openssh-key-sections.ts) ‖ string comment ‖ padding 1, 2, 3, …` to the cipher block size.
 * Equal checkints are how OpenSSH detects a wrong passphrase.
 * @module
 */
import { equalBytes, SshReader, SshWriter, utf8Decode, utf8Encode } from "@purssh/wire";
import { decodeArmor, encodeArmor } from "./armor.js";
import { bcryptPbkdf } from "./bcrypt-pbkdf.js";
import { decoding, KEY_ERROR, KeyError } from "./errors.js";
import { KEY_FILE_CIPHERS, type KeyFileCipher, keyFileCipher } from "./openssh-key-ciphers.js";
import { readKeySection, writeKeySection } from "./openssh-key-sections.js";
import { type PrivateKey, privateKeyMaterial } from "./private-key.js";
import { parsePublicKeyBlob } from "./public-key.js";

/** PROTOCOL.key §1: the armor label and the magic that starts the decoded body. */
export const OPENSSH_PRIVATE_KEY_LABEL = "OPENSSH PRIVATE KEY";
const AUTH_MAGIC = utf8Encode("openssh-key-v1\0");
/** Block size of cipher "none" (OpenSSH cipher.c), the padding unit of an unencrypted list. */
const NONE_BLOCK_SIZE = 8;
/** OpenSSH wraps the base64 body at 70 columns (sshkey.c, `sshbuf_dtob64` with 70). */
const OPENSSH_WRAP_WIDTH = 70;
/**
 * Most bcrypt rounds we run (Go x/crypto/ssh b315afd: "a uint32 maximum is several months of
 * work"). ssh-keygen writes 16 by default; `-a` values in use are far below this.
 */
export const MAX_BCRYPT_ROUNDS = 2048;
/** ssh-keygen's defaults: 16 rounds of bcrypt_pbkdf over a 16-byte salt, cipher aes256-ctr. */
export const DEFAULT_BCRYPT_ROUNDS = 16;
const DEFAULT_SALT_LENGTH = 16;
const DEFAULT_CIPHER = "aes256-ctr";

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
    throw new KeyError(
      KEY_ERROR.UNSUPPORTED_FORMAT,
      "this is a PuTTY .ppk private key, not an OpenSSH one; parsePrivateKey() reads both",
    );
  }
  const { label, body } = decodeArmor(text, WHAT);
  if (label !== OPENSSH_PRIVATE_KEY_LABEL) {
    const known = OTHER_FORMATS[label];
    throw new KeyError(
      KEY_ERROR.UNSUPPORTED_FORMAT,
      known === undefined
        ? `expected "-----BEGIN ${OPENSSH_PRIVATE_KEY_LABEL}-----", found "-----BEGIN ${label}-----"`
        : `this is a ${known} private key ("-----BEGIN ${label}-----"), not an OpenSSH one; ` +
            "parsePrivateKey() reads the PEM formats",
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
  /** Bytes after the private list: the AEAD tag, empty otherwise. */
  readonly tag: Uint8Array;
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
    return { cipherName, kdfName, kdfOptions, publicKeyBlob, privateList, tag: r.rest() };
  });
}

/** bcrypt kdfoptions: string salt ‖ uint32 rounds (PROTOCOL.key §2). */
interface BcryptOptions {
  readonly salt: Uint8Array;
  readonly rounds: number;
}

function readBcryptOptions(options: Uint8Array): BcryptOptions {
  return decoding(`${WHAT} bcrypt kdf options`, () => {
    const r = new SshReader(options);
    const salt = r.string();
    const rounds = r.uint32();
    r.expectEnd(`${WHAT} bcrypt kdf options`);
    if (salt.length === 0 || rounds === 0) {
      throw new KeyError(KEY_ERROR.PARSE, `${WHAT} has bcrypt kdf options with an empty salt or 0 rounds`);
    }
    if (rounds > MAX_BCRYPT_ROUNDS) {
      throw new KeyError(
        KEY_ERROR.KDF_LIMIT,
        `${WHAT} asks for ${rounds} bcrypt rounds; at most ${MAX_BCRYPT_ROUNDS} are allowed (ssh-keygen uses 16)`,
      );
    }
    return { salt, rounds };
  });
}

function passphraseBytes(passphrase: string | Uint8Array): Uint8Array {
  return typeof passphrase === "string" ? utf8Encode(passphrase) : passphrase;
}

/** Key ‖ IV for `cipher` from bcrypt_pbkdf (PROTOCOL.key §2; sshkey.c `private2_decrypt`). */
function deriveKeyAndIv(cipher: KeyFileCipher, passphrase: Uint8Array, kdf: BcryptOptions): [Uint8Array, Uint8Array] {
  const out = bcryptPbkdf(passphrase, kdf.salt, kdf.rounds, cipher.keyLength + cipher.ivLength);
  return [out.subarray(0, cipher.keyLength), out.subarray(cipher.keyLength)];
}

/**
 * Checks the cipher/kdf combination and returns the decrypted private list (or the list itself
 * for cipher "none"). Structural problems are reported before a missing passphrase.
 */
function decryptPrivateList(env: Envelope, passphrase: string | Uint8Array | undefined): Uint8Array {
  if (env.cipherName === "none") {
    if (env.kdfName !== "none" || env.kdfOptions.length !== 0) {
      throw new KeyError(
        KEY_ERROR.PARSE,
        `${WHAT} with cipher "none" must have kdf "none" and empty kdf options, has kdf ${JSON.stringify(env.kdfName)}`,
      );
    }
    if (env.tag.length !== 0) {
      throw new KeyError(KEY_ERROR.PARSE, `${WHAT} has ${env.tag.length} trailing bytes after the private list`);
    }
    return env.privateList;
  }
  const cipher = keyFileCipher(env.cipherName);
  if (cipher === undefined) {
    throw new KeyError(
      KEY_ERROR.UNSUPPORTED_CIPHER,
      `${WHAT} is encrypted with cipher ${JSON.stringify(env.cipherName)}, which is not supported ` +
        `(supported: ${KEY_FILE_CIPHERS.join(", ")}); re-encrypt it with \`ssh-keygen -p -Z aes256-ctr -f <file>\``,
    );
  }
  if (env.kdfName !== "bcrypt") {
    throw new KeyError(
      env.kdfName === "none" ? KEY_ERROR.PARSE : KEY_ERROR.UNSUPPORTED_CIPHER,
      `${WHAT} is encrypted with ${cipher.name} but its kdf is ${JSON.stringify(env.kdfName)}; only "bcrypt" is defined`,
    );
  }
  const kdf = readBcryptOptions(env.kdfOptions);
  if (env.tag.length < cipher.tagLength) {
    throw new KeyError(
      KEY_ERROR.TRUNCATED,
      `${WHAT} is truncated: ${cipher.name} needs a ${cipher.tagLength}-byte tag after the private list, ${env.tag.length} bytes are left`,
    );
  }
  if (env.tag.length > cipher.tagLength) {
    throw new KeyError(KEY_ERROR.PARSE, `${WHAT} has ${env.tag.length - cipher.tagLength} trailing bytes`);
  }
  if (env.privateList.length % cipher.blockSize !== 0 || env.privateList.length === 0) {
    throw new KeyError(
      KEY_ERROR.PARSE,
      `${WHAT}: the encrypted private list is ${env.privateList.length} bytes, not a multiple of the ${cipher.name} block size ${cipher.blockSize}`,
    );
  }
  if (passphrase === undefined) {
    throw new KeyError(
      KEY_ERROR.ENCRYPTED,
      `this OpenSSH private key is passphrase-protected (cipher ${JSON.stringify(cipher.name)}, kdf "bcrypt"); pass its passphrase`,
    );
  }
  const pass = passphraseBytes(passphrase);
  if (pass.length === 0) {
    throw new KeyError(
      KEY_ERROR.BAD_PASSPHRASE,
      `the empty passphrase cannot decrypt this ${WHAT} (bcrypt_pbkdf needs one)`,
    );
  }
  const [key, iv] = deriveKeyAndIv(cipher, pass, kdf);
  const plain = cipher.decrypt(key, iv, env.privateList, env.tag);
  key.fill(0);
  if (plain === undefined) {
    throw new KeyError(
      KEY_ERROR.BAD_PASSPHRASE,
      `wrong passphrase: the ${cipher.name} tag of the ${WHAT} does not verify`,
    );
  }
  return plain;
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

/** Comments are usually UTF-8 but OpenSSH does not require it; invalid bytes become U+FFFD. */
const lenientUtf8 = new TextDecoder("utf-8");

/**
 * Parses an OpenSSH private key file (PROTOCOL.key) holding one key of any supported type
 * (ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa, sk-ssh-ed25519@openssh.com,
 * sk-ecdsa-sha2-nistp256@openssh.com), decrypting it with `passphrase` (a string is UTF-8
 * encoded) when it is encrypted. Errors (KeyError codes): ERR_KEY_ENCRYPTED (no passphrase given),
 * ERR_KEY_BAD_PASSPHRASE (checkints or AEAD tag do not verify), ERR_KEY_UNSUPPORTED_CIPHER,
 * ERR_KEY_KDF_LIMIT (more than 2,048 bcrypt rounds), ERR_KEY_UNSUPPORTED_TYPE (e.g. ssh-dss),
 * ERR_KEY_UNSUPPORTED_FORMAT (PEM, PuTTY), ERR_KEY_TRUNCATED, ERR_KEY_PARSE (anything else: bad
 * padding, inconsistent key material, trailing bytes). A comment that is not valid UTF-8 is
 * decoded with U+FFFD replacement characters; line breaks in it become spaces.
 */
export function parseOpenSshPrivateKey(input: string | Uint8Array, passphrase?: string | Uint8Array): PrivateKey {
  const env = readEnvelope(dearmor(input));
  const outerPublic = parsePublicKeyBlob(env.publicKeyBlob);
  const encrypted = env.cipherName !== "none";
  const list = decryptPrivateList(env, passphrase);
  try {
    return readPrivateList(list, outerPublic.blob, outerPublic.type, encrypted);
  } finally {
    if (encrypted) list.fill(0); // the key objects hold copies of what they need
  }
}

/** The decrypted private list: checkints, the key, its comment and the padding (PROTOCOL.key §3). */
function readPrivateList(list: Uint8Array, publicBlob: Uint8Array, publicType: string, encrypted: boolean): PrivateKey {
  return decoding(`${WHAT} private section`, () => {
    const r = new SshReader(list);
    const check1 = r.uint32();
    const check2 = r.uint32();
    if (check1 !== check2) {
      if (encrypted) {
        throw new KeyError(
          KEY_ERROR.BAD_PASSPHRASE,
          `wrong passphrase: the ${WHAT} does not decrypt (checkints differ)`,
        );
      }
      throw new KeyError(
        KEY_ERROR.PARSE,
        `${WHAT} checkints differ (0x${check1.toString(16)} ≠ 0x${check2.toString(16)}): the private section is corrupt`,
      );
    }
    const type = r.utf8();
    if (publicType !== type) {
      throw new KeyError(KEY_ERROR.PARSE, `${WHAT} holds a ${type} private key but a ${publicType} public key`);
    }
    const pending = readKeySection(r, type, `${type} ${WHAT}`);
    const comment = lenientUtf8.decode(r.string()).replace(/[\r\n]/g, " ");
    checkPadding(r);
    const key = pending(comment);
    if (!equalBytes(key.publicKey.blob, publicBlob)) {
      throw new KeyError(KEY_ERROR.PARSE, `${type} private key does not match the public key stored in the file`);
    }
    return key;
  });
}

function randomUint32(): number {
  const b = crypto.getRandomValues(new Uint8Array(4));
  return new DataView(b.buffer).getUint32(0);
}

export interface FormatOpenSshPrivateKeyOptions {
  /** Encrypts the key (UTF-8 for a string); undefined or empty writes it unencrypted, like `ssh-keygen -N ""`. */
  readonly passphrase?: string | Uint8Array;
  /** bcrypt_pbkdf rounds (`ssh-keygen -a`), 1…2048; default 16. */
  readonly rounds?: number;
  /** Cipher for an encrypted key, any of KEY_FILE_CIPHERS; default "aes256-ctr" (ssh-keygen's). */
  readonly cipher?: string;
  /** The two equal checkints; random by default (OpenSSH uses arc4random). */
  readonly checkint?: number;
  /** bcrypt salt; 16 random bytes by default. */
  readonly salt?: Uint8Array;
}

/**
 * Writes `key` as an OpenSSH private key file (PROTOCOL.key), base64 wrapped at 70 columns like
 * ssh-keygen, ending with a line end; with a passphrase, encrypted like `ssh-keygen -N pass`
 * (bcrypt_pbkdf, 16 rounds, aes256-ctr unless the options say otherwise). Only keys created by
 * this package (parsed, generated or built from components) carry the secret material needed;
 * others give ERR_KEY_UNSUPPORTED_TYPE.
 */
export function formatOpenSshPrivateKey(key: PrivateKey, options: FormatOpenSshPrivateKeyOptions = {}): string {
  const material = privateKeyMaterial(key);
  if (material === undefined) {
    throw new KeyError(
      KEY_ERROR.UNSUPPORTED_TYPE,
      `cannot write this ${key.type} key: its secret material is not available (only keys created by @purssh/keys can be written)`,
    );
  }
  const pass = options.passphrase === undefined ? new Uint8Array(0) : passphraseBytes(options.passphrase);
  const encrypt = pass.length > 0;
  let cipher: KeyFileCipher | undefined;
  if (encrypt) {
    cipher = keyFileCipher(options.cipher ?? DEFAULT_CIPHER);
    if (cipher === undefined) {
      throw new KeyError(
        KEY_ERROR.UNSUPPORTED_CIPHER,
        `cannot encrypt with ${JSON.stringify(options.cipher)} (supported: ${KEY_FILE_CIPHERS.join(", ")})`,
      );
    }
  }
  const rounds = options.rounds ?? DEFAULT_BCRYPT_ROUNDS;
  if (encrypt && (!Number.isInteger(rounds) || rounds < 1 || rounds > MAX_BCRYPT_ROUNDS)) {
    throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, `bcrypt rounds must be 1…${MAX_BCRYPT_ROUNDS}, got ${rounds}`);
  }
  const checkint = options.checkint ?? randomUint32();
  const list = new SshWriter(512).uint32(checkint).uint32(checkint);
  writeKeySection(list, key.type, material);
  list.utf8(key.publicKey.comment);
  const blockSize = cipher?.blockSize ?? NONE_BLOCK_SIZE;
  for (let i = 1; list.length % blockSize !== 0; i++) list.byte(i);
  let privateList: Uint8Array = list.finish();
  let tag: Uint8Array = new Uint8Array(0);
  let kdfOptions: Uint8Array = new Uint8Array(0);
  if (cipher !== undefined) {
    const salt = options.salt ?? crypto.getRandomValues(new Uint8Array(DEFAULT_SALT_LENGTH));
    kdfOptions = new SshWriter(32).string(salt).uint32(rounds).finish();
    const [k, iv] = deriveKeyAndIv(cipher, pass, { salt, rounds });
    const sealed = cipher.encrypt(k, iv, privateList);
    privateList.fill(0);
    k.fill(0);
    privateList = sealed.ciphertext;
    tag = sealed.tag;
  }
  const body = new SshWriter(1024)
    .raw(AUTH_MAGIC)
    .utf8(cipher?.name ?? "none")
    .utf8(cipher === undefined ? "none" : "bcrypt")
    .string(kdfOptions)
    .uint32(1)
    .string(key.publicKey.blob)
    .string(privateList)
    .raw(tag)
    .finish();
  return encodeArmor(OPENSSH_PRIVATE_KEY_LABEL, body, OPENSSH_WRAP_WIDTH);
}
