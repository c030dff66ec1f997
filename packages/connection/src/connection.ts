/**
 * The connection protocol, RFC 4254: the channel table, global requests with FIFO replies (§4),
 * remote TCP/IP forwarding (`tcpip-forward`, `cancel-tcpip-forward`, §7.1) and incoming
 * `forwarded-tcpip` channels (§7.2), which are refused unless we asked for that port. Sans-I/O:
 * payloads in through `handle`, out through `send`.
 * @module
 */
import {
  ChannelClose,
  ChannelEof,
  ChannelExtendedData,
  ChannelFailure,
  ChannelOpen,
  ChannelOpenConfirmation,
  ChannelOpenFailure,
  ChannelOpenForwardedTcpip,
  ChannelRequest,
  ChannelSuccess,
  ChannelWindowAdjust,
  DISCONNECT,
  decodeChannelData,
  GlobalRequest,
  GlobalRequestCancelTcpipForward,
  GlobalRequestTcpipForward,
  MSG,
  OPEN_FAILURE,
  type OpenFailureReason,
  ProtocolError,
  RequestFailure,
  RequestSuccessTcpipForward,
  SshError,
} from "@purssh/wire";
import { Channel } from "./channel.js";
import { ReceiveWindow, SendWindow } from "./window.js";

/** DESIGN.md principle 6 defaults (OpenSSH's values). */
export const DEFAULT_WINDOW_SIZE = 2 * 1024 * 1024;
export const DEFAULT_MAX_PACKET_SIZE = 32 * 1024;
/** Channels open at once before new opens are refused with RESOURCE_SHORTAGE. */
export const MAX_CHANNELS = 1000;
/** Channel opens waiting for the application's accept/reject before new ones are refused. */
export const MAX_PENDING_OPENS = 256;

/** A global request the peer refused (RFC 4254 §4 REQUEST_FAILURE). */
export class RequestDeniedError extends SshError {
  constructor(
    readonly requestName: string,
    message: string,
  ) {
    super("ERR_REQUEST_DENIED", message);
  }
}

/** An incoming `forwarded-tcpip` open waiting for the application's decision. */
export interface ForwardedTcpipOpen {
  connectedAddress: string;
  connectedPort: number;
  originatorAddress: string;
  originatorPort: number;
  /** The forwarding this connection arrived on. */
  forward: RemoteForward;
  accept(): Channel;
  reject(reason?: OpenFailureReason, description?: string): void;
}

/** A remote forwarding the server granted. */
export interface RemoteForward {
  /** The address as we requested it. */
  readonly address: string;
  /** The port we asked for (0 = server's choice). */
  readonly requestedPort: number;
  /** The port the server listens on. */
  readonly port: number;
}

export interface ConnectionOptions {
  send(payload: Uint8Array): void;
  /** True when channel data may be handed to the transport now. */
  canSendData(): boolean;
  windowSize?: number;
  maxPacketSize?: number;
  /** A `forwarded-tcpip` open for a forwarding we hold; call accept() or reject(). */
  onForwardedTcpip?(open: ForwardedTcpipOpen): void;
  /** Global requests the server sends (e.g. hostkeys-00@openssh.com), after the automatic reply. */
  onGlobalRequest?(name: string, payload: Uint8Array): void;
  log?(level: 1 | 2 | 3, text: string): void;
}

interface PendingRequest {
  name: string;
  /** Runs inside handle(), before the next message from the same read is processed. */
  succeed(reply: Uint8Array): void;
  deny(): void;
  fail(error: Error): void;
}

export class Connection {
  private readonly channels = new Map<number, Channel>();
  private readonly pendingGlobal: PendingRequest[] = [];
  private readonly forwards: RemoteForward[] = [];
  private nextChannelId = 0;
  private pendingOpens = 0;
  private ended: Error | undefined;
  readonly windowSize: number;
  readonly maxPacketSize: number;

