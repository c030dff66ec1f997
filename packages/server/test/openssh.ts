// Shared helpers for the "OpenSSH's own client against our server" suites (DESIGN.md testing
// layer 5): a temp dir with ssh-keygen user keys, a known_hosts file pinning the server's host
// keys, `ssh` processes started with a fixed, config-free set of options, waiting for lines on
// their stderr, and a teardown that kills every ssh still running and closes every server.
// Without /usr/bin/ssh the tests skip, except under CI=true, where they fail.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { authorizedKeysPolicy } from "@purssh/auth";
import { formatPublicKey, type PrivateKey } from "@purssh/keys";
import { createServer, type ServerOptions, type SshServer } from "@purssh/server";
import { type EchoServer, isCi, type SkipContext, SSH_KEYGEN_PATH, SSH_PATH, startEchoServer } from "@purssh/testkit";
import { afterAll, afterEach, beforeAll, beforeEach, TestRunner } from "vitest";

export { SSH_KEYGEN_PATH, SSH_PATH };

const UNAVAILABLE = `OpenSSH's ssh / ssh-keygen (${SSH_PATH}, ${SSH_KEYGEN_PATH}) are not available (install openssh-client)`;

export function sshAvailable(): boolean {
  return existsSync(SSH_PATH) && existsSync(SSH_KEYGEN_PATH);
}

/** Returns when ssh exists; otherwise throws under CI, else marks the running test skipped. */
export function requireSsh(ctx?: SkipContext): void {
  if (sshAvailable()) return;
  if (isCi()) throw new Error(`${UNAVAILABLE}; under CI=true these tests must not be skipped`);
  const skipper = ctx ?? TestRunner.getCurrentTest()?.context;
  skipper?.skip(UNAVAILABLE);
  throw new Error(UNAVAILABLE);
}

// ---------------------------------------------------------------------------------------------
// Processes

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running `ssh`: its output so far, its exit, and waiting for stderr lines. */
export interface SshProcess {
  readonly child: ChildProcess;
  readonly args: readonly string[];
  /** stdout so far. */
  stdout(): Buffer;
  /** stderr so far (text). */
  stderr(): string;
  readonly exited: Promise<ExitResult>;
  /**
   * Resolves with the matches of `pattern` in stderr once there are `count` (default 1) of them;
   * rejects if ssh exits first or after `ms`.
   */
  waitForStderr(pattern: RegExp, options?: { ms?: number; count?: number }): Promise<RegExpMatchArray[]>;
  kill(): Promise<void>;
}

const running = new Set<SshProcess>();

export interface SpawnSshOptions {
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  input?: Uint8Array | string;
  env?: NodeJS.ProcessEnv;
}

