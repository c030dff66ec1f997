import { defaultRandomBytes } from "@purssh/crypto";
import { SshError } from "@purssh/wire";
import { describe, expect, test } from "vitest";

describe("defaultRandomBytes (crypto.getRandomValues)", () => {
  test("returns exactly the number of bytes asked for", () => {
    for (const n of [0, 1, 16, 32, 65_536]) expect(defaultRandomBytes(n)).toHaveLength(n);
  });

  test("fills requests larger than getRandomValues' 65,536-byte limit in every chunk", () => {
    const n = 3 * 65_536 + 100;
    const out = defaultRandomBytes(n);
    expect(out).toHaveLength(n);
    for (let start = 0; start < n; start += 65_536) {
      const chunk = out.subarray(start, Math.min(n, start + 65_536));
      expect(chunk.some((b) => b !== 0)).toBe(true);
    }
    // the tail beyond the last full chunk is random as well, not left zero
    expect(out.subarray(3 * 65_536).some((b) => b !== 0)).toBe(true);
  });

  test("two draws differ", () => {
    expect(defaultRandomBytes(32)).not.toEqual(defaultRandomBytes(32));
  });

  test("a negative or fractional length is refused", () => {
    expect(() => defaultRandomBytes(-1)).toThrow(SshError);
    expect(() => defaultRandomBytes(1.5)).toThrow(SshError);
  });
});
