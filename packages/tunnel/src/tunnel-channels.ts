/**
 * The tunnel's channels (ipworks-spec.md §2a, §4, §8.3): the Channels collection of SSHChannel
 * (id, service, bytesSent, readyToSend, recordLength, dataToSend) and the per-channel events —
 * SSHChannelOpened, SSHChannelData cut into RecordLength records, SSHChannelReadyToSend when a
 * channel that could not take more data (its peer window and queue full) can again,
 * SSHChannelRequest / SSHChannelRequested (RFC 4254 §5.4), SSHChannelEOF and SSHChannelClosed once
 * CLOSE went both ways. Data handed to sendChannelData waits in the channel's stream, so a full
 * window shows up as readyToSend false, never as unbounded memory. (DefaultChannelIdleTimeout is
 * the client's channelIdleTimeoutMs; its close arrives here as any other.)
 * @module
 */
import type * as net from "node:net";
import type { ForwardedConnection } from "@purssh/client";
import type { IncomingChannelRequest } from "@purssh/connection";
import { concatBytes } from "@purssh/wire";
import { invalidArgument, SSHTunnelError, SSHTunnelErrorCodes } from "./errors.js";
import { channelDataEvent, channelRequestEvent, channelRequestedEvent, type SSHReverseTunnelEvents } from "./events.js";
import type { TunnelSettings } from "./settings.js";
import { type TimeoutPolicy, withTimeout } from "./tunnel-timeout.js";

/** What the channel table needs of the tunnel. */
export interface ChannelHost {
  readonly settings: TunnelSettings;
  emit<K extends keyof SSHReverseTunnelEvents>(name: K, ...args: SSHReverseTunnelEvents[K]): boolean;
  log(level: number, message: string): void;
  /** Bytes moved on the SSH connection so far (for inactivity timeouts). */
  activity(): number;
}

const EMPTY = new Uint8Array(0);

/** One element of the Channels collection (ipworks-spec.md §2a). */
export class SSHChannel {
  /** Bytes the latest send (sendChannelData or dataToSend) handed to the channel. */
  bytesSent = 0;
  private records: number;

  /** @internal */
  constructor(
    private readonly table: TunnelChannels,
    readonly channelId: string,
    /** The channel type: "forwarded-tcpip" for every reverse-tunnel connection. */
    readonly service: string,
    recordLength: number,
  ) {
    this.records = recordLength;
  }

  /** True when the channel can take more outgoing data now (its window and queue have room). */
  get readyToSend(): boolean {
    return this.table.readyToSend(this.channelId);
  }

  /** >0: SSHChannelData delivers records of exactly this many bytes (the rest at EOF); 0: as received. */
  get recordLength(): number {
    return this.records;
  }
  set recordLength(n: number) {
    if (!Number.isInteger(n) || n < 0) throw invalidArgument(`RecordLength must be an integer >= 0, got ${n}`);
    this.records = n;
  }

  /** Write-only: assigning text sends it (UTF-8) like sendChannelData; reads give "". */
  get dataToSend(): string {
    return "";
  }
  set dataToSend(text: string) {
    this.table.sendInBackground(this.channelId, new TextEncoder().encode(text));
  }
  /** Write-only: assigning bytes sends them like sendChannelData; reads give an empty array. */
  get dataToSendB(): Uint8Array {
    return EMPTY;
  }
  set dataToSendB(bytes: Uint8Array) {
    this.table.sendInBackground(this.channelId, bytes);
  }
}

interface Entry {
  readonly channel: SSHChannel;
  readonly conn: ForwardedConnection;
  readonly local: net.Socket | undefined;
  /** Received bytes waiting to fill a record. */
  pending: Uint8Array;
  /** A write returned false: SSHChannelReadyToSend fires on the next drain. */
  blocked: boolean;
  readonly closed: Promise<void>;
}

export class TunnelChannels {
  private readonly entries = new Map<string, Entry>();
  private nextId = 1;

  constructor(private readonly host: ChannelHost) {}

  /** A fresh channel id (assigned when the open request arrives, before the channel is confirmed). */
  newId(): string {
    return String(this.nextId++);
  }

