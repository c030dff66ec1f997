/**
 * The sans-I/O transport core, RFC 4253: version exchange, binary packet protocol, key exchange
 * (initial and re-exchange, either side starting it), strict kex (OpenSSH PROTOCOL §1.9, the
 * Terrapin countermeasure), EXT_INFO receipt (RFC 8308), and the transport-generic messages.
 *
 * Bytes come in through `receive`, go out through `handlers.output`; messages for the layers above
 * come out of `handlers.message`. Upper layers never see a key exchange: while one runs their
 * payloads queue here, and `writable` reports backpressure.
 * @module
 */
import {
  DEFAULT_CIPHERS,
  DEFAULT_HOST_KEY_ALGORITHMS,
  DEFAULT_KEX_ALGORITHMS,
  DEFAULT_MACS,
  defaultRandomBytes,
  getKex,
  type RandomBytes,
} from "@purssh/crypto";
import {
  DISCONNECT,
  Disconnect,
  type DisconnectReason,
  disconnectReasonName,
  ExtInfo,
  equalBytes,
  KexDhGexGroup,
  KexDhGexRequest,
  Kexinit,
  MSG,
  Newkeys,
  ProtocolError,
  SshError,
  Unimplemented,
  utf8Encode,
} from "@purssh/wire";
import { asConnectionError } from "./errors.js";
import {
  checkExchangeSignature,
  deriveSessionKeys,
  exchangeHash,
  type GexRequest,
  type KexState,
  kexInitMessage,
  type PendingKeys,
  parseKexReply,
} from "./key-exchange.js";
import {
  DEFAULT_GEX_REQUEST,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_REKEY_BYTES,
  INPUT_HIGH_WATER,
  KEX_QUEUE_HIGH_WATER,
  REKEY_PACKETS,
} from "./limits.js";
import {
  type AlgorithmPreferences,
  buildKexinit,
  guessWasWrong,
  type NegotiatedAlgorithms,
  negotiate,
  STRICT_KEX_SERVER,
} from "./negotiate.js";
import { PacketReader, PacketWriter } from "./packet.js";
import { DEFAULT_CLIENT_VERSION, type TransportHandlers, type TransportOptions } from "./types.js";
import { VersionExchange } from "./version.js";

type Phase = { kind: "version"; exchange: VersionExchange } | { kind: "packets" } | { kind: "closed" };

export class Transport {
  private phase: Phase;
  private kex: KexState = { kind: "idle" };
  private readonly reader = new PacketReader();
  private readonly writer: PacketWriter;
  private readonly random: RandomBytes;
  private readonly prefs: AlgorithmPreferences;
  private readonly now: () => number;
  private readonly deadline: number;
  private readonly rekeyBytes: number;
  private readonly gexRequest: GexRequest;
  private sendSeq = 0;
  private recvSeq = 0;
  private strict = false;
  private firstKexDone = false;
  private authenticated = false;
  private sessionIdentifier: Uint8Array | undefined;
  private firstHostKey: Uint8Array | undefined;
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private paused = false;
  private inbox: Uint8Array[] = [];
  private bytesSinceKex = 0;
  private packetsSinceKex = 0;
  readonly localVersion: string;
  /** The peer's identification string, once received. */
  remoteVersion: string | undefined;
  /** Lines the server sent before its identification string. */
  bannerLines: string[] = [];
  /** RFC 8308 extensions the peer sent (e.g. server-sig-algs). */
  readonly extensions = new Map<string, Uint8Array>();
  negotiated: NegotiatedAlgorithms | undefined;

