/**
 * Event payloads of SSHReverseTunnel (ipworks-spec.md §4), with lower-camel fields. Binary fields
 * come as a `…B` Uint8Array and a string twin decoded as UTF-8 on access. Writable fields
 * (`accept`) are read back when the listener returns.
 * @module
 */

const decoder = new TextDecoder();

/** Defines `name` (UTF-8 text, decoded lazily) and `nameB` (bytes) on `target`. */
function binary<T extends object, K extends string>(target: T, name: K, bytes: Uint8Array): T {
  Object.defineProperty(target, `${name}B`, { value: bytes, enumerable: true });
  Object.defineProperty(target, name, { get: () => decoder.decode(bytes), enumerable: true });
  return target;
}

export interface ConnectedEvent {
  readonly statusCode: number;
  readonly description: string;
}
export type DisconnectedEvent = ConnectedEvent;

export interface ErrorEvent {
  readonly errorCode: number;
  readonly description: string;
}

export interface LogEvent {
  readonly logLevel: number;
  readonly message: string;
  readonly logType: string;
}

export interface SSHStatusEvent {
  readonly message: string;
}

export interface SSHServerAuthenticationEvent {
  readonly hostKey: string;
  readonly hostKeyB: Uint8Array;
  /** Colon-separated hex of the digest chosen by SSHFingerprintHashAlgorithm (SHA-256 by default). */
  readonly fingerprint: string;
  readonly keyAlgorithm: string;
  readonly certSubject: string;
  readonly certIssuer: string;
  readonly status: string;
  /** Pre-set true only when the key matches SSHAcceptServerHostKey (or an accepting setting). */
  accept: boolean;
}

export function serverAuthenticationEvent(
  fields: Omit<SSHServerAuthenticationEvent, "hostKey" | "hostKeyB">,
  hostKey: Uint8Array,
): SSHServerAuthenticationEvent {
  return binary({ ...fields }, "hostKey", hostKey) as SSHServerAuthenticationEvent;
}

export interface SSHChannelOpenRequestEvent {
  readonly channelId: string;
  readonly service: string;
  readonly connectedAddress: string;
  readonly connectedPort: number;
  readonly originAddress: string;
  readonly originPort: number;
  /** Default true; set false to refuse the connection. */
  accept: boolean;
}

export interface SSHChannelEvent {
  readonly channelId: string;
}

export interface SSHChannelDataEvent {
  readonly channelId: string;
  readonly channelData: string;
  readonly channelDataB: Uint8Array;
}

export function channelDataEvent(channelId: string, data: Uint8Array): SSHChannelDataEvent {
  return binary({ channelId }, "channelData", data) as SSHChannelDataEvent;
}

/** Event name → payload, for typed `on`. */
export interface SSHReverseTunnelEvents {
  Connected: [ConnectedEvent];
  Disconnected: [DisconnectedEvent];
  Error: [ErrorEvent];
  Log: [LogEvent];
  SSHStatus: [SSHStatusEvent];
  SSHServerAuthentication: [SSHServerAuthenticationEvent];
  SSHChannelOpenRequest: [SSHChannelOpenRequestEvent];
  SSHChannelOpened: [SSHChannelEvent];
  SSHChannelData: [SSHChannelDataEvent];
  SSHChannelEOF: [SSHChannelEvent];
  SSHChannelClosed: [SSHChannelEvent];
}
