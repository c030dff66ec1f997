// A real OpenSSH sshd for interop tests: per-instance temp dir, generated host and user keys, a
// generated sshd_config on 127.0.0.1, readiness by reading sshd's identification string, and a stop
// that leaves no process behind. Runs as root in CI (see /work/shared/TOOLCHAIN.md for the pitfalls
// this works around: /run/sshd, 0600 keys, StrictModes, locked passwords, PerSourcePenalties).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { appendFile, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./net.js";
import { isRoot, killTree, readText, run, sleep, trackDaemon } from "./processes.js";
import { buildSshdConfig, parseOpenSshVersion } from "./sshd-config.js";

/** The sshd binary (override with PURSSH_SSHD_PATH, e.g. to rehearse the "no sshd" path). */
export const SSHD_PATH = process.env.PURSSH_SSHD_PATH || "/usr/sbin/sshd";
export const SSH_PATH = "/usr/bin/ssh";
/** The non-root login user the harness creates (as root) and authenticates as. */
export const TEST_USER = "purssh";
/** Its password (set with chpasswd on every run as root, so it is always this). */
export const TEST_PASSWORD = "purssh-test-pw";

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

export type ExtraHostKeyType = "ecdsa" | "ecdsa384" | "ecdsa521" | "rsa";

export interface SshdOptions {
  /** `Ciphers` line, e.g. ["aes256-gcm@openssh.com"]. */
  ciphers?: string[];
  /** `KexAlgorithms` line. */
  kex?: string[];
  /** `MACs` line. */
  macs?: string[];
  /** `HostKeyAlgorithms` line. */
  hostKeyAlgorithms?: string[];
  /** Raw sshd_config lines appended at the end; a keyword given here replaces our default. */
  extraConfig?: string[];
  /** Label used in the temp dir name and in error messages. */
  name?: string;
  /** Host keys besides the ed25519 one (ecdsa = nistp256, ecdsa384/521, rsa = 3072 bits). */
  extraHostKeyTypes?: ExtraHostKeyType[];
  /**
   * Certify every host key with a fresh ed25519 CA (`ssh-keygen -s ca -h -n 127.0.0.1,localhost`)
   * and serve the certificates (`HostCertificate`); the CA's public line is `hostCaPublic`.
   */
  hostCertificates?: boolean;
}

/** The serialisable part of a running sshd: what global setup `provide`s to tests. */
export interface SshdInfo {
  host: "127.0.0.1";
  port: number;
  user: string;
  password: string;
  /** ed25519 private key (OpenSSH format, no passphrase, mode 0600) authorised for `user`. */
  userKeyPath: string;
  /** Its `.pub` line ("ssh-ed25519 AAAA… comment"). */
  userPublicKey: string;
  /** The server's ed25519 host key, `.pub` line. */
  hostKeyPublic: string;
  /** "SHA256:…" as `ssh-keygen -l` prints it (unpadded base64). */
  hostKeyFingerprint: string;
  /** sshd's log (LogLevel DEBUG1): negotiated algorithms, rekeys, auth results. */
  logPath: string;
  /** `sshd -V` output, e.g. "OpenSSH_9.2, OpenSSL 3.0.19 27 Jan 2026". */
  version: string;
}

export interface HostKeyInfo {
  type: "ed25519" | ExtraHostKeyType;
  path: string;
  publicKey: string;
  fingerprint: string;
}

export interface SshdHandle extends SshdInfo {
  dir: string;
  /** pid of the listening sshd (started with -D, so it is our direct child). */
  pid: number;
  configPath: string;
  authorizedKeysPath: string;
  /** All host keys, ed25519 first. */
  hostKeys: HostKeyInfo[];
  /** The host CA's public-key line when started with `hostCertificates`. */
  hostCaPublic?: string;
  /** Appends a public-key line to the user's authorized_keys. */
  addAuthorizedKey(publicKeyLine: string): Promise<void>;
  /** Kills sshd and its per-connection children, waits for them, removes `dir`
   * (kept when PURSSH_KEEP_SSHD_DIR is set). Idempotent. */
  stop(): Promise<void>;
  /** The log so far (after stop(): the log as it was at stop time). */
  readLog(): string;
}

