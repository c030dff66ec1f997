/**
 * A real OpenSSH ssh-agent for interop tests: `ssh-agent -D -a <socket>` in a fresh temp dir,
 * keys made with ssh-keygen and loaded with ssh-add (SSH_AUTH_SOCK pointing at this agent only),
 * lock and unlock through an SSH_ASKPASS script, and a stop that kills the agent and removes the
 * dir. Without the OpenSSH client tools the suites skip, except under CI=true, where they fail.
 * @module
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestRunner } from "vitest";
import { run, waitExit } from "./processes.js";
import type { SkipContext } from "./skip.js";
import { isCi } from "./util.js";

export const SSH_AGENT_PATH = "/usr/bin/ssh-agent";
export const SSH_ADD_PATH = "/usr/bin/ssh-add";
export const SSH_KEYGEN_PATH = "/usr/bin/ssh-keygen";

const READY_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 5_000;
const UNAVAILABLE = "OpenSSH ssh-agent / ssh-add / ssh-keygen are not available here (install openssh-client)";

export function sshAgentAvailable(): boolean {
  return [SSH_AGENT_PATH, SSH_ADD_PATH, SSH_KEYGEN_PATH].every((p) => existsSync(p));
}

/**
 * Returns when the agent tools exist. Otherwise: under CI throws; else marks the running test (or
 * `ctx`) as skipped, which throws vitest's skip signal.
 */
export function requireSshAgent(ctx?: SkipContext): void {
  if (sshAgentAvailable()) return;
  if (isCi()) throw new Error(`${UNAVAILABLE}; under CI=true ssh-agent tests must not be skipped`);
  const skipper: SkipContext | undefined = ctx ?? TestRunner.getCurrentTest()?.context;
  if (skipper) skipper.skip(UNAVAILABLE);
  throw new Error(`${UNAVAILABLE}; call requireSshAgent inside a test or guard the suite with describe.skipIf`);
}

export type AgentKeyType = "ed25519" | "ecdsa" | "rsa";

/** A key pair on disk made by ssh-keygen (no passphrase). */
export interface AgentKeyFile {
  type: AgentKeyType;
  path: string;
  /** The `.pub` line: "ssh-ed25519 AAAA… comment". */
  publicKey: string;
}

export interface SshAgentHandle {
  /** The agent's socket: what SSH_AUTH_SOCK would hold. */
  socketPath: string;
  dir: string;
  pid: number;
  /** Makes a key pair in the agent's dir (not added to the agent). */
  generateKey(type: AgentKeyType, comment: string): Promise<AgentKeyFile>;
  /** `ssh-add <path>`. */
  add(key: AgentKeyFile): Promise<void>;
  /** `ssh-add -D`: removes every identity. */
  removeAll(): Promise<void>;
  /** `ssh-add -x` / `ssh-add -X` with `password` given through SSH_ASKPASS. */
  lock(password: string): Promise<void>;
  unlock(password: string): Promise<void>;
  /** Kills the agent, waits for it, removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

const KEYGEN_ARGS: Record<AgentKeyType, string[]> = {
  ed25519: ["-t", "ed25519"],
  ecdsa: ["-t", "ecdsa", "-b", "256"],
  rsa: ["-t", "rsa", "-b", "2048"],
};

/** Starts `ssh-agent -D -a <dir>/agent.sock` and waits for its socket. Call `stop()` when done. */
export async function startSshAgent(name = "agent"): Promise<SshAgentHandle> {
  if (!sshAgentAvailable()) throw new Error(UNAVAILABLE);
  const dir = await mkdtemp(join(tmpdir(), `purssh-${name.replace(/[^A-Za-z0-9_-]/g, "-")}-`));
  const socketPath = join(dir, "agent.sock");
  const askpass = join(dir, "askpass.sh");
  await writeFile(askpass, '#!/bin/sh\nprintf "%s\\n" "$PURSSH_ASKPASS_ANSWER"\n');
  await chmod(askpass, 0o700);

  const child = spawn(SSH_AGENT_PATH, ["-D", "-a", socketPath], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const killOnExit = () => child.kill("SIGTERM");
  process.once("exit", killOnExit);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!existsSync(socketPath)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGTERM");
      process.removeListener("exit", killOnExit);
      await rm(dir, { recursive: true, force: true });
      throw new Error(`ssh-agent did not create ${socketPath} (exit ${child.exitCode}): ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }

  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    ...process.env,
    SSH_AUTH_SOCK: socketPath,
    SSH_ASKPASS: askpass,
    SSH_ASKPASS_REQUIRE: "force",
    DISPLAY: process.env.DISPLAY ?? ":0",
    ...extra,
  });
  const sshAdd = async (args: string[], extra?: NodeJS.ProcessEnv) => {
    const r = await run(SSH_ADD_PATH, args, { env: env(extra) });
    if (r.code !== 0) throw new Error(`ssh-add ${args.join(" ")} failed (exit ${r.code}): ${r.stderr.trim()}`);
  };
  let stopped: Promise<void> | undefined;
  return {
    socketPath,
    dir,
    pid: child.pid ?? -1,
    async generateKey(type, comment) {
      const path = join(dir, `id_${type}_${comment.replace(/[^A-Za-z0-9_-]/g, "_")}`);
      const r = await run(SSH_KEYGEN_PATH, ["-q", ...KEYGEN_ARGS[type], "-N", "", "-C", comment, "-f", path]);
      if (r.code !== 0) throw new Error(`ssh-keygen ${type} failed (exit ${r.code}): ${r.stderr.trim()}`);
      return { type, path, publicKey: (await readFile(`${path}.pub`, "utf8")).trim() };
    },
    add: (key) => sshAdd([key.path]),
    removeAll: () => sshAdd(["-D"]),
    lock: (password) => sshAdd(["-x"], { PURSSH_ASKPASS_ANSWER: password }),
    unlock: (password) => sshAdd(["-X"], { PURSSH_ASKPASS_ANSWER: password }),
    stop() {
      stopped ??= (async () => {
        child.kill("SIGTERM");
        if (!(await waitExit(child, STOP_TIMEOUT_MS))) child.kill("SIGKILL");
        process.removeListener("exit", killOnExit);
        await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
