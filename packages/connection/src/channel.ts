/**
 * One open channel (RFC 4254 §5): outgoing data and extended data (§5.2) sent within the peer's
 * window and maximum packet size, incoming data delivered to the application and credited back
 * only when it is consumed, channel requests both ways with replies matched in order (§5.4, §6),
 * and the EOF/CLOSE handshake (§5.3).
 *
 * Outgoing data, extended data, requests and EOF share one queue and leave in the order the
 * application issued them (so `exit-status` follows the output it ends); only data waits for
 * window. Incoming data after the peer's EOF is dropped and credited back, as OpenSSH does
 * (channel_input_data "fakes consumption" once the output side is closed); data after the peer's
 * CLOSE is for a released channel and therefore fatal; data racing our CLOSE is dropped.
 *
 * With a transfer gate (a rate limit, transfer-gate.ts) data moves only as the gate allows: the
 * outgoing queue waits for it like it waits for window, and arriving data is held (already debited
 * from our window, so never more than the window) and delivered as the gate allows, with the EOF,
 * CLOSE and requests that arrived after it held behind it.
 * @module
 */
import {
  ChannelClose,
  ChannelEof,
  ChannelExtendedData,
  ChannelFailure,
  ChannelRequest,
  ChannelRequestEnv,
  ChannelRequestExec,
  ChannelRequestExitSignal,
  ChannelRequestExitStatus,
  ChannelRequestShell,
  ChannelRequestSignal,
  ChannelRequestSubsystem,
  ChannelSuccess,
  DISCONNECT,
  EXTENDED_DATA,
  encodeChannelData,
  encodeWindowAdjust,
  ProtocolError,
  SshError,
} from "@purssh/wire";
import { decodeChannelRequestFields, type ExitSignal, type IncomingChannelRequest } from "./channel-requests.js";
import { ChannelRequestDeniedError } from "./errors.js";
import { HeldArrivals, type ReleaseTarget } from "./held-arrivals.js";
import { CHANNEL_WRITE_HIGH_WATER, MAX_PENDING_CHANNEL_REQUESTS } from "./limits.js";
import { OrderedReplies } from "./ordered-replies.js";
import type { TransferGate } from "./transfer-gate.js";
import type { ReceiveWindow, SendWindow } from "./window.js";

/** What a channel needs from its connection. */
export interface ChannelHost {
  send(payload: Uint8Array): void;
  /** True when channel data may go to the transport now (no rekey queueing, socket not full). */
  canSendData(): boolean;
  /** The channel is fully closed (CLOSE both ways): drop it from the table. */
  release(localId: number): void;
  /** A transfer-rate limit on channel data both ways; absent = unlimited. */
  gate?: TransferGate;
  log?(level: 1 | 2 | 3, text: string): void;
}

export interface ChannelEvents {
  data?(data: Uint8Array): void;
  /** RFC 4254 §5.2 extended data (type 1 = stderr); consumed and credited like data. */
  extendedData?(data: Uint8Array, dataTypeCode: number): void;
  eof?(): void;
  close?(): void;
  /** The outgoing queue fell below its high-water mark. */
  drain?(): void;
  /** A channel request from the peer; without this handler, want-reply requests get FAILURE. */
  request?(request: IncomingChannelRequest): void;
}

/** What waits in the outgoing queue, in the order the application issued it. */
type Outgoing =
  | { kind: "data"; bytes: Uint8Array }
  | { kind: "extended"; dataTypeCode: number; bytes: Uint8Array }
  | { kind: "request"; payload: Uint8Array }
  | { kind: "eof" };

interface AwaitedReply {
  type: string;
  resolve(ok: boolean): void;
  reject(error: Error): void;
}

