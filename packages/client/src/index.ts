/**
 * @purssh/client: `connect(options)` → an authenticated SshClient with `listen()` for remote
 * forwarding, and host-key verification that cannot be skipped by accident.
 * @module
 */
export type { AgentOption } from "./agent-auth.js";
export * from "./client.js";
export * from "./connect.js";
export * from "./exec.js";
export * from "./host-keys.js";
export * from "./listener.js";
export * from "./quirk-effects.js";
