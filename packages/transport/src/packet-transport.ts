/**
 * The sans-I/O transport core's lower half, RFC 4253 §4–6 and §11 for both roles: version exchange,
 * the binary packet protocol with sequence numbers, compression and the rekey schedule, queueing
 * of upper-layer payloads while a key exchange runs, input pausing, timers and closing. The key
 * exchange and the transport messages are in transport.ts, which extends this class.
 * @module
 */
import {
  DEFAULT_CIPHERS,
  DEFAULT_HOST_KEY_ALGORITHMS,
  DEFAULT_KEX_ALGORITHMS,
  DEFAULT_MACS,
  defaultRandomBytes,
  type RandomBytes,
} from "@purssh/crypto";
import type { PrivateKey } from "@purssh/keys";
import { DISCONNECT, Disconnect, type DisconnectReason, Ping, ProtocolError, SshError, utf8Encode } from "@purssh/wire";
import { DEFAULT_COMPRESSION_ALGORITHMS } from "./compression.js";
import { CompressionState } from "./compression-state.js";
import { asConnectionError } from "./errors.js";
import type { GexRequest, KexState } from "./key-exchange.js";
import {
  DEFAULT_GEX_REQUEST,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_REKEY_BYTES,
  DEFAULT_REKEY_INTERVAL_MS,
  INPUT_HIGH_WATER,
  KEX_QUEUE_HIGH_WATER,
} from "./limits.js";
import type { AlgorithmPreferences, NegotiatedAlgorithms } from "./negotiate.js";
import { PacketReader, PacketWriter } from "./packet.js";
import { NO_QUIRKS, type QuirkSet, quirksFor } from "./quirks.js";
import { RekeySchedule } from "./rekey-schedule.js";
import {
  DEFAULT_CLIENT_VERSION,
  DEFAULT_SERVER_VERSION,
  type TransportHandlers,
  type TransportOptions,
} from "./types.js";
import { VersionExchange } from "./version.js";

type Phase = { kind: "version"; exchange: VersionExchange } | { kind: "packets" } | { kind: "closed" };

/** The binary packet protocol and the connection lifecycle; the key exchange is in Transport. */
export abstract class PacketTransport {
  protected phase: Phase;
  protected kex: KexState = { kind: "idle" };
  protected readonly reader = new PacketReader();
  protected readonly writer: PacketWriter;
  protected readonly random: RandomBytes;
  protected readonly prefs: AlgorithmPreferences;
  protected readonly now: () => number;
  protected readonly deadline: number;
  protected readonly rekeys: RekeySchedule;
  protected readonly gexRequest: GexRequest;
  protected peerWantsExtInfo = false;
  protected readonly compression = new CompressionState();
  protected sendSeq = 0;
  protected recvSeq = 0;
  protected strict = false;
  protected firstKexDone = false;
  protected authenticated = false;
  protected sessionIdentifier: Uint8Array | undefined;
  protected firstHostKey: Uint8Array | undefined;
  protected queue: Uint8Array[] = [];
  protected queuedBytes = 0;
  protected paused = false;
  protected inbox: Uint8Array[] = [];
  readonly localVersion: string;
  /** The peer's identification string, once received. */
  remoteVersion: string | undefined;
  /** Known bugs of the peer's software, from its identification string (quirks.ts). */
  quirks: QuirkSet = NO_QUIRKS;
  /** Lines the server sent before its identification string. */
  bannerLines: string[] = [];
  readonly role: "client" | "server";
  /** RFC 8308 extensions the peer sent (e.g. server-sig-algs). */
  readonly extensions = new Map<string, Uint8Array>();
  negotiated: NegotiatedAlgorithms | undefined;