export class Channel {
  readonly events: ChannelEvents = {};
  private queue: Outgoing[] = [];
  private queuedBytes = 0;
  /** write() returned false: fire `drain` once the queue falls below the high-water mark. */
  private needDrain = false;
  private eofQueued = false;
  private eofSent = false;
  /** Send CLOSE as soon as EOF has gone out (after every queued item). */
  private closeAfterEof = false;
  private closeSent = false;
  private closeReceived = false;
  /** Our want-reply requests, oldest first (RFC 4254 §5.4: replies come in order). */
  private readonly awaitedReplies: AwaitedReply[] = [];
  /** Replies we owe the peer, sent in the order its requests arrived. */
  private readonly owedReplies: OrderedReplies;
  /** Arrived data not yet delivered (the transfer gate), and what arrived after it. */
  private readonly held = new HeldArrivals();
  private readonly releaseTarget: ReleaseTarget = {
    allowance: () => this.allowance("receive"),
    deliver: (chunk, dataTypeCode) => {
      this.host.gate?.spend("receive", chunk.length);
      this.deliver(chunk, dataTypeCode);
    },
    dropsData: () => this.closeSent,
  };
  /** The peer's EOF / CLOSE arrived (it may still be held behind data). */
  private eofArrived = false;
  private closeArrived = false;
  /** The peer's EOF was delivered: no more data will arrive. */
  eofReceived = false;
  /** CHANNEL_DATA bytes sent and received (extended data is not counted). */
  bytesSent = 0;
  bytesReceived = 0;
  /** RFC 4254 §6.10: the exit status the peer reported, once `exit-status` arrived. */
  exitStatus: number | undefined;
  /** RFC 4254 §6.10: the signal the peer reported, once `exit-signal` arrived. */
  exitSignal: ExitSignal | undefined;

  constructor(
    private readonly host: ChannelHost,
    /** Our channel number (the peer's recipient channel). */
    readonly localId: number,
    /** The peer's channel number (our recipient channel). */
    readonly remoteId: number,
    /** The channel type, e.g. "forwarded-tcpip". */
    readonly type: string,
    readonly receiveWindow: ReceiveWindow,
    readonly sendWindow: SendWindow,
  ) {
    this.owedReplies = new OrderedReplies(MAX_PENDING_CHANNEL_REQUESTS, `channel ${localId}`, (reply) => {
      if (!this.closeSent) host.send(reply);
    });
  }

  get closed(): boolean {
    return this.closeSent || this.closeReceived;
  }

  /** Data and extended-data bytes written but not yet sent (waiting for window or transport). */
  get queued(): number {
    return this.queuedBytes;
  }

  /** True when more data can be written without exceeding the high-water mark. */
  get writable(): boolean {
    return !this.closed && !this.eofQueued && this.queuedBytes < CHANNEL_WRITE_HIGH_WATER;
  }

  /** Queues data (RFC 4254 §5.2); returns false once the queue is above its high-water mark. */
  write(data: Uint8Array): boolean {
    return this.enqueueBytes(data, undefined);
  }

  /**
   * Queues extended data (RFC 4254 §5.2), by default stderr; it shares the window, the packet
   * size and the order with write(). Returns false once the queue is above its high-water mark.
   */
  writeExtended(data: Uint8Array, dataTypeCode: number = EXTENDED_DATA.STDERR): boolean {
    return this.enqueueBytes(data, dataTypeCode);
  }

  /** Sends EOF once everything queued has been sent (RFC 4254 §5.3). */
  end(): void {
    if (this.closed || this.eofQueued) return;
    this.eofQueued = true;
    this.queue.push({ kind: "eof" });
    this.flush();
  }

  /** Sends EOF and then CLOSE once every queued item has been sent (a graceful close). */
  closeWhenDrained(): void {
    if (this.closed) return;
    this.closeAfterEof = true;
    if (!this.eofQueued) this.end();
    else this.flush();
  }

  /** Sends CLOSE (dropping unsent data); the channel is released when the peer's CLOSE arrives. */
  close(): void {
    if (this.closeSent) return;
    this.closeSent = true;
    this.dropQueue();
    this.owedReplies.stop();
    this.host.send(ChannelClose.encode({ recipientChannel: this.remoteId }));
    if (this.closeReceived) this.finish();
    // Held data is dropped now; a held EOF, request or CLOSE from the peer still runs.
    else this.releaseHeld();
  }

  /** The application consumed `n` received bytes: credit the peer's window when due. */
  consume(n: number): void {
    if (this.closed || n <= 0) return;
    const credit = this.receiveWindow.consume(n);
    if (credit > 0) this.host.send(encodeWindowAdjust(this.remoteId, credit));
  }

  /**
   * RFC 4254 §5.4: sends a channel request with type-specific `data`. With want-reply (the
   * default) the promise resolves true for CHANNEL_SUCCESS and false for CHANNEL_FAILURE, and
   * rejects if the channel closes or the connection ends first; without, nothing is returned.
   */
  request(type: string, data?: Uint8Array, wantReply?: true): Promise<boolean>;
  request(type: string, data: Uint8Array, wantReply: false): void;
  request(type: string, data: Uint8Array = new Uint8Array(0), wantReply = true): Promise<boolean> | undefined {
    const payload = ChannelRequest.encode({
      recipientChannel: this.remoteId,
      requestType: type,
      wantReply,
      requestData: data,
    });
    if (wantReply) return this.ask(type, payload);
    this.tell(type, payload);
    return undefined;
  }

