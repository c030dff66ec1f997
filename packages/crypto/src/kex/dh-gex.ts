/**
 * Diffie-Hellman group exchange (RFC 4419, minimum sizes from RFC 8270): the client asks for a
 * modulus size with KEX_DH_GEX_REQUEST (min, n, max), the server answers with KEX_DH_GEX_GROUP
 * (p, g), then e and f travel as mpints in KEX_DH_GEX_INIT / KEX_DH_GEX_REPLY (32/33) and K is an
 * mpint as in RFC 4253 §8.
 *
 * - diffie-hellman-group-exchange-sha256 (RFC 4419 §4.2), SHA-256.
 * - Legacy, never offered by default: diffie-hellman-group-exchange-sha1 (RFC 4419 §4.1; RFC 9142: SHOULD
 *   NOT).
 *
 * The client must not trust the server's group (RFC 4419 §3, RFC 8270 §2): `validateGexGroup`
 * checks that p is odd, that its size is within what was requested and within 2048..8192 bits
 * (RFC 8270 §2 minimum; the 8192 ceiling of RFC 4419 §3 also bounds our CPU), that
 * 1 < g < p − 1, and that p looks like a safe prime: p ≡ 3 (mod 4), no small factor in p or
 * q = (p − 1)/2, and Miller–Rabin with random bases on both (one round each by default). That
 * test costs full-length exponentiations: measured 0.05–0.08 s for 2048 bits, 0.13–0.3 s for the
 * 3072 bits we prefer, 2–4 s for 8192 bits on a shared 2-vCPU Xeon. OpenSSH tests no primality.
 * @module
 */
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { DISCONNECT, ProtocolError, SshError } from "@purssh/wire";
import type { DhGroup, KexAlgorithm, KexClientExchange, KexServerExchange, RandomBytes } from "../types.js";
import { FiniteFieldDhExchange } from "./dh-exchange.js";
import { RFC3526_GROUPS } from "./dh-groups.js";
import { bitLength, hasSmallFactor, isProbablePrime } from "./modp-arithmetic.js";

export const DIFFIE_HELLMAN_GROUP_EXCHANGE_SHA256 = "diffie-hellman-group-exchange-sha256";
export const INSECURE_DIFFIE_HELLMAN_GROUP_EXCHANGE_SHA1 = "diffie-hellman-group-exchange-sha1";

/** RFC 8270 §2: a group-exchange modulus SHOULD have at least 2048 bits; we require it (OpenSSH DH_GRP_MIN). */
export const DH_GEX_MIN_BITS = 2048;
/** RFC 4419 §3's largest size; OpenSSH DH_GRP_MAX. Larger groups are refused before any arithmetic. */
export const DH_GEX_MAX_BITS = 8192;

/** What the client puts in KEX_DH_GEX_REQUEST (RFC 4419 §3: min ≤ n ≤ max, in bits). */
export interface DhGexRequest {
  readonly min: number;
  /** RFC 4419's `n`: the preferred size. */
  readonly preferred: number;
  readonly max: number;
}

/**
 * Our KEX_DH_GEX_REQUEST: OpenSSH's DH_GRP_MIN and DH_GRP_MAX (dh.h) around a preferred 3072 bits,
 * the size of OpenSSH's dh_estimate() for 128-bit security.
 */
export const DH_GEX_DEFAULT = Object.freeze({ min: 2048, preferred: 3072, max: 8192 } as const satisfies DhGexRequest);

/** Miller–Rabin rounds (random bases) on each of p and (p − 1)/2 when a client validates a group. */
export const DH_GEX_PRIMALITY_ROUNDS = 1;

function invalidGroup(method: string, why: string): ProtocolError {
  return new ProtocolError(
    "ERR_KEX_INVALID_GROUP",
    `${method}: the server's group is unacceptable: ${why}`,
    DISCONNECT.KEY_EXCHANGE_FAILED,
  );
}

/** How `validateGexGroup` judges a group. */
export interface GexGroupCheck {
  /** What the client sent in KEX_DH_GEX_REQUEST (default DH_GEX_DEFAULT). */
  readonly request?: DhGexRequest;
  /**
   * Miller–Rabin rounds on each of p and (p − 1)/2 (default DH_GEX_PRIMALITY_ROUNDS); 0 keeps only
   * the structural checks (size, parity, p mod 4, generator range, trial division).
   */
  readonly primalityRounds?: number;
  /** The method name for error messages. */
  readonly method?: string;
}

/**
 * Checks a KEX_DH_GEX_GROUP the server sent against what we asked for (RFC 4419 §3, RFC 8270 §2);
 * throws a ProtocolError "ERR_KEX_INVALID_GROUP" (KEY_EXCHANGE_FAILED) when it is not acceptable.
 * `random` supplies the Miller–Rabin bases.
 */
