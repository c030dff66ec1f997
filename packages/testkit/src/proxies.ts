/**
 * Real proxy servers for the proxy tests, each started per test suite on a free loopback port with
 * a generated config in a temp dir, in the foreground as our child, and stopped with everything
 * it forked: Dante's `danted` (SOCKS4 and SOCKS5, no-auth or RFC 1929 username/password against
 * the system password file), `tinyproxy` (HTTP CONNECT, Basic auth, Allow/Deny, ConnectPort,
 * an HTTP upstream), and OpenSSH's `ssh -D` dynamic forwarding — the SOCKS4a server we test
 * against, since danted 1.4 does not implement SOCKS4a (it takes 0.0.0.x literally).
 * Under CI=true a missing binary fails the suite; elsewhere the suite is skipped with a warning.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./net.js";
import { exited, isRoot, killTree, readText, sleep, trackDaemon } from "./processes.js";
import { ensureTestUser, SSH_PATH, type SshdInfo, TEST_PASSWORD, TEST_USER } from "./sshd.js";
import { isCi } from "./util.js";

export const DANTED_PATH = process.env.PURSSH_DANTED_PATH || "/usr/sbin/danted";
export const TINYPROXY_PATH = process.env.PURSSH_TINYPROXY_PATH || "/usr/bin/tinyproxy";

/** How long a proxy gets to accept connections, and to exit after SIGTERM. */
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
/** Attempts when another process takes the free port between freePort() and the proxy's bind. */
const PORT_ATTEMPTS = 3;
/** Bound on the stderr kept for error messages. */
const MAX_STDERR_CHARS = 65_536;

export type ProxyServerName = "danted" | "tinyproxy" | "ssh";

const PATHS: Readonly<Record<ProxyServerName, string>> = {
  danted: DANTED_PATH,
  tinyproxy: TINYPROXY_PATH,
  ssh: SSH_PATH,
};
const PACKAGES: Readonly<Record<ProxyServerName, string>> = {
  danted: "dante-server",
  tinyproxy: "tinyproxy",
  ssh: "openssh-client",
};

const warned = new Set<string>();

/**
 * True when `name` can run here (binary present; danted also needs root to check passwords). When
 * it cannot: under CI throws (the suite fails), otherwise warns once and returns false, so a suite
 * can be `describe.skipIf(!proxyServerAvailable("danted"))`.
 */
export function proxyServerAvailable(name: ProxyServerName): boolean {
  let why: string | undefined;
  if (!existsSync(PATHS[name])) why = `${PATHS[name]} not found (apt-get install ${PACKAGES[name]})`;
  else if (name === "danted" && !isRoot()) why = "danted tests need root (password checks read /etc/shadow)";
  if (why === undefined) return true;
  if (isCi()) throw new Error(`[testkit] ${why}; under CI=true proxy tests must not be skipped`);
  if (!warned.has(name)) {
    warned.add(name);
    console.warn(`[testkit] WARNING: ${why}; those proxy tests are skipped`);
  }
  return false;
}

export interface ProxyServerHandle {
  host: "127.0.0.1";
  port: number;
  /** pid of the daemon we started (our direct child). */
  pid: number;
  dir: string;
  configPath: string;
  logPath: string;
  /** The daemon's log so far (after stop(): as it was at stop time). */
  readLog(): string;
  /** Stops the daemon and every process it forked, then removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Processes

/** True once something accepts TCP connections on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
  });
}

interface Launch {
  name: string;
  command: string;
  /** Builds the arguments and writes the config for this port; returns the arguments. */
  prepare(port: number): Promise<string[]>;
  dir: string;
  configPath: string;
  logPath: string;
  /** Log text meaning the port was taken (try another one). */
  portTaken: RegExp;
}

