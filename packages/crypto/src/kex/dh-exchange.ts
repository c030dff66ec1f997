/**
 * One side of a finite-field Diffie-Hellman exchange (RFC 4253 §8), shared by the fixed-group
 * methods (RFC 4253 §8.1–8.2, RFC 8268) and group exchange (RFC 4419 §3).
 *
 * - The private exponent x is 512 random bits with the top bit set: at least twice as long as the
 *   key material derived from K (RFC 4419 §6.2; 256-bit keys at most), as OpenSSH does (dh.c
 *   dh_gen_key: 2 × need bits, need ≥ 256). 1 < x < q for every group of 1024 bits or more, so
 *   e = g^x mod p is never 1 or p − 1.
 * - `publicKey` is e (or f) as an unsigned big-endian magnitude; the transport frames it as an
 *   mpint on the wire and in the exchange hash.
 * - The peer's value must satisfy 1 < f < p − 1: RFC 4253 §8 says values outside [1, p-1] MUST NOT
 *   be sent or accepted, and RFC 8268 §4 corrects that to exclude 1 and p − 1, which generate
 *   subgroups of order 1 and 2 (OpenSSH's dh_pub_is_valid rejects them too).
 * - K = f^x mod p is returned as an mpint with its uint32 length, ready for the exchange hash and
 *   the RFC 4253 §7.2 KDF.
 * @module
 */
import { DISCONNECT, encodeWith, ProtocolError, SshError } from "@purssh/wire";
import type { DhGroup, KexClientExchange, KexServerExchange, RandomBytes } from "../types.js";
import { bigintToBytes, bitLength, bytesToBigint, modPow } from "./modp-arithmetic.js";

/** Bits of private exponent (OpenSSH dh_gen_key with need = 256: 2 × 256). */
export const DH_PRIVATE_EXPONENT_BITS = 512;
const EXPONENT_BYTES = DH_PRIVATE_EXPONENT_BITS / 8;

export class FiniteFieldDhExchange implements KexClientExchange, KexServerExchange {
  readonly publicKey: Uint8Array;
  readonly #method: string;
  readonly #p: bigint;
  readonly #pLength: number;
  readonly #x: bigint;

  constructor(method: string, group: DhGroup, random: RandomBytes) {
    this.#method = method;
    this.#p = group.p;
    this.#pLength = Math.ceil(bitLength(group.p) / 8);
    if (bitLength(group.p) <= DH_PRIVATE_EXPONENT_BITS + 1) {
      throw new SshError("ERR_CRYPTO_RANGE", `${method}: a ${bitLength(group.p)}-bit group is too small`);
    }
    const r = random(EXPONENT_BYTES);
    if (r.length !== EXPONENT_BYTES) {
      throw new SshError("ERR_CRYPTO_RANDOM_LENGTH", `random source returned ${r.length} bytes, not ${EXPONENT_BYTES}`);
    }
    this.#x = bytesToBigint(r) | (1n << BigInt(DH_PRIVATE_EXPONENT_BITS - 1));
    const e = modPow(group.g, this.#x, group.p);
    if (e <= 1n || e >= group.p - 1n) {
      throw new ProtocolError(
        "ERR_KEX_INVALID_GROUP",
        `${method}: g^x mod p is 0, 1 or p-1, so the generator has a tiny order`,
        DISCONNECT.KEY_EXCHANGE_FAILED,
      );
    }
    this.publicKey = bigintToBytes(e);
  }

  /** K = f^x mod p as an mpint with its length prefix (RFC 4253 §8). */
  computeSharedSecret(peerPublicKey: Uint8Array): Uint8Array {
    let start = 0;
    while (start < peerPublicKey.length && peerPublicKey[start] === 0) start++;
    const magnitude = peerPublicKey.subarray(start);
    const f = magnitude.length > this.#pLength ? this.#p : bytesToBigint(magnitude);
    if (f <= 1n || f >= this.#p - 1n) {
      throw new ProtocolError(
        "ERR_KEX_INVALID_PUBLIC_KEY",
        `${this.#method}: the peer's public value is outside 1 < f < p-1 (RFC 4253 §8, RFC 8268 §4)`,
        DISCONNECT.KEY_EXCHANGE_FAILED,
      );
    }
    const k = modPow(f, this.#x, this.#p);
    if (k <= 1n) {
      // Unreachable for a safe prime and 1 < f < p - 1; kept as a guard for group-exchange primes.
      throw new ProtocolError(
        "ERR_KEX_INVALID_PUBLIC_KEY",
        `${this.#method}: the shared secret is degenerate`,
        DISCONNECT.KEY_EXCHANGE_FAILED,
      );
    }
    return encodeWith((w) => w.mpint(k), this.#pLength + 5);
  }
}
