/**
 * DESIGN.md, Layout: "Packages from wire to connection import no node: module and no global but
 * crypto.getRandomValues; a test enforces that." This is that test, plus the house rules that each
 * source file stays under 600 lines and opens with a `/**` module header (STYLE.md). Violations
 * are reported as `package/src/file.ts:line: what — source line`.
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CORE = ["wire", "crypto", "keys", "transport", "auth", "connection"] as const;
const MAX_LINES = 600;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

/**
 * Two views of TypeScript source with the same length and line breaks as the original:
 * `code` has comments, string/template text and regex literals blanked (template `${…}` code is
 * kept), `withStrings` has only comments blanked (so import specifiers survive).
 */
function blank(text: string): { code: string; withStrings: string } {
  const code = text.split("");
  const withStrings = text.split("");
  const wipe = (i: number, alsoStrings: boolean) => {
    if (text[i] === "\n") return;
    code[i] = " ";
    if (alsoStrings) withStrings[i] = " ";
  };
  const templateDepth: number[] = []; // brace depth at which each open `${` resumes its template
  let braces = 0;
  let lastSignificant = "";
  let i = 0;
  const regexCanStart = () => lastSignificant === "" || /[(,=:[!&|?{};+\-*%<>~^]$/.test(lastSignificant);
  const readTemplate = () => {
    // at a template-text position; consume until closing backtick or `${`
    while (i < text.length) {
      const c = text[i];
      if (c === "\\") {
        wipe(i, false);
        wipe(i + 1, false);
        i += 2;
      } else if (c === "`") {
        i++;
        lastSignificant = "`";
        return;
      } else if (c === "$" && text[i + 1] === "{") {
        i += 2;
        templateDepth.push(braces);
        braces++;
        lastSignificant = "{";
        return;
      } else {
        wipe(i, false);
        i++;
      }
    }
  };
  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === "/" && next === "/") {
      while (i < text.length && text[i] !== "\n") wipe(i++, true);
    } else if (c === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      while (i < stop) wipe(i++, true);
    } else if (c === '"' || c === "'") {
      i++;
      while (i < text.length && text[i] !== c && text[i] !== "\n") {
        if (text[i] === "\\") wipe(i++, false);
        wipe(i++, false);
      }
      i++;
      lastSignificant = c;
    } else if (c === "`") {
      i++;
      readTemplate();
    } else if (c === "}" && templateDepth.length > 0 && templateDepth[templateDepth.length - 1] === braces - 1) {
      templateDepth.pop();
      braces--;
      i++;
      readTemplate();
    } else if (c === "/" && regexCanStart()) {
      let inClass = false;
      wipe(i++, false);
      while (i < text.length && text[i] !== "\n" && (inClass || text[i] !== "/")) {
        if (text[i] === "\\") wipe(i++, false);
        else if (text[i] === "[") inClass = true;
        else if (text[i] === "]") inClass = false;
        wipe(i++, false);
      }
      wipe(i++, false);
      lastSignificant = "/";
    } else {
      if (c === "{") braces++;
      if (c === "}") braces--;
      if (!/\s/.test(c)) {
        // keywords after which a `/` starts a regex
        const word = /[A-Za-z_$]/.test(c) ? (/^[A-Za-z_$][\w$]*/.exec(text.slice(i))?.[0] ?? c) : c;
        lastSignificant = ["return", "typeof", "case", "of", "in", "throw", "yield", "await"].includes(word)
          ? "="
          : word;
        i += word.length;
        continue;
      }
      i++;
    }
  }
  return { code: code.join(""), withStrings: withStrings.join("") };
}

const NODE_BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith("_")));