/** Starts the daemon on a free port and waits until it accepts connections. */
async function launch(l: Launch): Promise<ProxyServerHandle> {
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const args = await l.prepare(port);
      const child = spawn(l.command, args, { stdio: ["ignore", "ignore", "pipe"] });
      trackDaemon(child);
      let stderr = "";
      child.stderr?.setEncoding("utf8").on("data", (d: string) => {
        if (stderr.length < MAX_STDERR_CHARS) stderr += d;
      });
      let spawnError: Error | undefined;
      child.on("error", (e) => {
        spawnError = e;
      });
      const deadline = Date.now() + READY_TIMEOUT_MS;
      let ready = false;
      while (!ready && !exited(child) && spawnError === undefined && Date.now() < deadline) {
        ready = await accepts(port);
        if (!ready) await sleep(50);
      }
      if (ready && !exited(child) && child.pid !== undefined) return handle(l, port, child);
      await killTree(child, STOP_TIMEOUT_MS);
      const log = readText(l.logPath);
      if (l.portTaken.test(log + stderr) && attempt < PORT_ATTEMPTS) continue;
      throw new Error(
        `${l.name} did not start on 127.0.0.1:${port} (${exited(child) ? `exited with ${child.exitCode ?? child.signalCode}` : `not accepting within ${READY_TIMEOUT_MS} ms`})` +
          `${spawnError ? `: ${spawnError.message}` : ""}\n--- stderr ---\n${stderr}\n--- ${l.logPath} ---\n${log}` +
          `\n--- ${l.configPath} ---\n${readText(l.configPath)}`,
      );
    }
  } catch (e) {
    rmSync(l.dir, { recursive: true, force: true });
    throw e;
  }
}

