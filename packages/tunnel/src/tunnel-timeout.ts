/**
 * Timeout and AbsoluteTimeout (ipworks-spec.md §2 Timeout, §5d): a method that waits on the
 * network fails with TIMEOUT (1011) after Timeout seconds. By default the limit is an inactivity
 * limit — the window restarts whenever bytes move on the SSH connection — and with
 * AbsoluteTimeout it is a hard deadline for the whole call. Timeout 0 means no limit (the
 * Promise is the asynchronous form the vendor reaches with Timeout 0 and DoEvents).
 * @module
 */
import { SSHTunnelError, SSHTunnelErrorCodes } from "./errors.js";

/** How often inactivity is checked, at most. */
const ACTIVITY_POLL_MS = 200;

export interface TimeoutPolicy {
  timeoutSeconds: number;
  absoluteTimeout: boolean;
}

/**
 * Resolves or rejects like `op`, unless Timeout expires first: then `onTimeout` runs (to abort the
 * operation) and the call rejects with TIMEOUT. `activity` returns a counter that grows while
 * bytes move (the SSH socket's bytes read + written); without it the limit is absolute.
 */
export function withTimeout<T>(
  policy: TimeoutPolicy,
  /** What timed out, for the message (a function is asked at expiry, to name the stage reached). */
  what: string | (() => string),
  op: Promise<T>,
  activity?: () => number,
  onTimeout?: (error: SSHTunnelError) => void,
): Promise<T> {
  const limitMs = policy.timeoutSeconds * 1000;
  if (limitMs <= 0) return op;
  const inactivity = !policy.absoluteTimeout && activity !== undefined;
  return new Promise<T>((resolve, reject) => {
    let last = activity?.() ?? 0;
    let idleSince = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expire = () => {
      const name = typeof what === "string" ? what : what();
      const error = new SSHTunnelError(
        SSHTunnelErrorCodes.TIMEOUT,
        inactivity
          ? `${name} timed out: no data moved for ${policy.timeoutSeconds} s (Timeout; AbsoluteTimeout is false)`
          : `${name} timed out after ${policy.timeoutSeconds} s (Timeout${policy.absoluteTimeout ? ", AbsoluteTimeout" : ""})`,
      );
      onTimeout?.(error);
      reject(error);
    };
    const check = () => {
      const now = Date.now();
      const current = activity!();
      if (current !== last) {
        last = current;
        idleSince = now;
      }
      const left = idleSince + limitMs - now;
      if (left <= 0) expire();
      else timer = setTimeout(check, Math.min(ACTIVITY_POLL_MS, left));
    };
    timer = inactivity ? setTimeout(check, Math.min(ACTIVITY_POLL_MS, limitMs)) : setTimeout(expire, limitMs);
    op.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
