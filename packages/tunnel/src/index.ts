/**
 * @purssh/tunnel: SSHReverseTunnel, the seed class, over the purssh client.
 * @module
 */
export { Certificate } from "./certificate.js";
export { SSHTunnelError, SSHTunnelErrorCodes } from "./errors.js";
export type * from "./events.js";
export { type SSHAuthMode, SSHAuthModes, SSHReverseTunnel, sshreversetunnel } from "./tunnel.js";
