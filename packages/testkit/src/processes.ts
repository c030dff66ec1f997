/**
 * Daemons the tests start (sshd, danted, tinyproxy, ssh -D, ssh-agent): running a command to
 * completion, and stopping a daemon with every process it forked (Linux /proc), with a safety net
 * that takes them down when the test process exits.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; never rejects (a spawn error comes back in stderr). */
export function run(
  cmd: string,
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      ...(options.env ? { env: options.env } : {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", (e) => resolve({ code: null, stdout, stderr: `${stderr}${e.message}` }));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    if (child.stdin) {
      child.stdin.on("error", () => {});
      child.stdin.end(options.input);
    }
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** A file's text, or "" when it cannot be read. */
export function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** Parent pid and state from /proc/<pid>/stat ("pid (comm) S ppid …"; comm may hold spaces). */
function procStat(pid: number): { ppid: number; state: string } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return { state: rest[0] ?? "", ppid: Number(rest[1]) };
  } catch {
    return null;
  }
}

/** True while `pid` exists and is not a zombie. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  const st = procStat(pid);
  return st === null ? true : st.state !== "Z" && st.state !== "X";
}

/**
 * All descendants of `root` (Linux /proc; empty elsewhere). sshd's per-connection processes call
 * setsid() and danted forks negotiate/request/io children, so a process-group kill would miss them.
 */
function descendants(root: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const e of entries) {
    const st = procStat(Number(e));
    if (!st) continue;
    const list = children.get(st.ppid) ?? [];
    list.push(Number(e));
    children.set(st.ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const c of children.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

async function waitGone(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = pids.filter(pidAlive);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(20);
    left = left.filter(pidAlive);
  }
  return left;
}

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves true once `child` exits, false after `ms`. */
export function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

// Safety net: daemons still running when this process exits go with it.
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Registers a daemon to be SIGTERMed, with its descendants, if the test process exits first. */
export function trackDaemon(child: ChildProcess): void {
  live.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const c of live) {
      const kids = c.pid === undefined ? [] : descendants(c.pid);
      c.kill("SIGTERM");
      for (const k of kids) signal(k, "SIGTERM");
    }
  });
}

/** SIGTERM a daemon and everything under it; SIGKILL what is left after `stopTimeoutMs`. */
export async function killTree(child: ChildProcess, stopTimeoutMs: number): Promise<void> {
  const kids = child.pid === undefined ? [] : descendants(child.pid);
  if (!exited(child)) child.kill("SIGTERM");
  for (const k of kids) signal(k, "SIGTERM");
  if (!(await waitExit(child, stopTimeoutMs))) {
    child.kill("SIGKILL");
    await waitExit(child, stopTimeoutMs);
  }
  const left = await waitGone(kids, stopTimeoutMs);
  for (const k of left) signal(k, "SIGKILL");
  await waitGone(left, stopTimeoutMs);
  live.delete(child);
}
