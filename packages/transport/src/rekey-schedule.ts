/**
 * When to re-exchange keys (RFC 4253 §9: after 1 GiB or one hour, whichever comes first; RFC 4344
 * §3.1: before a sequence number can wrap). Counts payload bytes and packets in both directions
 * since the last NEWKEYS.
 * @module
 */
import { REKEY_PACKETS } from "./limits.js";

export class RekeySchedule {
  private bytes = 0;
  private packets = 0;
  private lastKexAt: number;

  constructor(
    private readonly limitBytes: number,
    /** 0 disables time-based rekeying. */
    private readonly intervalMs: number,
    now: number,
  ) {
    this.lastKexAt = now;
  }

  /** One packet of `payloadLength` bytes went out or came in. */
  count(payloadLength: number): void {
    this.bytes += payloadLength;
    this.packets++;
  }

  /** The byte or packet limit is reached. */
  get volumeExceeded(): boolean {
    return this.bytes >= this.limitBytes || this.packets >= REKEY_PACKETS;
  }

  /** The time limit is reached at `now`. */
  timeExceeded(now: number): boolean {
    return this.intervalMs > 0 && now >= this.lastKexAt + this.intervalMs;
  }

  /** When the time limit falls due, or undefined if time-based rekeying is off. */
  get deadline(): number | undefined {
    return this.intervalMs > 0 ? this.lastKexAt + this.intervalMs : undefined;
  }

  /** A key exchange completed at `now`: start counting again. */
  reset(now: number): void {
    this.bytes = 0;
    this.packets = 0;
    this.lastKexAt = now;
  }
}
