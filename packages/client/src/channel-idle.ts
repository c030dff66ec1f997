/**
 * The channel idle timeout (the seed's DefaultChannelIdleTimeout, `channelIdleTimeoutMs`), after
 * OpenSSH's ChannelTimeout (ssh_config(5) and sshd_config(5), OpenSSH 9.2+): a forwarding channel
 * — direct-tcpip, forwarded-tcpip and their streamlocal twins (RFC 4254 §7.2, OpenSSH PROTOCOL
 * §2.4) — that carried no channel data either way for the timeout is closed (CHANNEL_CLOSE,
 * RFC 4254 §5.3). Session channels are left alone: a quiet command is not an idle forwarding.
 * Activity is read from the channels' byte counters by a scan every quarter timeout, so a channel
 * is closed between 1 and 1.25 timeouts after its last byte.
 * @module
 */
import type { Channel } from "@purssh/connection";

/** The channel types the idle timeout applies to. */
export const IDLE_TIMEOUT_CHANNEL_TYPES: ReadonlySet<string> = new Set([
  "direct-tcpip",
  "forwarded-tcpip",
  "direct-streamlocal@openssh.com",
  "forwarded-streamlocal@openssh.com",
]);

/** The scan never runs more often than this (ms), whatever the timeout. */
const MIN_SCAN_MS = 10;

interface Activity {
  bytes: number;
  since: number;
}

/** Closes idle forwarding channels of one connection. */
export class ChannelIdleWatch {
  private readonly seen = new WeakMap<Channel, Activity>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly channels: () => readonly Channel[],
    readonly idleMs: number,
    private readonly log?: (level: 1 | 2 | 3, text: string) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(idleMs > 0) || !Number.isFinite(idleMs)) {
      throw new RangeError(`channelIdleTimeoutMs must be a positive number of milliseconds, got ${idleMs}`);
    }
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.scan(), Math.max(MIN_SCAN_MS, this.idleMs / 4));
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Closes every forwarding channel idle for the timeout; returns how many. */
  scan(): number {
    const now = this.now();
    let closed = 0;
    for (const channel of this.channels()) {
      if (channel.closed || !IDLE_TIMEOUT_CHANNEL_TYPES.has(channel.type)) continue;
      const bytes = channel.bytesSent + channel.bytesReceived;
      const seen = this.seen.get(channel);
      if (!seen || seen.bytes !== bytes) {
        this.seen.set(channel, { bytes, since: now });
        continue;
      }
      if (now - seen.since < this.idleMs) continue;
      this.log?.(1, `channel ${channel.localId} (${channel.type}) idle for ${this.idleMs} ms: closing it`);
      channel.close();
      closed++;
    }
    return closed;
  }
}
