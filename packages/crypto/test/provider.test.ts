import {
  activeCryptoProvider,
  aes128Ctr,
  type CipherAlgorithm,
  type CryptoProvider,
  chacha20Poly1305OpenSSH,
  curve25519Sha256,
  DEFAULT_CIPHERS,
  DEFAULT_HOST_KEY_ALGORITHMS,
  DEFAULT_KEX_ALGORITHMS,
  DEFAULT_MACS,
  getCipher,
  getKex,
  getMac,
  getSignatureAlgorithm,
  hmacSha256,
  isAeadCipher,
  type KexAlgorithm,
  type MacAlgorithm,
  rsaSha2256,
  type SignatureAlgorithm,
  supportedCiphers,
  supportedKexAlgorithms,
  supportedMacs,
  supportedSignatureAlgorithms,
  useCryptoProvider,
} from "@purssh/crypto";
import { SshError } from "@purssh/wire";
import { afterEach, describe, expect, test } from "vitest";

afterEach(() => useCryptoProvider(undefined));

/** A provider that returns copies of noble's algorithms (or what `override` says) and records what it was asked. */
function recordingProvider(override: Partial<Record<"cipher" | "mac" | "kex" | "signature", object>> = {}) {
  const asked: string[] = [];
  const copy = <T extends object>(kind: keyof typeof override, builtIn: T | undefined): T | undefined => {
    if (builtIn === undefined) return undefined;
    return Object.freeze({ ...builtIn, ...(override[kind] ?? {}) });
  };
  // The noble algorithms, looked up while no provider is installed.
  const noble = {
    cipher: new Map(supportedCiphers().map((n) => [n, getCipher(n)])),
    mac: new Map(supportedMacs().map((n) => [n, getMac(n)])),
    kex: new Map(supportedKexAlgorithms().map((n) => [n, getKex(n)])),
    signature: new Map(supportedSignatureAlgorithms().map((n) => [n, getSignatureAlgorithm(n)])),
  };
  const answer = <T extends object>(kind: keyof typeof noble, n: string): T | undefined => {
    asked.push(`${kind} ${n}`);
    return copy<T>(kind, noble[kind].get(n) as T | undefined);
  };
  const provider: CryptoProvider = {
    name: "recording",
    cipher: (n) => answer<CipherAlgorithm>("cipher", n),
    mac: (n) => answer<MacAlgorithm>("mac", n),
    kex: (n) => answer<KexAlgorithm>("kex", n),
    signature: (n) => answer<SignatureAlgorithm>("signature", n),
  };
  return { provider, asked };
}

