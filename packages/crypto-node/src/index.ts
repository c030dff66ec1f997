/**
 * @purssh/crypto-node: a CryptoProvider for @purssh/crypto backed by node:crypto (OpenSSL). Optional
 * acceleration where Node is the runtime; nothing in purssh requires it, and without it every
 * algorithm runs on noble. Install it once at start-up:
 *
 *   import { useCryptoProvider } from "@purssh/crypto";
 *   import { nodeCryptoProvider } from "@purssh/crypto-node";
 *   useCryptoProvider(nodeCryptoProvider);
 * @module
 */
export { nodeCryptoProvider, nodeProvidedAlgorithms } from "./provider.js";
