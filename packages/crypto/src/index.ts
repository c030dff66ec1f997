/**
 * @purssh/crypto: the algorithm registry over the noble libraries (DESIGN.md principle 5): key
 * exchange, packet ciphers, signature algorithms and the RFC 4253 §7.2 key derivation. No I/O and
 * no platform API but `crypto.getRandomValues`.
 * @module
 */
export * from "./ciphers/aes-gcm.js";
export * from "./ciphers/chacha20-poly1305.js";
export * from "./kdf.js";
export * from "./kex/curve25519.js";
export * from "./random.js";
export * from "./registry.js";
export * from "./signatures/ed25519.js";
export * from "./types.js";