  constructor(
    private readonly options: TransportOptions,
    private readonly handlers: TransportHandlers,
  ) {
    this.random = options.random ?? defaultRandomBytes;
    this.writer = new PacketWriter(this.random);
    this.now = options.now ?? (() => Date.now());
    this.deadline = this.now() + (options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
    this.rekeyBytes = options.rekeyBytes ?? DEFAULT_REKEY_BYTES;
    this.gexRequest = { ...DEFAULT_GEX_REQUEST, ...options.groupExchange };
    this.localVersion = options.version ?? DEFAULT_CLIENT_VERSION;
    this.prefs = {
      kex: options.algorithms?.kex ?? DEFAULT_KEX_ALGORITHMS,
      hostKey: options.algorithms?.hostKey ?? DEFAULT_HOST_KEY_ALGORITHMS,
      cipher: options.algorithms?.cipher ?? DEFAULT_CIPHERS,
      mac: options.algorithms?.mac ?? DEFAULT_MACS,
      compression: options.algorithms?.compression ?? ["none"],
    };
    this.phase = { kind: "version", exchange: new VersionExchange(options.role === "client") };
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

  /** Upper layers call this once user authentication succeeded (EXT_INFO is refused after it). */
  markAuthenticated(): void {
    this.authenticated = true;
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
        ? `before the server sent its SSH identification line (it sent: ${this.phase.exchange.received()})`
        : !this.firstKexDone
          ? `during key exchange (${this.kex.kind})`
          : "";
    this.close(
      new SshError(
        "ERR_CONNECTION_CLOSED",
        where ? `the server closed the connection ${where}` : "the connection was closed by the peer",
        { cause },
      ),
    );
  }

  /** Drives timers: the handshake timeout and time-based rekeying. */
  tick(now: number = this.now()): void {
    if (this.phase.kind === "closed" || this.firstKexDone) return;
    if (now >= this.deadline) {
      const waiting =
        this.phase.kind === "version" ? "the server's identification line" : `key exchange (${this.kex.kind})`;
      this.fail(
        new ProtocolError(
          "ERR_HANDSHAKE_TIMEOUT",
          `handshake timed out after ${this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS} ms waiting for ${waiting}`,
          DISCONNECT.CONNECTION_LOST,
        ),
      );
    }
  }

  /** When `tick` next needs to run, or undefined if no timer is pending. */
  nextDeadline(): number | undefined {
    return this.phase.kind === "closed" || this.firstKexDone ? undefined : this.deadline;
  }

  // ---- input -------------------------------------------------------------------------------

  private ingest(bytes: Uint8Array): void {
    if (this.phase.kind === "version") {
      const done = this.phase.exchange.feed(bytes);
      if (!done) return;
      this.remoteVersion = done.version;
      this.bannerLines = done.bannerLines;
      this.log(1, `server version ${done.version}`);
      this.phase = { kind: "packets" };
      bytes = done.rest;
    }
    this.reader.push(bytes);
    this.pump();
  }

  private pump(): void {
    while (!this.paused && this.phase.kind === "packets") {
      const seq = this.recvSeq;
      const payload = this.reader.next(seq);
      if (!payload) return;
      this.recvSeq = (this.recvSeq + 1) >>> 0;
      if (this.recvSeq === 0 && !this.firstKexDone) {
        throw new ProtocolError("ERR_SEQUENCE_WRAP", "incoming sequence number wrapped during initial key exchange");
      }
      this.bytesSinceKex += payload.length;
      this.packetsSinceKex++;
      this.dispatch(payload, seq);
    }
  }

  private dispatch(payload: Uint8Array, seq: number): void {
    const n = payload[0]!;
    const inInitialKex = !this.firstKexDone;
    if (this.strict && inInitialKex && !isKexMessage(n) && n !== MSG.DISCONNECT) {
      throw new ProtocolError(
        "ERR_STRICT_KEX_VIOLATION",
        `message ${n} received during initial key exchange (strict kex, CVE-2023-48795)`,
        DISCONNECT.KEY_EXCHANGE_FAILED,
      );
    }
    switch (n) {
      case MSG.DISCONNECT: {
        const d = Disconnect.decode(payload);
        this.close(
          new SshError(
            "ERR_PEER_DISCONNECTED",
            `the server disconnected: ${d.description || "(no description)"} (${disconnectReasonName(d.reasonCode)})`,
          ),
        );
        return;
      }
      case MSG.IGNORE:
      case MSG.DEBUG:
        this.log(3, n === MSG.IGNORE ? "received IGNORE" : "received DEBUG");
        return;
      case MSG.UNIMPLEMENTED:
        this.log(2, `server reports message ${Unimplemented.decode(payload).packetSequenceNumber} unimplemented`);
        return;
      case MSG.KEXINIT:
        this.onKexinit(payload, seq);
        return;
      case MSG.NEWKEYS:
        this.onNewkeys(payload);
        return;
      case MSG.EXT_INFO:
        this.onExtInfo(payload);
        return;
    }
    if (n >= 30 && n <= 49) {
      this.onKexMethodMessage(payload);
      return;
    }
    if (inInitialKex) {
      throw new ProtocolError("ERR_UNEXPECTED_MESSAGE", `message ${n} received before the key exchange completed`);
    }
    if (this.kex.kind !== "idle" && this.kex.kind !== "sentKexinit") {
      throw new ProtocolError("ERR_UNEXPECTED_MESSAGE", `message ${n} received in the middle of a key re-exchange`);
    }
    if (n < 50 && n !== MSG.SERVICE_REQUEST && n !== MSG.SERVICE_ACCEPT) {
      this.writePacket(Unimplemented.encode({ packetSequenceNumber: seq }));
      return;
    }
    if (!this.handlers.message(payload)) this.writePacket(Unimplemented.encode({ packetSequenceNumber: seq }));
  }

  // ---- key exchange ------------------------------------------------------------------------

  private sendKexinit(): Kexinit {
    const ours = buildKexinit(this.prefs, this.random(16), this.options.role, !this.firstKexDone);
    const oursPayload = Kexinit.encode(ours);
    this.writePacket(oursPayload);
    this.kex = { kind: "sentKexinit", ours, oursPayload };
    this.log(2, "sent KEXINIT");
    return ours;
  }

  private onKexinit(payload: Uint8Array, seq: number): void {
    const theirs = Kexinit.decode(payload);
    if (!this.firstKexDone && theirs.kexAlgorithms.includes(STRICT_KEX_SERVER)) {
      this.strict = true;
      if (seq !== 0) {
        throw new ProtocolError(
          "ERR_STRICT_KEX_VIOLATION",
          `KEXINIT was not the first packet (sequence number ${seq}) under strict kex`,
          DISCONNECT.KEY_EXCHANGE_FAILED,
        );
      }
    }
    let state = this.kex;
    if (state.kind === "idle") {
      this.sendKexinit();
      state = this.kex;
    }
    if (state.kind !== "sentKexinit") {
      throw new ProtocolError("ERR_UNEXPECTED_MESSAGE", `KEXINIT received during key exchange (${state.kind})`);
    }
    const negotiated = negotiate(state.ours, theirs);
    const method = getKex(negotiated.kex);
    if (!method) throw new ProtocolError("ERR_KEX_NO_COMMON_ALGORITHM", `unsupported key exchange ${negotiated.kex}`);
    this.log(
      1,
      `negotiated kex ${negotiated.kex}, host key ${negotiated.hostKey}, ciphers ${negotiated.cipherClientToServer}/${negotiated.cipherServerToClient}${negotiated.macClientToServer ? `, MACs ${negotiated.macClientToServer}/${negotiated.macServerToClient}` : ""}${this.strict ? ", strict kex" : ""}`,
    );
    const common = {
      oursPayload: state.oursPayload,
      theirsPayload: payload,
      negotiated,
      method,
      ignoreGuessedPacket: theirs.firstKexPacketFollows && guessWasWrong(theirs, negotiated),
    };
    if (method.groupExchange) {
      // RFC 4419 §3: ask for a group first; the exchange starts once it arrives.
      const request = this.gexRequest;
      this.kex = { kind: "awaitingGexGroup", ...common, request };
      this.writePacket(KexDhGexRequest.encode(request));
      return;
    }
    const exchange = method.createClient(this.random);
    this.kex = { kind: "awaitingReply", ...common, exchange };
    this.writePacket(kexInitMessage(method, exchange));
  }

  /** RFC 4419 §3: the server's group arrived; validate it (in the method) and send e. */
  private onGexGroup(state: Extract<KexState, { kind: "awaitingGexGroup" }>, payload: Uint8Array): void {
    if (payload[0] !== MSG.KEX_DH_GEX_GROUP) {
      throw new ProtocolError(
        "ERR_UNEXPECTED_MESSAGE",
        `expected SSH_MSG_KEX_DH_GEX_GROUP, got message ${payload[0]}`,
        DISCONNECT.KEY_EXCHANGE_FAILED,
      );
    }
    const group = KexDhGexGroup.decode(payload);
    const exchange = state.method.createClient(this.random, group);
    const { request, ...rest } = state;
    this.kex = { ...rest, kind: "awaitingReply", exchange, gex: { request, group } };
    this.writePacket(kexInitMessage(state.method, exchange));
  }

  private onKexMethodMessage(payload: Uint8Array): void {
    const state = this.kex;
    if (state.kind === "awaitingGexGroup" && !state.ignoreGuessedPacket) {
      this.onGexGroup(state, payload);
      return;
    }
    if (state.kind !== "awaitingReply" && state.kind !== "awaitingGexGroup") {
      throw new ProtocolError(
        "ERR_UNEXPECTED_MESSAGE",
        `key-exchange message ${payload[0]} received outside a key exchange (${state.kind})`,
        DISCONNECT.KEY_EXCHANGE_FAILED,
      );
    }
    if (state.ignoreGuessedPacket) {
      state.ignoreGuessedPacket = false;
      return;
    }
    if (state.kind !== "awaitingReply") return; // narrowing: a guessed packet was just dropped
    const { negotiated, method } = state;
    const reply = parseKexReply(method, payload);
    const encodedK = state.exchange.computeSharedSecret(reply.serverPublic);
    const H = exchangeHash(method, {
      clientVersion: this.localVersion,
      serverVersion: this.remoteVersion ?? "",
      clientKexinit: state.oursPayload,
      serverKexinit: state.theirsPayload,
      hostKey: reply.hostKey,
      clientPublic: state.exchange.publicKey,
      serverPublic: reply.serverPublic,
      encodedK,
      ...(state.gex ? { gex: state.gex } : {}),
    });
    checkExchangeSignature(negotiated.hostKey, reply.hostKey, reply.signature, H);
    const sessionId = this.sessionIdentifier ?? H;
    const keys = deriveSessionKeys(method, encodedK, H, sessionId, negotiated);
    if (this.firstHostKey) {
      // A re-exchange must present the same host key (RFC 4253 §9 keeps the session's identity).
      if (!equalBytes(this.firstHostKey, reply.hostKey)) {
        throw new ProtocolError(
          "ERR_HOST_KEY_CHANGED",
          "the server presented a different host key during key re-exchange",
          DISCONNECT.HOST_KEY_NOT_VERIFIABLE,
        );
      }
      this.sendNewkeys(keys);
      return;
    }
    this.sessionIdentifier = H;
    this.firstHostKey = reply.hostKey.slice();
    this.kex = { kind: "verifyingHostKey", keys };
    this.paused = true;
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = this.options.verifyHostKey({ algorithm: negotiated.hostKey, blob: reply.hostKey.slice() });
    } catch (e) {
      verdict = Promise.reject(e);
    }
    Promise.resolve(verdict).then(
      (ok) => this.afterHostKeyDecision(ok === true, undefined),
      (e: unknown) => this.afterHostKeyDecision(false, e),
    );
  }

  /** Fails closed on every path (CVE-2025-26465): only an explicit `true` accepts. */
  private afterHostKeyDecision(accepted: boolean, error: unknown): void {
    if (this.phase.kind === "closed" || this.kex.kind !== "verifyingHostKey") return;
    try {
      if (!accepted) {
        throw new ProtocolError(
          "ERR_HOST_KEY_REJECTED",
          error === undefined
            ? "the server's host key was not accepted"
            : `the host-key check failed: ${error instanceof Error ? error.message : String(error)}`,
          DISCONNECT.HOST_KEY_NOT_VERIFIABLE,
          { cause: error },
        );
      }
      this.sendNewkeys(this.kex.keys);
      this.paused = false;
      const held = this.inbox;
      this.inbox = [];
      for (const b of held) {
        if (this.closed) return;
        this.ingest(b);
      }
      this.pump();
      this.handlers.inputResumed?.();
    } catch (e) {
      this.fail(e);
    }
  }

  private sendNewkeys(keys: PendingKeys): void {
    this.writePacket(Newkeys.encode({}));
    this.writer.cipher = keys.outgoing;
    if (this.strict) this.sendSeq = 0;
    this.kex = { kind: "awaitingNewkeys", keys };
  }

  private onNewkeys(payload: Uint8Array): void {
    Newkeys.decode(payload);
    const state = this.kex;
    if (state.kind !== "awaitingNewkeys") {
      throw new ProtocolError("ERR_UNEXPECTED_MESSAGE", `NEWKEYS received in key-exchange state ${state.kind}`);
    }
    this.reader.cipher = state.keys.incoming;
    if (this.strict) this.recvSeq = 0;
    const initial = !this.firstKexDone;
    this.negotiated = state.keys.negotiated;
    this.kex = { kind: "idle" };
    this.firstKexDone = true;
    this.bytesSinceKex = 0;
    this.packetsSinceKex = 0;
    this.log(1, initial ? "key exchange complete" : "key re-exchange complete");
    this.handlers.keysChanged?.(state.keys.negotiated, initial);
    this.flushQueue();
    if (initial) this.handlers.ready();
    else this.handlers.writable?.();
  }

  private onExtInfo(payload: Uint8Array): void {
    // RFC 8308 §2.4: only after NEWKEYS, and (OpenSSH) not once authentication has completed.
    if (!this.firstKexDone || this.authenticated) {
      throw new ProtocolError("ERR_UNEXPECTED_MESSAGE", "EXT_INFO received outside the window RFC 8308 allows");
    }
    for (const e of ExtInfo.decode(payload).extensions) this.extensions.set(e.name, e.value);
    this.log(2, `server extensions: ${[...this.extensions.keys()].join(", ")}`);
  }

  private maybeRekey(): void {
    if (this.bytesSinceKex >= this.rekeyBytes || this.packetsSinceKex >= REKEY_PACKETS) {
      this.log(1, "rekeying after the byte/packet limit");
      this.rekey();
    }
  }

  // ---- output ------------------------------------------------------------------------------

  private writePacket(payload: Uint8Array): void {
    const wire = this.writer.build(this.sendSeq, payload);
    this.sendSeq = (this.sendSeq + 1) >>> 0;
    if (this.sendSeq === 0 && !this.firstKexDone) {
      throw new ProtocolError("ERR_SEQUENCE_WRAP", "outgoing sequence number wrapped during initial key exchange");
    }
    this.bytesSinceKex += payload.length;
    this.packetsSinceKex++;
    this.handlers.output(wire);
  }

  private flushQueue(): void {
    const q = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    for (const p of q) this.writePacket(p);
  }

  // ---- closing -----------------------------------------------------------------------------

  private fail(e: unknown): void {
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

  private close(error: SshError | undefined): void {
    if (this.phase.kind === "closed") return;
    this.phase = { kind: "closed" };
    this.queue = [];
    this.inbox = [];
    this.handlers.close(error);
  }

  private log(level: 1 | 2 | 3, text: string): void {
    this.handlers.log?.(level, text);
  }
}

/** Messages allowed during the initial key exchange under strict kex. */
function isKexMessage(n: number): boolean {
  return n === MSG.KEXINIT || n === MSG.NEWKEYS || (n >= 30 && n <= 49);
}
