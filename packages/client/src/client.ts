/**
 * `connect(options)` → an authenticated `SshClient`: TCP (node:net), the transport, user
 * authentication and the connection protocol wired together, with the message routing of
 * DESIGN.md principle 2 (50–79 to auth until it succeeds, 80–127 to the connection after) and one
 * timeout for the whole logon.
 * @module
 */
import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { AuthClient, type AuthMethod } from "@purssh/auth";
import { Connection, type RemoteForward } from "@purssh/connection";
import type { RandomBytes } from "@purssh/crypto";
import { certifiedPrivateKey, type PrivateKey, parseCertificate, parsePrivateKey } from "@purssh/keys";
import { connectTcp, SocketPump } from "@purssh/net";
import { type AlgorithmPreferences, type NegotiatedAlgorithms, Transport } from "@purssh/transport";
import { DISCONNECT, ProtocolError, SshError, utf8Decode } from "@purssh/wire";
import { type HostKeyPolicy, hostKeyVerifier } from "./host-keys.js";
import { type IncomingConnectionInfo, RemoteListener } from "./listener.js";

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
  /** Explicit methods in order; default: publickey (if a key is given), then password. */
  authMethods?: readonly AuthMethod[];
  /** Mandatory: a verifier callback or the accepted keys / SHA256 fingerprints. */
  hostKeys: HostKeyPolicy;
  algorithms?: Partial<AlgorithmPreferences>;
  /** Time for TCP connect, handshake and authentication together (default 60 s). */
  timeoutMs?: number;
  /** An already connected stream to run SSH over (a proxy tunnel, a test pipe). */
  sock?: Duplex;
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
  /** RFC 4419 group sizes (bits) asked for in group exchange. */
  groupExchange?: Partial<{ min: number; n: number; max: number }>;
  random?: RandomBytes;
  signal?: AbortSignal;
  log?(level: 1 | 2 | 3, text: string): void;
}

export interface ListenOptions {
  /** Address for the server to bind ("" = all, "localhost", "127.0.0.1", …; RFC 4254 §7.1). */
  host?: string;
  /** 0 lets the server choose. */
  port: number;
  /** Decides on each incoming connection before its channel is confirmed. */
  accept?(info: IncomingConnectionInfo): boolean | Promise<boolean>;
}

type ClientPhase = "handshake" | "auth" | "open" | "closed";

/** An authenticated SSH connection. Events: 'close' (error?), 'banner' (text), 'hostkeys'. */
export class SshClient extends EventEmitter {
  private phase: ClientPhase = "handshake";
  private readonly remoteListeners = new Map<RemoteForward, RemoteListener>();
  closeError: SshError | undefined;
  /** Resolves when the connection has closed (with the error that closed it, if any). */
  readonly closed: Promise<SshError | undefined>;
  private resolveClosed!: (e: SshError | undefined) => void;

  /** @internal use connect() */
  constructor(
    readonly transport: Transport,
    readonly connection: Connection,
    private readonly pump: SocketPump,
  ) {
    super();
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
  }

  get serverVersion(): string {
    return this.transport.remoteVersion ?? "";
  }

  get algorithms(): NegotiatedAlgorithms | undefined {
    return this.transport.negotiated;
  }

  get isClosed(): boolean {
    return this.phase === "closed";
  }

  /** RFC 4254 §7.1: asks the server to listen and hand every connection to us. */
  async listen(options: ListenOptions): Promise<RemoteListener> {
    this.assertOpen();
    const address = options.host ?? "";
    const forward = await this.connection.requestForwarding(address, options.port);
    const listener = new RemoteListener(
      forward,
      async () => {
        this.remoteListeners.delete(forward);
        if (!this.isClosed) await this.connection.cancelForwarding(forward.address, forward.port);
      },
      options.accept,
    );
    this.remoteListeners.set(forward, listener);
    return listener;
  }

  /** Starts a key re-exchange; resolves when the new keys are in use both ways. */
  rekey(): Promise<void> {
    this.assertOpen();
    return new Promise((resolve, reject) => {
      const onKeys = () => {
        this.off("close", onClose);
        resolve();
      };
      const onClose = (e?: Error) => {
        this.off("rekeyed", onKeys);
        reject(e ?? new SshError("ERR_CONNECTION_CLOSED", "connection closed during key re-exchange"));
      };
      this.once("rekeyed", onKeys);
      this.once("close", onClose);
      this.transport.rekey();
    });
  }