/** Thrown when this machine cannot run the harness (no sshd, or no test user and not root). */
export class SshdUnavailableError extends Error {
  readonly code = "ERR_SSHD_UNAVAILABLE";
  override name = "SshdUnavailableError";
}

export function sshdAvailable(): boolean {
  return existsSync(SSHD_PATH);
}

let cachedVersion: string | undefined;

/** First line of `sshd -V` (which prints to stderr and exits 0 on OpenSSH ≥ 9.0). */
export function sshdVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  const r = spawnSync(SSHD_PATH, ["-V"], { encoding: "utf8" });
  if (r.error) throw new SshdUnavailableError(`cannot run ${SSHD_PATH} -V: ${r.error.message}`);
  const text = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  const line = text.split("\n").find((l) => l.includes("OpenSSH_")) ?? text.trim().split("\n")[0] ?? "";
  cachedVersion = line.trim();
  return cachedVersion;
}

/** Picks the serialisable fields (what may cross into test workers). */
export function toSshdInfo(h: SshdInfo): SshdInfo {
  return {
    host: h.host,
    port: h.port,
    user: h.user,
    password: h.password,
    userKeyPath: h.userKeyPath,
    userPublicKey: h.userPublicKey,
    hostKeyPublic: h.hostKeyPublic,
    hostKeyFingerprint: h.hostKeyFingerprint,
    logPath: h.logPath,
    version: h.version,
  };
}

// ---------------------------------------------------------------------------------------------
// Processes

/** Absolute path of an admin tool, for environments whose PATH lacks /usr/sbin. */
function sbin(name: string): string {
  for (const d of ["/usr/sbin", "/sbin", "/usr/bin"]) if (existsSync(`${d}/${name}`)) return `${d}/${name}`;
  return name;
}

// ---------------------------------------------------------------------------------------------
// Machine preparation

let userReady: Promise<void> | undefined;

/** Makes sure TEST_USER exists with TEST_PASSWORD (idempotent; once per process). */
export function ensureTestUser(): Promise<void> {
  userReady ??= ensureTestUserOnce().catch((e: unknown) => {
    userReady = undefined;
    throw e;
  });
  return userReady;
}

async function userExists(user: string): Promise<boolean> {
  return (await run("id", ["-u", user])).code === 0;
}

async function ensureTestUserOnce(): Promise<void> {
  if (!isRoot()) {
    if (await userExists(TEST_USER)) return; // assume an administrator set TEST_PASSWORD
    throw new SshdUnavailableError(
      `the sshd harness needs a local user "${TEST_USER}" and we are not root (uid ${process.getuid?.()}): ` +
        `run as root, or create it: useradd -m -s /bin/sh ${TEST_USER} && echo '${TEST_USER}:${TEST_PASSWORD}' | chpasswd`,
    );
  }
  if (!(await userExists(TEST_USER))) {
    const r = await run(sbin("useradd"), ["-m", "-s", "/bin/sh", TEST_USER]);
    // Another test process may have created it concurrently.
    if (r.code !== 0 && !(await userExists(TEST_USER))) {
      throw new Error(`useradd ${TEST_USER} failed (exit ${r.code}): ${r.stderr.trim()}`);
    }
  }
  // With UsePAM no, a locked password ("!") refuses even key logins: always set a real one.
  // chpasswd fails while another process holds the shadow lock, so retry.
  for (let attempt = 1; ; attempt++) {
    const r = await run(sbin("chpasswd"), [], { input: `${TEST_USER}:${TEST_PASSWORD}\n` });
    if (r.code === 0) return;
    if (attempt >= 10) throw new Error(`chpasswd for ${TEST_USER} failed (exit ${r.code}): ${r.stderr.trim()}`);
    await sleep(50 * attempt);
  }
}

/** sshd refuses to start without its privilege-separation directory (only the service creates it). */
async function ensurePrivsepDir(): Promise<void> {
  if (existsSync("/run/sshd") || !isRoot()) return;
  await mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  await chmod("/run/sshd", 0o755);
}

