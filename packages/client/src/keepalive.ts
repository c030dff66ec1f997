/**
 * Keepalive as OpenSSH's ServerAliveInterval / ServerAliveCountMax (ssh_config(5); clientloop.c
 * `server_alive_check`): when nothing has been received from the server for one interval, send a
 * `keepalive@openssh.com` global request with want-reply (OpenSSH PROTOCOL §2.3 names no reply:
 * any answer, even REQUEST_FAILURE, proves the server alive). Anything received resets the count
 * (packet.c resets `keep_alive_timeouts` on every packet read). When countMax keepalives are
 * unanswered and one more interval passes in silence, the server is declared dead — so a server
 * that vanished without closing TCP is detected within interval × (countMax + 1), and countMax 0
 * gives up after one silent interval without sending anything, as ssh does.
 * @module
 */
import { SshError } from "@purssh/wire";

/** ssh_config ServerAliveCountMax's default. */
export const DEFAULT_KEEPALIVE_COUNT_MAX = 3;

export interface KeepaliveOptions {
  /** Silence (ms) after which a keepalive is sent; OpenSSH ServerAliveInterval. */
  intervalMs: number;
  /** Unanswered keepalives tolerated (default 3); OpenSSH ServerAliveCountMax. */
  countMax?: number;
  /** Sends one keepalive@openssh.com (with want-reply). */
  send(): void;
  /** The server is considered dead; `error` is ERR_KEEPALIVE_TIMEOUT. */
  timeout(error: SshError): void;
  now?: () => number;
}

/** Watches one connection's input and probes the server when it falls silent. */
export class KeepaliveMonitor {
  readonly intervalMs: number;
  readonly countMax: number;
  private readonly now: () => number;
  private lastReceived = 0;
  private unanswered = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  constructor(private readonly options: KeepaliveOptions) {
    const { intervalMs, countMax = DEFAULT_KEEPALIVE_COUNT_MAX } = options;
    if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) {
      throw new RangeError(`keepaliveIntervalMs must be a positive number of milliseconds, got ${intervalMs}`);
    }
    if (!Number.isInteger(countMax) || countMax < 0) {
      throw new RangeError(`keepaliveCountMax must be a non-negative integer, got ${countMax}`);
    }
    this.intervalMs = intervalMs;
    this.countMax = countMax;
    this.now = options.now ?? (() => performance.now());
  }

  /** Keepalives sent since the server was last heard from. */
  get unansweredKeepalives(): number {
    return this.unanswered;
  }

  /** True from start() until stop() or a timeout (a timer is pending). */
  get active(): boolean {
    return this.running;
  }

  /** Starts watching (after authentication, as ssh's client loop does). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.lastReceived = this.now();
    this.schedule(this.intervalMs);
  }

  /** Something arrived from the server. */
  received(): void {
    this.lastReceived = this.now();
    this.unanswered = 0;
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => this.check(), Math.max(1, Math.ceil(ms)));
    // The socket keeps the process alive; a keepalive timer alone must not.
    this.timer.unref?.();
  }

  private check(): void {
    this.timer = undefined;
    if (!this.running) return;
    const silentFor = this.now() - this.lastReceived;
    if (silentFor < this.intervalMs) {
      this.schedule(this.intervalMs - silentFor);
      return;
    }
    if (this.unanswered >= this.countMax) {
      this.stop();
      this.options.timeout(
        new SshError(
          "ERR_KEEPALIVE_TIMEOUT",
          `the server did not answer ${this.countMax} keepalives (interval ${this.intervalMs} ms)`,
        ),
      );
      return;
    }
    this.unanswered++;
    this.options.send();
    this.schedule(this.intervalMs);
  }
}
