/**
 * PuTTY private key files, PPK versions 2 and 3 (PuTTY manual appendix C, "PPK file format"):
 *
 *   PuTTY-User-Key-File-3: <algorithm>     (2 for PuTTY 0.52–0.74)
 *   Encryption: none | aes256-cbc
 *   Comment: <text>
 *   Public-Lines: N, then N lines of base64 public key blob
 *   Key-Derivation: Argon2id|Argon2i|Argon2d, Argon2-Memory (KiB), Argon2-Passes,
 *     Argon2-Parallelism, Argon2-Salt (hex)      — v3 and encrypted only (§C.4)
 *   Private-Lines: N, then N lines of base64 private blob (AES-256-CBC, random padding)
 *   Private-MAC: hex HMAC-SHA-256 (v3) / HMAC-SHA-1 (v2) of
 *     string algorithm ‖ string encryption ‖ string comment ‖ string public ‖ string private
 *
 * v3 keys: Argon2 (RFC 9106; empty secret and associated data) gives cipher key 32 ‖ IV 16 ‖
 * MAC key 32; unencrypted v3 files use an empty MAC key. v2 keys (§C.5.1): cipher key = first 32
 * bytes of SHA-1(uint32 0 ‖ pass) ‖ SHA-1(uint32 1 ‖ pass), IV zero, MAC key =
 * SHA-1("putty-private-key-file-mac-key" ‖ pass), pass "" when unencrypted.
 *
 * Private blobs (§C.3): ssh-rsa `mpint d, mpint p, mpint q, mpint iqmp`; ecdsa `mpint d`;
 * ssh-ed25519 the 32-byte seed as a little-endian string. The MAC is verified before the
 * private blob is used; a wrong passphrase is a MAC mismatch (ERR_KEY_BAD_PASSPHRASE).
 * @module
 */
import { cbc } from "@noble/ciphers/aes.js";
import { argon2d, argon2i, argon2id } from "@noble/hashes/argon2.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, equalBytes, fromBase64, fromHex, SshReader, SshWriter, utf8Encode } from "@purssh/wire";
import { ecdsaPrivateKey } from "./ecdsa-key.js";
import { decoding, KEY_ERROR, KeyError } from "./errors.js";
import { decodeKnownBlob } from "./key-blobs.js";
import { ed25519PrivateKeyFromSeed, type PrivateKey } from "./private-key.js";
import { rsaPrivateKey } from "./rsa-key.js";

const WHAT = "PuTTY private key";
/** Argon2 work we accept (PuTTY writes 8,192 KiB and ~100 ms of passes). */
export const MAX_ARGON2_MEMORY_KIB = 256 * 1024;
export const MAX_ARGON2_PASSES = 1000;
export const MAX_ARGON2_PARALLELISM = 16;
/** Most base64 lines of a blob (a 16,384-bit RSA key needs ~45 private lines). */
const MAX_LINES = 1024;

const ARGON2 = { Argon2id: argon2id, Argon2i: argon2i, Argon2d: argon2d } as const;

/** Line reader over the text, with the PuTTY header syntax `Name: value`. */
class PpkLines {
  private i = 0;
  constructor(private readonly lines: readonly string[]) {}

  header(name: string): string {
    const line = this.lines[this.i];
    if (line === undefined) throw new KeyError(KEY_ERROR.TRUNCATED, `${WHAT} is truncated: "${name}:" line is missing`);
    const prefix = `${name}: `;
    if (!line.startsWith(prefix)) {
      throw new KeyError(
        KEY_ERROR.PARSE,
        `${WHAT}: expected a "${name}:" line, found ${JSON.stringify(line.slice(0, 40))}`,
      );
    }
    this.i++;
    return line.slice(prefix.length);
  }

  peekIs(name: string): boolean {
    return this.lines[this.i]?.startsWith(`${name}: `) ?? false;
  }

  count(name: string): number {
    const text = this.header(name);
    if (!/^\d{1,4}$/.test(text) || Number(text) > MAX_LINES) {
      throw new KeyError(
        KEY_ERROR.PARSE,
        `${WHAT}: "${name}" is ${JSON.stringify(text.slice(0, 20))}, not a line count`,
      );
    }
    return Number(text);
  }

  base64Block(name: string): Uint8Array {
    const n = this.count(name);
    const chunk = this.lines.slice(this.i, this.i + n);
    if (chunk.length < n) throw new KeyError(KEY_ERROR.TRUNCATED, `${WHAT} is truncated inside the ${name} block`);
    this.i += n;
    return decoding(`${WHAT} ${name} block`, () => fromBase64(chunk.join("")));
  }

  expectEnd(): void {
    if (this.lines.slice(this.i).some((l) => l !== "")) {
      throw new KeyError(KEY_ERROR.PARSE, `${WHAT} has unexpected lines after Private-MAC`);
    }
  }
}

