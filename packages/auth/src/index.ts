/**
 * @purssh/auth: SSH user authentication, both roles (RFC 4252; RFC 4256 keyboard-interactive;
 * RFC 8332 / RFC 8308 server-sig-algs for RSA signature selection; OpenSSH user certificates and
 * authorized_keys for the server).
 * @module
 */
export * from "./authorized-keys-policy.js";
export * from "./client.js";
export * from "./client-methods.js";
export * from "./publickey.js";
export { isPromiseLike, type MaybePromise } from "./serial.js";
export * from "./server.js";
export * from "./server-policy.js";