  /** RFC 4254 §6.5 `exec`; rejects with ChannelRequestDeniedError when the peer refuses. */
  exec(command: string): Promise<void> {
    const p = ChannelRequestExec.encode({
      recipientChannel: this.remoteId,
      requestType: "exec",
      wantReply: true,
      command,
    });
    return this.demand("exec", p);
  }

  /** RFC 4254 §6.5 `shell`; rejects with ChannelRequestDeniedError when the peer refuses. */
  shell(): Promise<void> {
    return this.demand(
      "shell",
      ChannelRequestShell.encode({ recipientChannel: this.remoteId, requestType: "shell", wantReply: true }),
    );
  }

  /** RFC 4254 §6.5 `subsystem` (e.g. "sftp"); rejects with ChannelRequestDeniedError when refused. */
  subsystem(name: string): Promise<void> {
    return this.demand(
      "subsystem",
      ChannelRequestSubsystem.encode({
        recipientChannel: this.remoteId,
        requestType: "subsystem",
        wantReply: true,
        subsystemName: name,
      }),
    );
  }

  /** RFC 4254 §6.4 `env`, without want-reply as ssh(1) sends it (a refused variable is silent). */
  setEnv(name: string, value: string): void {
    this.tell(
      "env",
      ChannelRequestEnv.encode({
        recipientChannel: this.remoteId,
        requestType: "env",
        wantReply: false,
        variableName: name,
        variableValue: value,
      }),
    );
  }

  /** RFC 4254 §6.9 `signal` (name without "SIG", e.g. "INT"), without want-reply. */
  sendSignal(signalName: string): void {
    this.tell(
      "signal",
      ChannelRequestSignal.encode({
        recipientChannel: this.remoteId,
        requestType: "signal",
        wantReply: false,
        signalName,
      }),
    );
  }

  /** RFC 4254 §6.10 `exit-status` (want-reply false), after the output queued before it. */
  sendExitStatus(exitStatus: number): void {
    this.tell(
      "exit-status",
      ChannelRequestExitStatus.encode({
        recipientChannel: this.remoteId,
        requestType: "exit-status",
        wantReply: false,
        exitStatus,
      }),
    );
  }

  /** RFC 4254 §6.10 `exit-signal` (want-reply false), after the output queued before it. */
  sendExitSignal(signalName: string, coreDumped = false, errorMessage = "", languageTag = ""): void {
    this.tell(
      "exit-signal",
      ChannelRequestExitSignal.encode({
        recipientChannel: this.remoteId,
        requestType: "exit-signal",
        wantReply: false,
        signalName,
        coreDumped,
        errorMessage,
        languageTag,
      }),
    );
  }

  /** Sends what the window and the transport allow, in packets of at most the peer's maximum. */
  flush(): void {
    while (!this.closeSent) {
      const head = this.queue[0];
      if (head === undefined) break;
      switch (head.kind) {
        case "request":
          this.queue.shift();
          this.host.send(head.payload);
          continue;
        case "eof":
          this.queue.shift();
          this.eofSent = true;
          this.host.send(ChannelEof.encode({ recipientChannel: this.remoteId }));
          continue;
        case "data":
        case "extended": {
          if (this.sendWindow.available === 0 || !this.host.canSendData()) break;
          const allowed = this.allowance("send");
          if (allowed <= 0) break;
          const n = Math.min(head.bytes.length, this.sendWindow.available, this.sendWindow.maxPacket, allowed);
          this.host.gate?.spend("send", n);
          const chunk = head.bytes.subarray(0, n);
          if (n === head.bytes.length) this.queue.shift();
          else head.bytes = head.bytes.subarray(n);
          this.queuedBytes -= n;
          this.sendWindow.available -= n;
          if (head.kind === "data") {
            this.bytesSent += n;
            this.host.send(encodeChannelData(this.remoteId, chunk));
          } else {
            this.host.send(
              ChannelExtendedData.encode({
                recipientChannel: this.remoteId,
                dataTypeCode: head.dataTypeCode,
                data: chunk,
              }),
            );
          }
          continue;
        }
        default: {
          const unhandled: never = head;
          throw new Error(`unknown outgoing item ${JSON.stringify(unhandled)}`);
        }
      }
      break;
    }
    if (this.eofSent && this.closeAfterEof && !this.closeSent) this.close();
    if (this.needDrain && this.queuedBytes < CHANNEL_WRITE_HIGH_WATER) {
      this.needDrain = false;
      this.events.drain?.();
    }
  }

