// The newcomer's demo (`npm start`): the BUILT demo run as a child process, exactly as
// `npm start -- …` runs it (`node packages/tunnel/dist/demo.js …`; `npm test` builds first). A
// process that exits 0 by itself within a few seconds after logging off has leaked no handles.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fingerprintHex, formatOpenSshPrivateKey, generateKey } from "@purssh/keys";
import { createServer, type SshServer } from "@purssh/server";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { parseDemoArgs, toColonHex } from "../src/demo-args.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const demoJs = join(repoRoot, "packages/tunnel/dist/demo.js");

interface Run {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Exit code, or a string saying it did not exit in time (then it was killed). */
  exit: (withinMs: number) => Promise<number | string>;
  /** Resolves once stdout matches. */
  waitFor: (re: RegExp, withinMs: number) => Promise<void>;
}

const running: ChildProcess[] = [];

function runDemo(args: string[]): Run {
  const proc = spawn(process.execPath, [demoJs, ...args], {
    cwd: repoRoot,
    env: { ...process.env, FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.push(proc);
  let out = "";
  let err = "";
  const waiters: (() => void)[] = [];
  proc.stdout!.on("data", (d) => {
    out += d;
    for (const w of waiters) w();
  });
  proc.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<number>((resolve) => proc.on("exit", (c, signal) => resolve(c ?? (signal ? -1 : -2))));
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    exit: (withinMs) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<string>((resolve) => {
        timer = setTimeout(() => {
          proc.kill("SIGKILL");
          resolve(`did not exit within ${withinMs} ms`);
        }, withinMs);
      });
      return Promise.race([exited, late]).finally(() => clearTimeout(timer));
    },
    waitFor: (re, withinMs) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${re} within ${withinMs} ms; stdout:\n${out}\nstderr:\n${err}`)),
          withinMs,
        );
        const check = () => {
          if (re.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        };
        waiters.push(check);
        check();
        exited.then(() => setTimeout(check, 0));
      }),
  };
}

beforeAll(() => {
  if (!existsSync(demoJs))
    throw new Error(`${demoJs} is missing: build first (npx tsc -b tsconfig.build.json; npm test does)`);
});

afterAll(() => {
  for (const p of running) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
});

const STEPS = [
  /^✓ embedded SSH server listening on 127\.0\.0\.1:\d+ \(host key SHA256:[A-Za-z0-9+/]{43}\)$/m,
  /^✓ local app listening on 127\.0\.0\.1:\d+$/m,
  /^✓ host key ssh-ed25519 SHA256:\S+ matches the pinned fingerprint$/m,
  /^✓ logged in as demo with a generated password \(server SSH-2\.0-\S+\)$/m,
  /^✓ server forwards 127\.0\.0\.1:\d+ → local app 127\.0\.0\.1:\d+$/m,
  /^✓ GET http:\/\/127\.0\.0\.1:\d+\/ → 200 "hello from the local app behind the tunnel \(request 1: GET \/\)"$/m,
  /^✓ logged off; embedded server and local app closed$/m,
];

describe("npm start (the built demo)", () => {
  test("--once: every step on the embedded server, the app's page through the tunnel, exit 0 by itself", async () => {
    const run = runDemo(["--once"]);
    const code = await run.exit(15_000);
    expect({ code, stderr: run.stderr() }).toEqual({ code: 0, stderr: "" });
    const out = run.stdout();
    for (const re of STEPS) expect(out).toMatch(re);
    // The host key printed by the server is the one pinned; the forwarded port is the one fetched.
    const serverKey = /host key (SHA256:\S+)\)/.exec(out)![1];
    expect(out).toContain(`ssh-ed25519 ${serverKey} matches`);
    const [, forwarded, appPort] = /forwards 127\.0\.0\.1:(\d+) → local app 127\.0\.0\.1:(\d+)/.exec(out)!;
    expect(out).toContain(`local app listening on 127.0.0.1:${appPort}`);
    expect(out).toContain(`GET http://127.0.0.1:${forwarded}/ → 200`);
    expect(forwarded).not.toBe(appPort);
    expect(out).not.toMatch(/^live:/m);
  });

  test("live: shows the status line, then Ctrl-C logs off and exits 0", async () => {
    const run = runDemo([]);
    await run.waitFor(
      /^live: \d+ connections? \(\d+ open\), \d+(\.\d)? (B|KiB|MiB) relayed, \d+ requests? served/m,
      15_000,
    );
    expect(run.proc.kill("SIGINT")).toBe(true);
    const code = await run.exit(10_000);
    expect({ code, stderr: run.stderr() }).toEqual({ code: 0, stderr: "" });
    const out = run.stdout();
    for (const re of STEPS) expect(out).toMatch(re);
    // The live line comes after the steps and before the log-off line.
    expect(out.indexOf("live:")).toBeGreaterThan(out.indexOf("✓ GET"));
    expect(out.lastIndexOf("live:")).toBeLessThan(out.indexOf("✓ logged off"));
    // Not a TTY: plain lines, no carriage returns or escape sequences.
    expect(out).not.toContain("\r");
    expect(out).not.toContain("\u001b[");
  });

  test("--help prints the usage and exits 0", async () => {
    const run = runDemo(["--help"]);
    expect(await run.exit(10_000)).toBe(0);
    expect(run.stdout()).toContain("npm start -- --host HOST");
    expect(run.stdout()).toContain("--once");
    expect(run.stdout()).toContain("Ctrl-C");
    expect(run.stderr()).toBe("");
  });

  test("a bad command line prints why and the usage, exit 2", async () => {
    for (const args of [["--bogus"], ["--user", "me"], ["--host", "h", "--user", "u"]]) {
      const run = runDemo(args);
      expect(await run.exit(10_000)).toBe(2);
      expect(run.stderr()).toContain("npm start -- --host HOST");
      expect(run.stdout()).toBe("");
    }
  });
});

