/**
 * `connect(options)`: TCP (or a proxy, or a given stream), the transport handshake with host-key
 * verification (RFC 4253), user authentication (RFC 4252) and the connection protocol (RFC 4254)
 * wired into an SshClient, with the per-connection limits the options switch on: keepalive,
 * transfer rate and channel idle timeout.
 * @module
 */
import type { Duplex } from "node:stream";
import { AuthClient, type AuthMethod, type KeyboardInteractiveMethod, type PasswordMethod } from "@purssh/auth";
import { Connection } from "@purssh/connection";
import type { RandomBytes } from "@purssh/crypto";
import {
  certifiedPrivateKey,
  type PrivateKey,
  type PublicKey,
  parseCertificate,
  parsePrivateKey,
  parsePublicKeyBlob,
} from "@purssh/keys";
import { connectTcp, connectViaProxy, DeadlineTimer, type ProxyOptions, SocketPump } from "@purssh/net";
import { type AlgorithmPreferences, Transport } from "@purssh/transport";
import { DISCONNECT, GlobalRequest, ProtocolError, SshError, SshReader, utf8Decode } from "@purssh/wire";
import { type AgentOption, addAgentMethods } from "./agent-auth.js";
import { SshClient, validateMonitorOptions } from "./client.js";
import { type HostKeyPolicy, hostKeyVerifier } from "./host-keys.js";
import { serverSigAlgsWithQuirks } from "./quirk-effects.js";
import { TransferRateLimiter } from "./rate-limit.js";

export interface ConnectOptions {
  host: string;
  port?: number;
  username: string;
  password?: string;
  /** A parsed key, or the text of a private key file (OpenSSH, PEM, PKCS#8, PuTTY PPK). */
  privateKey?: PrivateKey | string | Uint8Array;
  /** Passphrase for an encrypted `privateKey` file. */
  passphrase?: string;
  /**
   * An OpenSSH user certificate for `privateKey` (its `-cert.pub` text): offered first, then the
   * plain key, as OpenSSH does.
   */
  certificate?: string;
  /**
   * An ssh-agent whose identities are offered with publickey after the configured publickey
   * methods and before password (as OpenSSH does): its socket path, `true` for SSH_AUTH_SOCK, or
   * a connected AgentClient (left open; an agent connected here is closed when the logon ends).
   * No agent to reach rejects with ERR_AGENT_UNAVAILABLE.
   */
  agent?: AgentOption;
  /**
   * Explicit methods in order; default: publickey (if a key is given), keyboard-interactive (if
   * `keyboardInteractive` is given), then password.
   */
  authMethods?: readonly AuthMethod[];
  /** Answers RFC 4256 keyboard-interactive prompts, one response per prompt; enables that method. */
  keyboardInteractive?: KeyboardInteractiveMethod["respond"];
  /** RFC 4252 §8: a new password when the server says `password` has expired (undefined declines). */
  newPassword?: PasswordMethod["newPassword"];
  /** Mandatory: a verifier callback or the accepted keys / SHA256 fingerprints. */
  hostKeys: HostKeyPolicy;
  algorithms?: Partial<AlgorithmPreferences>;
  /** Time for TCP connect, handshake and authentication together (default 60 s). */
  timeoutMs?: number;
  /** An already connected stream to run SSH over (a proxy tunnel, a test pipe). */
  sock?: Duplex;
  /**
   * Reach `host:port` through this proxy (SOCKS4, SOCKS4a, SOCKS5, HTTP CONNECT) instead of
   * directly; `timeoutMs`, `signal` and the socket options apply to the proxy connection. Ignored
   * when `sock` is given. Failures reject with a ProxyError (@purssh/net).
   */
  proxy?: ProxyOptions;
  localAddress?: string;
  localPort?: number;
  family?: 0 | 4 | 6;
  noDelay?: boolean;
  keepAlive?: boolean;
  windowSize?: number;
  maxPacketSize?: number;
  /** Our identification string (RFC 4253 §4.2). */
  clientVersion?: string;
  rekeyBytes?: number;
  /** Re-exchange keys after this many milliseconds (default one hour, RFC 4253 §9; 0 = never). */
  rekeyIntervalMs?: number;
  /**
   * Ask for compression (OpenSSH's `Compression yes`): offers zlib@openssh.com, then zlib, then
   * none. Ignored when `algorithms.compression` is given.
   */
  compress?: boolean;
  /** RFC 4419 group sizes (bits) asked for in group exchange. */
  groupExchange?: Partial<{ min: number; n: number; max: number }>;
  random?: RandomBytes;
  /** Aborts connecting and logging on (rejects with ERR_ABORTED); no effect once connected. */
  signal?: AbortSignal;
  /**
   * OpenSSH ServerAliveInterval in ms (0 / undefined = off): after this long without anything
   * from the server, send keepalive@openssh.com (keepalive.ts).
   */
  keepaliveIntervalMs?: number;
  /**
   * OpenSSH ServerAliveCountMax (default 3): unanswered keepalives before the connection is
   * closed with ERR_KEEPALIVE_TIMEOUT — a silent server is detected within interval × (countMax + 1).
   */
  keepaliveCountMax?: number;
  /**
   * The seed's MaxTransferRate: bytes per second of channel data, each way (0 / undefined =
   * unlimited); received data is accepted, and the server's window credited, only at this rate
   * (rate-limit.ts).
   */
  maxTransferRate?: number;
  /**
   * The seed's DefaultChannelIdleTimeout, as OpenSSH's ChannelTimeout: a forwarding channel with
   * no data either way for this many ms is closed (0 / undefined = never; channel-idle.ts).
   */
  channelIdleTimeoutMs?: number;
  log?(level: 1 | 2 | 3, text: string): void;
}