  constructor(private readonly options: ConnectionOptions) {
    this.windowSize = options.windowSize ?? DEFAULT_WINDOW_SIZE;
    this.maxPacketSize = options.maxPacketSize ?? DEFAULT_MAX_PACKET_SIZE;
  }

  get openChannels(): readonly Channel[] {
    return [...this.channels.values()];
  }

  get activeForwards(): readonly RemoteForward[] {
    return [...this.forwards];
  }

  /**
   * RFC 4254 §7.1: asks the server to listen on address:port. Resolves with the bound port (the
   * server's choice when port is 0); rejects with RequestDeniedError when refused.
   */
  requestForwarding(address: string, port: number): Promise<RemoteForward> {
    return this.globalRequest(
      "tcpip-forward",
      GlobalRequestTcpipForward.encode({
        requestName: "tcpip-forward",
        wantReply: true,
        addressToBind: address,
        portToBind: port,
      }),
      `the server refused to listen on ${address || "(all addresses)"}:${port}`,
      (reply) => {
        // RFC 4254 §7.1: the reply carries the port only when port 0 was requested.
        const bound = port === 0 ? RequestSuccessTcpipForward.decode(reply).boundPort : port;
        if (bound === 0) {
          throw new ProtocolError("ERR_FORWARD_NO_PORT", "the server bound port 0 for a port-0 forwarding");
        }
        // Recorded before handle() returns: a forwarded-tcpip open may follow in the same read.
        const forward: RemoteForward = { address, requestedPort: port, port: bound };
        this.forwards.push(forward);
        this.options.log?.(1, `server listens on ${address || "*"}:${bound}`);
        return forward;
      },
    );
  }

  /** RFC 4254 §7.1 `cancel-tcpip-forward` for a port we hold. */
  cancelForwarding(address: string, port: number): Promise<void> {
    return this.globalRequest(
      "cancel-tcpip-forward",
      GlobalRequestCancelTcpipForward.encode({
        requestName: "cancel-tcpip-forward",
        wantReply: true,
        addressToBind: address,
        portToBind: port,
      }),
      `the server refused to cancel the forwarding of ${address || "*"}:${port}`,
      () => {
        const i = this.forwards.findIndex((f) => f.port === port && f.address === address);
        if (i >= 0) this.forwards.splice(i, 1);
      },
    );
  }

  /**
   * Sends a global request with want-reply; replies are matched in FIFO order (RFC 4254 §4).
   * `onSuccess` turns the REQUEST_SUCCESS payload into the result, synchronously inside handle();
   * if it throws, this request rejects and the connection goes on.
   */
  globalRequest<T = Uint8Array>(
    name: string,
    payload: Uint8Array,
    deniedMessage = `the server refused ${name}`,
    onSuccess: (reply: Uint8Array) => T = (reply) => reply as T,
  ): Promise<T> {
    if (this.ended) return Promise.reject(this.ended);
    return new Promise<T>((resolve, reject) => {
      this.pendingGlobal.push({
        name,
        succeed: (reply) => {
          try {
            resolve(onSuccess(reply));
          } catch (e) {
            reject(e);
          }
        },
        deny: () => reject(new RequestDeniedError(name, deniedMessage)),
        fail: reject,
      });
      this.options.send(payload);
    });
  }

