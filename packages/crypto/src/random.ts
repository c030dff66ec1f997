/**
 * The default source of randomness for key exchange and padding: the Web Crypto API's
 * `crypto.getRandomValues`, present in Node ≥ 20, Deno, Bun, browsers and workers. RFC 4253 §6
 * (random padding) and RFC 8731 §3 (ephemeral X25519 keys) draw on it through the injected
 * `RandomBytes` type, so tests can substitute a deterministic source.
 * @module
 */
import { SshError } from "@purssh/wire";
import type { RandomBytes } from "./types.js";

/** `getRandomValues` throws a QuotaExceededError for requests above 65,536 bytes (WebCrypto §10.1.1). */
const GET_RANDOM_VALUES_LIMIT = 65_536;

/** `n` cryptographically secure random bytes, in chunks the platform API accepts. */
export const defaultRandomBytes: RandomBytes = (n: number): Uint8Array => {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new SshError("ERR_CRYPTO_RANDOM_LENGTH", `cannot produce ${n} random bytes`);
  }
  const out = new Uint8Array(n);
  for (let offset = 0; offset < n; offset += GET_RANDOM_VALUES_LIMIT) {
    crypto.getRandomValues(out.subarray(offset, Math.min(n, offset + GET_RANDOM_VALUES_LIMIT)));
  }
  return out;
};
