/**
 * The channel table and the open handshake (RFC 4254 §5.1): local channel numbers, channels
 * opened by either side, our CHANNEL_OPEN messages awaiting CONFIRMATION or FAILURE, and the
 * CONFIRMATION / FAILURE we send for the peer's opens. A message naming a channel that is not in
 * the table is fatal (OpenSSH: "packet referred to nonexistent channel").
 * @module
 */
import {
  ChannelOpenConfirmation,
  ChannelOpenFailure,
  DISCONNECT,
  type OpenFailureReason,
  ProtocolError,
} from "@purssh/wire";
import { Channel, type ChannelEvents, type ChannelHost } from "./channel.js";
import { ChannelOpenError } from "./errors.js";
import { ReceiveWindow, SendWindow } from "./window.js";

/** Our side of a CHANNEL_OPEN, filled in by ChannelTable.open. */
export interface OpenFields {
  senderChannel: number;
  initialWindowSize: number;
  maximumPacketSize: number;
}

/** The peer's side of a CHANNEL_OPEN (RFC 4254 §5.1). */
export interface PeerOpen {
  channelType: string;
  senderChannel: number;
  initialWindowSize: number;
  maximumPacketSize: number;
}

interface OpeningChannel {
  type: string;
  events: ChannelEvents | undefined;
  resolve(channel: Channel): void;
  reject(error: Error): void;
}

export class ChannelTable {
  private readonly channels = new Map<number, Channel>();
  /** Our opens awaiting the peer's answer, by the local channel number they reserve. */
  private readonly opening = new Map<number, OpeningChannel>();
  private readonly channelHost: ChannelHost;
  private nextId = 0;
  private ended: Error | undefined;
  /** The peer's opens handed to the application and not yet accepted or rejected. */
  undecidedIncoming = 0;

  constructor(
    host: Omit<ChannelHost, "release">,
    readonly windowSize: number,
    readonly maxPacketSize: number,
  ) {
    this.channelHost = {
      send: (p) => host.send(p),
      canSendData: () => host.canSendData(),
      release: (localId) => this.channels.delete(localId),
      ...(host.gate ? { gate: host.gate } : {}),
      ...(host.log ? { log: host.log } : {}),
    };
  }

  get all(): Channel[] {
    return [...this.channels.values()];
  }

  /** Channels open, being opened by us, or offered by the peer and undecided. */
  get load(): number {
    return this.channels.size + this.opening.size + this.undecidedIncoming;
  }

  /** Our opens still waiting for the peer's answer. */
  get pendingOpens(): number {
    return this.opening.size;
  }

  get(localId: number): Channel {
    const ch = this.channels.get(localId);
    if (!ch) {
      throw new ProtocolError(
        "ERR_UNKNOWN_CHANNEL",
        `message for unknown channel ${localId}`,
        DISCONNECT.PROTOCOL_ERROR,
      );
    }
    return ch;
  }

  /**
   * RFC 4254 §5.1: sends the CHANNEL_OPEN built by `encode` with a fresh local channel number,
   * our window and packet size. `events` are attached before any data can arrive.
   */
  open(type: string, encode: (fields: OpenFields) => Uint8Array, events?: ChannelEvents): Promise<Channel> {
    if (this.ended) return Promise.reject(this.ended);
    const senderChannel = this.allocateId();
    const payload = encode({
      senderChannel,
      initialWindowSize: this.windowSize,
      maximumPacketSize: this.maxPacketSize,
    });
    return new Promise<Channel>((resolve, reject) => {
      this.opening.set(senderChannel, { type, events, resolve, reject });
      this.channelHost.send(payload);
    });
  }

