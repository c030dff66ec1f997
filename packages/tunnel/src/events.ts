/**
 * Event payloads of SSHReverseTunnel (ipworks-spec.md §4), with lower-camel fields. Binary fields
 * come as a `…B` Uint8Array and a string twin decoded as UTF-8 on access. Writable fields
 * (`accept`, `success`, `response`, `packet`) are read back when the listener returns.
 * @module
 */

const decoder = new TextDecoder();

/** Defines `name` (UTF-8 text, decoded lazily) and `nameB` (bytes) on `target`. */
function binary<T extends object, K extends string>(target: T, name: K, bytes: Uint8Array): T {
  Object.defineProperty(target, `${name}B`, { value: bytes, enumerable: true });
  Object.defineProperty(target, name, { get: () => decoder.decode(bytes), enumerable: true });
  return target;
}

/** Connected / Disconnected: 0 and a description on success, else the facade's error number. */
export interface ConnectedEvent {
  readonly statusCode: number;
  readonly description: string;
}
export type DisconnectedEvent = ConnectedEvent;

/** A milestone of the connection (firewall, TCP, SSH handshake, authentication). */
export interface ConnectionStatusEvent {
  readonly connectionEvent: string;
  readonly statusCode: number;
  readonly description: string;
}

export interface ErrorEvent {
  readonly errorCode: number;
  readonly description: string;
}

export interface LogEvent {
  /** 1 info, 2 verbose, 3 debug (config LogLevel selects up to which level fires). */
  readonly logLevel: number;
  readonly message: string;
  /** "Info", "Verbose" or "Debug" (the seed reserves this field). */
  readonly logType: string;
}

/** An automatic reconnect (AutoReconnect) is scheduled. */
export interface ReconnectAttemptEvent {
  /** 1 for the first retry after a drop. */
  readonly attempt: number;
  /** MaxRetryCount (0 = unlimited). */
  readonly maxRetryCount: number;
  /** Milliseconds until the attempt starts (RetryInterval, then backoff with jitter). */
  readonly delayMs: number;
  /** Why: the error number and text of the drop or of the previous failed attempt. */
  readonly statusCode: number;
  readonly description: string;
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
  /** For a host certificate: its key id; else "". */
  readonly certSubject: string;
  /** For a host certificate: the signing CA's SHA256 fingerprint; else "". */
  readonly certIssuer: string;
  /** For a host certificate: why SSHAcceptServerCAKey did (not) vouch for it; else "". */
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

/** A channel request from the server (RFC 4254 §5.4); `packet` is the whole CHANNEL_REQUEST. */
export interface SSHChannelRequestEvent {
  readonly channelId: string;
  readonly requestType: string;
  readonly packet: string;
  readonly packetB: Uint8Array;
  /** Default false (CHANNEL_FAILURE, as OpenSSH answers requests it does not know); set true to accept. */
  success: boolean;
}

export type SSHChannelRequestedEvent = Omit<SSHChannelRequestEvent, "success">;

export function channelRequestEvent(
  channelId: string,
  requestType: string,
  packet: Uint8Array,
): SSHChannelRequestEvent {
  return binary({ channelId, requestType, success: false }, "packet", packet) as SSHChannelRequestEvent;
}

export function channelRequestedEvent(
  channelId: string,
  requestType: string,
  packet: Uint8Array,
): SSHChannelRequestedEvent {
  return binary({ channelId, requestType }, "packet", packet) as SSHChannelRequestedEvent;
}

/** amCustom: the server's latest user-authentication packet; assign the next one to send. */
export interface SSHCustomAuthEvent {
  /** Hex (EncodePacket) of the server's packet, message number first; set it to the hex of ours. */
  packet: string;
}

/** One RFC 4256 prompt (several prompts in one INFO_REQUEST fire one event each). */
export interface SSHKeyboardInteractiveEvent {
  readonly name: string;
  readonly instructions: string;
  readonly prompt: string;
  /** The server's hint whether the answer may be shown as it is typed. */
  readonly echoResponse: boolean;
  /** Set it to the answer. */
  response: string;
}

/** Event name → payload, for typed `on`. */
export interface SSHReverseTunnelEvents {
  Connected: [ConnectedEvent];
  ConnectionStatus: [ConnectionStatusEvent];
  Disconnected: [DisconnectedEvent];
  Error: [ErrorEvent];
  Log: [LogEvent];
  ReconnectAttempt: [ReconnectAttemptEvent];
  SSHChannelClosed: [SSHChannelEvent];
  SSHChannelData: [SSHChannelDataEvent];
  SSHChannelEOF: [SSHChannelEvent];
  SSHChannelOpened: [SSHChannelEvent];
  SSHChannelOpenRequest: [SSHChannelOpenRequestEvent];
  SSHChannelReadyToSend: [SSHChannelEvent];
  SSHChannelRequest: [SSHChannelRequestEvent];
  SSHChannelRequested: [SSHChannelRequestedEvent];
  SSHCustomAuth: [SSHCustomAuthEvent];
  SSHKeyboardInteractive: [SSHKeyboardInteractiveEvent];
  SSHServerAuthentication: [SSHServerAuthenticationEvent];
  SSHStatus: [SSHStatusEvent];
}

/** The eighteen event names of the seed, in its order. */
export const EVENT_NAMES: readonly (keyof SSHReverseTunnelEvents)[] = [
  "Connected",
  "ConnectionStatus",
  "Disconnected",
  "Error",
  "Log",
  "ReconnectAttempt",
  "SSHChannelClosed",
  "SSHChannelData",
  "SSHChannelEOF",
  "SSHChannelOpened",
  "SSHChannelOpenRequest",
  "SSHChannelReadyToSend",
  "SSHChannelRequest",
  "SSHChannelRequested",
  "SSHCustomAuth",
  "SSHKeyboardInteractive",
  "SSHServerAuthentication",
  "SSHStatus",
];
