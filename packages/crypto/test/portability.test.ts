import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const SRC = fileURLToPath(new URL("../src", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

/** Source text without comments and string contents, so prose cannot trip the checks. */
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/.*$/gm, "")
    .replace(/`(?:\\.|[^`\\])*`/g, "``");
}

const files = sources(SRC);

describe("DESIGN.md: @purssh/crypto runs anywhere JavaScript runs", () => {
  test("there are sources to check", () => {
    expect(files.length).toBeGreaterThan(5);
  });

  test.each(files.map((f) => [relative(SRC, f), f] as const))(
    "%s imports no node: module and uses no Node global",
    (_rel, file) => {
      const text = code(readFileSync(file, "utf8"));
      const imports = [...text.matchAll(/(?:from\s+|import\s*\(\s*)["']([^"']+)["']/g)].map((m) => m[1] as string);
      for (const spec of imports) {
        expect(spec.startsWith("node:"), spec).toBe(false);
        expect(/^(@noble\/(ciphers|curves|hashes|post-quantum)\/|@purssh\/wire$|\.\.?\/)/.test(spec), spec).toBe(true);
      }
      expect(text).not.toMatch(/\b(Buffer|process|require|globalThis|window|self|setTimeout|setInterval)\b/);
      // the only platform API: crypto.getRandomValues
      for (const m of text.matchAll(/\bcrypto\.(\w+)/g)) expect(m[1]).toBe("getRandomValues");
    },
  );

  test.each(files.map((f) => [relative(SRC, f), f] as const))(
    "%s stays under 600 lines and starts with a module comment",
    (_rel, file) => {
      const text = readFileSync(file, "utf8");
      expect(text.split("\n").length).toBeLessThan(600);
      expect(text.trimStart().startsWith("/**")).toBe(true);
      expect(text).toMatch(/@module/);
    },
  );
});
