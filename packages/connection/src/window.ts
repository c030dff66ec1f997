/**
 * Channel flow control (RFC 4254 §5.2): window accounting for the receiving direction of one
 * channel. Credit is granted only when the application has consumed data, never on arrival
 * (DESIGN.md principle 6), so a slow consumer bounds what we buffer to the window.
 * @module
 */
import { DISCONNECT, ProtocolError } from "@purssh/wire";

export class ReceiveWindow {
  /** Bytes the peer may still send. */
  available: number;
  /** Bytes consumed by the application and not yet returned to the peer. */
  private consumedUncredited = 0;
  /** Bytes received and not yet consumed: consumption beyond it grants no extra credit. */
  private held = 0;

  constructor(
    readonly size: number,
    readonly maxPacket: number,
  ) {
    this.available = size;
  }

  /** Debits an arriving packet; overrunning the window or the packet size is fatal. */
  debit(n: number, channel: number): void {
    if (n > this.maxPacket) {
      throw new ProtocolError(
        "ERR_CHANNEL_PACKET_TOO_LARGE",
        `peer sent ${n} bytes on channel ${channel}, above the ${this.maxPacket}-byte maximum packet size`,
        DISCONNECT.PROTOCOL_ERROR,
      );
    }
    if (n > this.available) {
      throw new ProtocolError(
        "ERR_CHANNEL_WINDOW_EXCEEDED",
        `peer ignored the channel window: ${n} bytes on channel ${channel} with only ${this.available} left`,
        DISCONNECT.PROTOCOL_ERROR,
      );
    }
    this.available -= n;
    this.held += n;
  }

  /**
   * Records consumption; returns the credit to send in WINDOW_ADJUST (0 while less than half the
   * window has been consumed, to avoid a flood of tiny adjustments).
   */
  consume(n: number): number {
    const taken = Math.min(n, this.held);
    this.held -= taken;
    this.consumedUncredited += taken;
    if (this.consumedUncredited < this.size / 2) return 0;
    const credit = this.consumedUncredited;
    this.consumedUncredited = 0;
    this.available += credit;
    return credit;
  }
}

/** The peer's window for our sending direction; WINDOW_ADJUST past 2^32-1 is fatal (§5.2). */
export class SendWindow {
  constructor(
    public available: number,
    readonly maxPacket: number,
  ) {}

  adjust(n: number, channel: number): void {
    if (this.available + n > 0xffffffff) {
      throw new ProtocolError(
        "ERR_CHANNEL_WINDOW_OVERFLOW",
        `WINDOW_ADJUST of ${n} on channel ${channel} overflows the window past 2^32-1`,
        DISCONNECT.PROTOCOL_ERROR,
      );
    }
    this.available += n;
  }
}