function authMethods(options: ConnectOptions): AuthMethod[] {
  if (options.authMethods) return [...options.authMethods];
  const methods: AuthMethod[] = [];
  if (options.privateKey !== undefined) {
    const key =
      typeof options.privateKey === "string" || options.privateKey instanceof Uint8Array
        ? parsePrivateKey(options.privateKey, options.passphrase)
        : options.privateKey;
    if (options.certificate !== undefined) {
      methods.push({ kind: "publickey", key: certifiedPrivateKey(key, parseCertificate(options.certificate)) });
    }
    methods.push({ kind: "publickey", key });
  }
  if (options.keyboardInteractive) methods.push({ kind: "keyboard-interactive", respond: options.keyboardInteractive });
  if (options.password !== undefined) {
    const { password, newPassword } = options;
    methods.push(newPassword ? { kind: "password", password, newPassword } : { kind: "password", password });
  }
  return methods;
}

/** Connects, exchanges keys, verifies the host key and authenticates. */
export async function connect(options: ConnectOptions): Promise<SshClient> {
  const port = options.port ?? 22;
  if (options.signal?.aborted) throw aborted(options.host, port);
  validateMonitorOptions(options);
  const verify = hostKeyVerifier(options.hostKeys, options.host, port);
  const methods = authMethods(options);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = Date.now();
  const log = options.log;
  const agent =
    options.agent === undefined
      ? undefined
      : await addAgentMethods(methods, options.agent, { timeoutMs, ...(log ? { log } : {}) });
  const socket =
    options.sock ??
    (await dial(options, port, timeoutMs).catch((e: unknown) => {
      agent?.close();
      throw e;
    }));
  log?.(
    1,
    `connected to ${options.host}:${port}${options.proxy && !options.sock ? ` via ${options.proxy.type} proxy ${options.proxy.host}:${options.proxy.port}` : ""}`,
  );

  return new Promise<SshClient>((resolve, reject) => {
    let client: SshClient | undefined;
    let auth: AuthClient | undefined;
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (error?: SshError) => {
      if (settled) return;
      settled = true;
      agent?.close();
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve(client!);
    };
    const transport: Transport = new Transport(
      {
        role: "client",
        verifyHostKey: verify,
        handshakeTimeoutMs: timeoutMs,
        ...(options.algorithms || options.compress
          ? {
              algorithms: {
                ...(options.compress ? { compression: ["zlib@openssh.com", "zlib", "none"] } : {}),
                ...options.algorithms,
              },
            }
          : {}),
        ...(options.clientVersion ? { version: options.clientVersion } : {}),
        ...(options.rekeyBytes ? { rekeyBytes: options.rekeyBytes } : {}),
        ...(options.rekeyIntervalMs !== undefined ? { rekeyIntervalMs: options.rekeyIntervalMs } : {}),
        ...(options.groupExchange ? { groupExchange: options.groupExchange } : {}),
        ...(options.random ? { random: options.random } : {}),
      },
      {
        output: (b) => pump.write(b),
        message: (payload) => {
          const n = payload[0]!;
          // RFC 4253 §11.4: numbers no layer assigns get UNIMPLEMENTED in every phase.
          if (n >= 128) return false;
          if (!auth?.finished) {
            if (auth && ((n >= 50 && n <= 79) || n === 6)) return auth.handle(payload);
            throw new ProtocolError("ERR_UNEXPECTED_MESSAGE", `message ${n} received before authentication completed`);
          }
          if (n >= 50 && n <= 79) {
            // A late USERAUTH_BANNER or SUCCESS after success is out of phase (CVE-2023-46446 class).
            throw new ProtocolError("ERR_UNEXPECTED_MESSAGE", `user-authentication message ${n} after authentication`);
          }
          return connection.handle(payload);
        },
        ready: () => {
          client!.setPhase("auth");
          auth = new AuthClient({
            username: options.username,
            methods,
            sessionId: transport.sessionId,
            send: (p) => transport.send(p),
            onSuccess: () => {
              transport.markAuthenticated();
              client!.setPhase("open");
              client!.startMonitors(options);
              settle();
            },
            onFailure: (e) => {
              settle(e);
              transport.disconnect(DISCONNECT.NO_MORE_AUTH_METHODS_AVAILABLE, "no more authentication methods");
            },
            onError: (e) => {
              settle(e);
              transport.disconnect(e instanceof ProtocolError ? e.reason : DISCONNECT.BY_APPLICATION, e.message);
            },
            onBanner: (text) => client!.emit("banner", text),
            serverSigAlgs: () => {
              const v = transport.extensions.get("server-sig-algs");
              return serverSigAlgsWithQuirks(v ? utf8Decode(v).split(",") : undefined, transport.quirks);
            },
            ...(log ? { log } : {}),
          });
          auth.start();
        },
        close: (error) => {
          let e = error;
          if (e?.code === "ERR_CONNECTION_CLOSED" && client && !client.isClosed && auth && !auth.finished) {
            e = new SshError("ERR_CONNECTION_CLOSED", "the server closed the connection during user authentication", {
              cause: e,
            });
          }
          auth?.close();
          timers.stop();
          client!.finish(e);
          settle(e ?? new SshError("ERR_CONNECTION_CLOSED", "the connection closed before logon completed"));
        },
        writable: () => connection.resume(),
        inputResumed: () => pump.resumeInput(),
        keysChanged: (_n, initial) => {
          timers.arm();
          if (!initial) client?.emit("rekeyed");
        },
        ...(log ? { log } : {}),
      },
    );
    const rateLimiter = options.maxTransferRate
      ? new TransferRateLimiter(options.maxTransferRate, () => client?.resumeChannels())
      : undefined;
    const connection: Connection = new Connection({
      send: (p) => transport.send(p),
      ...(rateLimiter ? { transferGate: rateLimiter } : {}),
      canSendData: () => transport.writable && !pump.blocked,
      ...(options.windowSize ? { windowSize: options.windowSize } : {}),
      ...(options.maxPacketSize ? { maxPacketSize: options.maxPacketSize } : {}),
      onForwardedTcpip: (open) => client!.routeOpen(open),
      onChannelOpen: (open) => client!.routeOtherOpen(open),
      onGlobalRequest: (name, payload) => {
        // OpenSSH PROTOCOL §2.5: the server's host keys, surfaced for the application to check
        // against its known_hosts; never trusted automatically.
        if (name === "hostkeys-00@openssh.com") {
          const keys = parseHostkeysAnnouncement(payload);
          if (keys) {
            client!.announcedHostKeys = keys;
            client!.emit("hostkeys", keys);
          }
        }
        client!.emit("globalRequest", name, payload);
      },
      ...(log ? { log } : {}),
    });
    // Time-based rekeying (RFC 4253 §9); the logon deadline below has its own timer.
    const timers = new DeadlineTimer(transport);
    const pump: SocketPump = new SocketPump(socket, {
      receive: (b) => {
        client?.received();
        transport.receive(b);
      },
      peerClosed: (cause) => transport.peerClosed(cause),
      get wantsInput() {
        return transport.wantsInput;
      },
    });
    pump.onWritable = () => connection.resume();
    client = new SshClient(transport, connection, pump);
    if (rateLimiter) client.addTimer(rateLimiter);
    const onAbort = () => {
      settle(aborted(options.host, port));
      transport.disconnect(DISCONNECT.BY_APPLICATION, "aborted");
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const remaining = Math.max(1, timeoutMs - (Date.now() - started));
    timer = setTimeout(() => {
      transport.expireHandshake();
      if (!settled) {
        const e = new SshError("ERR_LOGON_TIMEOUT", `user authentication did not complete within ${timeoutMs} ms`);
        transport.disconnect(DISCONNECT.BY_APPLICATION, "logon timeout");
        settle(e);
      }
    }, remaining);
    transport.start();
  });
}

/** Opens the transport's stream: a TCP connection to the server, or a tunnel through `options.proxy`. */
function dial(options: ConnectOptions, port: number, timeoutMs: number): Promise<Duplex> {
  const socketOptions = {
    ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    ...(options.localPort ? { localPort: options.localPort } : {}),
    ...(options.family ? { family: options.family } : {}),
    ...(options.noDelay !== undefined ? { noDelay: options.noDelay } : {}),
    ...(options.keepAlive ? { keepAlive: true } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  if (options.proxy) {
    return connectViaProxy(options.proxy, { host: options.host, port }, { timeoutMs, ...socketOptions });
  }
  return connectTcp({ host: options.host, port, timeoutMs, ...socketOptions });
}

function aborted(host: string, port: number): SshError {
  return new SshError("ERR_ABORTED", `connecting to ${host}:${port} was aborted`);
}

/** Keys read from one hostkeys-00@openssh.com announcement; more are ignored (bounds the work). */
const MAX_ANNOUNCED_HOST_KEYS = 64;

/** The key blobs of a hostkeys-00@openssh.com request; undefined if malformed or none parse. */
function parseHostkeysAnnouncement(payload: Uint8Array): PublicKey[] | undefined {
  try {
    const request = GlobalRequest.decode(payload);
    const reader = new SshReader(request.requestData);
    const keys: PublicKey[] = [];
    while (reader.remaining > 0 && keys.length < MAX_ANNOUNCED_HOST_KEYS) {
      const blob = reader.string();
      try {
        keys.push(parsePublicKeyBlob(blob));
      } catch {
        // OpenSSH skips key types it does not know.
      }
    }
    return keys.length > 0 ? keys : undefined;
  } catch {
    return undefined;
  }
}
