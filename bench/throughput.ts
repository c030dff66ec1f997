/**
 * Throughput benchmark: bytes per second through a reverse tunnel (RFC 4254 §7 tcpip-forward /
 * forwarded-tcpip) via one real OpenSSH sshd on loopback, for purssh (once per CryptoProvider:
 * "purssh" on noble, "purssh+node" with @purssh/crypto-node's node:crypto provider installed by
 * useCryptoProvider before connecting), the ssh2 package and OpenSSH's own `ssh -R`, per cipher
 * (non-AEAD ones with one MAC, BENCH_MAC) and per direction, all in the same run:
 *
 *   inbound   a TCP client connects to the port sshd forwards and sends BENCH_MIB MiB; the bytes flow
 *             server→client through the tunnel to a local target that counts and discards them
 *             (purssh/ssh2 decrypt).
 *   outbound  the local target sends BENCH_MIB MiB back through the tunnel to a client connected to
 *             the forwarded port, which counts and discards them (purssh/ssh2 encrypt).
 *
 * A rate is BENCH_MIB / (time from the first byte written by the sender to the last byte read by the
 * receiver); a run counts only if exactly that many bytes arrived, followed by EOF. Each tunnel does
 * an unmeasured warm-up transfer per direction first. Also measured: the in-process ceiling (our
 * packet ciphers and noble's raw primitives on 32 KiB packets, see ceiling.ts) and this process's
 * peak RSS (sampled every 100 ms) while each tunnel runs. Prints the tables, a JSON summary (also
 * written to bench/results/throughput-<date>.json) and a one-line summary.
 *
 * Run: `npm run bench` (builds first), or `npx tsc -b tsconfig.build.json && npx tsx bench/throughput.ts`.
 * Knobs: BENCH_MIB, BENCH_CIPHERS, BENCH_MAC, BENCH_IMPLS, BENCH_PROVIDERS, BENCH_TIMEOUT_S,
 * BENCH_WARMUP_MIB, BENCH_CEILING_S (see config.ts). Needs root (the sshd harness creates its test user) and /usr/sbin/sshd, ssh.
 *
 * Why a second process: tsx applies the root tsconfig.json `paths`, which map @purssh/* to the
 * TypeScript sources. To measure the built packages (dist/, what users run), this script re-runs
 * itself under tsx with TSX_TSCONFIG_PATH=bench/tsconfig.run.json (no `paths`); the first process
 * only forwards signals and the exit code. Everything that imports @purssh/* is loaded dynamically
 * in the worker.
 * @module
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, constants as osConstants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SshdInfo } from "@purssh/testkit";
import {
  AEAD_CIPHERS,
  ALL_CIPHERS,
  type BenchConfig,
  DIRECTIONS,
  type Direction,
  type Impl,
  MIB,
  RUNNER_IMPL,
  RUNNER_LABEL,
  type Runner,
  readConfig,
  TRANSFER_SCALE,
  transferBytes,
} from "./config.js";
import {
  buildRows,
  type CeilingRecord,
  ceilingTable,
  humanSummary,
  mib,
  RssSampler,
  type RunRecord,
  tunnelTable,
} from "./report.js";
import { Target, TransferError, transfer } from "./traffic.js";
import type { Tunnel, TunnelContext } from "./tunnels.js";

const RUN_TSCONFIG = fileURLToPath(new URL("./tsconfig.run.json", import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL("./results/", import.meta.url));
/** Connecting, authenticating and getting the forwarding, per tunnel. */
const SETUP_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// Launcher

function relaunch(): void {
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: "inherit",
      env: { ...process.env, TSX_TSCONFIG_PATH: RUN_TSCONFIG },
    },
  );
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  child.on("error", (e) => {
    console.error(`cannot start the benchmark worker: ${e.message}`);
    process.exitCode = 1;
  });
  child.on("exit", (code, sig) => {
    process.off("SIGINT", forward);
    process.off("SIGTERM", forward);
    process.exitCode = code ?? 128 + (sig ? (osConstants.signals[sig] ?? 0) : 1);
  });
}

// ---------------------------------------------------------------------------------------------
// Cleanup (normal end, errors, SIGINT/SIGTERM)