export function validateGexGroup(group: DhGroup, random: RandomBytes, check: GexGroupCheck = {}): void {
  const request = check.request ?? DH_GEX_DEFAULT;
  const primalityRounds = check.primalityRounds ?? DH_GEX_PRIMALITY_ROUNDS;
  const method = check.method ?? DIFFIE_HELLMAN_GROUP_EXCHANGE_SHA256;
  const { p, g } = group;
  const bits = bitLength(p);
  if (bits > DH_GEX_MAX_BITS) throw invalidGroup(method, `p has ${bits} bits, more than ${DH_GEX_MAX_BITS}`);
  if (bits < DH_GEX_MIN_BITS) {
    throw invalidGroup(method, `p has ${bits} bits, RFC 8270 §2 requires at least ${DH_GEX_MIN_BITS}`);
  }
  if (bits < request.min || bits > request.max) {
    throw invalidGroup(method, `p has ${bits} bits, outside the requested ${request.min}..${request.max}`);
  }
  if ((p & 1n) === 0n) throw invalidGroup(method, "p is even");
  if (g <= 1n || g >= p - 1n) throw invalidGroup(method, "g is not in 2..p-2");
  if ((p & 3n) !== 3n) throw invalidGroup(method, "p is not a safe prime ((p-1)/2 is even)");
  const q = p >> 1n;
  if (hasSmallFactor(p) || hasSmallFactor(q)) throw invalidGroup(method, "p is not a safe prime (small factor)");
  if (primalityRounds > 0) {
    if (!isProbablePrime(q, primalityRounds, random) || !isProbablePrime(p, primalityRounds, random)) {
      throw invalidGroup(method, "p is not a safe prime (Miller-Rabin)");
    }
  }
}

/**
 * The server's choice for KEX_DH_GEX_REQUEST (min, n, max) among the RFC 3526 groups (2048–8192
 * bits): like OpenSSH's kexgexs.c and dh.c choose_dh, the request is checked (min ≤ n ≤ max,
 * max ≥ 2048), clamped to 2048..8192, and the smallest group of at least n bits within range wins,
 * else the largest within range.
 */
export function chooseGexGroup(min: number, n: number, max: number): DhGroup {
  const ok = [min, n, max].every((v) => Number.isSafeInteger(v) && v >= 0);
  if (!ok || min > n || n > max || max < DH_GEX_MIN_BITS || min > DH_GEX_MAX_BITS) {
    throw new ProtocolError(
      "ERR_KEX_GEX_BAD_REQUEST",
      `KEX_DH_GEX_REQUEST min=${min} n=${n} max=${max} is malformed or asks for no size in ${DH_GEX_MIN_BITS}..${DH_GEX_MAX_BITS}`,
      DISCONNECT.KEY_EXCHANGE_FAILED,
    );
  }
  const lo = Math.max(min, DH_GEX_MIN_BITS);
  const hi = Math.min(max, DH_GEX_MAX_BITS);
  const want = Math.min(Math.max(n, lo), hi);
  const inRange = RFC3526_GROUPS.filter((grp) => {
    const bits = bitLength(grp.p);
    return bits >= lo && bits <= hi;
  });
  const chosen = inRange.find((grp) => bitLength(grp.p) >= want) ?? inRange[inRange.length - 1];
  if (chosen === undefined) {
    throw new ProtocolError(
      "ERR_KEX_GEX_BAD_REQUEST",
      `KEX_DH_GEX_REQUEST min=${min} n=${n} max=${max}: no RFC 3526 group has a size in ${lo}..${hi}`,
      DISCONNECT.KEY_EXCHANGE_FAILED,
    );
  }
  return chosen;
}

function requireGroup(method: string, group: DhGroup | undefined): DhGroup {
  if (group === undefined) {
    throw new SshError("ERR_KEX_GROUP_REQUIRED", `${method} needs the group from KEX_DH_GEX_GROUP (RFC 4419 §3)`);
  }
  return group;
}

function groupExchangeKex(name: string, hash: (data: Uint8Array) => Uint8Array): KexAlgorithm {
  return Object.freeze({
    name,
    publicKeyEncoding: "mpint",
    groupExchange: true,
    hash: (data: Uint8Array): Uint8Array => hash(data),
    /** Validates the server's group against DH_GEX_DEFAULT before using it. */
    createClient: (random: RandomBytes, group?: DhGroup): KexClientExchange => {
      const g = requireGroup(name, group);
      validateGexGroup(g, random, { method: name });
      return new FiniteFieldDhExchange(name, g, random);
    },
    /** `group` is our own choice (chooseGexGroup); only its structure is re-checked. */
    createServer: (random: RandomBytes, group?: DhGroup): KexServerExchange => {
      const g = requireGroup(name, group);
      validateGexGroup(g, random, { primalityRounds: 0, method: name });
      return new FiniteFieldDhExchange(name, g, random);
    },
  });
}

/** RFC 4419 §4.2: group exchange with SHA-256. */
export const diffieHellmanGroupExchangeSha256: KexAlgorithm = groupExchangeKex(
  DIFFIE_HELLMAN_GROUP_EXCHANGE_SHA256,
  sha256,
);
/** RFC 4419 §4.1: group exchange with SHA-1 (RFC 9142: SHOULD NOT). */
export const insecureDiffieHellmanGroupExchangeSha1: KexAlgorithm = groupExchangeKex(
  INSECURE_DIFFIE_HELLMAN_GROUP_EXCHANGE_SHA1,
  sha1,
);
