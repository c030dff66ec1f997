import {
  chooseGexGroup,
  DH_GEX_DEFAULT,
  DH_GEX_MAX_BITS,
  DH_GEX_MIN_BITS,
  DH_GROUP14,
  DH_GROUP15,
  DH_GROUP16,
  DH_GROUP17,
  DH_GROUP18,
  type DhGexRequest,
  type DhGroup,
  defaultRandomBytes,
  diffieHellmanGroupExchangeSha256,
  getKex,
  INSECURE_DH_GROUP1,
  insecureDiffieHellmanGroupExchangeSha1,
  validateGexGroup,
} from "@purssh/crypto";
import { DISCONNECT, ProtocolError, SshError, toHex, utf8Encode } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { deterministicRandom, expectKexFailure } from "./kex-helpers.js";
import { loadVectors } from "./vectors.js";

const notSafePrimes = loadVectors<{ notSafePrimes: { name: string; p: string }[] }>("dh-groups.json").notSafePrimes;

const random = deterministicRandom("group exchange");
const validate =
  (group: DhGroup, rounds = 1, request: DhGexRequest = DH_GEX_DEFAULT) =>
  () =>
    validateGexGroup(group, random, { request, primalityRounds: rounds });

describe("RFC 4419 §3 / RFC 8270: the client validates the server's group", () => {
  test("our KEX_DH_GEX_REQUEST is OpenSSH's: min 2048 (DH_GRP_MIN), preferred 3072, max 8192 (DH_GRP_MAX)", () => {
    expect(DH_GEX_DEFAULT).toEqual({ min: 2048, preferred: 3072, max: 8192 });
    expect(Object.isFrozen(DH_GEX_DEFAULT)).toBe(true);
    expect([DH_GEX_MIN_BITS, DH_GEX_MAX_BITS]).toEqual([2048, 8192]);
  });

  test.each([
    ["group 14 (2048 bits)", DH_GROUP14],
    ["group 15 (3072 bits)", DH_GROUP15],
    ["group 16 (4096 bits)", DH_GROUP16],
  ] as const)("RFC 3526 %s passes every check, Miller-Rabin included", (_name, group) => {
    expect(validate(group)).not.toThrow();
  });

  test.each([
    ["group 17 (6144 bits)", DH_GROUP17],
    ["group 18 (8192 bits)", DH_GROUP18],
  ] as const)("RFC 3526 %s passes the structural checks", (_name, group) => {
    expect(validate(group, 0)).not.toThrow();
  });

  test("RFC 8270 §2: a 1024-bit group (Oakley group 2) is refused, whatever was requested", () => {
    const err = expectKexFailure(
      validate(INSECURE_DH_GROUP1, 1, { min: 1024, preferred: 1024, max: 8192 }),
      "ERR_KEX_INVALID_GROUP",
    );
    expect(err.message).toMatch(/RFC 8270/);
  });

  test("RFC 4419 §3: a group outside the requested min..max is refused", () => {
    expectKexFailure(validate(DH_GROUP14, 1, { min: 3072, preferred: 3072, max: 8192 }), "ERR_KEX_INVALID_GROUP");
    expectKexFailure(validate(DH_GROUP16, 1, { min: 2048, preferred: 2048, max: 3072 }), "ERR_KEX_INVALID_GROUP");
  });

  test("a modulus above 8192 bits is refused before any arithmetic (CPU bound)", () => {
    const huge = { p: (1n << 16384n) - 1n, g: 2n };
    // Miller-Rabin would draw its bases from the random source: a source that fails proves it never ran.
    const untouchable = (): Uint8Array => {
      throw new Error("the random source was used");
    };
    const request = { min: 2048, preferred: 3072, max: 100_000 };
    const err = expectKexFailure(
      () => validateGexGroup(huge, untouchable, { request, primalityRounds: 64 }),
      "ERR_KEX_INVALID_GROUP",
    );
    expect(err.message).toMatch(/16384 bits, more than 8192/);
  });

  test("an even modulus is refused", () => {
    expectKexFailure(validate({ p: DH_GROUP14.p + 1n, g: 2n }, 0), "ERR_KEX_INVALID_GROUP");
  });

  test.each([0n, 1n, DH_GROUP14.p - 1n, DH_GROUP14.p, DH_GROUP14.p + 5n, -2n])(
    "RFC 4419 §3: generator g = %s (outside 2..p-2) is refused",
    (g) => {
      expectKexFailure(validate({ p: DH_GROUP14.p, g }, 0), "ERR_KEX_INVALID_GROUP");
    },
  );

  test("p ≡ 1 (mod 4), or a small factor in p or (p-1)/2, means p is not a safe prime", () => {
    const p = DH_GROUP14.p; // ≡ 3 (mod 4)
    expect(expectKexFailure(validate({ p: p - 2n, g: 2n }, 0), "ERR_KEX_INVALID_GROUP").message).toMatch(/even/);
    // 9p ≡ 3 (mod 4) and has the factor 3.
    expect(expectKexFailure(validate({ p: 9n * p, g: 2n }, 0), "ERR_KEX_INVALID_GROUP").message).toMatch(
      /small factor/,
    );
    // 6p + 1 ≡ 3 (mod 4), and (6p + 1 - 1)/2 = 3p has the factor 3.
    expect(expectKexFailure(validate({ p: 6n * p + 1n, g: 2n }, 0), "ERR_KEX_INVALID_GROUP").message).toMatch(
      /small factor/,
    );
  });

  test.each(notSafePrimes.map((c) => [c.name, c] as const))(
    "a 2048-bit modulus that survives the cheap checks but is no safe prime is refused by Miller-Rabin: %s",
    (_name, c) => {
      const group = { p: BigInt(`0x${c.p}`), g: 2n };
      expect(validate(group, 0)).not.toThrow();
      const err = expectKexFailure(validate(group, 1), "ERR_KEX_INVALID_GROUP");
      expect(err.message).toMatch(/Miller-Rabin/);
      expectKexFailure(
        () => diffieHellmanGroupExchangeSha256.createClient(defaultRandomBytes, group),
        "ERR_KEX_INVALID_GROUP",
      );
    },
  );
});