  /** Handles one message in 80–127; returns false for numbers it does not know. */
  handle(payload: Uint8Array): boolean {
    switch (payload[0]) {
      case MSG.CHANNEL_DATA: {
        const { recipientChannel, data } = decodeChannelData(payload);
        this.channel(recipientChannel).receiveData(data);
        return true;
      }
      case MSG.CHANNEL_WINDOW_ADJUST: {
        const m = ChannelWindowAdjust.decode(payload);
        const ch = this.channel(m.recipientChannel);
        ch.sendWindow.adjust(m.bytesToAdd, ch.localId);
        ch.flush();
        return true;
      }
      case MSG.CHANNEL_EXTENDED_DATA: {
        // Not used by forwarding channels; debit and credit so the window stays honest.
        const m = ChannelExtendedData.decode(payload);
        const ch = this.channel(m.recipientChannel);
        ch.receiveWindow.debit(m.data.length, ch.localId);
        ch.consume(m.data.length);
        return true;
      }
      case MSG.CHANNEL_EOF:
        this.channel(ChannelEof.decode(payload).recipientChannel).receiveEof();
        return true;
      case MSG.CHANNEL_CLOSE:
        this.channel(ChannelClose.decode(payload).recipientChannel).receiveClose();
        return true;
      case MSG.CHANNEL_REQUEST:
        this.onChannelRequest(payload);
        return true;
      case MSG.CHANNEL_SUCCESS:
      case MSG.CHANNEL_FAILURE:
        // We send no channel requests with want-reply yet; a reply is a peer error.
        this.channel(
          (payload[0] === MSG.CHANNEL_SUCCESS ? ChannelSuccess : ChannelFailure).decode(payload).recipientChannel,
        );
        throw new ProtocolError("ERR_UNEXPECTED_MESSAGE", "channel request reply without a request");
      case MSG.CHANNEL_OPEN:
        this.onChannelOpen(payload);
        return true;
      case MSG.CHANNEL_OPEN_CONFIRMATION:
      case MSG.CHANNEL_OPEN_FAILURE:
        // We open no channels from the client in this slice.
        throw new ProtocolError(
          "ERR_UNEXPECTED_MESSAGE",
          `channel open reply (${payload[0]}) for a channel we did not open`,
        );
      case MSG.GLOBAL_REQUEST:
        this.onGlobalRequest(payload);
        return true;
      case MSG.REQUEST_SUCCESS:
      case MSG.REQUEST_FAILURE: {
        // Validate before taking the request off the queue, so a malformed reply that ends the
        // connection still leaves the request to be rejected by end().
        if (payload[0] === MSG.REQUEST_FAILURE) RequestFailure.decode(payload);
        const pending = this.pendingGlobal.shift();
        if (!pending) {
          this.options.log?.(2, `dropping an unsolicited global request reply (${payload[0]})`);
          return true;
        }
        if (payload[0] === MSG.REQUEST_SUCCESS) pending.succeed(payload);
        else pending.deny();
        return true;
      }
      default:
        return false;
    }
  }

  /** Flushes queued channel data after the transport became writable again. */
  resume(): void {
    for (const ch of this.channels.values()) {
      if (!this.options.canSendData()) return;
      ch.flush();
    }
  }

  /** The connection is gone: fail pending requests and abort every channel. */
  end(error: Error): void {
    if (this.ended) return;
    this.ended = error;
    for (const p of this.pendingGlobal.splice(0)) p.fail(error);
    for (const ch of [...this.channels.values()]) ch.abort();
    this.channels.clear();
    this.forwards.length = 0;
  }

  private channel(id: number): Channel {
    const ch = this.channels.get(id);
    if (!ch)
      throw new ProtocolError("ERR_UNKNOWN_CHANNEL", `message for unknown channel ${id}`, DISCONNECT.PROTOCOL_ERROR);
    return ch;
  }

  private allocateId(): number {
    while (this.channels.has(this.nextChannelId)) this.nextChannelId = (this.nextChannelId + 1) >>> 0;
    const id = this.nextChannelId;
    this.nextChannelId = (this.nextChannelId + 1) >>> 0;
    return id;
  }

  private refuse(senderChannel: number, reason: OpenFailureReason, description: string): void {
    this.options.log?.(2, `refusing channel open: ${description}`);
    this.options.send(
      ChannelOpenFailure.encode({ recipientChannel: senderChannel, reasonCode: reason, description, languageTag: "" }),
    );
  }