describe("CryptoProvider: noble by default, a provider's implementation where it has one", () => {
  test("with no provider installed every lookup is noble's", () => {
    expect(activeCryptoProvider()).toBeUndefined();
    expect(getCipher("chacha20-poly1305@openssh.com")).toBe(chacha20Poly1305OpenSSH);
    expect(getMac("hmac-sha2-256")).toBe(hmacSha256);
    expect(getKex("curve25519-sha256")).toBe(curve25519Sha256);
    expect(getSignatureAlgorithm("rsa-sha2-256")).toBe(rsaSha2256);
  });

  test("an installed provider is asked first for each kind; undefined uninstalls it", () => {
    const { provider, asked } = recordingProvider();
    useCryptoProvider(provider);
    expect(activeCryptoProvider()).toBe(provider);
    const cipher = getCipher("aes128-ctr");
    expect(cipher).not.toBe(aes128Ctr);
    expect(cipher).toMatchObject({ name: "aes128-ctr", keyLength: 16, ivLength: 16, blockSize: 16, aead: false });
    expect(getMac("hmac-sha2-256")).not.toBe(hmacSha256);
    expect(getKex("curve25519-sha256")).not.toBe(curve25519Sha256);
    expect(getSignatureAlgorithm("rsa-sha2-256")).not.toBe(rsaSha2256);
    expect(asked).toEqual([
      "cipher aes128-ctr",
      "mac hmac-sha2-256",
      "kex curve25519-sha256",
      "signature rsa-sha2-256",
    ]);
    useCryptoProvider(undefined);
    expect(getCipher("aes128-ctr")).toBe(aes128Ctr);
  });

  test("a provider that leaves a name (or a whole kind) to noble gets noble's implementation", () => {
    useCryptoProvider({ name: "ciphers only", cipher: (n) => (n === "aes128-ctr" ? { ...aes128Ctr } : undefined) });
    expect(getCipher("aes128-ctr")).not.toBe(aes128Ctr);
    expect(getCipher("chacha20-poly1305@openssh.com")).toBe(chacha20Poly1305OpenSSH);
    expect(getMac("hmac-sha2-256")).toBe(hmacSha256);
    expect(getKex("curve25519-sha256")).toBe(curve25519Sha256);
    expect(getSignatureAlgorithm("rsa-sha2-256")).toBe(rsaSha2256);
  });

  test("a provider accelerates, it adds nothing: names the registry lacks are not even asked about", () => {
    const { provider, asked } = recordingProvider();
    const generous: CryptoProvider = {
      ...provider,
      cipher: () => ({ ...aes128Ctr, name: "rijndael-cbc@lysator.liu.se" }),
    };
    useCryptoProvider(generous);
    expect(getCipher("rijndael-cbc@lysator.liu.se")).toBeUndefined();
    expect(getMac("umac-64@openssh.com")).toBeUndefined();
    expect(getKex("sntrup761x25519-sha512")).toBeUndefined();
    expect(getSignatureAlgorithm("ssh-dss")).toBeUndefined();
    expect(asked).toEqual([]);
  });

  test("the supported and default name-lists do not depend on the provider", () => {
    const before = [supportedCiphers(), supportedMacs(), supportedKexAlgorithms(), supportedSignatureAlgorithms()];
    const defaults = [DEFAULT_CIPHERS, DEFAULT_MACS, DEFAULT_KEX_ALGORITHMS, DEFAULT_HOST_KEY_ALGORITHMS].map((l) => [
      ...l,
    ]);
    useCryptoProvider(recordingProvider().provider);
    expect([supportedCiphers(), supportedMacs(), supportedKexAlgorithms(), supportedSignatureAlgorithms()]).toEqual(
      before,
    );
    expect([DEFAULT_CIPHERS, DEFAULT_MACS, DEFAULT_KEX_ALGORITHMS, DEFAULT_HOST_KEY_ALGORITHMS]).toEqual(defaults);
    expect(isAeadCipher("aes128-gcm@openssh.com")).toBe(true);
    expect(isAeadCipher("aes128-ctr")).toBe(false);
  });

  test.each([
    ["cipher", { keyLength: 32 }, () => getCipher("aes128-ctr"), "keyLength"],
    ["cipher", { aead: true }, () => getCipher("aes128-ctr"), "aead"],
    ["cipher", { blockSize: 16 }, () => getCipher("chacha20-poly1305@openssh.com"), "blockSize"],
    ["cipher", { ivLength: 0 }, () => getCipher("aes128-gcm@openssh.com"), "ivLength"],
    ["mac", { macLength: 12 }, () => getMac("hmac-sha1"), "macLength"],
    ["mac", { etm: true }, () => getMac("hmac-sha2-256"), "etm"],
    ["mac", { keyLength: 16 }, () => getMac("hmac-sha2-512"), "keyLength"],
    ["kex", { publicKeyEncoding: "mpint" }, () => getKex("curve25519-sha256"), "publicKeyEncoding"],
    ["kex", { groupExchange: true }, () => getKex("diffie-hellman-group14-sha256"), "groupExchange"],
    ["signature", { keyType: "ssh-ed25519" }, () => getSignatureAlgorithm("rsa-sha2-512"), "keyType"],
    ["signature", { name: "rsa-sha2-512" }, () => getSignatureAlgorithm("rsa-sha2-256"), "name"],
  ] as const)(
    "a provided %s that differs on the wire (%o) is refused with ERR_CRYPTO_PROVIDER_MISMATCH",
    (kind, change, lookup, field) => {
      useCryptoProvider(recordingProvider({ [kind]: change }).provider);
      let error: unknown;
      try {
        lookup();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SshError);
      expect((error as SshError).code).toBe("ERR_CRYPTO_PROVIDER_MISMATCH");
      expect((error as SshError).message).toContain(`recording provider's ${kind}`);
      expect((error as SshError).message).toContain(field);
    },
  );

  test("a provider's methods are called on the provider (class-based providers work)", () => {
    class ClassProvider implements CryptoProvider {
      readonly name = "class";
      readonly #mac = { ...hmacSha256 };
      mac(name: string): MacAlgorithm | undefined {
        return name === "hmac-sha2-256" ? this.#mac : undefined;
      }
    }
    const p = new ClassProvider();
    useCryptoProvider(p);
    expect(getMac("hmac-sha2-256")).toBe(p.mac("hmac-sha2-256"));
  });
});
