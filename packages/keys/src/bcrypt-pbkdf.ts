/**
 * bcrypt_pbkdf (OpenBSD lib/libutil/bcrypt_pbkdf.c, T. Unangst 2013; used by OpenSSH PROTOCOL.key
 * for kdfname "bcrypt"): PBKDF2's structure with bcrypt as the pseudo-random function.
 *
 *   sha2pass = SHA-512(password)
 *   for block count = 1, 2, …:   (32 output bytes per block)
 *     tmp = bcrypt_hash(sha2pass, SHA-512(salt ‖ uint32be(count)));  out = tmp
 *     repeat rounds − 1 times:  tmp = bcrypt_hash(sha2pass, SHA-512(tmp));  out ^= tmp
 *     out[i] goes to key[i · stride + count − 1]   (the output is interleaved, not concatenated)
 *
 * bcrypt_hash(pass, salt) is Blowfish's expensive key schedule: expandstate(salt, pass), then 64
 * times expand0state(salt), expand0state(pass); then "OxychromaticBlowfishSwatDynamite" as 8
 * big-endian words, encrypted 64 times in ECB, written out as little-endian words.
 * @module
 */
import { sha512 } from "@noble/hashes/sha2.js";
import { utf8Encode } from "@purssh/wire";
import { BlowfishState } from "./blowfish.js";
import { KEY_ERROR, KeyError } from "./errors.js";

/** Output bytes of one bcrypt_hash (BCRYPT_HASHSIZE). */
const BCRYPT_HASH_SIZE = 32;
const MAGIC = utf8Encode("OxychromaticBlowfishSwatDynamite");
/** OpenBSD's limits: at most 32·32 output bytes, a salt of at most 1 MiB. */
const MAX_KEY_LENGTH = BCRYPT_HASH_SIZE * BCRYPT_HASH_SIZE;
const MAX_SALT_LENGTH = 1 << 20;

/** The raw bcrypt hash of two 64-byte SHA-512 digests (bcrypt_pbkdf.c `bcrypt_hash`). */
export function bcryptHash(sha2pass: Uint8Array, sha2salt: Uint8Array): Uint8Array {
  const state = new BlowfishState();
  state.expandWithSalt(sha2salt, sha2pass);
  for (let i = 0; i < 64; i++) {
    state.expand(sha2salt);
    state.expand(sha2pass);
  }
  const magic = new DataView(MAGIC.buffer, MAGIC.byteOffset, MAGIC.byteLength);
  const cdata = new Uint32Array(BCRYPT_HASH_SIZE / 4);
  for (let i = 0; i < cdata.length; i++) cdata[i] = magic.getUint32(4 * i);
  for (let i = 0; i < 64; i++) state.encryptWords(cdata);
  const out = new Uint8Array(BCRYPT_HASH_SIZE);
  const view = new DataView(out.buffer);
  for (let i = 0; i < cdata.length; i++) view.setUint32(4 * i, cdata[i] as number, true);
  return out;
}

/**
 * bcrypt_pbkdf(password, salt, rounds) → `keyLength` bytes. Arguments OpenBSD rejects (rounds < 1,
 * empty password or salt, a salt over 1 MiB, a key over 1,024 bytes) are ERR_KEY_INVALID_ARGUMENT.
 * The cost is linear in `rounds`; callers bound it (PROTOCOL.key parsing caps it at 2,048).
 */
export function bcryptPbkdf(password: Uint8Array, salt: Uint8Array, rounds: number, keyLength: number): Uint8Array {
  if (!Number.isSafeInteger(rounds) || rounds < 1) {
    throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, `bcrypt_pbkdf needs at least 1 round, got ${rounds}`);
  }
  if (password.length === 0) throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, "bcrypt_pbkdf needs a non-empty password");
  if (salt.length === 0 || salt.length > MAX_SALT_LENGTH) {
    throw new KeyError(
      KEY_ERROR.INVALID_ARGUMENT,
      `bcrypt_pbkdf salt length ${salt.length} is not in 1…${MAX_SALT_LENGTH}`,
    );
  }
  if (!Number.isSafeInteger(keyLength) || keyLength < 1 || keyLength > MAX_KEY_LENGTH) {
    throw new KeyError(
      KEY_ERROR.INVALID_ARGUMENT,
      `bcrypt_pbkdf key length ${keyLength} is not in 1…${MAX_KEY_LENGTH}`,
    );
  }
  const stride = Math.ceil(keyLength / BCRYPT_HASH_SIZE);
  const amount = Math.ceil(keyLength / stride);
  const sha2pass = sha512(password);
  const key = new Uint8Array(keyLength);
  const countSalt = new Uint8Array(salt.length + 4);
  countSalt.set(salt);
  let remaining = keyLength;
  for (let count = 1; remaining > 0; count++) {
    new DataView(countSalt.buffer).setUint32(salt.length, count);
    let tmp = bcryptHash(sha2pass, sha512(countSalt));
    const out = tmp.slice();
    for (let round = 1; round < rounds; round++) {
      tmp = bcryptHash(sha2pass, sha512(tmp));
      for (let j = 0; j < out.length; j++) out[j] = (out[j] as number) ^ (tmp[j] as number);
    }
    // "pbkdf2 deviation": output the key material non-linearly.
    let i = 0;
    for (; i < Math.min(amount, remaining); i++) {
      const dest = i * stride + (count - 1);
      if (dest >= keyLength) break;
      key[dest] = out[i] as number;
    }
    remaining -= i;
  }
  return key;
}
