/**
 * @purssh/transport: the sans-I/O SSH transport layer (RFC 4253) — version exchange, binary
 * packet protocol, key exchange with strict kex, and EXT_INFO.
 * @module
 */

export * from "./compression.js";
export * from "./errors.js";
export * from "./key-exchange.js";
export * from "./limits.js";
export * from "./negotiate.js";
export * from "./packet.js";
export * from "./quirks.js";
export * from "./transport.js";
export * from "./types.js";
export * from "./version.js";
