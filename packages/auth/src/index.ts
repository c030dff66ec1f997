/**
 * @purssh/auth: SSH user authentication (RFC 4252).
 * @module
 */
export * from "./client.js";
