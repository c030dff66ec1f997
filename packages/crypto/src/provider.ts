/**
 * The CryptoProvider seam (DESIGN.md, crypto package): noble is the implementation of every
 * algorithm, everywhere; a provider may supply a faster implementation of an algorithm the registry
 * already has (node:crypto's OpenSSL in @purssh/crypto-node, say). The registry's lookups
 * (`getCipher`, `getMac`, `getKex`, `getSignatureAlgorithm`) ask the active provider first and fall
 * back to noble for every name it does not provide.
 *
 * A provider accelerates, it never adds or changes: it is only asked about names the registry
 * implements, the supported and default lists stay as they are, and an algorithm it returns must
 * agree with the built-in one on every parameter that shapes the wire (RFC 4253 §6: key, IV, block
 * and MAC lengths, AEAD or not, encrypt-then-MAC or not; RFC 4253 §7, RFC 5656 §4: how kex public
 * values travel; RFC 4253 §6.6: the key type a signature belongs to), or the lookup throws
 * ERR_CRYPTO_PROVIDER_MISMATCH. Byte-for-byte agreement beyond that is the provider's duty and its
 * test suite's: the known-answer suites run once per provider.
 *
 * The choice is process-wide, made once at start-up, before connections are opened: each
 * connection looks its algorithms up when it negotiates them, so a change applies to key exchanges
 * that start after it.
 * @module
 */
import type { CipherAlgorithm, KexAlgorithm, MacAlgorithm, SignatureAlgorithm } from "./types.js";

/** The packet-cipher helpers a provider's ciphers share with the built-in ones (same codes, same messages). */
export { checkKeyLength, macError, tagOffset } from "./ciphers/packet-errors.js";

/**
 * Alternative implementations of registered algorithms. Each method returns the implementation of
 * `name` or undefined to leave it to noble; it is called at every registry lookup, so it should
 * return a cached object.
 */
export interface CryptoProvider {
  /** Shown in errors and logs ("node:crypto"). */
  readonly name: string;
  cipher?(name: string): CipherAlgorithm | undefined;
  mac?(name: string): MacAlgorithm | undefined;
  kex?(name: string): KexAlgorithm | undefined;
  signature?(name: string): SignatureAlgorithm | undefined;
}

let active: CryptoProvider | undefined;

/**
 * Installs `provider` for the whole process (undefined: noble only). Algorithms already handed out
 * (the packet ciphers of open connections) keep working; later lookups see the new provider.
 */
export function useCryptoProvider(provider: CryptoProvider | undefined): void {
  active = provider;
}

/** The provider installed by useCryptoProvider, or undefined when noble does everything. */
export function activeCryptoProvider(): CryptoProvider | undefined {
  return active;
}
