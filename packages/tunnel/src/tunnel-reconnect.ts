/**
 * AutoReconnect (ipworks-spec.md §8.6; DESIGN.md "Reconnect"): after a connection ends without
 * SSHLogoff, ReconnectAttempt fires and, RetryInterval seconds later (then with exponential
 * backoff to 60 s, ±20 % jitter), the whole SSHLogon runs again — Connected, SSHStatus,
 * SSHServerAuthentication and the auth events each time — and every forwarding is asked for
 * again. MaxRetryCount attempts (0 = unlimited), then Error 1052. SSHLogoff, reset or an explicit
 * SSHLogon stops it.
 * @module
 */
import { reconnectDelay } from "@purssh/client";
import { SSHTunnelError, SSHTunnelErrorCodes } from "./errors.js";
import type { SSHReverseTunnel } from "./tunnel.js";
import { logLine, logon } from "./tunnel-logon.js";

export class Reconnector {
  private run: { cancelled: boolean; wake: () => void } | undefined;

  constructor(private readonly t: SSHReverseTunnel) {}

  get active(): boolean {
    return this.run !== undefined;
  }

  /** Starts retrying host:port after `cause` ended the connection. */
  start(host: string, port: number, cause: SSHTunnelError): void {
    if (this.run) return;
    const run = { cancelled: false, wake: () => {} };
    this.run = run;
    void this.loop(run, host, port, cause).finally(() => {
      if (this.run === run) this.run = undefined;
    });
  }

  cancel(): void {
    if (!this.run) return;
    this.run.cancelled = true;
    this.run.wake();
    this.run = undefined;
  }

  private async loop(run: { cancelled: boolean; wake: () => void }, host: string, port: number, cause: SSHTunnelError) {
    const t = this.t;
    let last = cause;
    for (let attempt = 1; !run.cancelled; attempt++) {
      const max = t.settings.maxRetryCount;
      if (max > 0 && attempt > max) {
        t.forwardings.clear();
        t.emit("Error", {
          errorCode: SSHTunnelErrorCodes.RECONNECT_FAILED,
          description: `AutoReconnect gave up after ${max} attempts (MaxRetryCount); the last error: ${last.message}`,
        });
        return;
      }
      const delayMs = reconnectDelay(attempt, { retryIntervalMs: t.settings.retryIntervalSeconds * 1000 });
      t.emit("ReconnectAttempt", {
        attempt,
        maxRetryCount: max,
        delayMs,
        statusCode: last.code,
        description: last.message,
      });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        run.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (run.cancelled) return;
      try {
        const session = await logon(t, host, port);
        if (run.cancelled) {
          session.closing = true;
          await session.client.close();
          return;
        }
        await t.forwardings.restore(session.client).catch((e: unknown) => {
          const te = SSHTunnelError.from(e);
          t.emit("Error", { errorCode: te.code, description: `after reconnecting: ${te.message}` });
        });
        logLine(t, 1, `reconnected to ${host}:${port} (attempt ${attempt})`);
        return;
      } catch (e) {
        last = SSHTunnelError.from(e);
        logLine(t, 1, `reconnect attempt ${attempt} failed: ${last.message}`);
      }
    }
  }
}
