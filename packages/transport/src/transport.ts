/**
 * The sans-I/O transport core, RFC 4253, for both roles: version exchange, binary packet protocol,
 * key exchange (initial and re-exchange, started by either side, by bytes, packets or time), strict
 * kex (OpenSSH PROTOCOL §1.9, the Terrapin countermeasure), EXT_INFO both ways (RFC 8308), ping
 * (OpenSSH PROTOCOL §1.10), compression (RFC 4253 §6.2, delayed zlib@openssh.com), and the
 * transport-generic messages. The role-specific key-exchange steps live in kex-client.ts and
 * kex-server.ts.
 *
 * Bytes come in through `receive`, go out through `handlers.output`; messages for the layers above
 * come out of `handlers.message`. Upper layers never see a key exchange: while one runs their
 * payloads queue here, and `writable` reports backpressure.
 * @module
 */
import { DEFAULT_HOST_KEY_ALGORITHMS, getKex } from "@purssh/crypto";
import {
  DISCONNECT,
  Disconnect,
  disconnectReasonName,
  ExtInfo,
  equalBytes,
  Kexinit,
  MSG,
  Newkeys,
  Ping,
  Pong,
  ProtocolError,
  SshError,
  Unimplemented,
} from "@purssh/wire";
import { extInfoMessage } from "./extensions.js";
import { beginClientKex, type ClientKexContext, clientKexMessage } from "./kex-client.js";
import { beginServerKex, type ServerKexContext, serverKexMessage } from "./kex-server.js";
import type { KexCommon, PendingKeys } from "./key-exchange.js";
import {
  buildKexinit,
  EXT_INFO_CLIENT,
  EXT_INFO_SERVER,
  guessWasWrong,
  negotiate,
  STRICT_KEX_CLIENT,
  STRICT_KEX_SERVER,
} from "./negotiate.js";
import { PacketTransport } from "./packet-transport.js";

