/**
 * @purssh/net: the only package that touches sockets (node:net adapter; proxies later).
 * @module
 */
export * from "./socket.js";