  // ---- called by the connection ----

  /** @internal */
  receiveData(data: Uint8Array): void {
    this.receiveWindow.debit(data.length, this.localId);
    if (this.discardsInput(data.length, "data")) return;
    this.bytesReceived += data.length;
    this.admit(data, undefined);
  }

  /** @internal */
  receiveExtendedData(data: Uint8Array, dataTypeCode: number): void {
    this.receiveWindow.debit(data.length, this.localId);
    if (this.discardsInput(data.length, "extended data")) return;
    this.admit(data, dataTypeCode);
  }

  /** @internal */
  receiveEof(): void {
    if (this.eofArrived) return;
    this.eofArrived = true;
    this.held.afterHeld(() => {
      this.eofReceived = true;
      if (!this.closeSent) this.events.eof?.();
    });
  }

  /**
   * @internal Delivers held data as the transfer gate allows, then what arrived after it; the
   * connection calls it again from resume().
   */
  releaseHeld(): void {
    this.held.release(this.releaseTarget);
  }

  /** @internal RFC 4254 §5.4: a request from the peer; `request` is its generic decoding. */
  receiveRequest(payload: Uint8Array, request: ChannelRequest): void {
    const fields = decodeChannelRequestFields(payload, request);
    if (this.closeSent) {
      // RFC 4254 §5.3: nothing may follow our CLOSE, not even a reply.
      this.host.log?.(3, `channel ${this.localId}: ignoring ${request.requestType} after our CLOSE`);
      return;
    }
    // The reply's place in the order is taken on arrival; the handler runs after held data.
    const fill = request.wantReply ? this.owedReplies.reserve() : undefined;
    this.held.afterHeld(() => this.dispatchRequest(payload, request, fields, fill));
  }

  private dispatchRequest(
    payload: Uint8Array,
    request: ChannelRequest,
    fields: ReturnType<typeof decodeChannelRequestFields>,
    fill: ((reply: Uint8Array) => void) | undefined,
  ): void {
    if (this.closeSent) return;
    if (fields.kind === "exit-status") this.exitStatus = fields.exitStatus;
    if (fields.kind === "exit-signal") {
      const { signalName, coreDumped, errorMessage, languageTag } = fields;
      this.exitSignal = { signalName, coreDumped, errorMessage, languageTag };
    }
    let decided = false;
    const answer = (ok: boolean) => {
      if (decided) {
        throw new SshError("ERR_CHANNEL_REQUEST_DECIDED", `the ${request.requestType} request was already answered`);
      }
      decided = true;
      fill?.((ok ? ChannelSuccess : ChannelFailure).encode({ recipientChannel: this.remoteId }));
    };
    const handler = this.events.request;
    if (!handler) {
      // keepalive@openssh.com and everything unhandled: FAILURE, as OpenSSH answers unknown requests.
      this.host.log?.(3, `channel ${this.localId}: refusing request ${request.requestType}`);
      answer(false);
      return;
    }
    handler({
      ...fields,
      type: request.requestType,
      wantReply: request.wantReply,
      payload,
      accept: () => answer(true),
      reject: () => answer(false),
    });
  }

  /** @internal RFC 4254 §5.4: CHANNEL_SUCCESS (true) or CHANNEL_FAILURE (false). */
  receiveRequestReply(ok: boolean): void {
    const awaited = this.awaitedReplies.shift();
    if (!awaited) {
      throw new ProtocolError(
        "ERR_UNEXPECTED_MESSAGE",
        `channel request reply without a request on channel ${this.localId}`,
        DISCONNECT.PROTOCOL_ERROR,
      );
    }
    awaited.resolve(ok);
  }

  /** @internal */
  receiveClose(): void {
    if (this.closeArrived) return;
    this.closeArrived = true;
    this.held.afterHeld(() => this.closeReceivedNow());
  }

  private closeReceivedNow(): void {
    if (this.closeReceived) return;
    this.closeReceived = true;
    if (!this.closeSent) {
      this.closeSent = true;
      this.dropQueue();
      this.owedReplies.stop();
      this.host.send(ChannelClose.encode({ recipientChannel: this.remoteId }));
    }
    this.failAwaited(
      new SshError("ERR_CHANNEL_CLOSED", `channel ${this.localId} closed before the request was answered`),
    );
    this.finish();
  }