export class Transport extends PacketTransport {
  protected dispatch(payload: Uint8Array, seq: number): void {
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
            `the ${this.peer} disconnected: ${d.description || "(no description)"} (${disconnectReasonName(d.reasonCode)})`,
          ),
        );
        return;
      }
      case MSG.IGNORE:
      case MSG.DEBUG:
        this.log(3, n === MSG.IGNORE ? "received IGNORE" : "received DEBUG");
        return;
      case MSG.UNIMPLEMENTED:
        this.log(2, `${this.peer} reports message ${Unimplemented.decode(payload).packetSequenceNumber} unimplemented`);
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
    if (n === MSG.PING || n === MSG.PONG) {
      this.onPing(payload);
      return;
    }
    if (n < 50 && n !== MSG.SERVICE_REQUEST && n !== MSG.SERVICE_ACCEPT) {
      this.writePacket(Unimplemented.encode({ packetSequenceNumber: seq }));
      return;
    }
    if (!this.handlers.message(payload)) this.writePacket(Unimplemented.encode({ packetSequenceNumber: seq }));
  }

  // ---- key exchange ------------------------------------------------------------------------

  protected sendKexinit(): Kexinit {
    const ours = buildKexinit(this.prefs, this.random(16), this.role, !this.firstKexDone);
    const oursPayload = Kexinit.encode(ours);
    this.writePacket(oursPayload);
    this.kex = { kind: "sentKexinit", ours, oursPayload };
    this.log(2, "sent KEXINIT");
    return ours;
  }

  private onKexinit(payload: Uint8Array, seq: number): void {
    const theirs = Kexinit.decode(payload);
    if (!this.firstKexDone) {
      const peerStrict = this.role === "client" ? STRICT_KEX_SERVER : STRICT_KEX_CLIENT;
      this.peerWantsExtInfo = theirs.kexAlgorithms.includes(this.role === "client" ? EXT_INFO_SERVER : EXT_INFO_CLIENT);
      if (theirs.kexAlgorithms.includes(peerStrict)) {
        this.strict = true;
        if (seq !== 0) {
          throw new ProtocolError(
            "ERR_STRICT_KEX_VIOLATION",
            `KEXINIT was not the first packet (sequence number ${seq}) under strict kex`,
            DISCONNECT.KEY_EXCHANGE_FAILED,
          );
        }
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
    const [client, server] = this.role === "client" ? [state.ours, theirs] : [theirs, state.ours];
    const negotiated = negotiate(client, server);
    const method = getKex(negotiated.kex);
    if (!method) throw new ProtocolError("ERR_KEX_NO_COMMON_ALGORITHM", `unsupported key exchange ${negotiated.kex}`);
    this.log(
      1,
      `negotiated kex ${negotiated.kex}, host key ${negotiated.hostKey}, ciphers ${negotiated.cipherClientToServer}/${negotiated.cipherServerToClient}${negotiated.macClientToServer ? `, MACs ${negotiated.macClientToServer}/${negotiated.macServerToClient}` : ""}${negotiated.compressionClientToServer !== "none" ? `, compression ${negotiated.compressionClientToServer}` : ""}${this.strict ? ", strict kex" : ""}`,
    );
    const common: KexCommon = {
      oursPayload: state.oursPayload,
      theirsPayload: payload,
      negotiated,
      method,
      ignoreGuessedPacket: theirs.firstKexPacketFollows && guessWasWrong(theirs, negotiated),
    };
    this.kex = this.role === "client" ? beginClientKex(this.clientKexContext(), common) : beginServerKex(common);
  }

  private clientKexContext(): ClientKexContext {
    return {
      random: this.random,
      clientVersion: this.localVersion,
      serverVersion: this.remoteVersion ?? "",
      sessionId: this.sessionIdentifier,
      gexRequest: this.gexRequest,
      send: (p) => this.writePacket(p),
    };
  }

  private serverKexContext(): ServerKexContext {
    const options = this.options;
    return {
      random: this.random,
      clientVersion: this.remoteVersion ?? "",
      serverVersion: this.localVersion,
      sessionId: this.sessionIdentifier,
      hostKeyFor: (algorithm) => {
        const key =
          options.role === "server"
            ? options.hostKeys.find((k) => k.signatureAlgorithms.includes(algorithm))
            : undefined;
        if (!key) throw new ProtocolError("ERR_NO_HOST_KEY", `no host key signs with ${algorithm}`);
        return key;
      },
      send: (p) => this.writePacket(p),
    };
  }

  private onKexMethodMessage(payload: Uint8Array): void {
    const state = this.kex;
    const expecting =
      this.role === "client"
        ? state.kind === "awaitingGexGroup" || state.kind === "awaitingReply"
        : state.kind === "awaitingGexRequest" || state.kind === "awaitingInit";
    if (!expecting) {
      throw new ProtocolError(
        "ERR_UNEXPECTED_MESSAGE",
        `key-exchange message ${payload[0]} received outside a key exchange (${state.kind})`,
        DISCONNECT.KEY_EXCHANGE_FAILED,
      );
    }
    if ("ignoreGuessedPacket" in state && state.ignoreGuessedPacket) {
      // RFC 4253 §7.1: the peer guessed the method wrong; its first kex packet is dropped.
      state.ignoreGuessedPacket = false;
      return;
    }
    if (state.kind === "awaitingGexRequest" || state.kind === "awaitingInit") {
      const step = serverKexMessage(this.serverKexContext(), state, payload);
      if (step.kind === "continue") {
        this.kex = step.state;
        return;
      }
      this.sessionIdentifier ??= step.exchangeHash;
      this.sendNewkeys(step.keys);
      return;
    }
    if (state.kind !== "awaitingGexGroup" && state.kind !== "awaitingReply") return;
    const step = clientKexMessage(this.clientKexContext(), state, payload);
    if (step.kind === "continue") {
      this.kex = step.state;
      return;
    }
    if (this.firstHostKey) {
      // A re-exchange must present the same host key (RFC 4253 §9 keeps the session's identity).
      if (!equalBytes(this.firstHostKey, step.hostKey)) {
        throw new ProtocolError(
          "ERR_HOST_KEY_CHANGED",
          "the server presented a different host key during key re-exchange",
          DISCONNECT.HOST_KEY_NOT_VERIFIABLE,
        );
      }
      this.sendNewkeys(step.keys);
      return;
    }
    this.sessionIdentifier = step.exchangeHash;
    this.firstHostKey = step.hostKey.slice();
    this.kex = { kind: "verifyingHostKey", keys: step.keys };
    this.paused = true;
    let verdict: boolean | Promise<boolean>;
    try {
      verdict =
        this.options.role === "client"
          ? this.options.verifyHostKey({ algorithm: step.keys.negotiated.hostKey, blob: step.hostKey.slice() })
          : false;
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
    const n = keys.negotiated;
    this.compression.outgoingKeysChanged(
      this.role === "client" ? n.compressionClientToServer : n.compressionServerToClient,
    );
    this.kex = { kind: "awaitingNewkeys", keys };
    if (!this.firstKexDone && this.peerWantsExtInfo) {
      // RFC 8308 §2.4: the first packet after our first NEWKEYS.
      const o = this.options;
      const ext = extInfoMessage(
        o.extensions,
        o.role === "server" ? (o.serverSigAlgs ?? DEFAULT_HOST_KEY_ALGORITHMS) : undefined,
      );
      if (ext) this.writePacket(ext);
    }
  }

  private onNewkeys(payload: Uint8Array): void {
    Newkeys.decode(payload);
    const state = this.kex;
    if (state.kind !== "awaitingNewkeys") {
      throw new ProtocolError("ERR_UNEXPECTED_MESSAGE", `NEWKEYS received in key-exchange state ${state.kind}`);
    }
    this.reader.cipher = state.keys.incoming;
    if (this.strict) this.recvSeq = 0;
    const n = state.keys.negotiated;
    this.compression.incomingKeysChanged(
      this.role === "client" ? n.compressionServerToClient : n.compressionClientToServer,
    );
    this.rekeys.reset(this.now());
    const initial = !this.firstKexDone;
    this.negotiated = state.keys.negotiated;
    this.kex = { kind: "idle" };
    this.firstKexDone = true;
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
    this.log(2, `${this.peer} extensions: ${[...this.extensions.keys()].join(", ")}`);
    this.handlers.extensionsReceived?.();
  }

  /** OpenSSH PROTOCOL §1.10: answer a PING with a PONG carrying its data, once authenticated. */
  private onPing(payload: Uint8Array): void {
    if (payload[0] === MSG.PONG) {
      this.handlers.pong?.(Pong.decode(payload).data);
      return;
    }
    const { data } = Ping.decode(payload);
    // Before authentication a PING could be used to make us send traffic for free: ignore it.
    if (!this.authenticated) {
      this.log(2, "ignoring PING before authentication");
      return;
    }
    this.send(Pong.encode({ data }));
  }
}

/** Messages allowed during the initial key exchange under strict kex. */
function isKexMessage(n: number): boolean {
  return n === MSG.KEXINIT || n === MSG.NEWKEYS || (n >= 30 && n <= 49);
}
