/**
 * The connection protocol, RFC 4254, for either role: the message router for numbers 80–127 and
 * the application's entry point — channel opens both ways (§5.1: session §6.1, direct-tcpip and
 * forwarded-tcpip §7.2, OpenSSH streamlocal PROTOCOL §2.4), global requests both ways (§4:
 * tcpip-forward §7.1, streamlocal forwards, keepalive, no-more-sessions). Client and server differ
 * only in the handlers they install and the opens they make. Sans-I/O: payloads in through
 * `handle`, out through `send`.
 * @module
 */
import {
  ChannelClose,
  ChannelEof,
  ChannelExtendedData,
  ChannelFailure,
  ChannelOpen,
  ChannelOpenDirectStreamlocal,
  ChannelOpenDirectTcpip,
  ChannelOpenForwardedStreamlocal,
  ChannelOpenForwardedTcpip,
  ChannelOpenSession,
  ChannelRequest,
  ChannelSuccess,
  ChannelWindowAdjust,
  decodeChannelData,
  GlobalRequest,
  MSG,
  SshError,
} from "@purssh/wire";
import type { Channel, ChannelEvents } from "./channel.js";
import { ChannelTable } from "./channel-table.js";
import { ForwardTable, type RemoteForward, type StreamlocalForward } from "./forwarding.js";
import { type GlobalRequestAnswer, GlobalRequests, type IncomingGlobalRequest } from "./global-requests.js";
import {
  type ForwardedTcpipOpen,
  type IncomingChannelOpen,
  type IncomingOpenContext,
  receiveChannelOpen,
} from "./incoming-open.js";
import { DEFAULT_MAX_PACKET_SIZE, DEFAULT_WINDOW_SIZE } from "./limits.js";
import type { TransferGate } from "./transfer-gate.js";

export interface ConnectionOptions {
  send(payload: Uint8Array): void;
  /** True when channel data may be handed to the transport now. */
  canSendData(): boolean;
  /** Receive window announced per channel (default DEFAULT_WINDOW_SIZE). */
  windowSize?: number;
  /** Largest CHANNEL_DATA we accept (default DEFAULT_MAX_PACKET_SIZE). */
  maxPacketSize?: number;
  /**
   * A transfer-rate limit on every channel's data, both ways (transfer-gate.ts); call resume()
   * when a refused allowance has grown back.
   */
  transferGate?: TransferGate;
  /**
   * A `forwarded-tcpip` open for a forwarding we hold (others are refused, RFC 4254 §7.2); call
   * accept() or reject(). Takes precedence over onChannelOpen for that type.
   */
  onForwardedTcpip?(open: ForwardedTcpipOpen): void;
  /**
   * Any other channel open from the peer (all types; `forwarded-*` only for forwardings we hold);
   * call accept() or reject(), now or later. Without it every type is refused UNKNOWN_CHANNEL_TYPE.
   */
  onChannelOpen?(open: IncomingChannelOpen): void;
  /**
   * Decides the peer's global requests (the server role: tcpip-forward, streamlocal forwards, …).
   * Replies leave in arrival order whatever order the answers come in. Throwing or rejecting
   * answers FAILURE. Without it want-reply requests get FAILURE and onGlobalRequest is told.
   */
  answerGlobalRequest?(request: IncomingGlobalRequest): GlobalRequestAnswer | PromiseLike<GlobalRequestAnswer>;
  /** The peer's global requests (e.g. hostkeys-00@openssh.com) when there is no answerGlobalRequest. */
  onGlobalRequest?(name: string, payload: Uint8Array): void;
  log?(level: 1 | 2 | 3, text: string): void;
}

/** RFC 4254 §7.2 `direct-tcpip`: where the peer should connect, and who asked. */
export interface DirectTcpipParams {
  host: string;
  port: number;
  originatorAddress: string;
  originatorPort: number;
}

/** RFC 4254 §7.2 `forwarded-tcpip` (server side): the forwarded listener hit, and who connected. */
export interface ForwardedTcpipParams {
  connectedAddress: string;
  connectedPort: number;
  originatorAddress: string;
  originatorPort: number;
}

export class Connection {
  private readonly table: ChannelTable;
  private readonly global: GlobalRequests;
  private readonly forwards: ForwardTable;
  private readonly openContext: IncomingOpenContext;
  private sessionsRefused = false;
  private noMoreSessionsSent = false;
  private ended: Error | undefined;
  readonly windowSize: number;
  readonly maxPacketSize: number;

