/**
 * @purssh/server: an embedded SSH-2 server for reverse tunnels — host keys, pluggable auth
 * policies (@purssh/auth), remote and local forwarding with sshd's bind and permit policies,
 * `exec` sessions for tooling; the default tunnel endpoint of the demo and the tests.
 * @module
 */
export * from "./bind-policy.js";
export * from "./forwarding.js";
export * from "./host-keys.js";
export * from "./listeners.js";
export * from "./options.js";
export * from "./server.js";
export * from "./server-connection.js";
