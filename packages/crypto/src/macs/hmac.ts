/**
 * The HMAC message authentication codes of the SSH transport (RFC 4253 §6.4, RFC 6668, OpenSSH
 * PROTOCOL §1.5), over noble's hashes:
 *
 *   mac = HMAC(key, uint32 sequence_number ‖ data)
 *
 * where data is the unencrypted packet (encrypt-and-MAC, RFC 4253 §6.4) or, for OpenSSH's
 * `-etm@openssh.com` names, packet_length ‖ the encrypted packet (encrypt-then-MAC); which one is
 * the composer's business (../ciphers/composed.ts). The key is as long as the hash output (RFC 4253
 * §6.4, RFC 6668 §2); hmac-sha1-96 sends the first 12 bytes of HMAC-SHA1.
 *
 * hmac-md5, hmac-md5-etm@openssh.com and hmac-sha1-96 are legacy: they carry `insecure` in their
 * identifiers and stay out of the defaults (DESIGN.md principle 5). HMAC-MD5 is not known to be
 * forgeable, but MD5 is broken and OpenSSH disabled these by default in 7.2; hmac-sha1-96 has a
 * needlessly short tag. hmac-sha1 remains in OpenSSH's default list and in ours.
 *
 * The inner and outer hash states after the key block are computed once per key; each packet then
 * clones them (noble's `_cloneInto`) instead of hashing the padded key again.
 * @module
 */
import { type _HMAC, hmac } from "@noble/hashes/hmac.js";
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { SshError } from "@purssh/wire";
import type { Mac, MacAlgorithm } from "../types.js";

// biome-ignore lint/suspicious/noExplicitAny: noble types the keyed HMAC of any hash as _HMAC<any>.
type KeyedHmac = _HMAC<any>;
type HashFunction = Parameters<typeof hmac.create>[0];

const TWO_POW_32 = 0x1_0000_0000;

/**
 * HMAC (RFC 2104) under one key, for any number of messages: the keyed state is computed once and
 * copied for each message. Any key length (RFC 2104 §3); the SSH MACs check theirs.
 */
export class ReusableHmac {
  readonly outputLength: number;
  readonly #keyed: KeyedHmac;
  #work: KeyedHmac | undefined;

  constructor(hash: HashFunction, key: Uint8Array) {
    this.#keyed = hmac.create(hash, key) as KeyedHmac;
    this.outputLength = this.#keyed.outputLen;
  }

  /** HMAC over the concatenation of `parts`, written into `out` (at least outputLength bytes). */
  macInto(out: Uint8Array, ...parts: Uint8Array[]): void {
    const h = this.#keyed._cloneInto(this.#work);
    this.#work = h;
    for (const part of parts) h.update(part);
    h.digestInto(out);
  }
}

/** One direction's keyed SSH MAC: HMAC(key, uint32 seq ‖ data), truncated to macLength. */
class SshHmac implements Mac {
  readonly #hmac: ReusableHmac;
  readonly #macLength: number;
  readonly #seq = new Uint8Array(4);
  /** The untruncated output, for the truncated (-96) variants. */
  readonly #full: Uint8Array;

  constructor(hash: HashFunction, key: Uint8Array, macLength: number) {
    this.#hmac = new ReusableHmac(hash, key);
    this.#macLength = macLength;
    this.#full = new Uint8Array(this.#hmac.outputLength);
  }

  compute(seq: number, data: Uint8Array): Uint8Array {
    if (!Number.isInteger(seq) || seq < 0 || seq >= TWO_POW_32) {
      throw new SshError("ERR_CRYPTO_SEQUENCE_NUMBER", `not a packet sequence number: ${seq}`);
    }
    const s = this.#seq;
    s[0] = seq >>> 24;
    s[1] = seq >>> 16;
    s[2] = seq >>> 8;
    s[3] = seq;
    if (this.#macLength === this.#full.length) {
      const out = new Uint8Array(this.#macLength);
      this.#hmac.macInto(out, s, data);
      return out;
    }
    this.#hmac.macInto(this.#full, s, data);
    const out = this.#full.slice(0, this.#macLength);
    this.#full.fill(0);
    return out;
  }
}

function hmacAlgorithm(name: string, hash: HashFunction, macLength: number, etm: boolean): MacAlgorithm {
  const keyLength = hash.outputLen;
  return Object.freeze({
    name,
    keyLength,
    macLength,
    etm,
    create(key: Uint8Array): Mac {
      if (key.length !== keyLength) {
        throw new SshError("ERR_CRYPTO_KEY_LENGTH", `${name} needs a ${keyLength}-byte key, got ${key.length} bytes`);
      }
      return new SshHmac(hash, key, macLength);
    },
  });
}

/** hmac-sha2-256 (RFC 6668 §2): 32-byte key and MAC. */
export const hmacSha256: MacAlgorithm = hmacAlgorithm("hmac-sha2-256", sha256, 32, false);
/** hmac-sha2-512 (RFC 6668 §2): 64-byte key and MAC. */
export const hmacSha512: MacAlgorithm = hmacAlgorithm("hmac-sha2-512", sha512, 64, false);
/** hmac-sha1 (RFC 4253 §6.4, REQUIRED there): 20-byte key and MAC. */
export const hmacSha1: MacAlgorithm = hmacAlgorithm("hmac-sha1", sha1, 20, false);
/** hmac-sha2-256-etm@openssh.com (OpenSSH PROTOCOL §1.5). */
export const hmacSha256Etm: MacAlgorithm = hmacAlgorithm("hmac-sha2-256-etm@openssh.com", sha256, 32, true);
/** hmac-sha2-512-etm@openssh.com (OpenSSH PROTOCOL §1.5). */
export const hmacSha512Etm: MacAlgorithm = hmacAlgorithm("hmac-sha2-512-etm@openssh.com", sha512, 64, true);
/** hmac-sha1-etm@openssh.com (OpenSSH PROTOCOL §1.5). */
export const hmacSha1Etm: MacAlgorithm = hmacAlgorithm("hmac-sha1-etm@openssh.com", sha1, 20, true);
/** hmac-sha1-96 (RFC 4253 §6.4): 20-byte key, the first 12 bytes of HMAC-SHA1. Legacy, opt-in. */
export const insecureHmacSha1_96: MacAlgorithm = hmacAlgorithm("hmac-sha1-96", sha1, 12, false);
/** hmac-md5 (RFC 4253 §6.4, OPTIONAL there): 16-byte key and MAC. Legacy, opt-in. */
export const insecureHmacMd5: MacAlgorithm = hmacAlgorithm("hmac-md5", md5, 16, false);
/** hmac-md5-etm@openssh.com (OpenSSH PROTOCOL §1.5). Legacy, opt-in. */
export const insecureHmacMd5Etm: MacAlgorithm = hmacAlgorithm("hmac-md5-etm@openssh.com", md5, 16, true);
