import { sha256 } from "@noble/hashes/sha2.js";
import {
  DH_GROUP14,
  DH_GROUP15,
  DH_GROUP16,
  DH_GROUP17,
  DH_GROUP18,
  type DhGroup,
  defaultRandomBytes,
  diffieHellmanGroup14Sha256,
  diffieHellmanGroup16Sha512,
  diffieHellmanGroup18Sha512,
  getKex,
  INSECURE_DH_GROUP1,
  insecureDiffieHellmanGroup1Sha1,
  insecureDiffieHellmanGroup14Sha1,
  type KexAlgorithm,
} from "@purssh/crypto";
import { concatBytes, toHex, utf8Encode } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { FiniteFieldDhExchange } from "../src/kex/dh-exchange.js";
import { bigintToBytes, bytesToBigint, isProbablePrime, modPow } from "../src/kex/modp-arithmetic.js";
import { deterministicRandom, expectKexFailure, fixedRandom, i2osp, readMpint } from "./kex-helpers.js";
import { hex, loadVectors } from "./vectors.js";

interface GroupVector {
  name: string;
  bits: number;
  generator: number;
  primeSha256: string;
  primeFirst16: string;
  primeLast16: string;
  exchange: Record<"clientRandom" | "serverRandom" | "e" | "f" | "encodedK", string>;
}
const v = loadVectors<{ groups: GroupVector[] }>("dh-groups.json");
const vector = (name: string): GroupVector => v.groups.find((g) => g.name === name) as GroupVector;

const GROUPS: Record<string, DhGroup> = {
  group1: INSECURE_DH_GROUP1,
  group14: DH_GROUP14,
  group15: DH_GROUP15,
  group16: DH_GROUP16,
  group17: DH_GROUP17,
  group18: DH_GROUP18,
};

const METHODS: readonly (readonly [string, KexAlgorithm, string, string])[] = [
  ["diffie-hellman-group14-sha256", diffieHellmanGroup14Sha256, "group14", "sha256"],
  ["diffie-hellman-group16-sha512", diffieHellmanGroup16Sha512, "group16", "sha512"],
  ["diffie-hellman-group18-sha512", diffieHellmanGroup18Sha512, "group18", "sha512"],
  ["diffie-hellman-group14-sha1", insecureDiffieHellmanGroup14Sha1, "group14", "sha1"],
  ["diffie-hellman-group1-sha1", insecureDiffieHellmanGroup1Sha1, "group1", "sha1"],
];

/** Textbook right-to-left square-and-multiply, independent of the code under test. */
function referencePow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

/** Miller–Rabin with the fixed bases 2, 3, 5, …, 19, written here independently of src. */
function referenceMillerRabin(n: bigint): boolean {
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  for (const a of [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n]) {
    let x = referencePow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    let composite = true;
    for (let r = 1; r < s; r++) {
      x = (x * x) % n;
      if (x === n - 1n) {
        composite = false;
        break;
      }
    }
    if (composite) return false;
  }
  return true;
}

describe("RFC 2409 §6.2 / RFC 3526: the group constants", () => {
  test.each(Object.entries(GROUPS))("%s: p matches the RFC's closed form (SHA-256 of p), g = 2", (name, group) => {
    const g = vector(name);
    const p = i2osp(group.p, g.bits / 8);
    expect(toHex(sha256(p))).toBe(g.primeSha256);
    expect(toHex(p.subarray(0, 16))).toBe(g.primeFirst16);
    expect(toHex(p.subarray(-16))).toBe(g.primeLast16);
    expect(group.p.toString(2)).toHaveLength(g.bits);
    expect(group.g).toBe(BigInt(g.generator));
    expect(Object.isFrozen(group)).toBe(true);
  });

  test("RFC 3526 §3: the 2048-bit prime is a safe prime (Miller-Rabin on p and (p-1)/2)", () => {
    expect(referenceMillerRabin(DH_GROUP14.p)).toBe(true);
    expect(referenceMillerRabin((DH_GROUP14.p - 1n) / 2n)).toBe(true);
  });

  test("our Miller-Rabin agrees: RFC groups 1, 14 and 15 are safe primes; near misses are not", () => {
    const random = deterministicRandom("miller-rabin");
    for (const group of [INSECURE_DH_GROUP1, DH_GROUP14, DH_GROUP15]) {
      expect(isProbablePrime(group.p, 4, random)).toBe(true);
      expect(isProbablePrime(group.p >> 1n, 4, random)).toBe(true);
      expect(isProbablePrime(group.p + 2n, 4, random)).toBe(referenceMillerRabin(group.p + 2n));
    }
    // Strong pseudoprimes to base 2 (2047, 3215031751 also to bases 3, 5, 7), Carmichael numbers,
    // and the product of two RFC primes: random bases catch them all.
    for (const n of [2047n, 561n, 41041n, 3215031751n, 3825123056546413051n, INSECURE_DH_GROUP1.p * DH_GROUP14.p]) {
      expect(isProbablePrime(n, 16, random), `${n}`).toBe(false);
    }
    for (const n of [2n, 3n, 1999n, 2003n, 4000037n, 2305843009213693951n])
      expect(isProbablePrime(n, 8, random)).toBe(true);
    for (const n of [0n, 1n, 4n, 1998n, 2001n * 2003n]) expect(isProbablePrime(n, 8, random)).toBe(false);
  });
});

