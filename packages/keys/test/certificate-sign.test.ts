/**
 * PROTOCOL.certkeys certificate creation (`signCertificate`, the ssh-keygen -s of the embedded
 * server and the tests): byte-for-byte equal to ssh-keygen's output for deterministic CA
 * signatures, and accepted by the real `ssh-keygen -L`, which verifies the CA signature on load.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type Certificate,
  type CertificateSpec,
  DEFAULT_USER_EXTENSIONS,
  formatPublicKey,
  generateEd25519Key,
  KEY_ERROR,
  parseCertificate,
  parsePublicKey,
  signCertificate,
  verifyCertificate,
} from "@purssh/keys";
import { toBase64 } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import {
  CA_NAMES,
  caPrivateKey,
  caPublicKey,
  certFixture,
  describeCertificate,
  flipped,
  SUBJECT_NAMES,
  subjectPublicKey,
} from "./cert-helpers.js";
import { keyErrorOf, skipInterop, withTempDir } from "./helpers.js";

function load(file: string): Certificate {
  return parseCertificate(certFixture(file));
}

/** The spec that reproduces `cert` (same nonce, serial, validity, principals, options). */
function specOf(cert: Certificate): CertificateSpec {
  const values = (list: Certificate["extensions"]) =>
    Object.fromEntries(
      list.map((o): [string, true | string | Uint8Array] => [o.name, o.value ?? (o.data.length === 0 ? true : o.data)]),
    );
  return {
    key: cert.publicKey,
    type: cert.certificateType,
    keyId: cert.keyId,
    principals: cert.principals,
    validAfter: cert.validAfter,
    validBefore: cert.validBefore,
    criticalOptions: values(cert.criticalOptions),
    extensions: values(cert.extensions),
    serial: cert.serial,
    nonce: cert.nonce,
    comment: cert.comment,
  };
}

const NOW = BigInt(Date.UTC(2030, 0, 1) / 1000);

describe("signCertificate reproduces ssh-keygen -s byte for byte (deterministic CA signatures)", () => {
  const deterministic = [
    "user-options-cert.pub",
    "user-clear-cert.pub",
    "user-forever-cert.pub",
    "user-unknown-extension-cert.pub",
    "user-ed25519-by-rsa-sha256-cert.pub",
    "user-ed25519-by-rsa-sha1-cert.pub",
    ...SUBJECT_NAMES.flatMap((s) => [`user-${s}-by-ed25519-cert.pub`, `host-${s}-by-rsa-cert.pub`]),
  ];

  test.each(deterministic)("%s (Ed25519 and RSA PKCS#1 v1.5 signatures are deterministic)", (file) => {
    const cert = load(file);
    const ca = cert.signatureKey.type === "ssh-rsa" ? caPrivateKey("rsa") : caPrivateKey("ed25519");
    const ours = signCertificate(specOf(cert), ca, cert.signatureAlgorithm);
    expect(toBase64(ours.blob)).toBe(toBase64(cert.blob));
    expect(formatPublicKey(ours)).toBe(certFixture(file).trim());
  });

  test("an RSA CA signs with rsa-sha2-512 unless told otherwise", () => {
    const cert = load("host-ed25519-by-rsa-cert.pub");
    const spec = specOf(cert);
    expect(signCertificate(spec, caPrivateKey("rsa")).blob).toEqual(cert.blob);
    expect(signCertificate(spec, caPrivateKey("rsa"), "rsa-sha2-256").signatureAlgorithm).toBe("rsa-sha2-256");
  });

  test.each(["ecdsa-p256", "ecdsa-p384", "ecdsa-p521"] as const)(
    "a %s CA (randomised by OpenSSL, deterministic in noble) gives a different, valid signature",
    (ca) => {
      const cert = load(`user-rsa-by-${ca}-cert.pub`);
      const ours = signCertificate(specOf(cert), caPrivateKey(ca));
      expect(ours.signedData).toEqual(cert.signedData);
      expect(ours.signature).not.toEqual(cert.signature);
      const trustedCAs = [caPublicKey(ca).blob];
      expect(verifyCertificate(ours, { now: NOW, type: "user", principal: "bob", trustedCAs }).certificate).toBe(ours);
    },
  );
});

