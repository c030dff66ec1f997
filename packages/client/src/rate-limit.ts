/**
 * A transfer-rate limit for one SSH connection (the seed's MaxTransferRate, `maxTransferRate`):
 * token buckets behind the connection's transfer gate (@purssh/connection transfer-gate.ts), one
 * for the channel data we send and one for the channel data we accept, each refilled at the rate.
 * Sending waits for tokens as it waits for window; received data is handed to the application as
 * tokens allow, and since window credit follows consumption (RFC 4254 §5.2, DESIGN.md principle
 * 6) the peer is credited only at the rate and nothing beyond its window is ever buffered.
 * When a channel is refused, one timer wakes the connection once a useful amount has refilled.
 * @module
 */
import type { TransferDirection, TransferGate } from "@purssh/connection";

/** The burst a bucket holds when full: this many seconds of the rate (our choice: 100 ms). */
export const RATE_LIMIT_BURST_SECONDS = 0.1;
/**
 * Below this many tokens a direction waits rather than sending a sliver (our choice: one full
 * 32 KiB packet, OpenSSH's CHAN_SES_PACKET_DEFAULT, unless the burst itself is smaller).
 */
export const RATE_LIMIT_MIN_CHUNK = 32 * 1024;

/** A token bucket: `ratePerSecond` tokens a second, at most `capacity` saved up; starts full. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly ratePerSecond: number,
    readonly capacity: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
      throw new RangeError(`a token bucket needs a positive finite rate, got ${ratePerSecond}`);
    }
    if (!(capacity >= 1) || !Number.isFinite(capacity)) {
      throw new RangeError(`a token bucket needs a capacity of at least 1, got ${capacity}`);
    }
    this.tokens = capacity;
    this.last = this.now();
  }

  /** Whole tokens available now. */
  available(): number {
    this.refill();
    return Math.floor(this.tokens);
  }

  /** Takes `n` tokens (the caller asked available() first). */
  take(n: number): void {
    this.refill();
    this.tokens -= n;
  }

  /** Milliseconds until `n` tokens are available (0 if they are). */
  msUntil(n: number): number {
    this.refill();
    return n <= this.tokens ? 0 : ((n - this.tokens) / this.ratePerSecond) * 1000;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
  }
}

/** The transfer gate of one connection: `bytesPerSecond` each way. */
export class TransferRateLimiter implements TransferGate {
  private readonly buckets: Record<TransferDirection, TokenBucket>;
  /** Tokens a direction waits for once refused. */
  readonly minChunk: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private stopped = false;

  constructor(
    readonly bytesPerSecond: number,
    /** Called once refused bytes may move (the connection's resume()). */
    private readonly wake: () => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(bytesPerSecond > 0) || !Number.isFinite(bytesPerSecond)) {
      throw new RangeError(`maxTransferRate must be a positive number of bytes per second, got ${bytesPerSecond}`);
    }
    const capacity = Math.max(1, bytesPerSecond * RATE_LIMIT_BURST_SECONDS);
    this.minChunk = Math.max(1, Math.floor(Math.min(capacity, RATE_LIMIT_MIN_CHUNK)));
    this.buckets = {
      send: new TokenBucket(bytesPerSecond, capacity, now),
      receive: new TokenBucket(bytesPerSecond, capacity, now),
    };
  }

  allowance(direction: TransferDirection): number {
    const bucket = this.buckets[direction];
    const available = bucket.available();
    if (available >= this.minChunk) return available;
    this.arm(bucket.msUntil(this.minChunk));
    return 0;
  }

  spend(direction: TransferDirection, n: number): void {
    this.buckets[direction].take(n);
  }

  /** True while a wake-up is scheduled. */
  get waiting(): boolean {
    return this.timer !== undefined;
  }

  /** The connection closed: no more wake-ups. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    if (this.stopped) return;
    const wait = Math.max(1, Math.ceil(ms));
    const at = this.now() + wait;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.wake();
    }, wait);
    // The connection's socket keeps the process alive while there is anything to move.
    this.timer.unref?.();
  }
}
