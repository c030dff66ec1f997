/**
 * Benchmark settings from the environment (all optional):
 *
 *   BENCH_MIB         MiB per measured transfer, each direction (default 128; 3des-cbc moves an
 *                     eighth of it, see TRANSFER_SCALE)
 *   BENCH_CIPHERS     comma list (default: every cipher purssh implements that OpenSSH 9.2's sshd
 *                     offers by default or with `Ciphers +…`, see ALL_CIPHERS)
 *   BENCH_MAC         the MAC every implementation uses with the non-AEAD ciphers (default
 *                     hmac-sha2-256-etm@openssh.com, purssh's and ssh2's first choice)
 *   BENCH_IMPLS       comma list of purssh, ssh2, openssh (default: all three)
 *   BENCH_PROVIDERS   comma list of noble, node: the CryptoProviders purssh runs with, one tunnel
 *                     row each, "purssh" and "purssh+node" (default: both)
 *   BENCH_TIMEOUT_S   limit per transfer, warm-up included (default 120)
 *   BENCH_WARMUP_MIB  unmeasured transfer per tunnel and direction before the measured one (default 8,
 *                     at most the transfer; 0 disables)
 *   BENCH_CEILING_S   seconds of packet-cipher sealing/opening per cipher and provider for the ceiling
 *                     (default 1; 0 skips the ceiling)
 *
 * Only node: imports here: this module is also loaded by the launcher process.
 * @module
 */

/**
 * OpenSSH 9.2's sshd offers the first six by default; the CBC ciphers and 3des-cbc it supports with
 * `Ciphers +…` (the bench sshd enables them). purssh implements all ten (CBC and 3DES as opt-in).
 */
export const ALL_CIPHERS = [
  "chacha20-poly1305@openssh.com",
  "aes256-gcm@openssh.com",
  "aes128-gcm@openssh.com",
  "aes128-ctr",
  "aes192-ctr",
  "aes256-ctr",
  "aes128-cbc",
  "aes192-cbc",
  "aes256-cbc",
  "3des-cbc",
] as const;
export const AEAD_CIPHERS: ReadonlySet<string> = new Set([
  "chacha20-poly1305@openssh.com",
  "aes256-gcm@openssh.com",
  "aes128-gcm@openssh.com",
]);
/** The first MAC of purssh's DEFAULT_MACS, and ssh2's; OpenSSH's ssh would pick umac-64-etm, which purssh lacks. */
export const DEFAULT_MAC = "hmac-sha2-256-etm@openssh.com";
/**
 * The fraction of BENCH_MIB a cipher moves: 3des-cbc runs at a few MiB/s in every implementation,
 * and a full transfer would take most of the run. Rates stay comparable (MiB/s).
 */
export const TRANSFER_SCALE: Readonly<Record<string, number>> = { "3des-cbc": 1 / 8 };

export const ALL_IMPLS = ["purssh", "ssh2", "openssh"] as const;
export type Impl = (typeof ALL_IMPLS)[number];
export const ALL_PROVIDERS = ["noble", "node"] as const;
export type Provider = (typeof ALL_PROVIDERS)[number];
/** One tunnel row: purssh once per CryptoProvider, then ssh2 and ssh -R. */
export const ALL_RUNNERS = ["purssh", "purssh+node", "ssh2", "openssh"] as const;
export type Runner = (typeof ALL_RUNNERS)[number];
export type Direction = "inbound" | "outbound";
export const DIRECTIONS: readonly Direction[] = ["inbound", "outbound"];

/** How each runner is labelled in tables. */
export const RUNNER_LABEL: Record<Runner, string> = {
  purssh: "purssh",
  "purssh+node": "purssh+node",
  ssh2: "ssh2",
  openssh: "ssh -R",
};
/** The implementation behind a runner and, for purssh, its CryptoProvider. */
export const RUNNER_IMPL: Record<Runner, { impl: Impl; provider?: Provider }> = {
  purssh: { impl: "purssh", provider: "noble" },
  "purssh+node": { impl: "purssh", provider: "node" },
  ssh2: { impl: "ssh2" },
  openssh: { impl: "openssh" },
};

export const MIB = 1024 * 1024;

export interface BenchConfig {
  mib: number;
  bytes: number;
  ciphers: string[];
  mac: string;
  impls: Impl[];
  providers: Provider[];
  /** impls × providers, in table order. */
  runners: Runner[];
  timeoutMs: number;
  warmupBytes: number;
  ceilingSeconds: number;
}

/** Bytes a transfer with `cipher` moves (BENCH_MIB, scaled down for the slowest legacy cipher). */
export function transferBytes(config: BenchConfig, cipher: string): number {
  return Math.round(config.bytes * (TRANSFER_SCALE[cipher] ?? 1));
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
  const mib = numberEnv("BENCH_MIB", 128, 1 / 1024);
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
  const providerNames = listEnv("BENCH_PROVIDERS") ?? [...ALL_PROVIDERS];
  const unknownProviders = providerNames.filter((p) => !(ALL_PROVIDERS as readonly string[]).includes(p));
  if (unknownProviders.length || providerNames.length === 0) {
    throw new Error(`BENCH_PROVIDERS: unknown ${unknownProviders.join(", ")} (known: ${ALL_PROVIDERS.join(", ")})`);
  }
  const providers = ALL_PROVIDERS.filter((p) => providerNames.includes(p));
  const runners = ALL_RUNNERS.filter((r) => {
    const { impl, provider } = RUNNER_IMPL[r];
    return impls.includes(impl) && (provider === undefined || providers.includes(provider));
  });
  const mac = process.env.BENCH_MAC?.trim() || DEFAULT_MAC;
  const warmupMib = Math.min(numberEnv("BENCH_WARMUP_MIB", 8, 0), mib);
  return {
    mib,
    bytes,
    ciphers: [...new Set(ciphers)],
    mac,
    impls,
    providers,
    runners,
    timeoutMs: numberEnv("BENCH_TIMEOUT_S", 120, 1) * 1000,
    warmupBytes: Math.round(warmupMib * MIB),
    ceilingSeconds: numberEnv("BENCH_CEILING_S", 1, 0),
  };
}
