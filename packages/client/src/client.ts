/**
 * `SshClient`: an authenticated SSH connection as the application sees it — remote listeners
 * (TCP and Unix sockets), exec, direct-tcpip, keepalive, rekey and close, and the timers that
 * watch it once open (keepalive.ts, channel-idle.ts). `connect()` in connect.ts builds one.
 * @module
 */
import { EventEmitter } from "node:events";
import type { Connection, IncomingChannelOpen, RemoteForward } from "@purssh/connection";
import type { PublicKey } from "@purssh/keys";
import type { ChannelStream, SocketPump } from "@purssh/net";
import type { NegotiatedAlgorithms, Transport } from "@purssh/transport";
import { DISCONNECT, OPEN_FAILURE, SshError } from "@purssh/wire";
import { ChannelIdleWatch } from "./channel-idle.js";
import { type ExecResult, execCommand, execStream, forwardOut, forwardOutUnix } from "./exec.js";
import { KeepaliveMonitor } from "./keepalive.js";
import { type IncomingConnectionInfo, RemoteListener } from "./listener.js";

export interface ListenOptions {
  /** Address for the server to bind ("" = all, "localhost", "127.0.0.1", …; RFC 4254 §7.1). */
  host?: string;
  /** 0 lets the server choose. */
  port: number;
  /** Decides on each incoming connection before its channel is confirmed. */
  accept?(info: IncomingConnectionInfo): boolean | Promise<boolean>;
}

type ClientPhase = "handshake" | "auth" | "open" | "closed";

/** What runs while the connection is open (ConnectOptions of the same names). */
export interface ConnectionMonitorOptions {
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  channelIdleTimeoutMs?: number;
  log?(level: 1 | 2 | 3, text: string): void;
}

/** Throws a RangeError for a negative, fractional or non-finite setting (0 / undefined = off). */
export function validateMonitorOptions(options: ConnectionMonitorOptions & { maxTransferRate?: number }): void {
  const check = (name: string, v: number | undefined, integer = false) => {
    if (v === undefined) return;
    if (!Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v))) {
      throw new RangeError(`${name} must be a non-negative ${integer ? "integer" : "number"}, got ${v}`);
    }
  };
  check("keepaliveIntervalMs", options.keepaliveIntervalMs);
  check("keepaliveCountMax", options.keepaliveCountMax, true);
  check("channelIdleTimeoutMs", options.channelIdleTimeoutMs);
  check("maxTransferRate", options.maxTransferRate);
}

/** Something with a timer that must stop when the connection closes. */
interface Stoppable {
  stop(): void;
}

/**
 * An authenticated SSH connection. Events: 'close' (error?), 'banner' (text), 'rekeyed',
 * 'hostkeys' (PublicKey[] the server announced with hostkeys-00@openssh.com; never trusted
 * automatically), 'globalRequest' (name, payload).
 */
export class SshClient extends EventEmitter {
  private phase: ClientPhase = "handshake";
  private readonly remoteListeners = new Map<RemoteForward, RemoteListener>();
  private readonly unixListeners = new Map<string, RemoteListener>();
  private readonly timers: Stoppable[] = [];
  private keepaliveMonitor: KeepaliveMonitor | undefined;
  /** A local verdict (keepalive timeout) that closes the connection and is reported by 'close'. */
  private abortError: SshError | undefined;
  closeError: SshError | undefined;
  /** The host keys the server announced (hostkeys-00@openssh.com), for the application to check. */
  announcedHostKeys: PublicKey[] | undefined;
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

  /**
   * OpenSSH PROTOCOL §2.4 `streamlocal-forward@openssh.com`: asks the server to listen on a Unix
   * socket and hand every connection to us (`ssh -R /path:…`). Connections carry the socket
   * path as `connectedAddress` and port 0.
   */
  async listenUnix(
    socketPath: string,
    accept?: (info: IncomingConnectionInfo) => boolean | Promise<boolean>,
  ): Promise<RemoteListener> {
    this.assertOpen();
    await this.connection.requestStreamlocalForward(socketPath);
    const listener = new RemoteListener(
      { address: socketPath, requestedPort: 0, port: 0 },
      async () => {
        this.unixListeners.delete(socketPath);
        if (!this.isClosed) await this.connection.cancelStreamlocalForward(socketPath);
      },
      accept,
    );
    this.unixListeners.set(socketPath, listener);
    return listener;
  }

  /** RFC 4254 §6.5: runs `command` on the server, sends `stdin`, collects output and exit status. */
  exec(command: string, stdin?: Uint8Array): Promise<ExecResult> {
    this.assertOpen();
    return execCommand(this.connection, command, stdin);
  }

  /** A running command as a stream (stdin/stdout; 'stderr' events carry extended data). */
  execStream(command: string): Promise<ChannelStream> {
    this.assertOpen();
    return execStream(this.connection, command);
  }