const cleanups = new Set<() => Promise<void>>();
let currentTunnel: Tunnel | undefined;
let interrupted = false;

async function cleanupAll(): Promise<void> {
  const t = currentTunnel;
  currentTunnel = undefined;
  if (t) await t.close().catch(() => {});
  // Last registered first: the target, then sshd.
  for (const c of [...cleanups].reverse()) {
    cleanups.delete(c);
    await c().catch((e: unknown) => console.error(`cleanup failed: ${e instanceof Error ? e.message : e}`));
  }
}

function onSignal(sig: NodeJS.Signals): void {
  if (interrupted) return; // the terminal and the launcher may both deliver it
  interrupted = true;
  console.error(`\n${sig}: stopping the tunnels and sshd…`);
  const hard = setTimeout(() => process.exit(130), 30_000);
  void cleanupAll().finally(() => {
    clearTimeout(hard);
    process.exit(130);
  });
}

// ---------------------------------------------------------------------------------------------
// Worker

function message(e: unknown): string {
  if (e instanceof TransferError) return e.message;
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return `${typeof code === "string" ? `${code}: ` : ""}${e.message}`;
  }
  return String(e);
}

/** The version of an installed package (found from one of its modules: `exports` may hide package.json). */
function packageVersion(spec: string, subpath = ""): string {
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve(`${spec}${subpath}`)));
    for (;;) {
      const pkg = join(dir, "package.json");
      if (existsSync(pkg)) {
        const json = JSON.parse(readFileSync(pkg, "utf8")) as { name?: string; version?: string };
        if (json.name === spec) return json.version ?? "?";
      }
      if (dirname(dir) === dir) return "?";
      dir = dirname(dir);
    }
  } catch {
    return "?";
  }
}

function stamp(d: Date): string {
  return d
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/:/g, "-");
}

interface Context {
  config: BenchConfig;
  sshd: SshdInfo;
  target: Target;
  rss: RssSampler;
  open: Record<Impl, (ctx: TunnelContext) => Promise<Tunnel>>;
  /** Installs purssh's CryptoProvider for the next connections (process-wide). */
  useProvider: (runner: Runner) => void;
}

/** Both directions for one runner and cipher, over one tunnel (reopened after a failure). */
async function runOne(ctx: Context, runner: Runner, cipher: string): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  const { config } = ctx;
  const { impl } = RUNNER_IMPL[runner];
  const bytes = transferBytes(config, cipher);
  const warmupBytes = Math.min(config.warmupBytes, bytes);
  const mac = AEAD_CIPHERS.has(cipher) ? "" : config.mac;
  let reported = 0;
  // The algorithms are looked up when the connection negotiates them: install the provider first.
  ctx.useProvider(runner);
  for (const direction of DIRECTIONS) {
    if (interrupted) break;
    const rec: RunRecord = { runner, cipher, mac, direction, bytes, ok: false };
    const rssBefore = ctx.rss.beginWindow();
    const label = `${RUNNER_LABEL[runner].padEnd(11)}  ${cipher.padEnd(29)}  ${direction.padEnd(8)}`;
    let phase = "setting up the tunnel";
    try {
      if (!currentTunnel) {
        currentTunnel = await ctx.open[impl]({
          sshd: ctx.sshd,
          cipher,
          mac: config.mac,
          targetPort: ctx.target.port,
          timeoutMs: SETUP_TIMEOUT_MS,
        });
        reported = 0;
        console.log(`  ${RUNNER_LABEL[runner]} tunnel up: sshd port ${currentTunnel.port} (${currentTunnel.detail})`);
      }
      const tunnel = currentTunnel;
      const run = (bytes: number) =>
        transfer({
          direction,
          target: ctx.target,
          forwardPort: tunnel.port,
          bytes,
          timeoutMs: config.timeoutMs,
          tunnelFailed: tunnel.failed,
        });
      if (warmupBytes > 0) {
        phase = `the ${mib(warmupBytes)} warm-up`;
        await run(warmupBytes);
      }
      phase = "the measured transfer";
      const r = await run(bytes);
      Object.assign(rec, { ok: true, seconds: r.seconds, mibps: r.mibps });
    } catch (e) {
      rec.error = `${phase}: ${message(e)}`;
      const t = currentTunnel;
      currentTunnel = undefined;
      await t?.close();
    }
    rec.peakRss = ctx.rss.endWindow();
    rec.rssBefore = rssBefore;
    rec.peakArrayBuffers = ctx.rss.windowBuffersPeak;
    records.push(rec);
    if (interrupted) break;
    const rssText = `RSS ${mib(rssBefore)} → peak ${mib(rec.peakRss)}, buffers peak ${mib(rec.peakArrayBuffers)}`;
    if (rec.ok) {
      console.log(
        `  ${label}  ${mib(rec.bytes)} in ${rec.seconds!.toFixed(2)} s = ${rec.mibps!.toFixed(1)} MiB/s  (${rssText})`,
      );
    } else {
      console.log(`  ${label}  FAILED: ${rec.error}  (${rssText})`);
    }
    const notes = currentTunnel?.notes ?? [];
    for (const n of notes.slice(reported)) console.log(`    note: ${n}`);
    reported = notes.length;
  }
  const t = currentTunnel;
  currentTunnel = undefined;
  await t?.close();
  return records;
}

