/**
 * One client of the embedded server: the transport in its server role, user authentication until
 * it succeeds (nothing numbered 80 or above is accepted before, DESIGN.md principle 2), then the
 * connection protocol with sessions and forwardings. Also the login grace timer (sshd
 * LoginGraceTime), ClientAlive keepalives, hostkeys-00 announcements and time-based rekeying.
 * @module
 */
import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { type AuthResult, AuthServer, serverSigAlgsFor } from "@purssh/auth";
import { Connection } from "@purssh/connection";
import type { PrivateKey } from "@purssh/keys";
import { DeadlineTimer, SocketPump } from "@purssh/net";
import { Transport } from "@purssh/transport";
import { DISCONNECT, ProtocolError, type SshError } from "@purssh/wire";
import { Forwardings } from "./forwarding.js";
import { hostkeysAnnouncement, proveHostKeys } from "./host-keys.js";
import { DEFAULT_CLIENT_ALIVE_COUNT_MAX, DEFAULT_LOGIN_GRACE_TIME_MS, type ServerOptions } from "./options.js";
import { acceptSession } from "./session.js";

/** sshd pads authentication failures; a small constant delay blunts timing probes cheaply. */
const AUTH_FAILURE_DELAY_MS = 10;

let nextConnectionId = 1;

/**
 * A client connection. Events: 'authenticated' (AuthResult), 'close' (error?). `remoteAddress`
 * and `remotePort` are the client's.
 */