  /** RFC 4254 §7.2 direct-tcpip: a byte stream to host:port through the server (`ssh -L`). */
  forwardOut(host: string, port: number, originatorAddress?: string, originatorPort?: number): Promise<ChannelStream> {
    this.assertOpen();
    return forwardOut(this.connection, host, port, originatorAddress, originatorPort);
  }

  /** OpenSSH PROTOCOL §2.4 direct-streamlocal: a byte stream to a Unix socket on the server. */
  forwardOutUnix(socketPath: string): Promise<ChannelStream> {
    this.assertOpen();
    return forwardOutUnix(this.connection, socketPath);
  }

  /**
   * OpenSSH ServerAliveInterval's probe: a `keepalive@openssh.com` global request; resolves when
   * the server answers (either way), rejects if it does not within `timeoutMs`.
   */
  async keepalive(timeoutMs = 15_000): Promise<void> {
    this.assertOpen();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        this.connection.keepalive(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new SshError("ERR_KEEPALIVE_TIMEOUT", `no keepalive answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
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

  /** @internal Channel opens other than forwarded-tcpip: only forwarded-streamlocal is accepted. */
  routeOtherOpen(open: IncomingChannelOpen): void {
    const listener =
      open.kind === "forwarded-streamlocal@openssh.com" ? this.unixListeners.get(open.socketPath) : undefined;
    if (open.kind !== "forwarded-streamlocal@openssh.com") {
      // A client runs no sessions, x11 or agent channels and opens no connections for the server.
      open.reject(OPEN_FAILURE.UNKNOWN_CHANNEL_TYPE, `channel type ${open.type} is not accepted`);
      return;
    }
    if (!listener) {
      open.reject(OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED, "no listener");
      return;
    }
    void listener.handleOpen({
      connectedAddress: open.socketPath,
      connectedPort: 0,
      originatorAddress: "",
      originatorPort: 0,
      accept: () => open.accept(),
      reject: (reason, description) => open.reject(reason, description),
    });
  }

  /** @internal */
  setPhase(p: ClientPhase): void {
    this.phase = p;
  }

  /** @internal Starts keepalive and the channel idle timeout (once authenticated). */
  startMonitors(options: ConnectionMonitorOptions): void {
    const log = options.log;
    if (options.keepaliveIntervalMs) {
      const monitor = new KeepaliveMonitor({
        intervalMs: options.keepaliveIntervalMs,
        ...(options.keepaliveCountMax !== undefined ? { countMax: options.keepaliveCountMax } : {}),
        send: () => {
          log?.(3, "sending keepalive@openssh.com");
          this.connection.keepalive().catch(() => {
            // Fails only when the connection ends, which 'close' reports.
          });
        },
        timeout: (e) => {
          log?.(1, e.message);
          this.abort(e);
        },
      });
      this.keepaliveMonitor = monitor;
      this.timers.push(monitor);
      monitor.start();
    }
    if (options.channelIdleTimeoutMs) {
      const watch = new ChannelIdleWatch(() => this.connection.openChannels, options.channelIdleTimeoutMs, log);
      this.timers.push(watch);
      watch.start();
    }
  }

  /** @internal Stopped with the connection (the rate limiter's timer). */
  addTimer(timer: Stoppable): void {
    this.timers.push(timer);
  }

  /** @internal Bytes arrived from the server (keepalive: the server is alive). */
  received(): void {
    this.keepaliveMonitor?.received();
  }

  /** @internal Moves channel data that waited (for the rate limiter); a failure closes the connection. */
  resumeChannels(): void {
    if (this.phase === "closed") return;
    try {
      this.connection.resume();
    } catch (e) {
      this.abort(
        e instanceof SshError
          ? e
          : new SshError("ERR_INTERNAL", `resuming channels failed: ${String(e)}`, { cause: e }),
      );
    }
  }

  /**
   * @internal Closes the connection on a local verdict (a keepalive timeout): sends DISCONNECT,
   * drops the socket without waiting, and 'close' carries `error`.
   */
  abort(error: SshError): void {
    if (this.phase === "closed") return;
    this.abortError = error;
    this.transport.disconnect(DISCONNECT.CONNECTION_LOST, error.message);
    this.pump.destroy();
  }

  /** @internal */
  finish(error: SshError | undefined): void {
    error = this.abortError ?? error;
    for (const t of this.timers.splice(0)) t.stop();
    this.phase = "closed";
    this.closeError = error;
    this.connection.end(error ?? new SshError("ERR_CONNECTION_CLOSED", "the SSH connection was closed"));
    for (const l of [...this.remoteListeners.values(), ...this.unixListeners.values()]) l.end();
    this.remoteListeners.clear();
    this.unixListeners.clear();
    this.pump.end();
    this.resolveClosed(error);
    this.emit("close", error);
  }
}