  /** CHANNEL_OPEN_CONFIRMATION for one of our opens. */
  receiveConfirmation(payload: Uint8Array): void {
    const m = ChannelOpenConfirmation.decode(payload);
    const opening = this.takeOpening(m.recipientChannel, payload[0]!);
    if (m.maximumPacketSize === 0) {
      // CVE-2026-59843 class: no data could ever be sent (and a naive sender loops forever).
      throw new ProtocolError(
        "ERR_CHANNEL_ZERO_PACKET_SIZE",
        `the peer confirmed channel ${m.recipientChannel} with a maximum packet size of 0`,
        DISCONNECT.PROTOCOL_ERROR,
      );
    }
    const ch = this.create(m.recipientChannel, m.senderChannel, opening.type, m.initialWindowSize, m.maximumPacketSize);
    if (opening.events) Object.assign(ch.events, opening.events);
    opening.resolve(ch);
  }

  /** CHANNEL_OPEN_FAILURE for one of our opens: rejects it with ChannelOpenError. */
  receiveFailure(payload: Uint8Array): void {
    const m = ChannelOpenFailure.decode(payload);
    const opening = this.takeOpening(m.recipientChannel, payload[0]!);
    opening.reject(new ChannelOpenError(opening.type, m.reasonCode, m.description));
  }

  /** The application accepted the peer's open: create the channel and confirm it. */
  accept(open: PeerOpen): Channel {
    if (this.ended) throw this.ended;
    const id = this.allocateId();
    const ch = this.create(id, open.senderChannel, open.channelType, open.initialWindowSize, open.maximumPacketSize);
    this.channelHost.send(
      ChannelOpenConfirmation.encode({
        recipientChannel: open.senderChannel,
        senderChannel: id,
        initialWindowSize: this.windowSize,
        maximumPacketSize: this.maxPacketSize,
        channelTypeData: new Uint8Array(0),
      }),
    );
    return ch;
  }

  /** Refuses the peer's open with CHANNEL_OPEN_FAILURE (nothing is sent after end()). */
  refuse(senderChannel: number, reason: OpenFailureReason, description: string): void {
    if (this.ended) return;
    this.channelHost.log?.(2, `refusing channel open: ${description}`);
    this.channelHost.send(
      ChannelOpenFailure.encode({ recipientChannel: senderChannel, reasonCode: reason, description, languageTag: "" }),
    );
  }

  /**
   * Delivers data the transfer gate held, then flushes queued channel data while the transport
   * stays writable.
   */
  resume(): void {
    for (const ch of this.channels.values()) ch.releaseHeld();
    for (const ch of this.channels.values()) {
      if (!this.channelHost.canSendData()) return;
      ch.flush();
    }
  }

  /** The connection is gone: reject our pending opens and abort every channel. */
  end(error: Error): void {
    if (this.ended) return;
    this.ended = error;
    for (const o of this.opening.values()) o.reject(error);
    this.opening.clear();
    for (const ch of [...this.channels.values()]) ch.abort(error);
    this.channels.clear();
  }

  private takeOpening(localId: number, n: number): OpeningChannel {
    const opening = this.opening.get(localId);
    if (!opening) {
      throw new ProtocolError(
        "ERR_UNEXPECTED_MESSAGE",
        `channel open reply (${n}) for channel ${localId}, which we did not open`,
        DISCONNECT.PROTOCOL_ERROR,
      );
    }
    this.opening.delete(localId);
    return opening;
  }

  private create(localId: number, remoteId: number, type: string, peerWindow: number, peerMaxPacket: number): Channel {
    const ch = new Channel(
      this.channelHost,
      localId,
      remoteId,
      type,
      new ReceiveWindow(this.windowSize, this.maxPacketSize),
      new SendWindow(peerWindow, Math.min(peerMaxPacket, this.maxPacketSize)),
    );
    this.channels.set(localId, ch);
    return ch;
  }

  private allocateId(): number {
    while (this.channels.has(this.nextId) || this.opening.has(this.nextId)) this.nextId = (this.nextId + 1) >>> 0;
    const id = this.nextId;
    this.nextId = (this.nextId + 1) >>> 0;
    return id;
  }
}
