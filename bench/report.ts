/**
 * Reporting for the throughput benchmark: the RSS sampler, the tables (tunnel rates and ratios, the
 * raw-cipher ceiling), the JSON summary and the one-line human summary. Only node: imports here.
 * @module
 */
import type { CeilingResult } from "./ceiling.js";
import type { Direction, Runner } from "./config.js";
import { MIB, RUNNER_LABEL } from "./config.js";

// ---------------------------------------------------------------------------------------------
// RSS

/**
 * Samples process.memoryUsage() every 100 ms; keeps the peak RSS overall and per window, and the
 * peak of `arrayBuffers` (memory in ArrayBuffers and Buffers, where data in flight lives) per window.
 */
export class RssSampler {
  private timer: ReturnType<typeof setInterval> | undefined;
  private windowPeak = 0;
  /** Peak arrayBuffers since beginWindow(). */
  windowBuffersPeak = 0;
  peak = 0;

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), 100);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  sample(): number {
    const { rss, arrayBuffers } = process.memoryUsage();
    if (rss > this.peak) this.peak = rss;
    if (rss > this.windowPeak) this.windowPeak = rss;
    if (arrayBuffers > this.windowBuffersPeak) this.windowBuffersPeak = arrayBuffers;
    return rss;
  }

  /** Starts a new window (e.g. one tunnel's runs); returns the RSS now. */
  beginWindow(): number {
    this.windowPeak = 0;
    this.windowBuffersPeak = 0;
    return this.sample();
  }

  /** The peak since beginWindow(). */
  endWindow(): number {
    this.sample();
    return this.windowPeak;
  }
}

// ---------------------------------------------------------------------------------------------
// Results

export interface RunRecord {
  /** purssh (noble), purssh+node (node:crypto provider), ssh2 or openssh. */
  runner: Runner;
  cipher: string;
  /** The MAC with a non-AEAD cipher, else "". */
  mac: string;
  direction: Direction;
  bytes: number;
  ok: boolean;
  seconds?: number;
  mibps?: number;
  error?: string;
  /** Peak RSS of this process during the run, tunnel setup included (bytes). */
  peakRss?: number;
  /** RSS when the run started. */
  rssBefore?: number;
  /** Peak process.memoryUsage().arrayBuffers during the run. */
  peakArrayBuffers?: number;
}

/** The ceiling of one cipher (ceiling.ts; a type-only import, so this module stays node:-only). */
export type CeilingRecord = CeilingResult;

export interface TableRow {
  cipher: string;
  direction: Direction;
  /** MiB/s per runner (null: not run, or failed). */
  rates: Record<Runner, number | null>;
  pursshVsSsh2: number | null;
  nodeVsSsh2: number | null;
  nodeVsPurssh: number | null;
  pursshVsOpenssh: number | null;
  nodeVsOpenssh: number | null;
  /** purssh tunnel / noble raw primitive (decrypt for inbound, encrypt for outbound). */
  pursshVsNoble: number | null;
  /** purssh tunnel / our noble packet cipher alone (open for inbound, seal for outbound). */
  pursshVsPacketCipher: number | null;
  /** purssh+node tunnel / the node:crypto packet cipher alone. */
  nodeVsNodePacketCipher: number | null;
}

function rate(runs: RunRecord[], runner: Runner, cipher: string, direction: Direction): number | null {
  const r = runs.find((x) => x.runner === runner && x.cipher === cipher && x.direction === direction);
  return r?.ok && r.mibps !== undefined ? r.mibps : null;
}

function ratio(a: number | null, b: number | null | undefined): number | null {
  return a === null || b === null || b === undefined || b === 0 ? null : a / b;
}

