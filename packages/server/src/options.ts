/**
 * What an embedded server is configured with, named after the sshd_config(5) settings they
 * mirror (GatewayPorts, PermitListen, PermitOpen, AllowTcpForwarding, LoginGraceTime,
 * MaxStartups, ClientAliveInterval…), and their defaults — sshd's own unless a comment says why.
 * @module
 */
import type { AuthPolicy, AuthResult } from "@purssh/auth";
import type { Channel } from "@purssh/connection";
import type { PrivateKey } from "@purssh/keys";
import type { ChannelStream } from "@purssh/net";
import type { AlgorithmPreferences } from "@purssh/transport";
import type { GatewayPorts } from "./bind-policy.js";

/** sshd LoginGraceTime: time from TCP accept to successful authentication. */
export const DEFAULT_LOGIN_GRACE_TIME_MS = 120_000;
/**
 * sshd MaxStartups' first number: unauthenticated connections held at once; beyond it new ones
 * are dropped (sshd drops randomly between 10 and 100; we drop every one past the limit).
 */
export const DEFAULT_MAX_STARTUPS = 10;
/** sshd ClientAliveCountMax: unanswered keepalives before the connection is dropped. */
export const DEFAULT_CLIENT_ALIVE_COUNT_MAX = 3;
/** Remote forwardings one connection may hold at once (bounds listeners a client can create). */
export const MAX_FORWARDS_PER_CONNECTION = 64;
/** sshd refuses to bind ports below 1024 for users other than root (IPPORT_RESERVED). */
export const FIRST_UNPRIVILEGED_PORT = 1024;

/** Which directions of forwarding are allowed (sshd AllowTcpForwarding / AllowStreamLocalForwarding). */
export type ForwardingDirections = boolean | "remote" | "local";

/** A forwarding the client asks for, shown to `authorize` after the built-in checks passed. */
export type ForwardingRequest =
  | { kind: "tcpip-forward"; address: string; port: number }
  | { kind: "direct-tcpip"; host: string; port: number; originatorAddress: string; originatorPort: number }
  | { kind: "streamlocal-forward"; socketPath: string }
  | { kind: "direct-streamlocal"; socketPath: string };

export interface ForwardingOptions {
  /** sshd GatewayPorts: "no" (default, loopback only), "yes" (every interface), "clientspecified". */
  gatewayPorts?: GatewayPorts;
  /** sshd AllowTcpForwarding (default true: both directions). */
  allowTcpForwarding?: ForwardingDirections;
  /** sshd AllowStreamLocalForwarding (default true). */
  allowStreamLocalForwarding?: ForwardingDirections;
  /** sshd PermitListen entries (`[host:]port`, `*` wildcards, "any", "none"); default any. */
  permitListen?: readonly string[];
  /** sshd PermitOpen entries (`host:port`, `*` wildcards, "any", "none"); default any. */
  permitOpen?: readonly string[];
  /** Allow ports below 1024 (sshd allows them only to root). Default false. */
  allowPrivilegedPorts?: boolean;
  /** A last word on each request (after sshd's checks and authorized_keys options). */
  authorize?(request: ForwardingRequest, login: AuthResult): boolean | Promise<boolean>;
}

/** A `session` channel's `exec` request (RFC 4254 §6.5) handed to the application. */
export interface ExecRequest {
  readonly command: string;
  readonly login: AuthResult;
  /** stdin (readable) and stdout (writable) of the command. */
  readonly stream: ChannelStream;
  readonly channel: Channel;
  /**
   * Writes to stderr (extended data type 1, RFC 4254 §5.2). Write it before ending `stream`:
   * the channel's EOF covers stderr too, so stderr written after it is dropped (and logged).
   */
  stderr(data: Uint8Array | string): void;
  /** Sends exit-status (RFC 4254 §6.10) and closes the channel once stdout is flushed. */
  exit(status: number): void;
}

export interface ServerOptions {
  /** Host keys: parsed, or key file text (any format @purssh/keys reads). At least one. */
  hostKeys: readonly (PrivateKey | string | Uint8Array)[];
  /** Who may log in, and how (RFC 4252 policies from @purssh/auth). */
  auth: AuthPolicy;
  forwarding?: ForwardingOptions;
  /** Runs `exec` requests; without it every exec, shell and subsystem request is refused. */
  exec?(request: ExecRequest): void;
  /** RFC 4252 §5.4 banner sent before the first authentication answer. */
  banner?: string;
  algorithms?: Partial<AlgorithmPreferences>;
  /** Our identification string (RFC 4253 §4.2). */
  version?: string;
  /** sshd MaxAuthTries (default 6). */
  maxAuthAttempts?: number;
  loginGraceTimeMs?: number;
  maxStartups?: number;
  /** sshd ClientAliveInterval in ms (default 0: off). */
  clientAliveIntervalMs?: number;
  clientAliveCountMax?: number;
  rekeyBytes?: number;
  rekeyIntervalMs?: number;
  windowSize?: number;
  maxPacketSize?: number;
  /** Send hostkeys-00@openssh.com after login so clients can learn new host keys (default true). */
  announceHostKeys?: boolean;
  log?(level: 1 | 2 | 3, text: string): void;
}
