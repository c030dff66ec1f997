/**
 * @purssh/connection: the SSH connection protocol (RFC 4254), for client and server — channels,
 * flow control, channel and global requests, TCP/IP and Unix-socket forwarding, keepalive.
 * @module
 */
export * from "./channel.js";
export * from "./channel-requests.js";
export * from "./connection.js";
export * from "./errors.js";
export * from "./forwarding.js";
export type {
  GlobalRequestAnswer,
  GlobalRequestFields,
  IncomingGlobalRequest,
} from "./global-requests.js";
export type { ChannelOpenFields, ForwardedTcpipOpen, IncomingChannelOpen } from "./incoming-open.js";
export * from "./limits.js";
export * from "./transfer-gate.js";
export * from "./window.js";