  list(): SSHChannel[] {
    return [...this.entries.values()].map((e) => e.channel);
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Registers an accepted forwarded connection: event mode (no `local`) delivers its data as
   * SSHChannelData with EOF and ReadyToSend; relay mode (`local`, piped elsewhere) only reports
   * open, requests and close (an EOF there is the relay's business, not the application's).
   */
  attach(id: string, conn: ForwardedConnection, local: net.Socket | undefined): void {
    const { host } = this;
    const channel = new SSHChannel(this, id, conn.channel.type, host.settings.recordLength);
    let resolveClosed!: () => void;
    const entry: Entry = {
      channel,
      conn,
      local,
      pending: EMPTY,
      blocked: false,
      closed: new Promise((r) => {
        resolveClosed = r;
      }),
    };
    this.entries.set(id, entry);
    const core = conn.channel;
    // SSHChannelClosed once CLOSE went both ways (or the connection ended): the core channel's
    // close event, which the stream also listens to.
    const streamClose = core.events.close;
    core.events.close = () => {
      streamClose?.();
      this.finish(entry);
      resolveClosed();
    };
    core.events.request = (request) => this.onRequest(entry, request);
    conn.on("error", (err: Error) => {
      const te = SSHTunnelError.from(err);
      host.emit("Error", { errorCode: te.code, description: `channel ${id}: ${te.message}` });
    });
    host.emit("SSHChannelOpened", { channelId: id });
    // Relay mode moves the data itself: only open, requests and close are the application's.
    if (local) return;
    // SSHChannelReadyToSend when a channel that could not take data can again: the stream
    // drained, a send completed, or the core channel's queue fell below its high-water mark.
    conn.on("drain", () => this.checkReady(entry));
    const coreDrain = core.events.drain;
    core.events.drain = () => {
      coreDrain?.();
      process.nextTick(() => this.checkReady(entry));
    };
    conn.on("end", () => {
      this.flushRecords(entry);
      host.emit("SSHChannelEOF", { channelId: id });
    });
    conn.on("data", (chunk: Buffer) => this.deliver(entry, new Uint8Array(chunk)));
    if (this.readyToSend(id)) host.emit("SSHChannelReadyToSend", { channelId: id });
  }

  /**
   * True when a send would be taken at once: the channel is open, its queue (data waiting for the
   * peer's window or the socket) is below the high-water mark, and no earlier send is waiting.
   */
  readyToSend(id: string): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    const c = e.conn;
    return !c.destroyed && !c.writableEnded && c.writableLength === 0 && c.channel.writable;
  }

  private checkReady(e: Entry): void {
    const id = e.channel.channelId;
    if (!e.blocked || this.entries.get(id) !== e || !this.readyToSend(id)) return;
    e.blocked = false;
    this.host.emit("SSHChannelReadyToSend", { channelId: id });
  }

  /** sendChannelData: resolves once the channel has taken the bytes (they fit its window and queue). */
  async send(id: string, bytes: Uint8Array, timeout: TimeoutPolicy): Promise<void> {
    const e = this.get(id);
    this.logBytes(`channel ${id}: sending`, bytes);
    const c = e.conn;
    if (c.destroyed || c.writableEnded || c.channel.closed) {
      throw new SSHTunnelError(SSHTunnelErrorCodes.CHANNEL_CLOSED, `channel ${id} is closed for sending`);
    }
    const written = new Promise<void>((resolve, reject) => {
      c.write(bytes, (err) => {
        if (err) reject(SSHTunnelError.from(err));
        else {
          resolve();
          this.checkReady(e);
        }
      });
      if (!this.readyToSend(id)) e.blocked = true;
    });
    await withTimeout(timeout, `sendChannelData on channel ${id}`, written, () => this.host.activity());
    e.channel.bytesSent = bytes.length;
  }

  /** DataToSend: a send whose failure is reported through the Error event. */
  sendInBackground(id: string, bytes: Uint8Array): void {
    this.send(id, bytes, { timeoutSeconds: 0, absoluteTimeout: false }).catch((err: unknown) => {
      const te = SSHTunnelError.from(err);
      this.host.emit("Error", { errorCode: te.code, description: te.message });
    });
  }