async function keygen(type: HostKeyInfo["type"], path: string, comment: string): Promise<HostKeyInfo> {
  const bits = { rsa: "3072", ecdsa: "256", ecdsa384: "384", ecdsa521: "521", ed25519: undefined }[type];
  const args = ["-q", "-t", type.startsWith("ecdsa") ? "ecdsa" : type, "-N", "", "-C", comment, "-f", path];
  if (bits) args.push("-b", bits);
  const r = await run("ssh-keygen", args);
  if (r.code !== 0) throw new Error(`ssh-keygen -t ${type} failed (exit ${r.code}): ${r.stderr.trim()}`);
  await chmod(path, 0o600);
  const publicKey = (await readFile(`${path}.pub`, "utf8")).trim();
  const fp = await run("ssh-keygen", ["-l", "-E", "sha256", "-f", `${path}.pub`]);
  const fingerprint = fp.stdout.trim().split(/\s+/)[1] ?? "";
  if (fp.code !== 0 || !fingerprint.startsWith("SHA256:")) {
    throw new Error(`ssh-keygen -l ${path}.pub failed (exit ${fp.code}): ${fp.stderr.trim()}${fp.stdout}`);
  }
  return { type, path, publicKey, fingerprint };
}

// ---------------------------------------------------------------------------------------------
// Starting

/** Connects and waits for sshd's "SSH-2.0-…" identification line. */
function probe(port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: "127.0.0.1", port });
    let seen = "";
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    sock.setEncoding("latin1");
    sock.on("data", (d: string) => {
      seen += d;
      if (seen.includes("SSH-")) done(true);
    });
    sock.on("error", () => done(false));
    sock.on("close", () => done(false));
  });
}

type ReadyResult = "ready" | "exited" | "timeout";

async function waitReady(child: ChildProcess, port: number): Promise<ReadyResult> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return "exited";
    if (await probe(port, Math.min(1000, Math.max(1, deadline - Date.now())))) return "ready";
    await sleep(50);
  }
  return "timeout";
}

