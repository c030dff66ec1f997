/**
 * DESIGN.md: packages from wire to connection import no `node:` module and use no global but
 * crypto.getRandomValues (and TextEncoder/TextDecoder, types/web-globals.d.ts), so that
 * @purssh/keys runs in browsers, Deno, Bun and workers.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));
const files = readdirSync(SRC, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));

describe("@purssh/keys source is platform-neutral", () => {
  test.each(files)("%s imports only @noble/*, @purssh/* and relative modules", (f) => {
    const text = readFileSync(join(SRC, f), "utf8");
    const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map((m) => m[1] ?? "");
    for (const s of specifiers)
      expect(s, f).toMatch(/^(\.\/|@noble\/(curves|hashes|ciphers)\/|@purssh\/(wire|crypto)$)/);
  });

  test.each(files)("%s uses no Node or DOM global (Buffer, process, require, window, …)", (f) => {
    const code = readFileSync(join(SRC, f), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/.*$/gm, "");
    expect(code, f).not.toMatch(
      /\b(Buffer|process|require|__dirname|globalThis|window|document|setTimeout|atob|btoa)\b/,
    );
    const cryptoUses = [...code.matchAll(/\bcrypto\.(\w+)/g)].map((m) => m[1]);
    for (const u of cryptoUses) expect(u, f).toBe("getRandomValues");
  });

  test.each(files)("%s stays under ~600 lines and starts with a module header", (f) => {
    const text = readFileSync(join(SRC, f), "utf8");
    expect(text.split("\n").length).toBeLessThan(600);
    expect(text.startsWith("/**")).toBe(true);
  });
});
