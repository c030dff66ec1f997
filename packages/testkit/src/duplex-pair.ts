/**
 * Two connected in-memory Duplex streams (Node 20 has no `stream.duplexPair`, added in 22.6), for
 * running SSH over a pipe in tests: what one end writes the other reads, with backpressure — an
 * end whose reader stops reading stops accepting its peer's writes once `capacity` bytes wait,
 * so the writer's `write()` returns false as a full socket's would. Ending one end ends the
 * other's readable side (a half-close, like a FIN); destroying one destroys both (like a reset).
 * Bytes arrive on a later turn of the event loop, never inside the writer's call.
 * @module
 */
import { Duplex } from "node:stream";

export interface DuplexPairOptions {
  /** Bytes an end buffers for its reader before the writer sees backpressure (default 64 KiB). */
  capacity?: number;
}

/** One end of a duplex pair. */
export class PipeEnd extends Duplex {
  /** Bytes this end handed to its peer (now in the peer's read buffer or already read). */
  delivered = 0;
  /** The write waiting for the peer's reader to make room. */
  private blockedWrite: (() => void) | undefined;
  /** @internal */
  peer!: PipeEnd;

  constructor(capacity: number) {
    super({ allowHalfOpen: true, readableHighWaterMark: capacity, writableHighWaterMark: 16 * 1024 });
  }

  /** Bytes this end's writer has queued and the peer has not taken yet. */
  get pending(): number {
    return this.writableLength;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // push() copies nothing: hand over a private copy, the writer may reuse its buffer.
    const copy = Buffer.from(chunk);
    // Delivered on a later turn of the event loop, as a socket would: never re-entrantly.
    setImmediate(() => {
      if (this.peer.destroyed) {
        callback();
        return;
      }
      this.delivered += copy.length;
      if (this.peer.push(copy)) callback();
      else this.blockedWrite = callback;
    });
  }

  override _read(): void {
    // Our reader wants more: release the peer's blocked write.
    const release = this.peer.blockedWrite;
    this.peer.blockedWrite = undefined;
    release?.();
  }

  override _final(callback: (error?: Error | null) => void): void {
    setImmediate(() => {
      if (!this.peer.destroyed) this.peer.push(null);
      callback();
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const release = this.blockedWrite;
    this.blockedWrite = undefined;
    release?.();
    if (!this.peer.destroyed) this.peer.destroy();
    callback(error);
  }
}

/** A connected pair of in-memory Duplex streams. */
export function duplexPair(options: DuplexPairOptions = {}): [PipeEnd, PipeEnd] {
  const capacity = options.capacity ?? 64 * 1024;
  const a = new PipeEnd(capacity);
  const b = new PipeEnd(capacity);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
