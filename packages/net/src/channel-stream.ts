/**
 * An SSH channel (RFC 4254 §5) as a Node Duplex byte stream, with backpressure both ways: the
 * readable side credits the channel's window only as the consumer takes bytes out, the writable
 * side waits while the channel's queue is above its high-water mark. EOF maps to the end of the
 * readable side and `end()` to CHANNEL_EOF; CLOSE is sent once both directions are done and every
 * queued byte is out. Used for forwarded connections by the client and the embedded server.
 * @module
 */
import { Duplex } from "node:stream";

/** What the stream needs of a channel (structurally: @purssh/connection's Channel). */
export interface StreamableChannel {
  readonly events: {
    data?(data: Uint8Array): void;
    eof?(): void;
    close?(): void;
    drain?(): void;
  };
  readonly closed: boolean;
  readonly eofReceived: boolean;
  write(data: Uint8Array): boolean;
  /** Credits the peer's window with `n` consumed bytes. */
  consume(n: number): void;
  /** Sends EOF after the queued bytes. */
  end(): void;
  /** Sends EOF and CLOSE after the queued bytes. */
  closeWhenDrained(): void;
  /** Closes now, dropping queued bytes. */
  close(): void;
}

export class ChannelStream extends Duplex {
  private unconsumed = 0;
  private pendingWrite: (() => void) | undefined;
  private bound: StreamableChannel | undefined;
  /**
   * The channel events this stream handles. Pass them to the connection's open call so they are
   * installed before the confirmation's read is processed further, then `attach` the channel.
   */
  readonly channelEvents: StreamableChannel["events"];

  /**
   * `autoClose` (default true) sends CLOSE once both directions have ended; a session channel
   * turns it off to send exit-status between its EOF and CLOSE (RFC 4254 §6.10).
   */
  constructor(
    channel?: StreamableChannel,
    private readonly options: { autoClose?: boolean } = {},
  ) {
    super({ allowHalfOpen: true, readableHighWaterMark: 64 * 1024 });
    this.channelEvents = {
      data: (data) => {
        this.unconsumed += data.length;
        this.push(Buffer.from(data));
        this.credit();
      },
      eof: () => {
        this.push(null);
        if (this.writableFinished && this.autoClose) this.bound?.closeWhenDrained();
      },
      drain: () => this.releaseWrite(),
      close: () => {
        if (!this.readableEnded) this.push(null);
        this.releaseWrite();
        this.destroy();
      },
    };
    if (channel) this.attach(channel);
  }

  /** Binds the stream to its channel (once). */
  attach(channel: StreamableChannel): void {
    if (this.bound) throw new Error("ChannelStream is already attached to a channel");
    this.bound = channel;
    Object.assign(channel.events, this.channelEvents);
    this.credit();
    if (channel.closed) this.channelEvents.close?.();
  }

  get channel(): StreamableChannel {
    if (!this.bound) throw new Error("ChannelStream is not attached to a channel yet");
    return this.bound;
  }

  private releaseWrite(): void {
    const cb = this.pendingWrite;
    this.pendingWrite = undefined;
    cb?.();
  }

  /** Credit the SSH window with what the consumer has taken out of our readable buffer. */
  private credit(): void {
    const consumed = this.unconsumed - this.readableLength;
    if (consumed > 0 && this.bound) {
      this.unconsumed -= consumed;
      this.bound.consume(consumed);
    }
  }

  override _read(): void {
    this.credit();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (error?: Error | null) => void): void {
    if (this.channel.closed) {
      cb();
      return;
    }
    const view = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.channel.write(view)) cb();
    else this.pendingWrite = cb;
  }

  private get autoClose(): boolean {
    return this.options.autoClose !== false;
  }

  override _final(cb: (error?: Error | null) => void): void {
    if (this.channel.eofReceived && this.autoClose) this.channel.closeWhenDrained();
    else this.channel.end();
    cb();
  }

  /**
   * After a normal end of both sides (Node auto-destroys then) queued bytes may still wait for
   * window or a key exchange: close only once they are out. An error or an early destroy aborts.
   */
  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    const channel = this.bound;
    if (channel && !channel.closed) {
      if (err === null && this.writableFinished) {
        if (this.autoClose) channel.closeWhenDrained();
      } else channel.close();
    }
    cb(err);
  }
}

/**
 * Relays a socket and a channel stream both ways until both ends finish; either side failing
 * tears down the other. Half-closes travel (socket FIN → CHANNEL_EOF and back).
 */
export function relay(socket: Duplex, stream: ChannelStream): void {
  socket.pipe(stream);
  stream.pipe(socket);
  const teardown = () => {
    socket.destroy();
    stream.destroy();
  };
  socket.on("error", teardown);
  stream.on("error", teardown);
  socket.on("close", () => {
    if (!stream.writableFinished) stream.destroy();
  });
  stream.on("close", () => {
    if (!socket.writableFinished) socket.end();
  });
}