/** purssh receives (opens) inbound data and sends (seals) outbound data. */
export function buildRows(
  runs: RunRecord[],
  ciphers: string[],
  directions: readonly Direction[],
  ceilings: CeilingRecord[],
): TableRow[] {
  const rows: TableRow[] = [];
  for (const cipher of ciphers) {
    const c = ceilings.find((x) => x.cipher === cipher);
    for (const direction of directions) {
      const rates: Record<Runner, number | null> = {
        purssh: rate(runs, "purssh", cipher, direction),
        "purssh+node": rate(runs, "purssh+node", cipher, direction),
        ssh2: rate(runs, "ssh2", cipher, direction),
        openssh: rate(runs, "openssh", cipher, direction),
      };
      const inbound = direction === "inbound";
      const node = rates["purssh+node"];
      rows.push({
        cipher,
        direction,
        rates,
        pursshVsSsh2: ratio(rates.purssh, rates.ssh2),
        nodeVsSsh2: ratio(node, rates.ssh2),
        nodeVsPurssh: ratio(node, rates.purssh),
        pursshVsOpenssh: ratio(rates.purssh, rates.openssh),
        nodeVsOpenssh: ratio(node, rates.openssh),
        pursshVsNoble: ratio(rates.purssh, c && (inbound ? c.nobleDecryptMibps : c.nobleEncryptMibps)),
        pursshVsPacketCipher: ratio(rates.purssh, c && (inbound ? c.openMibps : c.sealMibps)),
        nodeVsNodePacketCipher: ratio(node, c && (inbound ? c.nodeOpenMibps : c.nodeSealMibps)),
      });
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Tables

function fmt(n: number | null | undefined, digits = 1): string {
  return n === null || n === undefined || !Number.isFinite(n) ? "—" : n.toFixed(digits);
}

function table(header: string[], rows: string[][], rightFrom: number): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i >= rightFrom ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** Rates of the runners that ran, then the ratios whose both sides ran. */
export function tunnelTable(rows: TableRow[], runs: RunRecord[], runners: readonly Runner[]): string {
  const failed = (runner: Runner, r: TableRow) =>
    runs.some((x) => x.runner === runner && x.cipher === r.cipher && x.direction === r.direction && !x.ok);
  const cell = (runner: Runner, r: TableRow) => {
    const v = r.rates[runner];
    return v === null && failed(runner, r) ? "FAIL" : fmt(v);
  };
  const has = (x: Runner) => runners.includes(x);
  const ratios: [string, (r: TableRow) => number | null, boolean][] = [
    ["purssh/ssh2", (r) => r.pursshVsSsh2, has("purssh") && has("ssh2")],
    ["+node/ssh2", (r) => r.nodeVsSsh2, has("purssh+node") && has("ssh2")],
    ["+node/purssh", (r) => r.nodeVsPurssh, has("purssh+node") && has("purssh")],
    ["purssh/ssh -R", (r) => r.pursshVsOpenssh, has("purssh") && has("openssh")],
    ["+node/ssh -R", (r) => r.nodeVsOpenssh, has("purssh+node") && has("openssh")],
  ];
  const shown = ratios.filter(([, , on]) => on);
  return table(
    ["cipher", "direction", ...runners.map((x) => `${RUNNER_LABEL[x]} MiB/s`), ...shown.map(([h]) => h)],
    rows.map((r) => [
      r.cipher,
      r.direction,
      ...runners.map((x) => cell(x, r)),
      ...shown.map(([, get]) => fmt(get(r), 2)),
    ]),
    2,
  );
}

export function ceilingTable(ceilings: CeilingRecord[], rows: TableRow[]): string {
  const out: string[][] = [];
  for (const c of ceilings) {
    for (const direction of ["inbound", "outbound"] as const) {
      const r = rows.find((x) => x.cipher === c.cipher && x.direction === direction);
      const inbound = direction === "inbound";
      out.push([
        c.cipher,
        `${direction} (${inbound ? "open" : "seal"})`,
        fmt(inbound ? c.openMibps : c.sealMibps),
        fmt(inbound ? c.nodeOpenMibps : c.nodeSealMibps),
        fmt(inbound ? c.nobleDecryptMibps : c.nobleEncryptMibps),
        fmt(r?.rates.purssh),
        fmt(r?.rates["purssh+node"]),
        fmt(r?.pursshVsPacketCipher, 2),
        fmt(r?.pursshVsNoble, 2),
        fmt(r?.nodeVsNodePacketCipher, 2),
      ]);
    }
  }
  return table(
    [
      "cipher",
      "purssh does",
      "noble packet MiB/s",
      "node packet MiB/s",
      "noble raw MiB/s",
      "purssh MiB/s",
      "+node MiB/s",
      "purssh/packet",
      "purssh/noble raw",
      "+node/node packet",
    ],
    out,
    2,
  );
}

// ---------------------------------------------------------------------------------------------
// Summaries

function range(values: number[], digits: number, suffix = "×"): string {
  if (!values.length) return "n/a";
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? `${lo.toFixed(digits)}${suffix}` : `${lo.toFixed(digits)}–${hi.toFixed(digits)}${suffix}`;
}

function present(values: (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null);
}

export function mib(bytes: number): string {
  const m = bytes / MIB;
  return `${m < 10 && !Number.isInteger(m) ? m.toFixed(1) : m.toFixed(0)} MiB`;
}

/** One line for humans: ranges of the ratios, the ceiling fraction, RSS and the run count. */
export function humanSummary(
  rows: TableRow[],
  runs: RunRecord[],
  pursshPeakRss: number | undefined,
  windowBytes: number,
): string {
  const ok = runs.filter((r) => r.ok).length;
  const parts = [
    `purssh ${range(present(rows.map((r) => r.rates.purssh)), 0, " MiB/s")}`,
    `purssh+node ${range(present(rows.map((r) => r.rates["purssh+node"])), 0, " MiB/s")}`,
    `purssh/ssh2 ${range(present(rows.map((r) => r.pursshVsSsh2)), 2)}`,
    `purssh+node/ssh2 ${range(present(rows.map((r) => r.nodeVsSsh2)), 2)}`,
    `purssh+node/purssh ${range(present(rows.map((r) => r.nodeVsPurssh)), 2)}`,
    `purssh/openssh ${range(present(rows.map((r) => r.pursshVsOpenssh)), 2)}`,
    `tunnel/noble raw ${range(
      present(rows.map((r) => r.pursshVsNoble)).map((v) => v * 100),
      0,
      " %",
    )} (target ≥ 85 %)`,
    `peak RSS ${pursshPeakRss === undefined ? "n/a" : mib(pursshPeakRss)} (window ${mib(windowBytes)})`,
    `${ok}/${runs.length} runs ok`,
  ];
  return `SUMMARY: ${parts.join("; ")}`;
}