  /** @internal The connection ended: the channel is gone without a CLOSE exchange. */
  abort(error: Error = new SshError("ERR_CONNECTION_CLOSED", "the connection ended")): void {
    if (this.closeReceived && this.closeSent) return;
    this.closeReceived = this.closeSent = true;
    this.held.clear();
    this.dropQueue();
    this.owedReplies.stop();
    this.failAwaited(error);
    this.events.close?.();
  }

  private enqueueBytes(data: Uint8Array, dataTypeCode: number | undefined): boolean {
    if (this.closed || this.eofQueued) {
      throw new SshError("ERR_CHANNEL_CLOSED", `channel ${this.localId} is closed for writing`);
    }
    if (data.length > 0) {
      // Bytes that cannot all go out now are copied: the caller may reuse its buffer once we
      // return (Node recycles stream chunks), and queued bytes must not change under us.
      const sendsNow =
        this.queue.length === 0 &&
        this.host.canSendData() &&
        this.sendWindow.available >= data.length &&
        this.allowance("send") >= data.length;
      const bytes = sendsNow ? data : data.slice();
      this.queue.push(dataTypeCode === undefined ? { kind: "data", bytes } : { kind: "extended", dataTypeCode, bytes });
      this.queuedBytes += data.length;
      this.flush();
    }
    const ok = this.queuedBytes < CHANNEL_WRITE_HIGH_WATER;
    if (!ok) this.needDrain = true;
    return ok;
  }

  /** Why a request cannot be sent now, or undefined. Requests may follow our EOF (§6.10). */
  private refusal(type: string): SshError | undefined {
    if (!this.closed) return undefined;
    return new SshError("ERR_CHANNEL_CLOSED", `channel ${this.localId} is closed; cannot send ${type}`);
  }

  private ask(type: string, payload: Uint8Array): Promise<boolean> {
    const refused = this.refusal(type);
    if (refused) return Promise.reject(refused);
    return new Promise<boolean>((resolve, reject) => {
      this.awaitedReplies.push({ type, resolve, reject });
      this.queue.push({ kind: "request", payload });
      this.flush();
    });
  }

  private tell(type: string, payload: Uint8Array): void {
    const refused = this.refusal(type);
    if (refused) throw refused;
    this.queue.push({ kind: "request", payload });
    this.flush();
  }

  /** A want-reply request whose refusal is an error. */
  private async demand(type: string, payload: Uint8Array): Promise<void> {
    if (!(await this.ask(type, payload))) throw new ChannelRequestDeniedError(type, this.localId);
  }

  /** Bytes the transfer gate lets move now (unlimited without one). */
  private allowance(direction: "send" | "receive"): number {
    return this.host.gate ? Math.floor(this.host.gate.allowance(direction)) : Number.POSITIVE_INFINITY;
  }

  /** Hands arrived data to the application now, or holds it until the transfer gate allows. */
  private admit(data: Uint8Array, dataTypeCode: number | undefined): void {
    if (this.held.empty && this.allowance("receive") >= data.length) {
      this.host.gate?.spend("receive", data.length);
      this.deliver(data, dataTypeCode);
      return;
    }
    this.held.holdData(data, dataTypeCode);
    this.releaseHeld();
  }

  private deliver(data: Uint8Array, dataTypeCode: number | undefined): void {
    if (dataTypeCode === undefined) {
      if (this.events.data) this.events.data(data);
      else this.consume(data.length);
    } else if (this.events.extendedData) this.events.extendedData(data, dataTypeCode);
    else this.consume(data.length);
  }

  /** True when arriving bytes are dropped (and credited back) instead of delivered. */
  private discardsInput(n: number, what: string): boolean {
    // Data racing our CLOSE is legal (RFC 4254 §5.3) and dropped; no WINDOW_ADJUST follows CLOSE.
    if (this.closeSent) return true;
    if (!this.eofArrived) return false;
    // After the peer's EOF: OpenSSH drops such data and credits it back; so do we.
    this.host.log?.(2, `channel ${this.localId}: dropping ${n} bytes of ${what} received after EOF`);
    this.consume(n);
    return true;
  }

  private failAwaited(error: Error): void {
    for (const a of this.awaitedReplies.splice(0)) a.reject(error);
  }

  private dropQueue(): void {
    this.queue = [];
    this.queuedBytes = 0;
  }

  private finish(): void {
    this.host.release(this.localId);
    this.events.close?.();
  }
}