  /**
   * closeChannel: EOF and CLOSE after the data already handed over; with WaitForChannelClose the
   * promise waits for the peer's CLOSE (bounded by Timeout, after which the channel is dropped).
   */
  async close(id: string, timeout: TimeoutPolicy): Promise<void> {
    const e = this.get(id);
    const c = e.conn;
    if (!c.channel.closed) {
      if (c.writableFinished) c.channel.closeWhenDrained();
      else {
        c.once("finish", () => c.channel.closeWhenDrained());
        c.end();
      }
    }
    if (!this.host.settings.waitForChannelClose) return;
    await withTimeout(
      timeout,
      `closeChannel ${id}`,
      e.closed,
      () => this.host.activity(),
      () => c.destroy(),
    );
  }

  /** Closes every channel at once (logoff, reset); resolves when each has finished. */
  closeAll(): Promise<void> {
    const all = [...this.entries.values()];
    for (const e of all) e.conn.destroy();
    return Promise.all(all.map((e) => e.closed)).then(() => {});
  }

  private get(id: string): Entry {
    const e = this.entries.get(String(id));
    if (!e) throw new SSHTunnelError(SSHTunnelErrorCodes.UNKNOWN_CHANNEL, `no open channel ${JSON.stringify(id)}`);
    return e;
  }

  /** LogLevel 3 (debug): the bytes themselves, up to 256 per line. */
  private logBytes(what: string, bytes: Uint8Array): void {
    if (this.host.settings.logLevel < 3) return;
    const shown = bytes.subarray(0, 256);
    const hex = Array.from(shown, (b) => b.toString(16).padStart(2, "0")).join("");
    this.host.log(3, `${what} ${bytes.length} bytes: ${hex}${bytes.length > shown.length ? "…" : ""}`);
  }

  /** SSHChannelData in records of RecordLength bytes (which may change inside the event). */
  private deliver(e: Entry, chunk: Uint8Array): void {
    this.logBytes(`channel ${e.channel.channelId}: received`, chunk);
    if (e.channel.recordLength === 0 && e.pending.length === 0) {
      this.host.emit("SSHChannelData", channelDataEvent(e.channel.channelId, chunk));
      return;
    }
    e.pending = e.pending.length === 0 ? chunk : concatBytes(e.pending, chunk);
    for (;;) {
      const n = e.channel.recordLength;
      if (n === 0) {
        this.flushRecords(e);
        return;
      }
      if (e.pending.length < n) return;
      const record = e.pending.subarray(0, n);
      e.pending = e.pending.subarray(n);
      this.host.emit("SSHChannelData", channelDataEvent(e.channel.channelId, record));
    }
  }

  /** Delivers what waits for a record (at EOF, close, or when RecordLength drops to 0). */
  private flushRecords(e: Entry): void {
    if (e.pending.length === 0) return;
    const rest = e.pending;
    e.pending = EMPTY;
    this.host.emit("SSHChannelData", channelDataEvent(e.channel.channelId, rest));
  }

  /**
   * RFC 4254 §5.4: keepalive@openssh.com is answered FAILURE without an event (as OpenSSH does);
   * every other request raises SSHChannelRequest, whose `success` picks the reply, and then
   * SSHChannelRequested when it was accepted.
   */
  private onRequest(e: Entry, request: IncomingChannelRequest): void {
    if (request.type === "keepalive@openssh.com") {
      request.reject();
      return;
    }
    const id = e.channel.channelId;
    const packet = request.payload;
    const ev = channelRequestEvent(id, request.type, packet);
    this.host.emit("SSHChannelRequest", ev);
    if (ev.success !== true) {
      request.reject();
      return;
    }
    request.accept();
    this.host.emit("SSHChannelRequested", channelRequestedEvent(id, request.type, packet));
  }

  private finish(e: Entry): void {
    const id = e.channel.channelId;
    if (this.entries.get(id) !== e) return;
    this.flushRecords(e);
    this.entries.delete(id);
    e.local?.destroy();
    this.host.emit("SSHChannelClosed", { channelId: id });
  }
}
