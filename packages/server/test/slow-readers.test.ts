// DESIGN.md principle 6 ("a slow consumer never makes the process buffer more than its windows")
// measured end to end: 100 forwarded connections through one reverse tunnel (our client ↔ our
// embedded server) whose targets never read, while the senders push as fast as TCP lets them.
// The scenario runs in a child process (slow-readers-worker.ts) started with --expose-gc, so that
// the RSS figures are that process's alone and taken after a full GC.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CHANNEL_WRITE_HIGH_WATER, DEFAULT_WINDOW_SIZE } from "@purssh/connection";
import { withTimeout } from "@purssh/testkit";
import { expect, test } from "vitest";
import type { SlowReadersReport } from "./slow-readers-worker.js";

const MiB = 1024 * 1024;
const root = fileURLToPath(new URL("../../../", import.meta.url));
const worker = fileURLToPath(new URL("./slow-readers-worker.ts", import.meta.url));

/**
 * Node stream buffers per forwarded connection, beyond the window and the channel queue: the
 * sender-side socket's readable buffer and the ChannelStream's writable buffer on the server, the
 * ForwardedConnection's readable buffer (its excess over the window) and the target socket's
 * writable buffer on the client — each a 16–64 KiB high-water mark plus at most one 64 KiB read.
 */
const SOCKET_BUFFERS_PER_CHANNEL = 4 * 64 * 1024;
/**
 * Growth unrelated to the stalled data: 100 × (sockets, channels, streams, closures) and heap
 * slack after GC. Measured growth here is 225–253 MiB against the 230 MiB of windows and queues.
 */
const FIXED_ALLOWANCE = 64 * MiB;
/** The largest chunk a socket read hands to a ChannelStream write (libuv reads 64 KiB at most). */
const MAX_SOCKET_READ = 64 * 1024;

function runWorker(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", worker], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
    // Not awaited by the timeout below: kill the child if the test gives up on it.
    const timer = setTimeout(() => child.kill("SIGKILL"), 230_000);
    child.on("exit", () => clearTimeout(timer));
  });
}

test("RFC 4254 §5.2: 100 stalled channels through one tunnel hold no more than their windows and queues", {
  timeout: 240_000,
}, async () => {
  // The worker prints its report after closing everything; it must then exit on its own (a
  // leaked socket, listener or timer would keep it alive until the kill above).
  const run = await withTimeout(runWorker(), 235_000, "slow-readers worker");
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  const report = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as SlowReadersReport;
  expect(report.gcForced).toBe(true);
  expect(report.windowSize).toBe(DEFAULT_WINDOW_SIZE);
  expect(report.writeHighWater).toBe(CHANNEL_WRITE_HIGH_WATER);

  const growth = report.stalledRss - report.baselineRss;
  const bound =
    report.channels * (DEFAULT_WINDOW_SIZE + CHANNEL_WRITE_HIGH_WATER + SOCKET_BUFFERS_PER_CHANNEL) + FIXED_ALLOWANCE;
  console.log(
    `slow readers: ${report.channels} stalled channels, RSS ${(report.baselineRss / MiB).toFixed(1)} → ` +
      `${(report.stalledRss / MiB).toFixed(1)} MiB: growth ${(growth / MiB).toFixed(1)} MiB, bound ` +
      `${(bound / MiB).toFixed(1)} MiB (${report.channels} × (window ${DEFAULT_WINDOW_SIZE / MiB} MiB + queue ` +
      `${CHANNEL_WRITE_HIGH_WATER / 1024} KiB + sockets ${SOCKET_BUFFERS_PER_CHANNEL / 1024} KiB) + ` +
      `${FIXED_ALLOWANCE / MiB} MiB); senders stalled at ${(report.acceptedAtPlateau / MiB).toFixed(0)} of ` +
      `${((report.channels * report.bytesPerSender) / MiB).toFixed(0)} MiB (max ` +
      `${(report.maxAcceptedPerSender / MiB).toFixed(1)} MiB each); ${report.seconds.toFixed(1)} s`,
  );

  // Every channel opened, every one is stopped by its window, and nobody got everything out.
  expect(report.serverChannels).toBe(report.channels);
  expect(report.clientChannels).toBe(report.channels);
  expect(report.plateauReached).toBe(true);
  expect(report.serverMaxSendWindow).toBe(0);
  expect(report.sendersFinished).toBe(0);
  expect(report.acceptedLater).toBe(report.acceptedAtPlateau);
  expect(report.acceptedAtPlateau).toBeLessThan((report.channels * report.bytesPerSender) / 2);
  // The server's per-channel queue overshoots its high-water mark by at most one socket read.
  expect(report.serverMaxQueued).toBeLessThanOrEqual(CHANNEL_WRITE_HIGH_WATER + MAX_SOCKET_READ);
  // The stalled data lives in windows and queues, not in buffers that grow without bound.
  expect(growth).toBeLessThan(bound);
});