describe("signCertificate: inputs", () => {
  const ca = caPrivateKey("ed25519");
  const base: CertificateSpec = {
    key: subjectPublicKey("ecdsa-p384"),
    type: "user",
    keyId: "deploy@ci",
    principals: ["deploy"],
    validAfter: new Date(Date.UTC(2025, 0, 1, 12, 0, 0, 999)),
    validBefore: new Date(Date.UTC(2026, 0, 1)),
    extensions: DEFAULT_USER_EXTENSIONS,
  };

  test("Dates are rounded down to the second; options are sorted; the nonce is 32 random bytes", () => {
    const a = signCertificate(
      { ...base, criticalOptions: { "source-address": "10.0.0.0/8", "force-command": "id" } },
      ca,
    );
    expect(a.validAfter).toBe(BigInt(Date.UTC(2025, 0, 1, 12) / 1000));
    expect(a.criticalOptions.map((o) => o.name)).toEqual(["force-command", "source-address"]);
    expect(a.extensions.map((o) => o.name)[0]).toBe("permit-X11-forwarding");
    const b = signCertificate(base, ca);
    expect(a.nonce.length).toBe(32);
    expect(a.nonce).not.toEqual(b.nonce);
    expect(a.serial).toBe(0n);
  });

  test("refuses to certify a certificate, to use a certificate as CA, and inverted validity", () => {
    const cert = load("user-options-cert.pub");
    expect(keyErrorOf(() => signCertificate({ ...base, key: cert }, ca)).code).toBe(KEY_ERROR.UNSUPPORTED_TYPE);
    expect(keyErrorOf(() => signCertificate({ ...base, validAfter: 10n, validBefore: 9n }, ca)).code).toBe(
      KEY_ERROR.INVALID_ARGUMENT,
    );
    expect(keyErrorOf(() => signCertificate({ ...base, validBefore: 1n << 64n }, ca)).code).toBe(
      KEY_ERROR.INVALID_ARGUMENT,
    );
    expect(keyErrorOf(() => signCertificate({ ...base, keyId: "a\0b" }, ca)).code).toBe(KEY_ERROR.INVALID_ARGUMENT);
    expect(keyErrorOf(() => signCertificate({ ...base, extensions: { "": true } }, ca)).code).toBe(
      KEY_ERROR.INVALID_ARGUMENT,
    );
  });

  test("the CA algorithm must be one the CA key signs with", () => {
    expect(keyErrorOf(() => signCertificate(base, ca, "rsa-sha2-256")).code).toBe(KEY_ERROR.UNSUPPORTED_ALGORITHM);
  });

  test("a freshly generated CA key mints a certificate that verifies", () => {
    const fresh = generateEd25519Key("fresh-ca");
    const cert = signCertificate({ ...base, validAfter: 0n, validBefore: NOW + 1n }, fresh);
    const trustedCAs = [fresh.publicKey.blob];
    const verified = verifyCertificate(cert, { now: NOW, type: "user", principal: "deploy", trustedCAs });
    expect(verified.certificate.keyId).toBe("deploy@ci");
  });
});

describe.skipIf(skipInterop)("interop: the real ssh-keygen -L loads (and so verifies) our certificates", () => {
  const cases = CA_NAMES.flatMap((ca) => SUBJECT_NAMES.map((subject) => [ca, subject] as const));

  test.each(cases)("%s CA, %s subject: ssh-keygen -L prints exactly our fields", (ca, subject) => {
    const cert = signCertificate(
      {
        key: subjectPublicKey(subject),
        type: subject.startsWith("sk") ? "user" : "host",
        keyId: `purssh ${ca} ${subject}`,
        principals: ["one.example", "*.two.example"],
        validAfter: new Date(Date.UTC(2025, 5, 1)),
        validBefore: new Date(Date.UTC(2027, 5, 1)),
        serial: 77n,
        ...(subject.startsWith("sk")
          ? {
              criticalOptions: { "force-command": "uptime", "verify-required": true },
              extensions: { ...DEFAULT_USER_EXTENSIONS, "no-touch-required": true },
            }
          : {}),
      },
      caPrivateKey(ca),
    );
    withTempDir((dir) => {
      const path = join(dir, "ours-cert.pub");
      writeFileSync(path, `${formatPublicKey(cert)}\n`);
      const run = spawnUtc(["-L", "-f", path]);
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      expect(run.stdout).toBe(describeCertificate(cert, path));
    });
  });

  test("a certificate with one flipped byte in the signed part is rejected by ssh-keygen -L too", () => {
    const cert = signCertificate(
      {
        key: subjectPublicKey("ed25519"),
        type: "user",
        keyId: "x",
        principals: ["a"],
        validAfter: 0n,
        validBefore: 9n,
      },
      caPrivateKey("ed25519"),
    );
    const blob = flipped(cert.blob, 45);
    withTempDir((dir) => {
      const path = join(dir, "bad-cert.pub");
      writeFileSync(path, `${cert.type} ${toBase64(blob)}\n`);
      expect(spawnUtc(["-L", "-f", path]).status).not.toBe(0);
    });
  });

  test("ssh-keygen -s can certify a key we formatted, and we parse the result", () => {
    withTempDir((dir) => {
      const pub = join(dir, "k.pub");
      writeFileSync(pub, `${formatPublicKey(parsePublicKey(certFixture("subject-ed25519.pub")))}\n`);
      const caPath = join(dir, "ca");
      writeFileSync(caPath, certFixture("ca-ecdsa-p256"), { mode: 0o600 });
      expect(spawnUtc(["-q", "-s", caPath, "-I", "id", "-n", "p", "-V", "20250101:20260101", pub]).status).toBe(0);
      const cert = parseCertificate(readFileSync(join(dir, "k-cert.pub"), "utf8"));
      expect(cert.keyId).toBe("id");
    });
  });
});

/** ssh-keygen with TZ=UTC, as the fixtures were listed. */
function spawnUtc(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("ssh-keygen", args, { encoding: "utf8", env: { ...process.env, TZ: "UTC" } });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