  private onChannelOpen(payload: Uint8Array): void {
    const open = ChannelOpen.decode(payload);
    if (open.maximumPacketSize === 0) {
      // CVE-2026-59843: a zero maximum packet size would make us loop forever.
      this.refuse(open.senderChannel, OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED, "maximum packet size 0");
      return;
    }
    if (open.channelType !== "forwarded-tcpip") {
      // RFC 4254 §6, §7.2: a tunnel client does not accept sessions, x11, agent or direct-tcpip.
      this.refuse(
        open.senderChannel,
        OPEN_FAILURE.UNKNOWN_CHANNEL_TYPE,
        `channel type ${open.channelType} is not accepted`,
      );
      return;
    }
    const m = ChannelOpenForwardedTcpip.decode(payload);
    const forward =
      this.forwards.find((f) => f.port === m.connectedPort && f.address === m.connectedAddress) ??
      this.forwards.find((f) => f.port === m.connectedPort);
    if (!forward) {
      // RFC 4254 §7.2: MUST reject unless we requested forwarding for that port.
      this.refuse(
        m.senderChannel,
        OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED,
        `no forwarding was requested for port ${m.connectedPort}`,
      );
      return;
    }
    if (
      this.channels.size + this.pendingOpens >= MAX_CHANNELS ||
      this.pendingOpens >= MAX_PENDING_OPENS ||
      !this.options.onForwardedTcpip
    ) {
      this.refuse(m.senderChannel, OPEN_FAILURE.RESOURCE_SHORTAGE, "too many channels");
      return;
    }
    this.pendingOpens++;
    let decided = false;
    const decide = () => {
      if (decided) throw new SshError("ERR_CHANNEL_DECIDED", "this channel open was already accepted or rejected");
      decided = true;
      this.pendingOpens--;
    };
    this.options.onForwardedTcpip({
      connectedAddress: m.connectedAddress,
      connectedPort: m.connectedPort,
      originatorAddress: m.originatorAddress,
      originatorPort: m.originatorPort,
      forward,
      accept: () => {
        decide();
        if (this.ended) throw this.ended;
        const id = this.allocateId();
        const ch = new Channel(
          {
            send: (p) => this.options.send(p),
            canSendData: () => this.options.canSendData(),
            release: (localId) => this.channels.delete(localId),
          },
          id,
          m.senderChannel,
          "forwarded-tcpip",
          new ReceiveWindow(this.windowSize, this.maxPacketSize),
          new SendWindow(m.initialWindowSize, Math.min(m.maximumPacketSize, this.maxPacketSize)),
        );
        this.channels.set(id, ch);
        this.options.send(
          ChannelOpenConfirmation.encode({
            recipientChannel: m.senderChannel,
            senderChannel: id,
            initialWindowSize: this.windowSize,
            maximumPacketSize: this.maxPacketSize,
            channelTypeData: new Uint8Array(0),
          }),
        );
        return ch;
      },
      reject: (reason = OPEN_FAILURE.CONNECT_FAILED, description = "connection refused") => {
        decide();
        if (!this.ended) this.refuse(m.senderChannel, reason, description);
      },
    });
  }

  private onChannelRequest(payload: Uint8Array): void {
    const req = ChannelRequest.decode(payload);
    const ch = this.channel(req.recipientChannel);
    // keepalive@openssh.com and anything else we do not implement: OpenSSH answers FAILURE.
    this.options.log?.(3, `channel ${ch.localId} request ${req.requestType}`);
    if (req.wantReply && !ch.closed) this.options.send(ChannelFailure.encode({ recipientChannel: ch.remoteId }));
  }

  private onGlobalRequest(payload: Uint8Array): void {
    const req = GlobalRequest.decode(payload);
    // RFC 4254 §7.1: clients SHOULD refuse tcpip-forward from a server; keepalive@openssh.com only
    // needs some reply; hostkeys-00@openssh.com comes with want-reply false.
    if (req.wantReply) this.options.send(RequestFailure.encode({}));
    this.options.onGlobalRequest?.(req.requestName, payload);
  }
}