describe("finite-field arithmetic", () => {
  test("modPow agrees with square-and-multiply, including exponents 0 and 1 and bases ≥ p", () => {
    const random = deterministicRandom("modpow");
    for (const group of [INSECURE_DH_GROUP1, DH_GROUP14]) {
      for (let i = 0; i < 6; i++) {
        const base = bytesToBigint(random(300));
        const exponent = bytesToBigint(random(1 + i * 40));
        expect(modPow(base, exponent, group.p)).toBe(referencePow(base, exponent, group.p));
      }
      expect(modPow(5n, 0n, group.p)).toBe(1n);
      expect(modPow(group.p + 5n, 1n, group.p)).toBe(5n);
    }
    expect(modPow(-2n, 3n, 7n)).toBe(6n);
    expect(() => modPow(2n, 3n, 1n)).toThrow();
    expect(() => modPow(2n, -1n, 7n)).toThrow();
  });

  test("unsigned big-endian conversions", () => {
    expect(bytesToBigint(new Uint8Array(0))).toBe(0n);
    expect(bytesToBigint(hex("0000ff01"))).toBe(0xff01n);
    expect(bigintToBytes(0n)).toEqual(new Uint8Array(0));
    expect(toHex(bigintToBytes(0x1ff01n))).toBe("01ff01");
    expect(toHex(bigintToBytes(0x80n))).toBe("80");
    expect(() => bigintToBytes(-1n)).toThrow();
  });
});

