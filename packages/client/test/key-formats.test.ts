// Keys in every format log in against the real sshd (issue "Every algorithm and key format"):
// OpenSSH (plain and encrypted with each cipher), PEM PKCS#1 / SEC1 / PKCS#8 (plain, PBES2 and
// legacy OpenSSL encryption) and PuTTY PPK v2/v3, for ed25519, ECDSA P-256/384/521 and RSA.
// Fixtures and their provenance: test-vectors/keys/README.md.
import { readdirSync, readFileSync } from "node:fs";
import { connect } from "@purssh/client";
import { formatPublicKey, parsePrivateKey } from "@purssh/keys";
import { requireSshd, type SshdHandle, startSshd } from "@purssh/testkit";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";

const available = inject("sshd");
const PASSPHRASE = "purssh-test-passphrase";
const dir = new URL("../../../test-vectors/keys/", import.meta.url);
/** Formats a user meets, excluding files the suite keeps to prove refusals (unsupported ciphers). */
const UNSUPPORTED = /des3|scrypt|\.pub$|fingerprints|argon2[di]\.ppk/;
const fixtures = ["openssh", "pem", "ppk"].flatMap((sub) =>
  readdirSync(new URL(`${sub}/`, dir))
    .filter((f) => !UNSUPPORTED.test(f))
    .map((f) => `${sub}/${f}`),
);

/** Parses a fixture, with the suite's passphrase when the file says it is encrypted. */
function load(f: string) {
  const bytes = readFileSync(new URL(f, dir));
  try {
    return parsePrivateKey(bytes);
  } catch (e) {
    if ((e as { code?: string }).code !== "ERR_KEY_ENCRYPTED") throw e;
    return parsePrivateKey(bytes, PASSPHRASE);
  }
}

describe.skipIf(!available)("every key format logs in to OpenSSH sshd", { timeout: 180_000 }, () => {
  let sshd: SshdHandle;
  beforeAll(async () => {
    requireSshd(available);
    sshd = await startSshd({ name: "keyformats" });
    const lines = new Set<string>();
    for (const f of fixtures) {
      const key = load(f);
      lines.add(formatPublicKey({ ...key.publicKey, comment: "" }));
    }
    for (const line of lines) await sshd.addAuthorizedKey(line);
  }, 120_000);
  afterAll(async () => {
    await sshd?.stop();
  });

  test("the fixture set spans every format and key type", () => {
    expect(fixtures.length).toBeGreaterThan(40);
    for (const t of ["ed25519", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521", "rsa-2048"]) {
      for (const ext of ["openssh/", ".pem", ".pkcs8", ".v2.ppk", ".v3.ppk"]) {
        if (t === "ed25519" && ext === ".pem") continue; // no PKCS#1/SEC1 form exists for Ed25519
        expect(fixtures.some((f) => f.includes(t) && f.includes(ext))).toBe(true);
      }
    }
  });

  for (const f of fixtures) {
    test(`${f}: public-key authentication succeeds`, async () => {
      const key = load(f);
      const logs: string[] = [];
      const client = await connect({
        host: sshd.host,
        port: sshd.port,
        username: sshd.user,
        authMethods: [{ kind: "publickey", key }],
        hostKeys: [sshd.hostKeyPublic],
        log: (_l, t) => logs.push(t),
      });
      await client.close();
      expect(logs).toContain(`authenticated as ${sshd.user}`);
    });
  }
});
