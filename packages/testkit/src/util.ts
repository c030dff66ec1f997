// Small test utilities: random bytes, hashing, timeouts, CI detection.
import { createHash, getRandomValues } from "node:crypto";

/** `n` cryptographically random bytes (any size; getRandomValues is limited to 64 KiB a call). */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += 65536) getRandomValues(out.subarray(off, Math.min(n, off + 65536)));
  return out;
}

/** Lower-case hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Settles like `promise`, or rejects with "`what` timed out after `ms` ms". Clears its timer. */
export function withTimeout<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    Promise.resolve(promise).then(
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

/** True when running under CI (`CI=true` or `CI=1`): sshd-dependent tests must fail, not skip. */
export function isCi(): boolean {
  return /^(1|true)$/i.test(process.env.CI ?? "");
}