/** Starts an sshd on 127.0.0.1 with fresh keys; see SshdOptions. Call `stop()` when done. */
export async function startSshd(options: SshdOptions = {}): Promise<SshdHandle> {
  if (!sshdAvailable()) throw new SshdUnavailableError(`${SSHD_PATH} not found: install openssh-server`);
  const name = (options.name ?? "sshd").replace(/[^A-Za-z0-9_-]/g, "-");
  const version = sshdVersion();
  await ensureTestUser();
  await ensurePrivsepDir();

  const dir = await mkdtemp(join(tmpdir(), `purssh-${name}-`));
  let child: ChildProcess | undefined;
  try {
    // sshd reads authorized_keys as the target user: the directory must be traversable.
    await chmod(dir, 0o755);
    const extraTypes = [...new Set(options.extraHostKeyTypes ?? [])];
    const [userKey, ...hostKeys] = await Promise.all([
      keygen("ed25519", join(dir, "id_ed25519"), `${TEST_USER}@purssh-testkit`),
      keygen("ed25519", join(dir, "ssh_host_ed25519_key"), `purssh-testkit-${name}`),
      ...extraTypes.map((t) => keygen(t, join(dir, `ssh_host_${t}_key`), `purssh-testkit-${name}`)),
    ]);
    const hostKey = hostKeys[0]!;
    const authorizedKeysPath = join(dir, "authorized_keys");
    await writeFile(authorizedKeysPath, `${userKey!.publicKey}\n`, { mode: 0o644 });
    await chmod(authorizedKeysPath, 0o644);
    const certConfig: string[] = [];
    let hostCaPublic: string | undefined;
    if (options.hostCertificates) {
      const ca = await keygen("ed25519", join(dir, "host_ca"), `purssh-testkit-${name}-host-ca`);
      hostCaPublic = ca.publicKey;
      for (const k of hostKeys) {
        const r = await run("ssh-keygen", [
          "-q",
          "-s",
          ca.path,
          "-I",
          `${name}-host`,
          "-h",
          "-n",
          "127.0.0.1,localhost",
          "-V",
          "-5m:+1d",
          `${k.path}.pub`,
        ]);
        if (r.code !== 0) throw new Error(`ssh-keygen -s (host certificate) failed: ${r.stderr.trim()}`);
        certConfig.push(`HostCertificate ${k.path}-cert.pub`);
      }
    }
    const configPath = join(dir, "sshd_config");
    const logPath = join(dir, "sshd.log");
    const pidFile = join(dir, "sshd.pid");

    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const config = buildSshdConfig({
        port,
        hostKeyPaths: hostKeys.map((k) => k.path),
        pidFile,
        authorizedKeysFile: authorizedKeysPath,
        version: parseOpenSshVersion(version),
        ciphers: options.ciphers,
        kex: options.kex,
        macs: options.macs,
        hostKeyAlgorithms: options.hostKeyAlgorithms,
        extraConfig: [...certConfig, ...(options.extraConfig ?? [])],
      });
      await writeFile(configPath, config, { mode: 0o644 });
      const check = await run(SSHD_PATH, ["-t", "-f", configPath]);
      if (check.code !== 0) {
        throw new Error(
          `sshd -t rejected the ${name} config (exit ${check.code}): ${check.stderr.trim()}\n--- ${configPath} ---\n${config}`,
        );
      }
      await writeFile(logPath, "");

      const proc = spawn(SSHD_PATH, ["-D", "-e", "-f", configPath, "-E", logPath], {
        stdio: ["ignore", "ignore", "pipe"],
      });
      child = proc;
      let stderr = "";
      proc.stderr?.setEncoding("utf8").on("data", (d: string) => {
        if (stderr.length < 65536) stderr += d;
      });
      let spawnError: Error | undefined;
      proc.on("error", (e) => {
        spawnError = e;
      });
      trackDaemon(proc);

      const state = await waitReady(proc, port);
      if (state === "ready" && proc.pid !== undefined) {
        return makeHandle({
          dir,
          ...(hostCaPublic ? { hostCaPublic } : {}),
          name,
          port,
          version,
          child: proc,
          pid: proc.pid,
          userKey: userKey!,
          hostKey,
          hostKeys,
          configPath,
          logPath,
          authorizedKeysPath,
        });
      }
      await killTree(proc, STOP_TIMEOUT_MS);
      child = undefined;
      const log = readText(logPath);
      const bindFailed = /Bind to port|Address already in use|Cannot bind any address/.test(log + stderr);
      if (state === "exited" && bindFailed && attempt < 3) continue; // lost the port race; try another
      throw new Error(
        `sshd (${name}) did not become ready on 127.0.0.1:${port} ` +
          `(${state === "timeout" ? `no identification string within ${READY_TIMEOUT_MS} ms` : `exited with ${proc.exitCode ?? proc.signalCode}`})` +
          `${spawnError ? `: ${spawnError.message}` : ""}\n--- stderr ---\n${stderr}\n--- ${logPath} ---\n${log}`,
      );
    }
  } catch (e) {
    if (child) await killTree(child, STOP_TIMEOUT_MS);
    if (!process.env.PURSSH_KEEP_SSHD_DIR) await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

interface HandleParts {
  hostCaPublic?: string;
  dir: string;
  name: string;
  port: number;
  version: string;
  child: ChildProcess;
  pid: number;
  userKey: HostKeyInfo;
  hostKey: HostKeyInfo;
  hostKeys: HostKeyInfo[];
  configPath: string;
  logPath: string;
  authorizedKeysPath: string;
}

function makeHandle(p: HandleParts): SshdHandle {
  let stopping: Promise<void> | undefined;
  let finalLog: string | undefined;
  return {
    host: "127.0.0.1",
    port: p.port,
    user: TEST_USER,
    password: TEST_PASSWORD,
    userKeyPath: p.userKey.path,
    userPublicKey: p.userKey.publicKey,
    hostKeyPublic: p.hostKey.publicKey,
    hostKeyFingerprint: p.hostKey.fingerprint,
    ...(p.hostCaPublic ? { hostCaPublic: p.hostCaPublic } : {}),
    logPath: p.logPath,
    version: p.version,
    dir: p.dir,
    pid: p.pid,
    configPath: p.configPath,
    authorizedKeysPath: p.authorizedKeysPath,
    hostKeys: p.hostKeys,
    addAuthorizedKey: (line) => appendFile(p.authorizedKeysPath, `${line.trim()}\n`),
    readLog: () => finalLog ?? readText(p.logPath),
    stop() {
      stopping ??= (async () => {
        await killTree(p.child, STOP_TIMEOUT_MS);
        finalLog = readText(p.logPath);
        if (!process.env.PURSSH_KEEP_SSHD_DIR) rmSync(p.dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