  constructor(options: ConnectionOptions) {
    this.windowSize = options.windowSize ?? DEFAULT_WINDOW_SIZE;
    this.maxPacketSize = options.maxPacketSize ?? DEFAULT_MAX_PACKET_SIZE;
    const log = options.log?.bind(options);
    this.table = new ChannelTable(
      {
        send: (p) => options.send(p),
        canSendData: () => options.canSendData(),
        ...(options.transferGate ? { gate: options.transferGate } : {}),
        ...(log ? { log } : {}),
      },
      this.windowSize,
      this.maxPacketSize,
    );
    this.global = new GlobalRequests({
      send: (p) => options.send(p),
      answer: options.answerGlobalRequest?.bind(options),
      notify: options.onGlobalRequest?.bind(options),
      noMoreSessions: () => {
        this.sessionsRefused = true;
      },
      log,
    });
    this.forwards = new ForwardTable(this.global, log);
    this.openContext = {
      table: this.table,
      forwards: this.forwards,
      onChannelOpen: options.onChannelOpen?.bind(options),
      onForwardedTcpip: options.onForwardedTcpip?.bind(options),
      sessionsRefused: () => this.sessionsRefused,
      ended: () => this.ended,
    };
  }

  get openChannels(): readonly Channel[] {
    return this.table.all;
  }

  /** TCP/IP forwardings the peer granted us (RFC 4254 §7.1). */
  get activeForwards(): readonly RemoteForward[] {
    return this.forwards.tcpipForwards;
  }

  /** Unix-domain socket forwardings the peer granted us (OpenSSH PROTOCOL §2.4). */
  get activeStreamlocalForwards(): readonly StreamlocalForward[] {
    return this.forwards.streamlocalForwards;
  }

  /** True once the peer sent `no-more-sessions@openssh.com`: its session opens are refused. */
  get noMoreSessionsReceived(): boolean {
    return this.sessionsRefused;
  }

  /**
   * RFC 4254 §7.1: asks the peer to listen on address:port. Resolves with the bound port (the
   * peer's choice when port is 0); rejects with RequestDeniedError when refused.
   */
  requestForwarding(address: string, port: number): Promise<RemoteForward> {
    return this.forwards.requestForwarding(address, port);
  }

  /** RFC 4254 §7.1 `cancel-tcpip-forward` for a port we hold. */
  cancelForwarding(address: string, port: number): Promise<void> {
    return this.forwards.cancelForwarding(address, port);
  }

  /** OpenSSH PROTOCOL §2.4 `streamlocal-forward@openssh.com`: the peer listens on a socket path. */
  requestStreamlocalForward(socketPath: string): Promise<StreamlocalForward> {
    return this.forwards.requestStreamlocalForward(socketPath);
  }

  /** OpenSSH PROTOCOL §2.4 `cancel-streamlocal-forward@openssh.com` (sent with want-reply). */
  cancelStreamlocalForward(socketPath: string): Promise<void> {
    return this.forwards.cancelStreamlocalForward(socketPath);
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
    return this.global.request(name, payload, deniedMessage, onSuccess);
  }

  /**
   * OpenSSH ServerAliveInterval: `keepalive@openssh.com` with want-reply. Resolves on either
   * REQUEST_SUCCESS or REQUEST_FAILURE (any reply proves the peer alive); rejects if the
   * connection ends first. Timing out is the caller's business (the core has no clock).
   */
  keepalive(): Promise<void> {
    return this.global.keepalive();
  }

  /**
   * OpenSSH PROTOCOL §2.2 `no-more-sessions@openssh.com` (want-reply false): we open no more
   * sessions, so a session opened through this connection afterwards must be a hijack attempt.
   * Our own later openSession() rejects with ERR_NO_MORE_SESSIONS.
   */
  sendNoMoreSessions(): void {
    this.global.tell(
      GlobalRequest.encode({
        requestName: "no-more-sessions@openssh.com",
        wantReply: false,
        requestData: new Uint8Array(0),
      }),
    );
    this.noMoreSessionsSent = true;
  }

  /**
   * RFC 4254 §5.1: opens a channel of any type with raw type-specific data. Resolves on
   * CHANNEL_OPEN_CONFIRMATION; rejects with ChannelOpenError on CHANNEL_OPEN_FAILURE, or with the
   * connection's error when it ends first. `events` are installed before any data can arrive
   * (data in the same read as the confirmation would otherwise meet no handler).
   */
  openChannel(
    type: string,
    typeSpecificData: Uint8Array = new Uint8Array(0),
    events?: ChannelEvents,
  ): Promise<Channel> {
    if (type === "session" && this.noMoreSessionsSent) return this.noMoreSessions();
    return this.table.open(
      type,
      (f) => ChannelOpen.encode({ channelType: type, ...f, channelTypeData: typeSpecificData }),
      events,
    );
  }

  /** RFC 4254 §6.1: a `session` channel (then exec, shell or subsystem on it). */
  openSession(events?: ChannelEvents): Promise<Channel> {
    if (this.noMoreSessionsSent) return this.noMoreSessions();
    return this.table.open("session", (f) => ChannelOpenSession.encode({ channelType: "session", ...f }), events);
  }