describe("RFC 4253 §8 / RFC 8268: fixed-group Diffie-Hellman", () => {
  test.each(METHODS)("%s: known answer with fixed exponents (Python pow)", (name, kex, groupName) => {
    expect(getKex(name)).toBe(kex);
    expect(kex.publicKeyEncoding).toBe("mpint");
    expect(kex.groupExchange).toBe(false);
    const x = vector(groupName).exchange;
    const client = kex.createClient(fixedRandom(hex(x.clientRandom)));
    const server = kex.createServer(fixedRandom(hex(x.serverRandom)));
    expect(bytesToBigint(client.publicKey)).toBe(BigInt(`0x${x.e}`));
    expect(bytesToBigint(server.publicKey)).toBe(BigInt(`0x${x.f}`));
    expect(client.publicKey[0]).not.toBe(0); // a minimal unsigned magnitude
    expect(toHex(client.computeSharedSecret(server.publicKey))).toBe(x.encodedK);
    expect(toHex(server.computeSharedSecret(client.publicKey))).toBe(x.encodedK);
  });

  test.each(["group15", "group17"])("RFC 3526 %s (group exchange only): known answer", (groupName) => {
    const x = vector(groupName).exchange;
    const group = GROUPS[groupName] as DhGroup;
    const client = new FiniteFieldDhExchange("test", group, fixedRandom(hex(x.clientRandom)));
    const server = new FiniteFieldDhExchange("test", group, fixedRandom(hex(x.serverRandom)));
    expect(toHex(client.computeSharedSecret(server.publicKey))).toBe(x.encodedK);
  });

  test.each(METHODS)("%s: client and server agree with fresh exponents", (_name, kex) => {
    const client = kex.createClient(defaultRandomBytes);
    const server = kex.createServer(defaultRandomBytes);
    const k = client.computeSharedSecret(server.publicKey);
    expect(server.computeSharedSecret(client.publicKey)).toEqual(k);
  });

  test.each(METHODS)("%s: the exchange hash is %s", (_name, kex, _group, hash) => {
    const expected = {
      sha1: "a9993e364706816aba3e25717850c26c9cd0d89d",
      sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      sha512:
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    }[hash];
    expect(toHex(kex.hash(utf8Encode("abc")))).toBe(expected);
  });

  test("RFC 4419 §6.2: the private exponent is 512 random bits with the top bit set", () => {
    const client = diffieHellmanGroup14Sha256.createClient(fixedRandom(new Uint8Array(64)));
    expect(bytesToBigint(client.publicKey)).toBe(referencePow(2n, 1n << 511n, DH_GROUP14.p));
    expect(() => diffieHellmanGroup14Sha256.createClient(() => new Uint8Array(32))).toThrow(/random source/);
  });

  const p = DH_GROUP14.p;
  const outOfRange: readonly (readonly [string, Uint8Array])[] = [
    ["f = 0 (empty)", new Uint8Array(0)],
    ["f = 0 (one zero byte)", new Uint8Array(1)],
    ["f = 1", bigintToBytes(1n)],
    ["f = p - 1", bigintToBytes(p - 1n)],
    ["f = p", bigintToBytes(p)],
    ["f = p + 1", bigintToBytes(p + 1n)],
    ["f > p, one byte longer", concatBytes(new Uint8Array([1]), bigintToBytes(p))],
    ["f = 2^4096", bigintToBytes(1n << 4096n)],
  ];
  test.each(outOfRange)(
    "RFC 4253 §8 / RFC 8268 §4: %s is refused by the client and, as e, by the server",
    (_what, value) => {
      const client = diffieHellmanGroup14Sha256.createClient(defaultRandomBytes);
      expectKexFailure(() => client.computeSharedSecret(value), "ERR_KEX_INVALID_PUBLIC_KEY");
      const server = diffieHellmanGroup14Sha256.createServer(defaultRandomBytes);
      expectKexFailure(() => server.computeSharedSecret(value), "ERR_KEX_INVALID_PUBLIC_KEY");
    },
  );

  test("RFC 4253 §8: f = 2 and f = p - 2 are inside the range and accepted", () => {
    const client = diffieHellmanGroup14Sha256.createClient(defaultRandomBytes);
    expect(readMpint(client.computeSharedSecret(bigintToBytes(2n))) > 1n).toBe(true);
    expect(readMpint(client.computeSharedSecret(bigintToBytes(p - 2n))) > 1n).toBe(true);
  });

  test("a peer value with leading zero bytes (an mpint's sign byte) means the same integer", () => {
    const x = vector("group14").exchange;
    const client = diffieHellmanGroup14Sha256.createClient(fixedRandom(hex(x.clientRandom)));
    const f = bigintToBytes(BigInt(`0x${x.f}`));
    expect(toHex(client.computeSharedSecret(concatBytes(new Uint8Array(2), f)))).toBe(x.encodedK);
  });

  test("RFC 4251 §5: K is a minimal mpint, with a sign byte exactly when its top bit is set", () => {
    const random = deterministicRandom("dh mpint");
    const seen = new Set<string>();
    for (let i = 0; i < 16 && seen.size < 2; i++) {
      const client = diffieHellmanGroup14Sha256.createClient(random);
      const server = diffieHellmanGroup14Sha256.createServer(random);
      const k = client.computeSharedSecret(server.publicKey);
      const value = readMpint(k); // the strict reader refuses non-minimal encodings
      const magnitude = bigintToBytes(value);
      const signByte = ((magnitude[0] as number) & 0x80) !== 0;
      expect(k.length).toBe(4 + magnitude.length + (signByte ? 1 : 0));
      if (signByte) expect(k[4]).toBe(0);
      seen.add(signByte ? "sign byte" : "no sign byte");
    }
    expect([...seen].sort()).toEqual(["no sign byte", "sign byte"]);
  });
});