function decimal(text: string, name: string, max: number): number {
  if (!/^\d{1,10}$/.test(text))
    throw new KeyError(KEY_ERROR.PARSE, `${WHAT}: ${name} ${JSON.stringify(text)} is not a number`);
  const v = Number(text);
  if (v < 1) throw new KeyError(KEY_ERROR.PARSE, `${WHAT}: ${name} must be at least 1`);
  if (v > max) throw new KeyError(KEY_ERROR.KDF_LIMIT, `${WHAT}: ${name} ${v} exceeds the limit of ${max}`);
  return v;
}

interface Argon2Parameters {
  readonly flavour: keyof typeof ARGON2;
  readonly memory: number;
  readonly passes: number;
  readonly parallelism: number;
  readonly salt: Uint8Array;
}

function readArgon2(lines: PpkLines): Argon2Parameters {
  const flavour = lines.header("Key-Derivation");
  if (!(flavour in ARGON2)) {
    throw new KeyError(KEY_ERROR.UNSUPPORTED_CIPHER, `${WHAT} uses key derivation ${JSON.stringify(flavour)}`);
  }
  const memory = decimal(lines.header("Argon2-Memory"), "Argon2-Memory", MAX_ARGON2_MEMORY_KIB);
  const passes = decimal(lines.header("Argon2-Passes"), "Argon2-Passes", MAX_ARGON2_PASSES);
  const parallelism = decimal(lines.header("Argon2-Parallelism"), "Argon2-Parallelism", MAX_ARGON2_PARALLELISM);
  const saltHex = lines.header("Argon2-Salt");
  const salt = decoding(`${WHAT} Argon2-Salt`, () => fromHex(saltHex));
  if (memory < 8 * parallelism) {
    throw new KeyError(KEY_ERROR.PARSE, `${WHAT}: Argon2-Memory must be at least 8 × parallelism KiB (RFC 9106 §3.1)`);
  }
  return { flavour: flavour as keyof typeof ARGON2, memory, passes, parallelism, salt };
}

/** Cipher key, IV and MAC key (§C.4 for v3, §C.5.1 for v2). */
function deriveKeys(
  version: 2 | 3,
  passphrase: Uint8Array,
  argon: Argon2Parameters | undefined,
): { key: Uint8Array; iv: Uint8Array; macKey: Uint8Array } {
  if (version === 2) {
    const seq = (n: number) => new SshWriter(4).uint32(n).raw(passphrase).finish();
    const key = concatBytes(sha1(seq(0)), sha1(seq(1))).subarray(0, 32);
    const macKey = sha1(concatBytes(utf8Encode("putty-private-key-file-mac-key"), passphrase));
    return { key, iv: new Uint8Array(16), macKey };
  }
  if (argon === undefined) return { key: new Uint8Array(0), iv: new Uint8Array(0), macKey: new Uint8Array(0) };
  const out = ARGON2[argon.flavour](passphrase, argon.salt, {
    t: argon.passes,
    m: argon.memory,
    p: argon.parallelism,
    dkLen: 80,
  });
  return { key: out.subarray(0, 32), iv: out.subarray(32, 48), macKey: out.subarray(48) };
}

/** Reads the private blob of `type` (§C.3) against its public key; returns the key. */
function readPrivateBlob(type: string, publicBlob: Uint8Array, r: SshReader, comment: string): PrivateKey {
  const params = decodeKnownBlob(publicBlob, `${WHAT} public key`);
  const what = `${type} ${WHAT}`;
  switch (params.kind) {
    case "rsa": {
      const d = r.mpint();
      const p = r.mpint();
      const q = r.mpint();
      const iqmp = r.mpint();
      return rsaPrivateKey({ n: params.n, e: params.e, d, p, q, iqmp }, comment, what);
    }
    case "ecdsa":
      return ecdsaPrivateKey(params.curve, r.mpint(), comment, params.point, what);
    case "ed25519": {
      const le = r.string();
      if (le.length > 32) throw new KeyError(KEY_ERROR.PARSE, `${what}: the private key is ${le.length} bytes, not 32`);
      const seed = new Uint8Array(32);
      seed.set(le);
      const key = ed25519PrivateKeyFromSeed(seed, comment);
      if (!equalBytes(key.publicKey.blob, publicBlob)) {
        throw new KeyError(
          KEY_ERROR.PARSE,
          `${what} is inconsistent: the public key is not derived from the private key`,
        );
      }
      return key;
    }
    default:
      throw new KeyError(
        KEY_ERROR.UNSUPPORTED_TYPE,
        `${WHAT} of type ${JSON.stringify(type)} is not supported (supported: ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa)`,
      );
  }
}

/** Comments may be in any encoding; bytes that are not UTF-8 become U+FFFD. */
const lenientUtf8 = new TextDecoder("utf-8");
const latin1 = new TextDecoder("latin1");

