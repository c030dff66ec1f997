/**
 * @purssh/net: the only package that touches sockets (node:net adapter, the ssh-agent socket
 * adapter; proxies later).
 * @module
 */
export * from "./agent-socket.js";
export * from "./channel-stream.js";
export * from "./deadline-timer.js";
export * from "./socket.js";