function handle(l: Launch, port: number, child: ChildProcess): ProxyServerHandle {
  let stopping: Promise<void> | undefined;
  let finalLog: string | undefined;
  return {
    host: "127.0.0.1",
    port,
    pid: child.pid!,
    dir: l.dir,
    configPath: l.configPath,
    logPath: l.logPath,
    readLog: () => finalLog ?? readText(l.logPath),
    stop() {
      stopping ??= (async () => {
        await killTree(child, STOP_TIMEOUT_MS);
        finalLog = readText(l.logPath);
        if (!process.env.PURSSH_KEEP_PROXY_DIR) rmSync(l.dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

async function tempDir(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `purssh-${name}-`));
  // The daemons drop privileges after reading their config; let them reach their log.
  await chmod(dir, 0o755);
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Dante

export interface DanteOptions {
  /** "none": SOCKS4 and SOCKS5 without authentication. "username": SOCKS5 with RFC 1929 only. */
  auth: "none" | "username";
  /** With auth "username": the system users allowed (default [TEST_USER], password TEST_PASSWORD). */
  users?: string[];
  /** Target ports a `socks block` rule refuses (SOCKS4 reply 91, SOCKS5 reply 2). */
  blockPorts?: number[];
}

/** The danted.conf for `options` listening on 127.0.0.1:port. */
export function danteConfig(options: DanteOptions, port: number, logPath: string): string {
  const users = options.users ?? [TEST_USER];
  const lines = [
    `logoutput: ${logPath}`,
    `internal: 127.0.0.1 port = ${port}`,
    "external: 127.0.0.1",
    `socksmethod: ${options.auth}`,
    "clientmethod: none",
    // Checking system passwords needs root; everything else runs as nobody.
    "user.privileged: root",
    "user.unprivileged: nobody",
    "timeout.negotiate: 30",
    "client pass {",
    "  from: 127.0.0.0/8 to: 0.0.0.0/0",
    "  log: error connect",
    "}",
  ];
  for (const p of options.blockPorts ?? []) {
    lines.push("socks block {", `  from: 0.0.0.0/0 to: 0.0.0.0/0 port = ${p}`, "  log: error connect", "}");
  }
  lines.push("socks pass {", "  from: 127.0.0.0/8 to: 0.0.0.0/0", "  command: connect");
  if (options.auth === "username") lines.push(`  user: ${users.join(" ")}`);
  lines.push("  log: error connect", "}", "");
  return lines.join("\n");
}

/** Starts danted (Dante) in the foreground with one main process. */
export async function startDante(
  options: DanteOptions,
): Promise<ProxyServerHandle & { users: string[]; password: string }> {
  if (options.auth === "username") await ensureTestUser();
  const dir = await tempDir("danted");
  const configPath = join(dir, "danted.conf");
  const logPath = join(dir, "danted.log");
  const h = await launch({
    name: "danted",
    command: DANTED_PATH,
    dir,
    configPath,
    logPath,
    portTaken: /Address already in use|bind\(2\)/,
    async prepare(port) {
      await writeFile(logPath, "");
      await writeFile(configPath, danteConfig(options, port, logPath), { mode: 0o644 });
      return ["-f", configPath, "-N", "1", "-p", join(dir, "danted.pid")];
    },
  });
  return Object.assign(h, { users: options.users ?? [TEST_USER], password: TEST_PASSWORD });
}

// ---------------------------------------------------------------------------------------------
// tinyproxy

export interface TinyproxyOptions {
  /** Require `Proxy-Authorization: Basic` with this user and password (answers 407 otherwise). */
  basicAuth?: { user: string; password: string };
  /** Client addresses allowed (default ["127.0.0.1"]); others get 403. */
  allow?: string[];
  /** Target ports CONNECT may reach (default: all); others get 403. */
  connectPorts?: number[];
  /** Send every request on to this HTTP proxy (tinyproxy relays the client's headers to it). */
  upstream?: { host: string; port: number };
}

/** The tinyproxy.conf for `options` listening on 127.0.0.1:port. */
export function tinyproxyConfig(options: TinyproxyOptions, port: number, dir: string): string {
  const lines = [
    `Port ${port}`,
    "Listen 127.0.0.1",
    "Timeout 600",
    `LogFile "${join(dir, "tinyproxy.log")}"`,
    "LogLevel Info",
    `PidFile "${join(dir, "tinyproxy.pid")}"`,
    "MaxClients 100",
    ...(options.allow ?? ["127.0.0.1"]).map((a) => `Allow ${a}`),
  ];
  if (options.basicAuth) lines.push(`BasicAuth ${options.basicAuth.user} ${options.basicAuth.password}`);
  for (const p of options.connectPorts ?? []) lines.push(`ConnectPort ${p}`);
  if (options.upstream) lines.push(`Upstream http ${options.upstream.host}:${options.upstream.port}`);
  lines.push("");
  return lines.join("\n");
}

/** Starts tinyproxy in the foreground (`-d`). */
export async function startTinyproxy(options: TinyproxyOptions = {}): Promise<ProxyServerHandle> {
  const dir = await tempDir("tinyproxy");
  const configPath = join(dir, "tinyproxy.conf");
  const logPath = join(dir, "tinyproxy.log");
  return launch({
    name: "tinyproxy",
    command: TINYPROXY_PATH,
    dir,
    configPath,
    logPath,
    portTaken: /Address already in use|Could not create listening sockets/,
    async prepare(port) {
      await writeFile(logPath, "");
      await writeFile(configPath, tinyproxyConfig(options, port, dir), { mode: 0o644 });
      return ["-d", "-c", configPath];
    },
  });
}

// ---------------------------------------------------------------------------------------------
// OpenSSH dynamic forwarding (SOCKS4, SOCKS4a, SOCKS5 without authentication)

/**
 * `ssh -N -D 127.0.0.1:port` logged in to `sshd` with its test user key: a SOCKS server whose
 * connections leave from the sshd host (direct-tcpip), so names are resolved there.
 */
export async function startSshSocksProxy(sshd: SshdInfo): Promise<ProxyServerHandle> {
  const dir = await tempDir("ssh-socks");
  const configPath = join(dir, "known_hosts");
  const logPath = join(dir, "ssh.log");
  return launch({
    name: "ssh -D",
    command: SSH_PATH,
    dir,
    configPath,
    logPath,
    portTaken: /Address already in use|Could not request local forwarding/,
    async prepare(port) {
      await writeFile(logPath, "");
      await writeFile(configPath, `[${sshd.host}]:${sshd.port} ${sshd.hostKeyPublic}\n`, { mode: 0o644 });
      return [
        "-F",
        "/dev/null",
        "-N",
        "-D",
        `127.0.0.1:${port}`,
        "-p",
        String(sshd.port),
        "-i",
        sshd.userKeyPath,
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        `UserKnownHostsFile=${configPath}`,
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        "ExitOnForwardFailure=yes",
        "-E",
        logPath,
        `${sshd.user}@${sshd.host}`,
      ];
    },
  });
}
