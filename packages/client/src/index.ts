/**
 * @purssh/client: `connect(options)` → an authenticated SshClient with `listen()` for remote
 * forwarding, and host-key verification that cannot be skipped by accident.
 * @module
 */
export * from "./client.js";
export * from "./host-keys.js";
export * from "./listener.js";
