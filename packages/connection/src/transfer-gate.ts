/**
 * The hook for a transfer-rate limit on channel data (RFC 4254 §5.2 CHANNEL_DATA and
 * CHANNEL_EXTENDED_DATA), shared by every channel of a connection. The core has no clock
 * (DESIGN.md principle 3): the I/O layer owns the budget (a token bucket), and when it has refused
 * bytes it calls `Connection.resume()` once more may move.
 *
 * Sending: a channel sends at most `allowance("send")` bytes and queues the rest (as it does for
 * the peer's window). Receiving: data is debited from the receive window on arrival, as always,
 * but handed to the application only as `allowance("receive")` permits; the rest is held in
 * arrival order (with the EOF, CLOSE and requests behind it). Credit follows consumption, so the
 * peer's window is credited only as fast as the budget lets data through, and what is held never
 * exceeds the window.
 * @module
 */

/** Which way channel data moves: to the peer ("send") or to the application ("receive"). */
export type TransferDirection = "send" | "receive";

export interface TransferGate {
  /** Bytes of channel data that may move now (0: wait for `Connection.resume()`). */
  allowance(direction: TransferDirection): number;
  /** `n` bytes moved (never more than the last allowance). */
  spend(direction: TransferDirection, n: number): void;
}
