/**
 * Drives a sans-I/O core's timers with one `setTimeout`: the core says when it next needs a
 * `tick` (the handshake deadline, time-based rekeying), the timer fires then and re-arms. The
 * timer is unref'd, so it never keeps a process alive on its own.
 * @module
 */

/** What a core with deadlines exposes (the transport does). */
export interface TimedCore {
  tick(now?: number): void;
  nextDeadline(): number | undefined;
}

/** setTimeout's upper bound (2^31 - 1 ms, about 24.8 days); longer waits re-arm on expiry. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export class DeadlineTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly core: TimedCore,
    private readonly now: () => number = Date.now,
  ) {}

  /** (Re)schedules for the core's next deadline; call after anything that may move it. */
  arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    const deadline = this.core.nextDeadline();
    if (deadline === undefined) return;
    const wait = Math.min(MAX_TIMEOUT_MS, Math.max(0, deadline - this.now()));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.core.tick(this.now());
      this.arm();
    }, wait);
    this.timer.unref?.();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