export function spawnSsh(args: readonly string[], options: SpawnSshOptions = {}): SshProcess {
  const child = spawn(SSH_PATH, args, {
    stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    env: options.env ?? sshEnv(),
  });
  const out: Buffer[] = [];
  let err = "";
  const waiters = new Set<() => void>();
  child.stdout!.on("data", (d: Buffer) => out.push(d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    err += d;
    for (const w of waiters) w();
  });
  const exited = new Promise<ExitResult>((resolve) => {
    child.once("error", (e) => {
      err += `spawn failed: ${e.message}\n`;
      resolve({ code: null, signal: null });
    });
    // 'close' fires after stdout and stderr are fully read.
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
  if (options.input !== undefined && child.stdin) {
    child.stdin.on("error", () => {}); // ssh may exit before reading everything
    child.stdin.end(Buffer.from(options.input));
  }
  let done = false;
  void exited.then(() => {
    done = true;
    for (const w of waiters) w();
  });
  const proc: SshProcess = {
    child,
    args,
    stdout: () => Buffer.concat(out),
    stderr: () => err,
    exited,
    waitForStderr(pattern, { ms = 15_000, count = 1 } = {}) {
      const global = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`);
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = [...err.matchAll(global)];
          if (m.length >= count) finish(() => resolve(m));
          else if (done) finish(() => reject(new Error(`ssh exited before printing ${pattern}; stderr:\n${err}`)));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`ssh printed no ${pattern} within ${ms} ms; stderr:\n${err}`))),
          ms,
        );
        const finish = (f: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          f();
        };
        waiters.add(check);
        check();
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(proc);
    },
  };
  running.add(proc);
  void exited.then(() => running.delete(proc));
  return proc;
}

/** Runs ssh to completion (killed after `ms`): exit status, stdout, stderr. */
export async function runSsh(
  args: readonly string[],
  options: SpawnSshOptions & { ms?: number } = {},
): Promise<ExitResult & { stdout: Buffer; stderr: string }> {
  const p = spawnSsh(args, options);
  const timer = setTimeout(() => p.child.kill("SIGKILL"), options.ms ?? 25_000);
  const r = await p.exited;
  clearTimeout(timer);
  return { ...r, stdout: p.stdout(), stderr: p.stderr() };
}

/** The environment for ssh: no agent, no askpass, no display unless a test sets them. */
export function sshEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ["SSH_AUTH_SOCK", "SSH_ASKPASS", "SSH_ASKPASS_REQUIRE", "DISPLAY"]) delete env[k];
  return { ...env, ...extra };
}

// ---------------------------------------------------------------------------------------------
// Keys and files

export interface Workspace {
  dir: string;
  /** Writes a file in `dir` (mode 0600) and returns its path. */
  write(name: string, text: string, mode?: number): Promise<string>;
  /** `ssh-keygen -t …` without passphrase: the private key path and its `.pub` line. */
  keygen(name: string, type: "ed25519" | "ecdsa" | "ecdsa384" | "ecdsa521" | "rsa"): Promise<UserKey>;
  remove(): Promise<void>;
}

export interface UserKey {
  path: string;
  publicLine: string;
}

const KEYGEN_TYPES = {
  ed25519: ["-t", "ed25519"],
  ecdsa: ["-t", "ecdsa", "-b", "256"],
  ecdsa384: ["-t", "ecdsa", "-b", "384"],
  ecdsa521: ["-t", "ecdsa", "-b", "521"],
  rsa: ["-t", "rsa", "-b", "2048"],
} as const;

export async function makeWorkspace(name: string): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), `purssh-${name}-`));
  return {
    dir,
    async write(file, text, mode = 0o600) {
      const path = join(dir, file);
      await writeFile(path, text);
      await chmod(path, mode);
      return path;
    },
    async keygen(file, type) {
      const path = join(dir, file);
      await keygen(["-q", ...KEYGEN_TYPES[type], "-N", "", "-C", `${file}@purssh-test`, "-f", path]);
      return { path, publicLine: (await readFile(`${path}.pub`, "utf8")).trim() };
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Runs ssh-keygen; rejects with its stderr on a non-zero exit. */
export function keygen(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(SSH_KEYGEN_PATH, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      err += d;
    });
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`ssh-keygen ${args.join(" ")} exited ${code}: ${err}`)),
    );
  });
}

/** known_hosts lines pinning `keys` for 127.0.0.1:port (`[127.0.0.1]:PORT type AAAA…`). */
export function knownHostsLines(port: number, keys: readonly PrivateKey[]): string {
  return keys.map((k) => `[127.0.0.1]:${port} ${formatPublicKey({ ...k.publicKey, comment: "" })}\n`).join("");
}

// ---------------------------------------------------------------------------------------------
// ssh command lines

export interface SshTarget {
  port: number;
  user?: string;
  /** Private key for `-i`; omitted for password / keyboard-interactive logins. */
  identity?: string;
  knownHosts: string;
  /** StrictHostKeyChecking (default "yes": the known_hosts file must pin the key). */
  strict?: "yes" | "no" | "accept-new";
  /**
   * BatchMode (default true). Password and keyboard-interactive logins need it off: BatchMode=yes
   * disables every prompt, SSH_ASKPASS included.
   */
  batchMode?: boolean;
  /** Extra `-o Name=value` settings and flags, placed before the destination. */
  options?: readonly string[];
}

/** `ssh -F /dev/null -o IdentitiesOnly=yes -o BatchMode=yes … -p PORT user@127.0.0.1 [command]`. */
export function sshArgs(target: SshTarget, ...command: string[]): string[] {
  return [
    "-F",
    "/dev/null",
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    `BatchMode=${target.batchMode === false ? "no" : "yes"}`,
    "-o",
    `UserKnownHostsFile=${target.knownHosts}`,
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    `StrictHostKeyChecking=${target.strict ?? "yes"}`,
    "-o",
    "ConnectTimeout=10",
    "-o",
    "ServerAliveInterval=0",
    ...(target.identity ? ["-i", target.identity] : ["-o", "PubkeyAuthentication=no"]),
    ...(target.options ?? []),
    "-p",
    String(target.port),
    `${target.user ?? "alice"}@127.0.0.1`,
    ...command,
  ];
}

// ---------------------------------------------------------------------------------------------
// Servers

const servers = new Set<SshServer>();

export interface StartedServer {
  server: SshServer;
  port: number;
  /** known_hosts file pinning every host key of this server. */
  knownHosts: string;
  /** Every line the server logged (with its connection prefix). */
  log: string[];
}

/** Starts an embedded server on 127.0.0.1 and writes a known_hosts file pinning its host keys. */
export async function startServer(
  ws: Workspace,
  options: Omit<ServerOptions, "auth"> & Partial<Pick<ServerOptions, "auth">> & { authorizedKeys?: string },
): Promise<StartedServer> {
  const log: string[] = [];
  const { authorizedKeys, ...rest } = options;
  const server = createServer({
    auth: { publicKey: authorizedKeysPolicy({ authorizedKeys: authorizedKeys ?? "" }) },
    ...rest,
    log: (level, text) => {
      log.push(text);
      options.log?.(level, text);
    },
  });
  servers.add(server);
  const { port } = await server.listen(0, "127.0.0.1");
  const knownHosts = await ws.write(`known_hosts-${port}`, knownHostsLines(port, server.hostKeys));
  return { server, port, knownHosts, log };
}

/** afterEach: kill every ssh still running, then close every server (and its listeners). */
export async function cleanUp(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill()));
  const all = [...servers];
  servers.clear();
  await Promise.all(all.map((s) => s.close()));
}

/** Runs `tasks` with at most `limit` at once; results in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** What a suite of ssh-against-our-server tests shares: a workspace, an ed25519 user key, an echo server. */
export interface OpensshSuite {
  readonly ws: Workspace;
  readonly userKey: UserKey;
  readonly echo: EchoServer;
}

/**
 * Registers the usual hooks of such a suite (workspace and key before all, ssh required before
 * each test, every ssh and server cleaned up after each) and returns its fixtures.
 */
export function opensshSuite(name: string): OpensshSuite {
  const f = {} as { ws: Workspace; userKey: UserKey; echo: EchoServer };
  beforeAll(async () => {
    if (!sshAvailable()) return;
    f.ws = await makeWorkspace(name);
    f.userKey = await f.ws.keygen("id_ed25519", "ed25519");
    f.echo = await startEchoServer();
  });
  afterAll(async () => {
    await f.echo?.close();
    await f.ws?.remove();
  });
  beforeEach(() => requireSsh());
  afterEach(cleanUp);
  return f;
}
