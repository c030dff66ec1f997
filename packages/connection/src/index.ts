/**
 * @purssh/connection: the SSH connection protocol (RFC 4254) — channels, flow control, global
 * requests and remote TCP/IP forwarding.
 * @module
 */
export * from "./channel.js";
export * from "./connection.js";
export * from "./window.js";
