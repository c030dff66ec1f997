/**
 * @purssh/crypto: the algorithm registry over the noble libraries (DESIGN.md principle 5): key
 * exchange, packet ciphers, signature algorithms and the RFC 4253 §7.2 key derivation. No I/O and
 * no platform API but `crypto.getRandomValues`.
 * @module
 */
export * from "./ciphers/aes-cbc.js";
export * from "./ciphers/aes-ctr.js";
export * from "./ciphers/aes-gcm.js";
export * from "./ciphers/chacha20-poly1305.js";
export * from "./ciphers/composed.js";
export * from "./ciphers/triple-des-cbc.js";
export * from "./kdf.js";
export * from "./kex/curve25519.js";
export * from "./kex/dh.js";
export * from "./kex/dh-gex.js";
export * from "./kex/dh-groups.js";
export * from "./kex/ecdh-nist.js";
export * from "./kex/mlkem768x25519.js";
export * from "./macs/hmac.js";
export * from "./provider.js";
export * from "./random.js";
export * from "./registry.js";
export * from "./rsa/pkcs1.js";
export * from "./signatures/certificate.js";
export * from "./signatures/ecdsa.js";
export * from "./signatures/ed25519.js";
export * from "./signatures/rsa.js";
export * from "./signatures/sk.js";
export * from "./types.js";