describe("npm start -- --host … (a server of your own)", () => {
  const hostKey = generateKey({ type: "ed25519" });
  const clientKey = generateKey({ type: "ed25519" });
  let server: SshServer | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  async function start(): Promise<number> {
    server = createServer({
      hostKeys: [hostKey],
      auth: {
        password: (ctx, pw) => ctx.username === "alice" && pw === "s3cret",
        publicKey: (ctx, c) => ctx.username === "alice" && c.key.type === "ssh-ed25519",
      },
    });
    return (await server.listen(0, "127.0.0.1")).port;
  }

  test("password and a pinned SHA256 fingerprint: the same steps, exit 0", async () => {
    const port = await start();
    const fp = server!.fingerprints[0]!;
    const args = ["--host", "127.0.0.1", "--port", String(port), "--user", "alice", "--password", "s3cret"];
    const run = runDemo([...args, "--fingerprint", fp, "--once"]);
    expect({ code: await run.exit(15_000), stderr: run.stderr() }).toEqual({ code: 0, stderr: "" });
    const out = run.stdout();
    expect(out).not.toContain("embedded SSH server");
    expect(out).toContain(`✓ host key ssh-ed25519 ${fp} matches the pinned fingerprint`);
    expect(out).toMatch(/^✓ logged in as alice with password /m);
    expect(out).toMatch(/^✓ GET http:\/\/127\.0\.0\.1:\d+\/ → 200 "hello from the local app behind the tunnel/m);
    expect(out).toMatch(/^✓ logged off; local app closed$/m);
  });

  test("a fingerprint that does not match: refused, exit 1", async () => {
    const port = await start();
    const other = `SHA256:${Buffer.alloc(32, 7).toString("base64").replace(/=+$/, "")}`;
    const args = ["--host", "127.0.0.1", "--port", String(port), "--user", "alice", "--password", "s3cret"];
    const run = runDemo([...args, "--fingerprint", other, "--once"]);
    expect(await run.exit(15_000)).toBe(1);
    expect(run.stderr()).toContain("does NOT match the pinned fingerprint");
    expect(run.stderr()).toMatch(/demo failed/);
    expect(run.stdout()).not.toContain("logged in");
  });

  test("a key file, host key trusted on first use", async () => {
    const port = await start();
    dir = mkdtempSync(join(tmpdir(), "purssh-demo-"));
    const keyFile = join(dir, "id_ed25519");
    writeFileSync(keyFile, formatOpenSshPrivateKey(clientKey), { mode: 0o600 });
    const run = runDemo(["--host", "127.0.0.1", "--port", String(port), "--user", "alice", "--key", keyFile, "--once"]);
    expect({ code: await run.exit(15_000), stderr: run.stderr() }).toEqual({ code: 0, stderr: "" });
    expect(run.stdout()).toContain(`trusted on first use (pin it with --fingerprint ${server!.fingerprints[0]})`);
    expect(run.stdout()).toContain(`✓ logged in as alice with the key ${keyFile}`);
  });
});

describe("demo arguments", () => {
  test("SHA256:base64 (server, ssh-keygen) converts to the facade's colon hex", () => {
    const key = generateKey({ type: "ed25519" });
    const server = createServer({ hostKeys: [key], auth: {} });
    const hex = fingerprintHex(key.publicKey.blob, "SHA256");
    expect(toColonHex(server.fingerprints[0]!)).toBe(hex);
    expect(toColonHex(hex.toUpperCase())).toBe(hex);
    expect(toColonHex(`SHA256:${hex.replace(/:/g, "")}`)).toBe(hex);
    expect(() => toColonHex("MD5:00:11")).toThrow(/--fingerprint/);
  });

  test("no arguments: the embedded server; --host: a real one", () => {
    expect(parseDemoArgs([])).toEqual({ mode: "embedded", once: false });
    expect(parseDemoArgs(["--once"])).toEqual({ mode: "embedded", once: true });
    expect(parseDemoArgs(["-h"])).toEqual({ mode: "help" });
    expect(parseDemoArgs(["--host", "h", "--user", "u", "--key", "k"])).toEqual({
      mode: "remote",
      once: false,
      host: "h",
      port: 22,
      user: "u",
      key: "k",
    });
    expect(() => parseDemoArgs(["--host", "h", "--user", "u", "--password", "p", "--key", "k"])).toThrow(/exactly one/);
    expect(() => parseDemoArgs(["--host", "h", "--user", "u", "--password", "p", "--port", "70000"])).toThrow(/--port/);
    expect(() => parseDemoArgs(["--fingerprint", "SHA256:x"])).toThrow(/add --host/);
  });
});
