/**
 * A scripted SSH client for fault tests of a server (DESIGN.md testing layer 3): our own client
 * Transport, so the key exchange, ciphers and strict-kex sequence numbers are real, plus the means
 * to misbehave — `inject` frames any payload with the current keys and sequence number whatever
 * the protocol state, `injectSealed` seals raw packet bytes (a forged packet_length), `strict:
 * false` leaves the strict-kex marker out, `beforeKexinit` sends packets ahead of KEXINIT. Every
 * packet the server sends is recorded with its sequence number, so a test can decode the
 * DISCONNECT or UNIMPLEMENTED it got. Also a plaintext reader for the server's side of a raw byte
 * stream (version line and unencrypted packets) for tests that never start a transport.
 * @module
 */
import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import {
  buildKexinit,
  type ClientTransportOptions,
  PacketReader,
  STRICT_KEX_CLIENT,
  Transport,
  VersionExchange,
} from "@purssh/transport";
import {
  Disconnect,
  GlobalRequest,
  Kexinit,
  MSG,
  RequestFailure,
  ServiceRequest,
  type SshError,
  Unimplemented,
  UserauthRequestPassword,
} from "@purssh/wire";
import { withTimeout } from "./util.js";

/** A packet the peer sent: its payload and the sequence number it arrived with. */
export interface ReceivedPacket {
  seq: number;
  payload: Uint8Array;
}

/** A packet we sent: its message number and the sequence number it went out with. */
export interface SentPacket {
  seq: number;
  type: number;
}

export interface ScriptedClientOptions extends Partial<Omit<ClientTransportOptions, "role">> {
  /** Advertise kex-strict-c-v00@openssh.com (default true, as our client does). */
  strict?: boolean;
  /** Payloads sent before our first KEXINIT. */
  beforeKexinit?: Uint8Array[];
  /**
   * Answer the server's want-reply global requests (keepalive@openssh.com…) with REQUEST_FAILURE
   * as ssh(1) does (default true); false leaves them unanswered.
   */
  answerGlobalRequests?: boolean;
}

export class ScriptedClient extends Transport {
  /** Every packet received, in order (transport messages included). */
  readonly received: ReceivedPacket[] = [];
  /** Every packet sent through the transport (injected ones included), in order. */
  readonly sent: SentPacket[] = [];
  isReady = false;
  isClosed = false;
  closeError: SshError | undefined;
  private readonly events = new EventEmitter();
  private readonly script: ScriptedClientOptions;
  private kexinitsSent = 0;

