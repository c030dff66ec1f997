// reconnectDelay: the seed's RetryInterval before the first retry, then exponential backoff to
// 60 s with ±20 % jitter (DESIGN.md "The facade contract": Reconnect).

import { fc, test as fcTest } from "@fast-check/vitest";
import { reconnectDelay } from "@purssh/client";
import { describe, expect, test } from "vitest";

const fixed = (r: number) => () => r;

describe("reconnectDelay", () => {
  test("defaults: 5 s before the first retry (RetryInterval), ±20 % jitter", () => {
    expect(reconnectDelay(1, { random: fixed(0.5) })).toBe(5000);
    expect(reconnectDelay(1, { random: fixed(0) })).toBe(4000);
    expect(reconnectDelay(1, { random: fixed(0.999999) })).toBe(6000);
  });

  test("doubles after each failed attempt and stops at 60 s", () => {
    const mid = { random: fixed(0.5) };
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50, 10_000].map((a) => reconnectDelay(a, mid))).toEqual([
      5000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000,
    ]);
    const small = { retryIntervalMs: 200, maxBackoffMs: 1000, random: fixed(0.5) };
    expect([1, 2, 3, 4, 5].map((a) => reconnectDelay(a, small))).toEqual([200, 400, 800, 1000, 1000]);
  });

  test("the cap never shortens the first wait; jitter 0 is exact; interval 0 retries at once", () => {
    expect(reconnectDelay(1, { retryIntervalMs: 90_000, random: fixed(0.5) })).toBe(90_000);
    expect(reconnectDelay(3, { retryIntervalMs: 90_000, random: fixed(0.5) })).toBe(90_000);
    expect(reconnectDelay(2, { retryIntervalMs: 300, jitter: 0, random: Math.random })).toBe(600);
    expect(reconnectDelay(9, { retryIntervalMs: 0 })).toBe(0);
  });

  test("invalid attempts and policies are rejected", () => {
    expect(() => reconnectDelay(0, {})).toThrow(RangeError);
    expect(() => reconnectDelay(1.5, {})).toThrow(RangeError);
    expect(() => reconnectDelay(1, { retryIntervalMs: -1 })).toThrow(RangeError);
    expect(() => reconnectDelay(1, { jitter: 1.5 })).toThrow(RangeError);
    expect(() => reconnectDelay(1, { maxRetryCount: -2 })).toThrow(RangeError);
  });

  fcTest.prop(
    [
      fc.integer({ min: 1, max: 200 }),
      fc.integer({ min: 0, max: 120_000 }),
      fc.integer({ min: 0, max: 120_000 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    ],
    { numRuns: 500 },
  )(
    "every wait lies within ±jitter of min(interval × 2^(attempt−1), max(cap, interval))",
    (attempt, retryIntervalMs, maxBackoffMs, jitter, r) => {
      const delay = reconnectDelay(attempt, { retryIntervalMs, maxBackoffMs, jitter, random: () => r });
      const base = Math.min(Math.max(maxBackoffMs, retryIntervalMs), retryIntervalMs * 2 ** (attempt - 1));
      expect(Number.isInteger(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(Math.floor(base * (1 - jitter)));
      expect(delay).toBeLessThanOrEqual(Math.ceil(base * (1 + jitter)));
    },
  );

  fcTest.prop([fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })], {
    numRuns: 300,
  })("with the seed's defaults every wait is within 4–72 s and the un-jittered wait never shrinks", (attempt, r) => {
    const delay = reconnectDelay(attempt, { random: () => r });
    expect(delay).toBeGreaterThanOrEqual(4000);
    expect(delay).toBeLessThanOrEqual(72_000);
    expect(reconnectDelay(attempt + 1, { jitter: 0 })).toBeGreaterThanOrEqual(reconnectDelay(attempt, { jitter: 0 }));
  });
});
