/**
 * Bounded reads from a proxy during its handshake. The socket is read in paused mode
 * (`socket.read(n)`), so nothing is taken from it beyond what a reply is known to need; the one
 * exception, an HTTP response head, is read chunk by chunk and whatever follows the head is put
 * back with `unshift` — it is the tunnel's first bytes. `release()` detaches, leaving the socket
 * ready for its next reader (a `data` listener then starts it flowing). Every wait ends when the
 * socket ends, fails, or the handshake's AbortSignal fires.
 * @module
 */
import type { Duplex } from "node:stream";
import { ProxyError } from "./errors.js";

/** Where an HTTP response head ends: the first empty line (CRLF CRLF, or bare LF LF, RFC 9112 §2.2). */
export function findHeadEnd(bytes: Uint8Array, limit: number): number {
  const end = Math.min(bytes.length, limit);
  for (let i = 0; i < end; i++) {
    if (bytes[i] !== 0x0a) continue;
    if (bytes[i + 1] === 0x0a) return i + 2;
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

export class HandshakeReader {
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private readonly onReadable = () => this.notify();
  private readonly onEnd = () => {
    this.ended = true;
    this.notify();
  };
  private readonly onError = (e: Error) => {
    this.failure ??= new ProxyError("ERR_PROXY_PROTOCOL", `${this.describe}: the connection failed: ${e.message}`, {
      cause: e,
    });
    this.notify();
  };
  private readonly onAbort = () => {
    const reason: unknown = this.signal.reason;
    this.failure ??= reason instanceof Error ? reason : new Error(String(reason));
    this.socket.destroy();
    this.notify();
  };

  /**
   * @param describe names the proxy in messages ("socks5 proxy 127.0.0.1:1080").
   * @param signal fires on timeout or abort; its reason becomes the error of the pending read.
   */
  constructor(
    private readonly socket: Duplex,
    private readonly describe: string,
    private readonly signal: AbortSignal,
  ) {
    socket.on("readable", this.onReadable);
    socket.on("end", this.onEnd);
    socket.on("close", this.onEnd);
    socket.on("error", this.onError);
    signal.addEventListener("abort", this.onAbort, { once: true });
    if (signal.aborted) this.onAbort();
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /**
   * Exactly `n` bytes of the proxy's `what` ("SOCKS5 method selection"), of which `offset` bytes
   * were read before (so a close mid-reply reads as a truncated reply, not as a refusal).
   */
  async exact(n: number, what: string, offset = 0): Promise<Uint8Array> {
    for (;;) {
      if (this.failure) throw this.failure;
      const chunk = this.socket.read(n) as Buffer | null;
      if (chunk !== null) {
        // At end of stream read(n) hands over what is left, which may be short.
        if (chunk.length < n) throw this.closed(what, offset + chunk.length, offset + n);
        return Uint8Array.from(chunk);
      }
      if (this.ended) throw this.closed(what, offset + this.socket.readableLength, offset + n);
      await this.next();
    }
  }

  /**
   * An HTTP response head up to and including its empty line, at most `maxBytes`; the bytes after
   * it are returned to the socket for the tunnel.
   */
  async head(maxBytes: number, what: string): Promise<Uint8Array> {
    let seen: Uint8Array = new Uint8Array(0);
    for (;;) {
      if (this.failure) throw this.failure;
      const chunk = this.socket.read() as Buffer | null;
      if (chunk !== null) {
        const joined = new Uint8Array(seen.length + chunk.length);
        joined.set(seen);
        joined.set(chunk, seen.length);
        seen = joined;
        const end = findHeadEnd(seen, maxBytes);
        if (end >= 0) {
          if (end < seen.length) this.socket.unshift(Buffer.from(seen.subarray(end)));
          return seen.subarray(0, end);
        }
        if (seen.length >= maxBytes) {
          throw new ProxyError(
            "ERR_PROXY_PROTOCOL",
            `${this.describe}: the ${what} is longer than ${maxBytes} bytes without ending (not an HTTP proxy?)`,
          );
        }
        continue;
      }
      if (this.ended) {
        throw seen.length === 0
          ? this.closed(what, 0, 1)
          : new ProxyError(
              "ERR_PROXY_PROTOCOL",
              `${this.describe}: the connection closed in the middle of the ${what} (after ${seen.length} bytes)`,
            );
      }
      await this.next();
    }
  }

  /** Detaches from the socket; its buffered bytes stay for the next reader. */
  release(): void {
    this.socket.off("readable", this.onReadable);
    this.socket.off("end", this.onEnd);
    this.socket.off("close", this.onEnd);
    this.socket.off("error", this.onError);
    this.signal.removeEventListener("abort", this.onAbort);
    this.notify();
  }

  private closed(what: string, got: number, wanted: number): ProxyError {
    // Nothing at all: the proxy hung up instead of answering, which is how some proxies refuse.
    if (got === 0) {
      return new ProxyError(
        "ERR_PROXY_REFUSED",
        `${this.describe} closed the connection instead of sending its ${what} (it may not accept this client or request)`,
      );
    }
    return new ProxyError(
      "ERR_PROXY_PROTOCOL",
      `${this.describe}: the connection closed after ${got} of the ${wanted} bytes of its ${what}`,
    );
  }

  private next(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
