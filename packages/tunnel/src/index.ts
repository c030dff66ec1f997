/**
 * @purssh/tunnel: SSHReverseTunnel, the seed class, over the purssh client; and
 * forwardRemotePort, the idiomatic `ssh -R` relay it is built on.
 * @module
 */
export { Certificate } from "./certificate.js";
export { SSHTunnelError, SSHTunnelErrorCodes } from "./errors.js";
export type * from "./events.js";
export { EVENT_NAMES } from "./events.js";
export { Firewall, type FirewallType, FirewallTypes } from "./firewall.js";
export {
  type ForwardRemotePortOptions,
  forwardRemotePort,
  type RelayedConnection,
  RemotePortForward,
} from "./forward-remote-port.js";
export { type SSHAuthMode, SSHAuthModes, SSHReverseTunnel, sshreversetunnel } from "./tunnel.js";
export { SSHChannel } from "./tunnel-channels.js";
