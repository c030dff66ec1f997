/**
 * @purssh/net: the only package that touches sockets (node:net adapter, the ssh-agent socket
 * adapter, proxies: SOCKS4/4a/5 and HTTP CONNECT).
 * @module
 */
export * from "./agent-socket.js";
export * from "./channel-stream.js";
export * from "./deadline-timer.js";
export * from "./proxy/index.js";
export * from "./socket.js";