/** Forbidden platform globals: Node's, the DOM's, and timers (the core takes its clock injected). */
const FORBIDDEN: Array<[RegExp, string]> = [
  [/(?<![.\w$])Buffer\b/g, "Node global Buffer"],
  [/(?<![.\w$])process\b(?!\s*[?]?:)/g, "Node global process"],
  [/(?<![.\w$])require\s*\(/g, "CommonJS require("],
  [/(?<![.\w$])(?:module\.exports|exports\.)/g, "CommonJS exports"],
  [/(?<![.\w$])(?:__dirname|__filename)\b/g, "Node module global"],
  [/(?<![.\w$])(?:setTimeout|setInterval|setImmediate|clearTimeout|clearInterval|clearImmediate)\b/g, "timer global"],
  [/(?<![.\w$])globalThis\s*\./g, "globalThis."],
  [/(?<![.\w$])(?:window|document|navigator|self)\s*\./g, "DOM global"],
  [/(?<![.\w$])performance\s*\./g, "performance."],
  [/(?<![.\w$])crypto\s*\.\s*(?!getRandomValues\b)[\w$]+/g, "crypto.* other than crypto.getRandomValues"],
];

interface Violation {
  line: number;
  what: string;
  source: string;
}

/** Everything in one file's text that the core may not do. */
function violations(text: string): Violation[] {
  const { code, withStrings } = blank(text);
  const lines = text.split("\n");
  const lineOf = (index: number) => text.slice(0, index).split("\n").length;
  const out: Violation[] = [];
  const add = (index: number, what: string) => {
    const line = lineOf(index);
    out.push({ line, what, source: (lines[line - 1] ?? "").trim() });
  };

  const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(["'])([^"'\n]+)\1/g;
  for (const m of withStrings.matchAll(specifier)) {
    const spec = m[2] as string;
    const bare = spec.split("/")[0] as string;
    if (spec.startsWith("node:")) add(m.index, `imports the Node module "${spec}"`);
    else if (NODE_BUILTINS.has(spec) || NODE_BUILTINS.has(bare)) add(m.index, `imports the Node builtin "${spec}"`);
  }
  for (const [re, what] of FORBIDDEN) for (const m of code.matchAll(re)) add(m.index, `uses ${what}`);
  return out.sort((a, b) => a.line - b.line);
}

const files = CORE.flatMap((pkg) =>
  sources(join(ROOT, "packages", pkg, "src")).map((path) => ({ pkg, path, rel: relative(ROOT, path) })),
);

describe("DESIGN.md: the protocol core (wire … connection) runs anywhere JavaScript runs", () => {
  test.each(CORE)("DESIGN.md Layout: packages/%s/src has TypeScript sources to check", (pkg) => {
    expect(files.filter((f) => f.pkg === pkg).length).toBeGreaterThan(0);
  });

  test.each(files.map((f) => [f.rel, f.path] as const))(
    "DESIGN.md Layout: %s imports no node: module and uses no global but crypto.getRandomValues",
    (rel, path) => {
      const found = violations(readFileSync(path, "utf8")).map((v) => `${rel}:${v.line}: ${v.what} — ${v.source}`);
      expect(found).toEqual([]);
    },
  );

  test.each(files.map((f) => [f.rel, f.path] as const))(
    `DESIGN.md Layout / STYLE.md: %s is under ${MAX_LINES} lines and starts with a /** module header`,
    (rel, path) => {
      const text = readFileSync(path, "utf8");
      const lineCount = text.endsWith("\n") ? text.split("\n").length - 1 : text.split("\n").length;
      expect(lineCount, `${rel}:${lineCount}: ${lineCount} lines (limit ${MAX_LINES})`).toBeLessThan(MAX_LINES);
      expect(text.startsWith("/**"), `${rel}:1: does not start with a /** module header`).toBe(true);
    },
  );
});

describe("the purity scanner itself", () => {
  const OPEN = "\u0024{"; // a template placeholder opener, spelled so that it stays plain text here

  test("DESIGN.md Layout: it reports node: imports, bare builtins and require, with their lines", () => {
    const text = [
      'import { readFileSync } from "node:fs";',
      'import * as net from "net";',
      'import { promises } from "fs/promises";',
      'const os = require("os");',
      'const later = await import("node:crypto");',
      'import { x } from "./local.js";',
      'import { sha256 } from "@noble/hashes/sha2.js";',
    ].join("\n");
    expect(violations(text).map((v) => v.line)).toEqual([1, 2, 3, 4, 4, 5]);
  });

  test("DESIGN.md Layout: it reports Node, DOM and timer globals and crypto other than getRandomValues", () => {
    const text = [
      "const a = Buffer.from(x);",
      "if (process.env.X) {}",
      "setTimeout(f, 1);",
      "globalThis.foo = 1;",
      "window.alert(1);",
      "performance.now();",
      "crypto.subtle.digest();",
      "crypto.getRandomValues(new Uint8Array(8));",
      "const t = new TextEncoder(); new TextDecoder();",
    ].join("\n");
    expect(violations(text).map((v) => v.line)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(violations(text)[0]).toEqual({
      line: 1,
      what: "uses Node global Buffer",
      source: "const a = Buffer.from(x);",
    });
  });

  test("DESIGN.md Layout: prose in comments, strings, templates and regexes is not code", () => {
    const text = [
      "/** Buffer, process and setTimeout are banned; see require(). */",
      '// import x from "node:fs"',
      'const s = "no Buffer here, nor process.env";',
      `const t = \`a process ${OPEN}n} with setTimeout\`;`,
      "const r = /process|Buffer/g;",
      "const o = { process: 1 }; o.process(); ctx.crypto.foo;",
      'throw new Error("window.alert");',
    ].join("\n");
    expect(violations(text)).toEqual([]);
  });

  test("DESIGN.md Layout: code inside a template literal's placeholders is still checked", () => {
    const text = `const t = \`x ${OPEN}Buffer.from(y)} z\`;`;
    expect(violations(text).map((v) => v.what)).toEqual(["uses Node global Buffer"]);
  });
});