  constructor(
    readonly socket: Duplex,
    options: ScriptedClientOptions = {},
  ) {
    const late: { self?: ScriptedClient } = {};
    super(
      { verifyHostKey: () => true, ...options, role: "client" },
      {
        output: (b) => {
          if (!socket.destroyed) socket.write(b);
        },
        message: (payload) => {
          const self = late.self!;
          if (payload[0] === MSG.GLOBAL_REQUEST && self.script.answerGlobalRequests !== false) {
            if (GlobalRequest.decode(payload).wantReply && !self.closed) self.send(RequestFailure.encode({}));
          }
          return true;
        },
        ready: () => {
          late.self!.isReady = true;
          late.self!.events.emit("change");
        },
        close: (e) => {
          const self = late.self!;
          self.isClosed = true;
          self.closeError = e;
          self.events.emit("change");
          socket.end();
        },
      },
    );
    late.self = this;
    this.script = options;
    socket.on("data", (b: Buffer) => this.receive(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
    socket.on("end", () => socket.end());
    socket.on("error", () => {});
    socket.on("close", () => this.peerClosed());
  }

  /** Sends a payload now, with the current keys and sequence number, whatever the protocol state. */
  inject(payload: Uint8Array): void {
    this.writePacket(payload);
  }

  /**
   * Seals `packet` (packet_length, padding_length, …, without room for the tag or MAC) with the
   * current outgoing cipher and sequence number and writes it as is: a way to forge a
   * packet_length that the cipher's framing would never produce.
   */
  injectSealed(packet: Uint8Array): void {
    const cipher = this.writer.cipher;
    const buffer = new Uint8Array(packet.length + cipher.tagLength);
    buffer.set(packet);
    const wire = cipher.seal(this.sendSeq, buffer);
    this.sendSeq = (this.sendSeq + 1) >>> 0;
    this.handlers.output(wire);
  }

  /** The sequence number our next packet will carry. */
  get nextSendSeq(): number {
    return this.sendSeq;
  }

  /** The server's DISCONNECT, decoded, once it arrived. */
  get receivedDisconnect(): Disconnect | undefined {
    const p = this.received.find((r) => r.payload[0] === MSG.DISCONNECT);
    return p && Disconnect.decode(p.payload);
  }

  /** Sequence numbers the server reported in SSH_MSG_UNIMPLEMENTED, in order. */
  get unimplemented(): number[] {
    return this.received
      .filter((r) => r.payload[0] === MSG.UNIMPLEMENTED)
      .map((r) => Unimplemented.decode(r.payload).packetSequenceNumber);
  }

  /** Payloads of message number `type` received so far. */
  messages(type: number): Uint8Array[] {
    return this.received.filter((r) => r.payload[0] === type).map((r) => r.payload);
  }

  /** Resolves once `condition` holds (checked after every packet and state change). */
  until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
    if (condition()) return Promise.resolve();
    let listener: (() => void) | undefined;
    const met = new Promise<void>((resolve) => {
      listener = () => {
        if (condition()) resolve();
      };
      this.events.on("change", listener);
    });
    return withTimeout(met, ms, what).finally(() => this.events.off("change", listener!));
  }

  /** Resolves with the next payload of message number `type` received from now on. */
  async next(type: number, what = `message ${type}`, ms = 10_000): Promise<Uint8Array> {
    const start = this.received.length;
    const find = () => this.received.slice(start).find((r) => r.payload[0] === type);
    await this.until(() => find() !== undefined || this.isClosed, what, ms);
    const found = find();
    if (!found) throw new Error(`${what}: connection closed first (${this.closeError?.message ?? "no error"})`);
    return found.payload;
  }

  /**
   * RFC 4252: ssh-userauth service (unless already accepted), then a password request; resolves
   * on USERAUTH_SUCCESS.
   */
  async authenticate(userName: string, password: string): Promise<void> {
    await this.until(() => this.isReady || this.isClosed, "key exchange");
    if (!this.received.some((r) => r.payload[0] === MSG.SERVICE_ACCEPT)) {
      this.send(ServiceRequest.encode({ serviceName: "ssh-userauth" }));
      await this.next(MSG.SERVICE_ACCEPT, "SERVICE_ACCEPT");
    }
    const success = this.next(MSG.USERAUTH_SUCCESS, "USERAUTH_SUCCESS");
    this.send(
      UserauthRequestPassword.encode({
        userName,
        serviceName: "ssh-connection",
        methodName: "password",
        changePassword: false,
        password,
      }),
    );
    await success;
    this.markAuthenticated();
  }

  protected override dispatch(payload: Uint8Array, seq: number): void {
    this.received.push({ seq, payload: payload.slice() });
    this.events.emit("change");
    super.dispatch(payload, seq);
    // A client that does not advertise strict kex must not apply it either, whatever the server says.
    if (this.script.strict === false) this.strict = false;
  }

  protected override writePacket(payload: Uint8Array): void {
    this.sent.push({ seq: this.sendSeq, type: payload[0]! });
    super.writePacket(payload);
  }

  protected override sendKexinit(): Kexinit {
    if (this.kexinitsSent++ === 0) for (const p of this.script.beforeKexinit ?? []) this.inject(p);
    if (this.script.strict !== false) return super.sendKexinit();
    const built = buildKexinit(this.prefs, this.random(16), "client", !this.firstKexDone);
    const ours = { ...built, kexAlgorithms: built.kexAlgorithms.filter((a) => a !== STRICT_KEX_CLIENT) };
    const oursPayload = Kexinit.encode(ours);
    this.writePacket(oursPayload);
    this.kex = { kind: "sentKexinit", ours, oursPayload };
    return ours;
  }
}

/**
 * Reads the unencrypted start of a server's byte stream — its identification line and the
 * packets before NEWKEYS — for tests that talk to a server with raw bytes.
 */
export class PlaintextPeerReader {
  version: string | undefined;
  readonly payloads: Uint8Array[] = [];
  private readonly versionExchange = new VersionExchange(true);
  private readonly reader = new PacketReader();
  private seq = 0;

  /** Feeds bytes from the server; returns the payloads completed by them. */
  feed(bytes: Uint8Array): void {
    let rest = bytes;
    if (this.version === undefined) {
      const done = this.versionExchange.feed(bytes);
      if (!done) return;
      this.version = done.version;
      rest = done.rest;
    }
    this.reader.push(rest);
    for (;;) {
      const p = this.reader.next(this.seq);
      if (!p) return;
      this.seq++;
      this.payloads.push(p);
    }
  }

  /** The server's DISCONNECT, decoded, if one arrived in the clear. */
  get receivedDisconnect(): Disconnect | undefined {
    const p = this.payloads.find((q) => q[0] === MSG.DISCONNECT);
    return p && Disconnect.decode(p);
  }
}
