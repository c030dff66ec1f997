// DESIGN.md principle 9 / vectors-security.md §3.4: limits are named constants with sane values.
import { describe, expect, test } from "vitest";
import * as limits from "../src/limits.js";

/** Limits whose documented default is 0, meaning "none" or "off". */
const ZERO_BY_DESIGN = new Set(["MAX_CLIENT_PRE_VERSION_LINES", "DEFAULT_KEEPALIVE_INTERVAL_MS"]);

function numbers(value: unknown, path: string): [string, number][] {
  if (typeof value === "number") return [[path, value]];
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => numbers(v, `${path}.${k}`));
  }
  throw new Error(`${path} is not a number or a record of numbers`);
}

describe("defensive limits (vectors-security.md §3.4)", () => {
  test("every limit is a finite non-negative integer, positive unless 0 documents 'off'", () => {
    for (const [name, value] of Object.entries(limits)) {
      for (const [path, n] of numbers(value, name)) {
        expect(Number.isSafeInteger(n), path).toBe(true);
        if (ZERO_BY_DESIGN.has(name)) expect(n, path).toBe(0);
        else expect(n, path).toBeGreaterThan(0);
      }
    }
  });

  test("limits agree with the RFCs they cite and with each other", () => {
    // RFC 4253 §6.1: implementations MUST handle 35 000-byte packets and 32 768-byte payloads
    expect(limits.MAX_PACKET_LENGTH).toBeGreaterThanOrEqual(35_000);
    expect(limits.MAX_DECOMPRESSED_PAYLOAD).toBeGreaterThanOrEqual(32_768);
    // RFC 4253 §6: 4 ≤ padding ≤ 255
    expect([limits.MIN_PADDING_LENGTH, limits.MAX_PADDING_LENGTH]).toEqual([4, 255]);
    // a full KEXINIT of ten maximal name-lists still fits one packet
    expect(10 * limits.MAX_NAME_LIST_LENGTH).toBeLessThan(limits.MAX_PACKET_LENGTH);
    // RFC 4344 §3.1: rekey long before a 32-bit sequence number wraps
    expect(limits.REKEY_PACKETS).toBeLessThan(2 ** 32);
    expect(limits.MAX_STARTUPS.begin).toBeLessThan(limits.MAX_STARTUPS.full);
    expect(limits.MAX_STARTUPS.rate).toBeLessThanOrEqual(100);
    expect(limits.MAX_AUTH_FAILURES).toBeLessThan(limits.MAX_AUTH_REQUESTS);
  });
});
