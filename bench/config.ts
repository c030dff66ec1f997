/**
 * Benchmark settings from the environment (all optional):
 *
 *   BENCH_MIB         MiB per measured transfer, each direction (default 256)
 *   BENCH_CIPHERS     comma list (default: chacha20-poly1305@openssh.com, aes256-gcm@openssh.com,
 *                     aes128-gcm@openssh.com)
 *   BENCH_IMPLS       comma list of purssh, ssh2, openssh (default: all three)
 *   BENCH_TIMEOUT_S   limit per transfer, warm-up included (default 120)
 *   BENCH_WARMUP_MIB  unmeasured transfer per tunnel and direction before the measured one (default 8,
 *                     at most BENCH_MIB; 0 disables)
 *   BENCH_CEILING_S   seconds of packet-cipher sealing/opening per cipher for the ceiling (default 2;
 *                     0 skips the ceiling)
 *
 * Only node: imports here: this module is also loaded by the launcher process.
 * @module
 */

export const ALL_CIPHERS = [
  "chacha20-poly1305@openssh.com",
  "aes256-gcm@openssh.com",
  "aes128-gcm@openssh.com",
] as const;
export const ALL_IMPLS = ["purssh", "ssh2", "openssh"] as const;
export type Impl = (typeof ALL_IMPLS)[number];
export type Direction = "inbound" | "outbound";
export const DIRECTIONS: readonly Direction[] = ["inbound", "outbound"];

/** How each implementation is labelled in tables. */
export const IMPL_LABEL: Record<Impl, string> = { purssh: "purssh", ssh2: "ssh2", openssh: "ssh -R" };

export const MIB = 1024 * 1024;

export interface BenchConfig {
  mib: number;
  bytes: number;
  ciphers: string[];
  impls: Impl[];
  timeoutMs: number;
  warmupBytes: number;
  ceilingSeconds: number;
}

function numberEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name}=${JSON.stringify(raw)}: expected a number ≥ ${min}`);
  return n;
}

function listEnv(name: string): string[] | undefined {
  const raw = process.env[name]?.trim();
  if (!raw) return undefined;
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Reads and validates the BENCH_* variables; throws with a readable message on bad values. */
export function readConfig(): BenchConfig {
  const mib = numberEnv("BENCH_MIB", 256, 1 / 1024);
  const bytes = Math.round(mib * MIB);
  const ciphers = listEnv("BENCH_CIPHERS") ?? [...ALL_CIPHERS];
  const unknownCiphers = ciphers.filter((c) => !(ALL_CIPHERS as readonly string[]).includes(c));
  if (unknownCiphers.length) {
    throw new Error(`BENCH_CIPHERS: unknown ${unknownCiphers.join(", ")} (known: ${ALL_CIPHERS.join(", ")})`);
  }
  const implNames = listEnv("BENCH_IMPLS") ?? [...ALL_IMPLS];
  const unknownImpls = implNames.filter((i) => !(ALL_IMPLS as readonly string[]).includes(i));
  if (unknownImpls.length) {
    throw new Error(`BENCH_IMPLS: unknown ${unknownImpls.join(", ")} (known: ${ALL_IMPLS.join(", ")})`);
  }
  // Keep the canonical order (purssh first) whatever order the list was given in.
  const impls = ALL_IMPLS.filter((i) => implNames.includes(i));
  const warmupMib = Math.min(numberEnv("BENCH_WARMUP_MIB", 8, 0), mib);
  return {
    mib,
    bytes,
    ciphers: [...new Set(ciphers)],
    impls,
    timeoutMs: numberEnv("BENCH_TIMEOUT_S", 120, 1) * 1000,
    warmupBytes: Math.round(warmupMib * MIB),
    ceilingSeconds: numberEnv("BENCH_CEILING_S", 2, 0),
  };
}