  /** RFC 4254 §7.2 `direct-tcpip` (local forwarding): the peer connects to host:port for us. */
  openDirectTcpip(params: DirectTcpipParams, events?: ChannelEvents): Promise<Channel> {
    return this.table.open(
      "direct-tcpip",
      (f) =>
        ChannelOpenDirectTcpip.encode({
          channelType: "direct-tcpip",
          ...f,
          hostToConnect: params.host,
          portToConnect: params.port,
          originatorAddress: params.originatorAddress,
          originatorPort: params.originatorPort,
        }),
      events,
    );
  }

  /** RFC 4254 §7.2 `forwarded-tcpip` (server side): a connection arrived on a forwarded port. */
  openForwardedTcpip(params: ForwardedTcpipParams, events?: ChannelEvents): Promise<Channel> {
    return this.table.open(
      "forwarded-tcpip",
      (f) => ChannelOpenForwardedTcpip.encode({ channelType: "forwarded-tcpip", ...f, ...params }),
      events,
    );
  }

  /** OpenSSH PROTOCOL §2.4 `direct-streamlocal@openssh.com`: the peer connects to a socket path. */
  openDirectStreamlocal(socketPath: string, events?: ChannelEvents): Promise<Channel> {
    return this.table.open(
      "direct-streamlocal@openssh.com",
      (f) =>
        ChannelOpenDirectStreamlocal.encode({
          channelType: "direct-streamlocal@openssh.com",
          ...f,
          socketPath,
          reservedString: "",
          reservedUint32: 0,
        }),
      events,
    );
  }

  /** OpenSSH PROTOCOL §2.4 `forwarded-streamlocal@openssh.com` (server side): a connection on a forwarded socket. */
  openForwardedStreamlocal(socketPath: string, events?: ChannelEvents): Promise<Channel> {
    return this.table.open(
      "forwarded-streamlocal@openssh.com",
      (f) =>
        ChannelOpenForwardedStreamlocal.encode({
          channelType: "forwarded-streamlocal@openssh.com",
          ...f,
          socketPath,
          reserved: "",
        }),
      events,
    );
  }

  /** Handles one message in 80–127; returns false for numbers it does not know. */
  handle(payload: Uint8Array): boolean {
    switch (payload[0]) {
      case MSG.CHANNEL_DATA: {
        const { recipientChannel, data } = decodeChannelData(payload);
        this.table.get(recipientChannel).receiveData(data);
        return true;
      }
      case MSG.CHANNEL_WINDOW_ADJUST: {
        const m = ChannelWindowAdjust.decode(payload);
        const ch = this.table.get(m.recipientChannel);
        ch.sendWindow.adjust(m.bytesToAdd, ch.localId);
        ch.flush();
        return true;
      }
      case MSG.CHANNEL_EXTENDED_DATA: {
        const m = ChannelExtendedData.decode(payload);
        this.table.get(m.recipientChannel).receiveExtendedData(m.data, m.dataTypeCode);
        return true;
      }
      case MSG.CHANNEL_EOF:
        this.table.get(ChannelEof.decode(payload).recipientChannel).receiveEof();
        return true;
      case MSG.CHANNEL_CLOSE:
        this.table.get(ChannelClose.decode(payload).recipientChannel).receiveClose();
        return true;
      case MSG.CHANNEL_REQUEST: {
        const req = ChannelRequest.decode(payload);
        this.table.get(req.recipientChannel).receiveRequest(payload, req);
        return true;
      }
      case MSG.CHANNEL_SUCCESS:
        this.table.get(ChannelSuccess.decode(payload).recipientChannel).receiveRequestReply(true);
        return true;
      case MSG.CHANNEL_FAILURE:
        this.table.get(ChannelFailure.decode(payload).recipientChannel).receiveRequestReply(false);
        return true;
      case MSG.CHANNEL_OPEN:
        receiveChannelOpen(payload, this.openContext);
        return true;
      case MSG.CHANNEL_OPEN_CONFIRMATION:
        this.table.receiveConfirmation(payload);
        return true;
      case MSG.CHANNEL_OPEN_FAILURE:
        this.table.receiveFailure(payload);
        return true;
      case MSG.GLOBAL_REQUEST:
        this.global.receiveRequest(payload);
        return true;
      case MSG.REQUEST_SUCCESS:
      case MSG.REQUEST_FAILURE:
        this.global.receiveReply(payload);
        return true;
      default:
        return false;
    }
  }

  /**
   * Flushes queued channel data after the transport became writable again, and delivers data the
   * transfer gate held once it allows more.
   */
  resume(): void {
    this.table.resume();
  }

  /**
   * The connection is gone: reject pending global requests, keepalives and channel opens, reject
   * every channel's pending requests, abort every channel (close fires) and drop the forwardings.
   */
  end(error: Error): void {
    if (this.ended) return;
    this.ended = error;
    this.global.end(error);
    this.table.end(error);
    this.forwards.clear();
  }

  private noMoreSessions(): Promise<Channel> {
    if (this.ended) return Promise.reject(this.ended);
    return Promise.reject(
      new SshError("ERR_NO_MORE_SESSIONS", "no-more-sessions@openssh.com was sent; no session may be opened"),
    );
  }
}