describe("RFC 4419 §3: the server picks a group for (min, n, max)", () => {
  test.each([
    [2048, 3072, 8192, DH_GROUP15],
    [2048, 2048, 8192, DH_GROUP14],
    [1024, 1024, 8192, DH_GROUP14],
    [2048, 4000, 8192, DH_GROUP16],
    [2048, 7680, 8192, DH_GROUP18],
    [2048, 8192, 8192, DH_GROUP18],
    [2048, 9000, 16384, DH_GROUP18],
    [1024, 2048, 2048, DH_GROUP14],
    [4096, 4096, 6144, DH_GROUP16],
    [5000, 8000, 8000, DH_GROUP17],
  ] as const)("min %i, n %i, max %i", (min, n, max, group) => {
    expect(chooseGexGroup(min, n, max)).toBe(group);
  });

  test.each([
    [4096, 2048, 8192, "n < min"],
    [2048, 8192, 4096, "max < n"],
    [1024, 1024, 1536, "max below RFC 8270's 2048"],
    [9000, 9000, 9000, "min above 8192"],
    [7000, 7000, 7500, "no RFC 3526 size in range"],
    [2048.5, 3072, 8192, "not an integer"],
  ] as const)("a request with %i, %i, %i is refused (%s)", (min: number, n: number, max: number, _why: string) => {
    let error: unknown;
    try {
      chooseGexGroup(min, n, max);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe("ERR_KEX_GEX_BAD_REQUEST");
    expect((error as ProtocolError).reason).toBe(DISCONNECT.KEY_EXCHANGE_FAILED);
  });
});

describe("RFC 4419 §4: diffie-hellman-group-exchange-sha256 and -sha1", () => {
  test.each([
    ["diffie-hellman-group-exchange-sha256", diffieHellmanGroupExchangeSha256],
    ["diffie-hellman-group-exchange-sha1", insecureDiffieHellmanGroupExchangeSha1],
  ] as const)("%s: client and server agree on the group the server chose", (name, kex) => {
    expect(getKex(name)).toBe(kex);
    expect(kex.groupExchange).toBe(true);
    expect(kex.publicKeyEncoding).toBe("mpint");
    const group = chooseGexGroup(DH_GEX_DEFAULT.min, 2048, DH_GEX_DEFAULT.max);
    const client = kex.createClient(defaultRandomBytes, group);
    const server = kex.createServer(defaultRandomBytes, group);
    expect(client.computeSharedSecret(server.publicKey)).toEqual(server.computeSharedSecret(client.publicKey));
  });

  test("the exchange hash is SHA-256, or SHA-1 for the legacy method", () => {
    const abc = utf8Encode("abc");
    expect(toHex(diffieHellmanGroupExchangeSha256.hash(abc))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(toHex(insecureDiffieHellmanGroupExchangeSha1.hash(abc))).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
  });

  test("both roles need the group: without KEX_DH_GEX_GROUP there is nothing to exchange", () => {
    expect(() => diffieHellmanGroupExchangeSha256.createClient(defaultRandomBytes)).toThrow(SshError);
    expect(() => diffieHellmanGroupExchangeSha256.createServer(defaultRandomBytes)).toThrow(SshError);
  });

  test("the client refuses a small group sent by the server; f is range-checked against the group", () => {
    expectKexFailure(
      () => diffieHellmanGroupExchangeSha256.createClient(defaultRandomBytes, INSECURE_DH_GROUP1),
      "ERR_KEX_INVALID_GROUP",
    );
    const client = diffieHellmanGroupExchangeSha256.createClient(defaultRandomBytes, DH_GROUP14);
    expectKexFailure(() => client.computeSharedSecret(new Uint8Array([1])), "ERR_KEX_INVALID_PUBLIC_KEY");
  });
});