/**
 * Parses a PuTTY .ppk private key (v2 or v3), decrypting it with `passphrase` (a string is UTF-8
 * encoded) when it is encrypted. The MAC is checked before the private blob is read. Errors:
 * ERR_KEY_ENCRYPTED (no passphrase), ERR_KEY_BAD_PASSPHRASE (MAC mismatch on an encrypted file),
 * ERR_KEY_UNSUPPORTED_FORMAT (v1 or an unknown version), ERR_KEY_UNSUPPORTED_CIPHER,
 * ERR_KEY_KDF_LIMIT, ERR_KEY_UNSUPPORTED_TYPE (ssh-dss, ssh-ed448), ERR_KEY_TRUNCATED,
 * ERR_KEY_PARSE (including a MAC mismatch on an unencrypted file: it was edited or damaged).
 */
export function parsePpkPrivateKey(input: string | Uint8Array, passphrase?: string | Uint8Array): PrivateKey {
  // Bytes are read as Latin-1 so that the comment's exact bytes can enter the MAC.
  const text = typeof input === "string" ? input : latin1.decode(input);
  const commentBytes = (c: string) =>
    typeof input === "string" ? utf8Encode(c) : Uint8Array.from(c, (ch) => ch.charCodeAt(0));
  const allLines = text.replace(/^\s+/, "").split(/\r\n|\r|\n/);
  const lines = new PpkLines(allLines);
  const first = /^PuTTY-User-Key-File-(\d+): /.exec(allLines[0] ?? "");
  if (first === null) throw new KeyError(KEY_ERROR.PARSE, `${WHAT} does not start with "PuTTY-User-Key-File-"`);
  const version = Number(first[1]);
  if (version !== 2 && version !== 3) {
    throw new KeyError(
      KEY_ERROR.UNSUPPORTED_FORMAT,
      `PPK version ${first[1]} is not supported (versions 2 and 3 are); re-save the key with a current PuTTYgen`,
    );
  }
  const algorithm = lines.header(`PuTTY-User-Key-File-${version}`);
  const encryption = lines.header("Encryption");
  if (encryption !== "none" && encryption !== "aes256-cbc") {
    throw new KeyError(KEY_ERROR.UNSUPPORTED_CIPHER, `${WHAT} uses encryption ${JSON.stringify(encryption)}`);
  }
  const commentText = lines.header("Comment");
  const publicBlob = lines.base64Block("Public-Lines");
  const argon = version === 3 && encryption !== "none" ? readArgon2(lines) : undefined;
  const stored = lines.base64Block("Private-Lines");
  const macHex = lines.header("Private-MAC");
  lines.expectEnd();
  const macLength = version === 3 ? 32 : 20;
  if (!new RegExp(`^[0-9a-fA-F]{${2 * macLength}}$`).test(macHex)) {
    throw new KeyError(KEY_ERROR.PARSE, `${WHAT}: Private-MAC must be ${2 * macLength} hex digits`);
  }
  const publicType = decodeKnownBlob(publicBlob, `${WHAT} public key`).type;
  if (publicType !== algorithm) {
    throw new KeyError(KEY_ERROR.PARSE, `${WHAT} says ${algorithm} but holds a ${publicType} public key`);
  }
  const encrypted = encryption !== "none";
  if (encrypted && (stored.length === 0 || stored.length % 16 !== 0)) {
    throw new KeyError(
      KEY_ERROR.PARSE,
      `${WHAT}: the encrypted private blob is ${stored.length} bytes, not whole AES blocks`,
    );
  }
  if (encrypted && passphrase === undefined) {
    throw new KeyError(KEY_ERROR.ENCRYPTED, `this ${WHAT} is passphrase-protected (aes256-cbc); pass its passphrase`);
  }
  const pass = encrypted
    ? typeof passphrase === "string"
      ? utf8Encode(passphrase)
      : (passphrase as Uint8Array)
    : new Uint8Array(0);
  const { key, iv, macKey } = deriveKeys(version, pass, argon);
  const privateBlob = encrypted ? cbc(key, iv, { disablePadding: true }).decrypt(stored) : stored;
  const macData = new SshWriter(512)
    .utf8(algorithm)
    .utf8(encryption)
    .string(commentBytes(commentText))
    .string(publicBlob)
    .string(privateBlob)
    .finish();
  const mac = hmac(version === 3 ? sha256 : sha1, macKey, macData);
  if (!equalBytes(mac, fromHex(macHex))) {
    if (encrypted)
      throw new KeyError(KEY_ERROR.BAD_PASSPHRASE, `wrong passphrase: the ${WHAT}'s Private-MAC does not verify`);
    throw new KeyError(KEY_ERROR.PARSE, `${WHAT}: Private-MAC does not verify; the file was edited or damaged`);
  }
  const comment = lenientUtf8.decode(commentBytes(commentText));
  try {
    return decoding(`${WHAT} private blob`, () => {
      const r = new SshReader(privateBlob);
      const result = readPrivateBlob(algorithm, publicBlob, r, comment);
      // Encrypted blobs carry up to one block of random padding; plain ones none.
      if (r.remaining > (encrypted ? 15 : 0)) {
        throw new KeyError(KEY_ERROR.PARSE, `${WHAT}: private blob has trailing bytes`);
      }
      return result;
    });
  } finally {
    if (encrypted) privateBlob.fill(0); // the key holds its own copies
  }
}