  constructor(
    protected readonly options: TransportOptions,
    protected readonly handlers: TransportHandlers,
  ) {
    this.random = options.random ?? defaultRandomBytes;
    this.writer = new PacketWriter(this.random);
    this.now = options.now ?? (() => Date.now());
    this.deadline = this.now() + (options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
    this.rekeys = new RekeySchedule(
      options.rekeyBytes ?? DEFAULT_REKEY_BYTES,
      options.rekeyIntervalMs ?? DEFAULT_REKEY_INTERVAL_MS,
      this.now(),
    );
    this.role = options.role;
    this.gexRequest = { ...DEFAULT_GEX_REQUEST, ...(options.role === "client" ? options.groupExchange : {}) };
    this.localVersion =
      options.version ?? (options.role === "client" ? DEFAULT_CLIENT_VERSION : DEFAULT_SERVER_VERSION);
    this.prefs = {
      kex: options.algorithms?.kex ?? DEFAULT_KEX_ALGORITHMS,
      hostKey: options.algorithms?.hostKey ?? defaultHostKeyAlgorithms(options),
      cipher: options.algorithms?.cipher ?? DEFAULT_CIPHERS,
      mac: options.algorithms?.mac ?? DEFAULT_MACS,
      compression: options.algorithms?.compression ?? DEFAULT_COMPRESSION_ALGORITHMS,
    };
    if (options.role === "server" && options.hostKeys.length === 0) {
      throw new SshError("ERR_NO_HOST_KEY", "a server needs at least one host key");
    }
    // A client accepts banner lines before the server's version line (RFC 4253 §4.2); a server not.
    this.phase = { kind: "version", exchange: new VersionExchange(options.role === "client") };
  }

  /** What the peer is called in messages. */
  protected get peer(): string {
    return this.role === "client" ? "server" : "client";
  }

  /** Sends our identification string and first KEXINIT (RFC 4253 §4.2, §7.1). */
  start(): void {
    this.handlers.output(utf8Encode(`${this.localVersion}\r\n`));
    this.sendKexinit();
  }

  get closed(): boolean {
    return this.phase.kind === "closed";
  }

  /** True when upper-layer payloads go straight out (no key exchange running, not closed). */
  get writable(): boolean {
    return this.phase.kind === "packets" && this.kex.kind === "idle" && this.firstKexDone;
  }

  /** The session identifier: H of the first key exchange (RFC 4253 §7.2). */
  get sessionId(): Uint8Array {
    if (!this.sessionIdentifier) throw new SshError("ERR_NOT_READY", "no key exchange has completed yet");
    return this.sessionIdentifier;
  }

  /**
   * Upper layers call this once user authentication succeeded: a client on receiving
   * USERAUTH_SUCCESS, a server right after sending it. EXT_INFO is refused after it, and delayed
   * compression (zlib@openssh.com) starts with the next packet each way.
   */
  markAuthenticated(): void {
    if (this.authenticated) return;
    this.authenticated = true;
    this.compression.authenticationSucceeded();
  }

  /** True once the peer announced `ping@openssh.com` (OpenSSH PROTOCOL §1.10). */
  get canPing(): boolean {
    return this.extensions.has("ping@openssh.com");
  }

  /** Sends SSH2_MSG_PING; the PONG arrives through `handlers.pong`. */
  ping(data: Uint8Array = new Uint8Array(0)): void {
    if (!this.canPing) throw new SshError("ERR_NOT_SUPPORTED", `the ${this.peer} did not announce ping@openssh.com`);
    this.send(Ping.encode({ data }));
  }

  /** Feeds bytes received from the peer. Never throws: errors close the connection. */
  receive(bytes: Uint8Array): void {
    if (this.phase.kind === "closed") return;
    if (this.paused) {
      this.inbox.push(bytes.slice());
      return;
    }
    try {
      this.ingest(bytes);
    } catch (e) {
      this.fail(e);
    }
  }

  /** False while paused input is above INPUT_HIGH_WATER: the adapter should stop reading. */
  get wantsInput(): boolean {
    return !this.paused || this.bufferedInput < INPUT_HIGH_WATER;
  }

  /** Bytes buffered inside the core and not yet processed (for input backpressure). */
  get bufferedInput(): number {
    let n = this.reader.buffered;
    for (const b of this.inbox) n += b.length;
    return n;
  }

  /**
   * Sends an upper-layer payload; queued while a key exchange runs. Returns false when the queue
   * is above its high-water mark (the caller should wait for `handlers.writable`).
   */
  send(payload: Uint8Array): boolean {
    if (this.phase.kind === "closed") throw new SshError("ERR_CONNECTION_CLOSED", "the SSH connection is closed");
    if (!this.writable) {
      this.queue.push(payload);
      this.queuedBytes += payload.length;
      return this.queuedBytes < KEX_QUEUE_HIGH_WATER;
    }
    this.writePacket(payload);
    this.maybeRekey();
    return true;
  }

  /** Starts a key re-exchange (RFC 4253 §9); no-op if one is already running. */
  rekey(): void {
    if (this.phase.kind !== "packets" || !this.firstKexDone || this.kex.kind !== "idle") return;
    this.sendKexinit();
  }

  /** Sends DISCONNECT (RFC 4253 §11.1) and closes. */
  disconnect(reason: DisconnectReason = DISCONNECT.BY_APPLICATION, description = "closed by application"): void {
    if (this.phase.kind === "closed") return;
    if (this.phase.kind === "packets" || this.kex.kind === "sentKexinit") {
      try {
        this.writePacket(Disconnect.encode({ reasonCode: reason, description, languageTag: "" }));
      } catch {
        // best effort: we are closing anyway
      }
    }
    this.close(undefined);
  }

  /** The transport (TCP) ended under us. */
  peerClosed(cause?: unknown): void {
    if (this.phase.kind === "closed") return;
    const where =
      this.phase.kind === "version"
        ? `before the ${this.peer} sent its SSH identification line (it sent: ${this.phase.exchange.received()})`
        : !this.firstKexDone
          ? `during key exchange (${this.kex.kind})`
          : "";
    this.close(
      new SshError(
        "ERR_CONNECTION_CLOSED",
        where ? `the ${this.peer} closed the connection ${where}` : "the connection was closed by the peer",
        { cause },
      ),
    );
  }

  /** Drives timers: the handshake timeout and time-based rekeying (RFC 4253 §9). */
  tick(now: number = this.now()): void {
    if (this.phase.kind === "closed") return;
    if (!this.firstKexDone) {
      if (now >= this.deadline) this.expireHandshake();
      return;
    }
    if (this.kex.kind === "idle" && !this.quirks.noRekey && this.rekeys.timeExceeded(now)) {
      this.log(1, "rekeying after the time limit");
      this.rekey();
    }
  }

  /** Fails the connection if the initial handshake is still running (the logon timer expired). */
  expireHandshake(): void {
    if (this.phase.kind === "closed" || this.firstKexDone) return;
    const waiting =
      this.phase.kind === "version" ? `the ${this.peer}'s identification line` : `key exchange (${this.kex.kind})`;
    this.fail(
      new ProtocolError(
        "ERR_HANDSHAKE_TIMEOUT",
        `handshake timed out after ${this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS} ms waiting for ${waiting}`,
        DISCONNECT.CONNECTION_LOST,
      ),
    );
  }

  /** When `tick` next needs to run, or undefined if no timer is pending. */
  nextDeadline(): number | undefined {
    if (this.phase.kind === "closed") return undefined;
    if (!this.firstKexDone) return this.deadline;
    return this.rekeys.deadline;
  }

  // ---- input -------------------------------------------------------------------------------

  protected ingest(bytes: Uint8Array): void {
    if (this.phase.kind === "version") {
      const done = this.phase.exchange.feed(bytes);
      if (!done) return;
      this.remoteVersion = done.version;
      this.bannerLines = done.bannerLines;
      this.log(1, `${this.peer} version ${done.version}`);
      this.quirks = quirksFor(done.version);
      if (this.quirks.matched.length > 0) this.log(2, `peer quirks: ${this.quirks.matched.join(", ")}`);
      if (this.quirks.refuseReason) {
        throw new ProtocolError(
          "ERR_PEER_NOT_SUPPORTED",
          `${this.peer} ${done.version} is not supported: ${this.quirks.refuseReason}`,
          DISCONNECT.PROTOCOL_VERSION_NOT_SUPPORTED,
        );
      }
      this.phase = { kind: "packets" };
      bytes = done.rest;
    }
    this.reader.push(bytes);
    this.pump();
  }

  protected pump(): void {
    while (!this.paused && this.phase.kind === "packets") {
      const seq = this.recvSeq;
      const packet = this.reader.next(seq);
      if (!packet) return;
      const payload = this.compression.decompress(packet);
      this.recvSeq = (this.recvSeq + 1) >>> 0;
      if (this.recvSeq === 0 && !this.firstKexDone) {
        throw new ProtocolError("ERR_SEQUENCE_WRAP", "incoming sequence number wrapped during initial key exchange");
      }
      this.rekeys.count(payload.length);
      this.dispatch(payload, seq);
    }
  }

  protected maybeRekey(): void {
    if (this.rekeys.volumeExceeded && !this.quirks.noRekey) {
      this.log(1, "rekeying after the byte/packet limit");
      this.rekey();
    }
  }

  // ---- output ------------------------------------------------------------------------------

  protected writePacket(payload: Uint8Array): void {
    const body = this.compression.compress(payload);
    const wire = this.writer.build(this.sendSeq, body);
    this.sendSeq = (this.sendSeq + 1) >>> 0;
    if (this.sendSeq === 0 && !this.firstKexDone) {
      throw new ProtocolError("ERR_SEQUENCE_WRAP", "outgoing sequence number wrapped during initial key exchange");
    }
    this.rekeys.count(payload.length);
    this.handlers.output(wire);
  }

  protected flushQueue(): void {
    const q = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    for (const p of q) this.writePacket(p);
  }

  // ---- closing -----------------------------------------------------------------------------

  protected fail(e: unknown): void {
    if (this.phase.kind === "closed") return;
    const error = asConnectionError(e);
    if (error instanceof ProtocolError && this.phase.kind === "packets") {
      try {
        this.writePacket(Disconnect.encode({ reasonCode: error.reason, description: error.message, languageTag: "" }));
      } catch {
        // the connection is going away regardless
      }
    }
    this.log(1, `closing: ${error.message}`);
    this.close(error);
  }

  protected close(error: SshError | undefined): void {
    if (this.phase.kind === "closed") return;
    this.phase = { kind: "closed" };
    this.queue = [];
    this.inbox = [];
    this.handlers.close(error);
  }

  protected log(level: 1 | 2 | 3, text: string): void {
    this.handlers.log?.(level, text);
  }

  /** Sends our KEXINIT and enters the key exchange (RFC 4253 §7.1). */
  protected abstract sendKexinit(): void;
  /** Handles one decrypted payload with its sequence number. */
  protected abstract dispatch(payload: Uint8Array, seq: number): void;
}

/** A server offers what its host keys can sign with; a client our default list. */
function defaultHostKeyAlgorithms(options: TransportOptions): readonly string[] {
  if (options.role === "client") return DEFAULT_HOST_KEY_ALGORITHMS;
  const offered = new Set<string>();
  for (const key of options.hostKeys as readonly PrivateKey[]) for (const a of key.signatureAlgorithms) offered.add(a);
  return [...offered];
}
