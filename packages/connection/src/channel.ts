/**
 * One open channel (RFC 4254 §5): outgoing data queued and sent within the peer's window and
 * maximum packet size, incoming data delivered to the application and credited back only when it
 * is consumed, and the EOF/CLOSE handshake (§5.3).
 * @module
 */
import { ChannelClose, ChannelEof, encodeChannelData, encodeWindowAdjust, SshError } from "@purssh/wire";
import type { ReceiveWindow, SendWindow } from "./window.js";

/** What a channel needs from its connection. */
export interface ChannelHost {
  send(payload: Uint8Array): void;
  /** True when channel data may go to the transport now (no rekey queueing, socket not full). */
  canSendData(): boolean;
  /** The channel is fully closed (CLOSE both ways): drop it from the table. */
  release(localId: number): void;
}

export interface ChannelEvents {
  data?(data: Uint8Array): void;
  eof?(): void;
  close?(): void;
  /** The outgoing queue fell below its high-water mark. */
  drain?(): void;
}

/** Outgoing bytes queued per channel before `write` reports backpressure. */
export const CHANNEL_WRITE_HIGH_WATER = 256 * 1024;

export class Channel {
  readonly events: ChannelEvents = {};
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** write() returned false: fire `drain` once the queue falls below the high-water mark. */
  private needDrain = false;
  private eofRequested = false;
  private eofSent = false;
  /** Send CLOSE as soon as EOF has gone out (after every queued byte). */
  private closeAfterEof = false;
  private closeSent = false;
  private closeReceived = false;
  /** The peer sent EOF: no more data will arrive. */
  eofReceived = false;
  bytesSent = 0;
  bytesReceived = 0;

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
  ) {}

  get closed(): boolean {
    return this.closeSent || this.closeReceived;
  }

  /** Bytes written but not yet sent (waiting for window or transport). */
  get queued(): number {
    return this.pendingBytes;
  }

  /** True when more data can be written without exceeding the high-water mark. */
  get writable(): boolean {
    return !this.closed && !this.eofRequested && this.pendingBytes < CHANNEL_WRITE_HIGH_WATER;
  }

  /** Queues data; returns false once the queue is above its high-water mark. */
  write(data: Uint8Array): boolean {
    if (this.closed || this.eofRequested) {
      throw new SshError("ERR_CHANNEL_CLOSED", `channel ${this.localId} is closed for writing`);
    }
    if (data.length > 0) {
      // Bytes that cannot all go out now are copied: the caller may reuse its buffer once we
      // return (Node recycles stream chunks), and queued bytes must not change under us.
      const sendsNow = this.pending.length === 0 && this.host.canSendData() && this.sendWindow.available >= data.length;
      this.pending.push(sendsNow ? data : data.slice());
      this.pendingBytes += data.length;
      this.flush();
    }
    const ok = this.pendingBytes < CHANNEL_WRITE_HIGH_WATER;
    if (!ok) this.needDrain = true;
    return ok;
  }

  /** Sends EOF once everything queued has been sent (RFC 4254 §5.3). */
  end(): void {
    if (this.closed || this.eofRequested) return;
    this.eofRequested = true;
    this.flush();
  }

  /** Sends EOF and then CLOSE once every queued byte has been sent (a graceful close). */
  closeWhenDrained(): void {
    if (this.closed) return;
    this.closeAfterEof = true;
    this.eofRequested = true;
    this.flush();
  }

  /** Sends CLOSE (dropping unsent data); the channel is released when the peer's CLOSE arrives. */
  close(): void {
    if (this.closeSent) return;
    this.closeSent = true;
    this.pending = [];
    this.pendingBytes = 0;
    this.host.send(ChannelClose.encode({ recipientChannel: this.remoteId }));
    if (this.closeReceived) this.finish();
  }

  /** The application consumed `n` received bytes: credit the peer's window when due. */
  consume(n: number): void {
    if (this.closed || n <= 0) return;
    const credit = this.receiveWindow.consume(n);
    if (credit > 0) this.host.send(encodeWindowAdjust(this.remoteId, credit));
  }

  /** Sends what the window and the transport allow, in packets of at most the peer's maximum. */
  flush(): void {
    while (this.pending.length > 0 && this.sendWindow.available > 0 && this.host.canSendData() && !this.closed) {
      const head = this.pending[0]!;
      const n = Math.min(head.length, this.sendWindow.available, this.sendWindow.maxPacket);
      const chunk = head.subarray(0, n);
      if (n === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(n);
      this.pendingBytes -= n;
      this.sendWindow.available -= n;
      this.bytesSent += n;
      this.host.send(encodeChannelData(this.remoteId, chunk));
    }
    if (this.pending.length === 0 && this.eofRequested && !this.eofSent && !this.closed) {
      this.eofSent = true;
      this.host.send(ChannelEof.encode({ recipientChannel: this.remoteId }));
    }
    if (this.eofSent && this.closeAfterEof && !this.closeSent) this.close();
    if (this.needDrain && this.pendingBytes < CHANNEL_WRITE_HIGH_WATER) {
      this.needDrain = false;
      this.events.drain?.();
    }
  }

  // ---- called by the connection ----

  /** @internal */
  receiveData(data: Uint8Array): void {
    this.receiveWindow.debit(data.length, this.localId);
    // Data racing our CLOSE is legal (RFC 4254 §5.3) and dropped; it is not delivered.
    if (this.closeSent) return;
    this.bytesReceived += data.length;
    if (this.events.data) this.events.data(data);
    else this.consume(data.length);
  }

  /** @internal */
  receiveEof(): void {
    this.eofReceived = true;
    if (!this.closeSent) this.events.eof?.();
  }

  /** @internal */
  receiveClose(): void {
    if (this.closeReceived) return;
    this.closeReceived = true;
    if (!this.closeSent) {
      this.closeSent = true;
      this.pending = [];
      this.pendingBytes = 0;
      this.host.send(ChannelClose.encode({ recipientChannel: this.remoteId }));
    }
    this.finish();
  }

  /** @internal The connection ended: the channel is gone without a CLOSE exchange. */
  abort(): void {
    if (this.closeReceived && this.closeSent) return;
    this.closeReceived = this.closeSent = true;
    this.pending = [];
    this.pendingBytes = 0;
    this.events.close?.();
  }

  private finish(): void {
    this.host.release(this.localId);
    this.events.close?.();
  }
}
