/**
 * @purssh/client: `connect(options)` → an authenticated SshClient with `listen()` for remote
 * forwarding, and host-key verification that cannot be skipped by accident; keepalive, transfer
 * rate and channel idle limits; `ReconnectingClient` for connections and forwardings that come back.
 * @module
 */
export type { AgentOption } from "./agent-auth.js";
export * from "./channel-idle.js";
export * from "./client.js";
export * from "./connect.js";
export * from "./exec.js";
export * from "./host-keys.js";
export * from "./keepalive.js";
export * from "./listener.js";
export * from "./persistent-listener.js";
export * from "./quirk-effects.js";
export * from "./rate-limit.js";
export * from "./reconnecting-client.js";