  /** Sends DISCONNECT and closes the socket; resolves once it is closed. */
  async close(): Promise<void> {
    if (this.phase !== "closed") this.transport.disconnect(DISCONNECT.BY_APPLICATION, "logged off");
    await this.pump.closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private assertOpen(): void {
    if (this.phase !== "open") {
      throw this.closeError ?? new SshError("ERR_CONNECTION_CLOSED", "the SSH connection is not open");
    }
  }

  /** @internal */
  routeOpen(open: Parameters<NonNullable<ConstructorParameters<typeof Connection>[0]["onForwardedTcpip"]>>[0]): void {
    const listener = this.remoteListeners.get(open.forward);
    if (!listener) {
      open.reject(1, "no listener");
      return;
    }
    void listener.handleOpen(open);
  }

  /** @internal */
  setPhase(p: ClientPhase): void {
    this.phase = p;
  }

  /** @internal */
  finish(error: SshError | undefined): void {
    this.phase = "closed";
    this.closeError = error;
    this.connection.end(error ?? new SshError("ERR_CONNECTION_CLOSED", "the SSH connection was closed"));
    for (const l of this.remoteListeners.values()) l.end();
    this.remoteListeners.clear();
    this.pump.end();
    this.resolveClosed(error);
    this.emit("close", error);
  }
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
  if (options.password !== undefined) methods.push({ kind: "password", password: options.password });
  return methods;
}

/** Connects, exchanges keys, verifies the host key and authenticates. */
export async function connect(options: ConnectOptions): Promise<SshClient> {
  const port = options.port ?? 22;
  const verify = hostKeyVerifier(options.hostKeys, options.host, port);
  const methods = authMethods(options);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = Date.now();
  const log = options.log;
  const socket =
    options.sock ??
    (await connectTcp({
      host: options.host,
      port,
      timeoutMs,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      ...(options.localPort ? { localPort: options.localPort } : {}),
      ...(options.family ? { family: options.family } : {}),
      ...(options.noDelay !== undefined ? { noDelay: options.noDelay } : {}),
      ...(options.keepAlive ? { keepAlive: true } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    }));
  log?.(1, `connected to ${options.host}:${port}`);

  return new Promise<SshClient>((resolve, reject) => {
    let client: SshClient | undefined;
    let auth: AuthClient | undefined;
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (error?: SshError) => {
      if (settled) return;
      settled = true;
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
        ...(options.algorithms ? { algorithms: options.algorithms } : {}),
        ...(options.clientVersion ? { version: options.clientVersion } : {}),
        ...(options.rekeyBytes ? { rekeyBytes: options.rekeyBytes } : {}),
        ...(options.groupExchange ? { groupExchange: options.groupExchange } : {}),
        ...(options.random ? { random: options.random } : {}),
      },
      {
        output: (b) => pump.write(b),
        message: (payload) => {
          const n = payload[0]!;
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
              settle();
            },
            onFailure: (e) => {
              settle(e);
              transport.disconnect(DISCONNECT.NO_MORE_AUTH_METHODS_AVAILABLE, "no more authentication methods");
            },
            onBanner: (text) => client!.emit("banner", text),
            serverSigAlgs: () => {
              const v = transport.extensions.get("server-sig-algs");
              return v ? utf8Decode(v).split(",") : undefined;
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
          client!.finish(e);
          settle(e ?? new SshError("ERR_CONNECTION_CLOSED", "the connection closed before logon completed"));
        },
        writable: () => connection.resume(),
        inputResumed: () => pump.resumeInput(),
        keysChanged: (_n, initial) => {
          if (!initial) client?.emit("rekeyed");
        },
        ...(log ? { log } : {}),
      },
    );
    const connection: Connection = new Connection({
      send: (p) => transport.send(p),
      canSendData: () => transport.writable && !pump.blocked,
      ...(options.windowSize ? { windowSize: options.windowSize } : {}),
      ...(options.maxPacketSize ? { maxPacketSize: options.maxPacketSize } : {}),
      onForwardedTcpip: (open) => client!.routeOpen(open),
      onGlobalRequest: (name, payload) => client!.emit("globalRequest", name, payload),
      ...(log ? { log } : {}),
    });
    const pump: SocketPump = new SocketPump(socket, {
      receive: (b) => transport.receive(b),
      peerClosed: (cause) => transport.peerClosed(cause),
      get wantsInput() {
        return transport.wantsInput;
      },
    });
    pump.onWritable = () => connection.resume();
    client = new SshClient(transport, connection, pump);
    const onAbort = () => transport.disconnect(DISCONNECT.BY_APPLICATION, "aborted");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const remaining = Math.max(1, timeoutMs - (Date.now() - started));
    timer = setTimeout(() => {
      transport.tick(Number.POSITIVE_INFINITY);
      if (!settled) {
        const e = new SshError("ERR_LOGON_TIMEOUT", `user authentication did not complete within ${timeoutMs} ms`);
        transport.disconnect(DISCONNECT.BY_APPLICATION, "logon timeout");
        settle(e);
      }
    }, remaining);
    transport.start();
  });
}