async function worker(): Promise<void> {
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const config = readConfig();
  const started = new Date();
  const testkit = await import("@purssh/testkit");
  const { OPENERS } = await import("./tunnels.js");
  const { measureCeiling } = await import("./ceiling.js");
  const { DEFAULT_WINDOW_SIZE, DEFAULT_MAX_PACKET_SIZE } = await import("@purssh/connection");
  const { getCipher, getMac, useCryptoProvider } = await import("@purssh/crypto");
  const { nodeCryptoProvider, nodeProvidedAlgorithms } = await import("@purssh/crypto-node");
  const useProvider = (runner: Runner) =>
    useCryptoProvider(RUNNER_IMPL[runner].provider === "node" ? nodeCryptoProvider : undefined);

  const clientModule = import.meta.resolve("@purssh/client");
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "?",
    node: process.version,
    openssh: testkit.sshdVersion(),
    ssh2: packageVersion("ssh2"),
    noble: packageVersion("@noble/ciphers", "/aes.js"),
    openssl: process.versions.openssl,
  };
  console.log(`purssh throughput benchmark — ${started.toISOString()}`);
  console.log(
    `  ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node} (OpenSSL ${machine.openssl}), ${machine.openssh}, ssh2 ${machine.ssh2}, @noble/ciphers ${machine.noble}`,
  );
  console.log(`  @purssh/client: ${fileURLToPath(clientModule)}`);
  if (!clientModule.includes("/dist/")) console.log("  WARNING: @purssh/client is not the built package (dist/)");
  const scaled = Object.entries(TRANSFER_SCALE)
    .filter(([c]) => config.ciphers.includes(c))
    .map(([c, f]) => `${c} ${mib(Math.round(config.bytes * f))}`);
  console.log(
    `  ${mib(config.bytes)} per direction${scaled.length ? ` (${scaled.join(", ")})` : ""} (warm-up ${mib(config.warmupBytes)}), ` +
      `ciphers: ${config.ciphers.join(", ")}; non-AEAD ciphers with ${config.mac}; ` +
      `runs: ${config.runners.map((r) => RUNNER_LABEL[r]).join(", ")}; timeout ${config.timeoutMs / 1000} s per run`,
  );
  if (config.providers.includes("node")) {
    const p = nodeProvidedAlgorithms();
    console.log(`  purssh+node: node:crypto provides ${[...p.ciphers, ...p.macs].join(", ")}; noble the rest`);
  }

  const rss = new RssSampler();
  rss.start();
  const baselineRss = rss.sample();
  // Every cipher we measure, the legacy CBC ones included (sshd 9.2 offers them with `Ciphers +…`).
  const sshd = await testkit.startSshd({ name: "bench", ciphers: [...ALL_CIPHERS] });
  cleanups.add(() => sshd.stop());
  const target = await Target.start();
  cleanups.add(() => target.close());
  console.log(`  sshd on 127.0.0.1:${sshd.port} (pid ${sshd.pid}), target on 127.0.0.1:${target.port}\n`);

  const ctx: Context = { config, sshd, target, rss, open: OPENERS, useProvider };
  const runs: RunRecord[] = [];
  for (const cipher of config.ciphers) {
    for (const runner of config.runners) {
      if (interrupted) return;
      runs.push(...(await runOne(ctx, runner, cipher)));
    }
  }
  useCryptoProvider(undefined);

  const ceilings: CeilingRecord[] = [];
  const ceilingErrors: string[] = [];
  if (config.ceilingSeconds > 0 && !interrupted) {
    const withNode = config.providers.includes("node");
    console.log(
      `\nraw cipher ceiling (${config.ceilingSeconds} s of 32 KiB packets per cipher and provider in 4 rounds: ` +
        `noble packet cipher, noble primitives on as many packets${withNode ? ", node:crypto packet cipher" : ""}; best round)`,
    );
    const f = (n: number | null) => (n === null ? "—" : n.toFixed(1));
    for (const cipher of config.ciphers) {
      try {
        // Explicit implementations: no provider is installed now, so the registry's are noble's.
        const mac = AEAD_CIPHERS.has(cipher) ? undefined : config.mac;
        const noble = { cipher: getCipher(cipher)!, mac: mac === undefined ? undefined : getMac(mac)! };
        const nodeCipher = nodeCryptoProvider.cipher?.(cipher);
        const nodeMac = mac === undefined ? undefined : nodeCryptoProvider.mac?.(mac);
        const node =
          withNode && nodeCipher && (mac === undefined || nodeMac) ? { cipher: nodeCipher, mac: nodeMac } : undefined;
        const c = measureCeiling(noble, node, config.ceilingSeconds);
        ceilings.push(c);
        console.log(
          `  ${cipher.padEnd(29)}  noble seal ${f(c.sealMibps)} open ${f(c.openMibps)}  ` +
            `node seal ${f(c.nodeSealMibps)} open ${f(c.nodeOpenMibps)}  ` +
            `noble raw encrypt ${f(c.nobleEncryptMibps)} decrypt ${f(c.nobleDecryptMibps)} MiB/s  (${c.packets} packets)`,
        );
      } catch (e) {
        ceilingErrors.push(`${cipher}: ${message(e)}`);
        console.log(`  ${cipher.padEnd(29)}  FAILED: ${message(e)}`);
      }
    }
  }
  await cleanupAll();
  rss.stop();
  if (interrupted) return;

  const rows = buildRows(runs, config.ciphers, DIRECTIONS, ceilings);
  const peakOf = (impl: Impl, field: "peakRss" | "peakArrayBuffers") => {
    const v = runs.filter((r) => RUNNER_IMPL[r.runner].impl === impl && r[field] !== undefined).map((r) => r[field]!);
    return v.length ? Math.max(...v) : undefined;
  };
  const peaks = {
    purssh: peakOf("purssh", "peakRss"),
    ssh2: peakOf("ssh2", "peakRss"),
    openssh: peakOf("openssh", "peakRss"),
  };
  const pursshBuffers = peakOf("purssh", "peakArrayBuffers");

  const scaledNote = Object.entries(TRANSFER_SCALE)
    .filter(([c]) => config.ciphers.includes(c))
    .map(([c, f]) => `, ${c} ${mib(Math.round(config.bytes * f))}`)
    .join("");
  console.log(
    `\nthroughput through a reverse tunnel via ${machine.openssh.split(",")[0]} (${mib(config.bytes)} per run${scaledNote}; ` +
      `non-AEAD ciphers with ${config.mac})\n`,
  );
  console.log(tunnelTable(rows, runs, config.runners));
  if (ceilings.length && config.impls.includes("purssh")) {
    console.log("\npurssh tunnels vs the raw cipher speed in this process (project target: purssh/noble raw ≥ 0.85)\n");
    console.log(ceilingTable(ceilings, rows));
  }
  console.log(
    `\npeak RSS of this process (100 ms samples): purssh and purssh+node runs ${peaks.purssh ? mib(peaks.purssh) : "n/a"}, ` +
      `ssh2 runs ${peaks.ssh2 ? mib(peaks.ssh2) : "n/a"}, ssh -R runs (load generator only) ${peaks.openssh ? mib(peaks.openssh) : "n/a"}; ` +
      `at start ${mib(baselineRss)}; purssh runs' arrayBuffers peak ${pursshBuffers === undefined ? "n/a" : mib(pursshBuffers)}. ` +
      `Flow-control window ${mib(DEFAULT_WINDOW_SIZE)} per channel ` +
      `(purssh DEFAULT_WINDOW_SIZE), max packet ${DEFAULT_MAX_PACKET_SIZE / 1024} KiB.`,
  );
  if (target.stray > 0) console.log(`warning: ${target.stray} unexpected connection(s) reached the target`);
  const failures = runs.filter((r) => !r.ok);
  for (const f of failures) console.log(`FAILED ${RUNNER_LABEL[f.runner]} ${f.cipher} ${f.direction}: ${f.error}`);

  const round = (n: number | null | undefined, d = 1) => (n === null || n === undefined ? null : Number(n.toFixed(d)));
  const summary = {
    bench: "throughput",
    date: started.toISOString(),
    mib: config.mib,
    mac: config.mac,
    windowBytes: DEFAULT_WINDOW_SIZE,
    rows: rows.map((r) => ({
      cipher: r.cipher,
      direction: r.direction as Direction,
      purssh: round(r.rates.purssh),
      pursshNode: round(r.rates["purssh+node"]),
      ssh2: round(r.rates.ssh2),
      openssh: round(r.rates.openssh),
      pursshVsSsh2: round(r.pursshVsSsh2, 3),
      pursshNodeVsSsh2: round(r.nodeVsSsh2, 3),
      pursshNodeVsPurssh: round(r.nodeVsPurssh, 3),
      pursshVsOpenssh: round(r.pursshVsOpenssh, 3),
      pursshNodeVsOpenssh: round(r.nodeVsOpenssh, 3),
      pursshVsNoble: round(r.pursshVsNoble, 3),
      pursshVsPacketCipher: round(r.pursshVsPacketCipher, 3),
      pursshNodeVsNodePacketCipher: round(r.nodeVsNodePacketCipher, 3),
    })),
    ceiling: ceilings.map((c) => ({
      cipher: c.cipher,
      seal: round(c.sealMibps),
      open: round(c.openMibps),
      nodeSeal: round(c.nodeSealMibps),
      nodeOpen: round(c.nodeOpenMibps),
      nobleEncrypt: round(c.nobleEncryptMibps),
      nobleDecrypt: round(c.nobleDecryptMibps),
    })),
    peakRssMiB: {
      purssh: round(peaks.purssh && peaks.purssh / MIB),
      ssh2: round(peaks.ssh2 && peaks.ssh2 / MIB),
      openssh: round(peaks.openssh && peaks.openssh / MIB),
      atStart: round(baselineRss / MIB),
    },
    pursshArrayBuffersPeakMiB: round(pursshBuffers && pursshBuffers / MIB),
    failures: [
      ...failures.map((f) => `${f.runner} ${f.cipher} ${f.direction}: ${f.error}`),
      ...ceilingErrors.map((e) => `ceiling ${e}`),
    ],
  };
  const file = `${RESULTS_DIR}throughput-${stamp(started)}.json`;
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ ...summary, machine, config, runs, ceilingRaw: ceilings, baselineRss, targetStray: target.stray }, null, 2)}\n`,
  );
  console.log(`\nJSON (full results in ${file}):`);
  console.log(JSON.stringify(summary));
  console.log(humanSummary(rows, runs, peaks.purssh, DEFAULT_WINDOW_SIZE));
  if (failures.length || ceilingErrors.length) process.exitCode = 1;
}

function runWorker(): void {
  worker()
    .catch(async (e: unknown) => {
      console.error(`benchmark failed: ${e instanceof Error ? (e.stack ?? e.message) : e}`);
      process.exitCode = 1;
      await cleanupAll();
    })
    .finally(() => {
      // Everything is closed by now, so the process should exit on its own; if a handle leaked,
      // say which and exit anyway rather than hang.
      setTimeout(() => {
        console.error(
          `still running 10 s after cleanup; open resources: ${process.getActiveResourcesInfo().join(", ")}`,
        );
        process.exit(process.exitCode ?? 1);
      }, 10_000).unref();
    });
}

const underTsx = process.execArgv.some((a) => a.includes("tsx"));
if (process.env.TSX_TSCONFIG_PATH === RUN_TSCONFIG || !underTsx) runWorker();
else relaunch();