export class ServerConnection extends EventEmitter {
  readonly id = nextConnectionId++;
  readonly transport: Transport;
  readonly connection: Connection;
  private readonly pump: SocketPump;
  private readonly timers: DeadlineTimer;
  private auth: AuthServer | undefined;
  private forwardings: Forwardings | undefined;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private aliveTimer: ReturnType<typeof setInterval> | undefined;
  private unansweredKeepalives = 0;
  private ended = false;
  login: AuthResult | undefined;
  closeError: SshError | undefined;
  /** Resolves once the connection is closed and its listeners are gone. */
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    socket: Duplex,
    readonly remoteAddress: string,
    readonly remotePort: number,
    private readonly hostKeys: readonly PrivateKey[],
    private readonly options: ServerOptions,
  ) {
    super();
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
    const log = (level: 1 | 2 | 3, text: string) => options.log?.(level, `[${this.id} ${remoteAddress}] ${text}`);
    this.transport = new Transport(
      {
        role: "server",
        hostKeys,
        // RFC 8308 §3.1: what publickey authentication accepts.
        serverSigAlgs: serverSigAlgsFor(options.auth.publicKeyAlgorithms),
        ...(options.algorithms ? { algorithms: options.algorithms } : {}),
        ...(options.version ? { version: options.version } : {}),
        ...(options.rekeyBytes ? { rekeyBytes: options.rekeyBytes } : {}),
        ...(options.rekeyIntervalMs !== undefined ? { rekeyIntervalMs: options.rekeyIntervalMs } : {}),
        handshakeTimeoutMs: options.loginGraceTimeMs ?? DEFAULT_LOGIN_GRACE_TIME_MS,
      },
      {
        output: (b) => this.pump.write(b),
        message: (payload) => this.route(payload),
        ready: () => this.startAuth(log),
        close: (error) => this.finish(error),
        writable: () => this.connection.resume(),
        inputResumed: () => this.pump.resumeInput(),
        keysChanged: () => this.timers.arm(),
        log,
      },
    );
    this.connection = new Connection({
      send: (p) => this.transport.send(p),
      canSendData: () => this.transport.writable && !this.pump.blocked,
      ...(options.windowSize ? { windowSize: options.windowSize } : {}),
      ...(options.maxPacketSize ? { maxPacketSize: options.maxPacketSize } : {}),
      onChannelOpen: (open) => {
        const login = this.login;
        if (!login) {
          open.reject();
          return;
        }
        if (open.kind === "session") acceptSession(open, login, options.exec, log);
        else void this.forwardings?.openDirect(open);
      },
      answerGlobalRequest: (request) => {
        if (request.name === "hostkeys-prove-00@openssh.com" && request.kind === "other") {
          const negotiated = this.transport.negotiated?.hostKey ?? "";
          return proveHostKeys(request.data, this.hostKeys, this.transport.sessionId, negotiated) ?? false;
        }
        return this.forwardings?.answer(request) ?? false;
      },
      log,
    });
    this.timers = new DeadlineTimer(this.transport);
    const transport = this.transport;
    this.pump = new SocketPump(socket, {
      receive: (b) => transport.receive(b),
      peerClosed: (cause) => transport.peerClosed(cause),
      get wantsInput() {
        return transport.wantsInput;
      },
    });
    this.pump.onWritable = () => this.connection.resume();
    const grace = options.loginGraceTimeMs ?? DEFAULT_LOGIN_GRACE_TIME_MS;
    if (grace > 0) {
      this.graceTimer = setTimeout(() => {
        if (!this.login) this.transport.disconnect(DISCONNECT.BY_APPLICATION, "login grace time exceeded");
      }, grace);
      this.graceTimer.unref?.();
    }
    this.transport.start();
  }

  get authenticated(): boolean {
    return this.login !== undefined;
  }

  /** Remote forwardings this client holds. */
  get forwardListeners() {
    return this.forwardings?.activeListeners ?? [];
  }

  /** Ends the connection with a DISCONNECT. */
  close(description = "server shutting down"): void {
    this.transport.disconnect(DISCONNECT.BY_APPLICATION, description);
  }

  private route(payload: Uint8Array): boolean {
    const n = payload[0]!;
    const auth = this.auth;
    // RFC 4253 §11.4: numbers no layer assigns get UNIMPLEMENTED in every phase, as sshd does.
    if (n >= 128) return false;
    if (!auth?.authenticated) {
      if (auth && (n === 5 || (n >= 50 && n <= 79))) return auth.handle(payload);
      throw new ProtocolError(
        "ERR_UNEXPECTED_MESSAGE",
        `message ${n} received before authentication completed`,
        DISCONNECT.PROTOCOL_ERROR,
      );
    }
    // RFC 4252 §5.1: authentication requests after success are ignored.
    if (n >= 50 && n <= 79) return true;
    return this.connection.handle(payload);
  }

  private startAuth(log: (level: 1 | 2 | 3, text: string) => void): void {
    const o = this.options;
    this.auth = new AuthServer({
      sessionId: this.transport.sessionId,
      send: (p) => this.transport.send(p),
      policy: o.auth,
      ...(o.banner !== undefined ? { banner: o.banner } : {}),
      ...(o.maxAuthAttempts !== undefined ? { maxAttempts: o.maxAuthAttempts } : {}),
      failureDelayMs: AUTH_FAILURE_DELAY_MS,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      clientAddress: this.remoteAddress,
      onSuccess: (result) => this.onLogin(result, log),
      onDisconnect: (error) => {
        log(1, `authentication ended the connection: ${error.message}`);
        this.transport.disconnect(error.reason, error.message);
      },
      log,
    });
  }

  private onLogin(result: AuthResult, log: (level: 1 | 2 | 3, text: string) => void): void {
    // Delayed compression starts with the next packet each way (OpenSSH PROTOCOL §1.2).
    this.transport.markAuthenticated();
    this.login = result;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    log(1, `${result.username} logged in with ${result.methods.join("+")}`);
    this.forwardings = new Forwardings(this.connection, result, this.options.forwarding ?? {}, log);
    if (this.options.announceHostKeys !== false && !this.transport.quirks.noHostkeysUpdate)
      this.transport.send(hostkeysAnnouncement(this.hostKeys));
    this.startClientAlive();
    this.emit("authenticated", result);
  }

  /** sshd ClientAliveInterval / ClientAliveCountMax. */
  private startClientAlive(): void {
    const interval = this.options.clientAliveIntervalMs ?? 0;
    if (interval <= 0) return;
    const max = this.options.clientAliveCountMax ?? DEFAULT_CLIENT_ALIVE_COUNT_MAX;
    this.aliveTimer = setInterval(() => {
      if (this.unansweredKeepalives >= max) {
        this.transport.disconnect(DISCONNECT.CONNECTION_LOST, `no answer to ${max} keepalives`);
        return;
      }
      this.unansweredKeepalives++;
      this.connection.keepalive().then(
        () => {
          this.unansweredKeepalives = 0;
        },
        () => {},
      );
    }, interval);
    this.aliveTimer.unref?.();
  }

  private finish(error: SshError | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.closeError = error;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    if (this.aliveTimer) clearInterval(this.aliveTimer);
    this.timers.stop();
    this.auth?.close();
    this.connection.end(error ?? new ProtocolError("ERR_CONNECTION_CLOSED", "the connection closed"));
    this.pump.end();
    const listenersGone = this.forwardings?.closeAll() ?? Promise.resolve();
    void listenersGone.then(() => {
      this.emit("close", error);
      this.resolveClosed();
    });
  }
}
