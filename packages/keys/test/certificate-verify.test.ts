/**
 * PROTOCOL.certkeys acceptance rules (OpenSSH sshkey_cert_check_authority, cert_option_list,
 * CASignatureAlgorithms): each failure has its own CertificateError code, and every fixture signed
 * by our CA keys verifies.
 */
import {
  CERT_ERROR,
  type Certificate,
  CertificateError,
  DEFAULT_CA_SIGNATURE_ALGORITHMS,
  parseCertificate,
  parseCertificateBlob,
  signCertificate,
  type VerifyCertificateOptions,
  verifyCertificate,
} from "@purssh/keys";
import { describe, expect, test } from "vitest";
import {
  CA_NAMES,
  caPrivateKey,
  caPublicKey,
  certFixture,
  encodeCertificate,
  flipped,
  optionBytes,
  rawOf,
  SUBJECT_NAMES,
  subjectPublicKey,
} from "./cert-helpers.js";

function load(file: string): Certificate {
  return parseCertificate(certFixture(file));
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof CertificateError) return e.code;
    throw e;
  }
  throw new Error("expected a CertificateError");
}

const NOW = BigInt(Date.UTC(2030, 0, 1) / 1000);
const edCA = caPublicKey("ed25519").blob;

function userOptions(over: Partial<VerifyCertificateOptions> = {}): VerifyCertificateOptions {
  return { now: NOW, type: "user", principal: "alice", trustedCAs: [edCA], ...over };
}

describe("PROTOCOL.certkeys: certificates ssh-keygen signed verify", () => {
  const pairs = CA_NAMES.flatMap((ca) => SUBJECT_NAMES.map((subject) => [ca, subject] as const));

  test.each(pairs)("user certificate for a %s CA, %s subject: verifies for alice and bob", (ca, subject) => {
    const cert = load(`user-${subject}-by-${ca}-cert.pub`);
    const trustedCAs = [caPublicKey(ca).blob];
    for (const principal of ["alice", "bob"]) {
      const ok = verifyCertificate(cert, { now: NOW, type: "user", principal, trustedCAs });
      expect(ok.certificate).toBe(cert);
      expect(ok.permissions.permitPortForwarding).toBe(true);
    }
  });

  test.each(pairs)("host certificate for a %s CA, %s subject: verifies for its host names", (ca, subject) => {
    const cert = load(`host-${subject}-by-${ca}-cert.pub`);
    const trustedCAs = [caPublicKey(ca).blob];
    for (const principal of ["host.example.com", "a.wild.example.com", "B.Wild.Example.COM"]) {
      expect(verifyCertificate(cert, { now: NOW, type: "host", principal, trustedCAs }).certificate).toBe(cert);
    }
    expect(
      codeOf(() => verifyCertificate(cert, { now: NOW, type: "host", principal: "wild.example.com", trustedCAs })),
    ).toBe(CERT_ERROR.PRINCIPAL_NOT_LISTED);
  });

  test("OpenSSH's regress host certificates (CA ed25519_1 / ecdsa_1) verify inside 1999–2011", () => {
    const now = new Date(Date.UTC(2005, 5, 1));
    for (const name of ["rsa_1", "ed25519_1", "ed25519_sk1", "ecdsa_1", "ecdsa_sk1"]) {
      const cert = load(`openssh-regress/${name}-cert.pub`);
      expect(verifyCertificate(cert, { now, type: "host", principal: "host2" }).certificate.keyId).toBe("julius");
    }
  });

  test("OpenSSH's rsa-sha2-512 user certificate verifies; its ssh-rsa (SHA-1) twin only when allowed", () => {
    const now = new Date(Date.UTC(2005, 5, 1));
    const sha512 = load("openssh-regress/rsa_1_sha512-cert.pub");
    const ok = verifyCertificate(sha512, { now, type: "user", principal: "user1", sourceAddress: "10.9.8.7" });
    expect(ok.forceCommand).toBe("/bin/ls");
    expect(ok.permissions.permitPortForwarding).toBe(false);
    const sha1 = load("openssh-regress/rsa_1_sha1-cert.pub");
    expect(codeOf(() => verifyCertificate(sha1, { now, type: "user" }))).toBe(CERT_ERROR.SIGNATURE_ALGORITHM_REFUSED);
    const allowed = [...DEFAULT_CA_SIGNATURE_ALGORITHMS, "ssh-rsa"];
    expect(verifyCertificate(sha1, { now, type: "user", allowedSignatureAlgorithms: allowed }).certificate).toBe(sha1);
  });
});

describe("PROTOCOL.certkeys: every failure is refused with its own code", () => {
  const options = load("user-options-cert.pub");
  const ca = caPrivateKey("ed25519");

  test("CASignatureAlgorithms (OpenSSH ≥ 8.2): an ssh-rsa CA signature is refused by default", () => {
    const cert = load("user-ed25519-by-rsa-sha1-cert.pub");
    expect(cert.signatureAlgorithm).toBe("ssh-rsa");
    const trustedCAs = [caPublicKey("rsa").blob];
    expect(codeOf(() => verifyCertificate(cert, userOptions({ trustedCAs })))).toBe(
      CERT_ERROR.SIGNATURE_ALGORITHM_REFUSED,
    );
    const allowed = ["ssh-rsa"];
    expect(verifyCertificate(cert, userOptions({ trustedCAs, allowedSignatureAlgorithms: allowed }))).toBeDefined();
    const sha256 = load("user-ed25519-by-rsa-sha256-cert.pub");
    expect(sha256.signatureAlgorithm).toBe("rsa-sha2-256");
    expect(verifyCertificate(sha256, userOptions({ trustedCAs }))).toBeDefined();
  });

  test("CA signature invalid: one flipped byte anywhere in the signed part, or in the signature", () => {
    const blob = flipped(options.blob, 40); // inside the nonce
    expect(codeOf(() => verifyCertificate(parseCertificateBlob(blob), userOptions()))).toBe(
      CERT_ERROR.SIGNATURE_INVALID,
    );
    const sig = flipped(options.blob, -5, 0x80);
    expect(codeOf(() => verifyCertificate(parseCertificateBlob(sig), userOptions()))).toBe(
      CERT_ERROR.SIGNATURE_INVALID,
    );
  });

  test("CA signature invalid: a signature by a different key than the signature key field", () => {
    const raw = rawOf(options);
    const forged = parseCertificateBlob(encodeCertificate(raw, caPrivateKey("ecdsa-p256")));
    expect(forged.signatureKey.blob).toEqual(edCA);
    expect(codeOf(() => verifyCertificate(forged, userOptions()))).toBe(CERT_ERROR.SIGNATURE_INVALID);
  });

  test("not yet valid: before valid after; expired: at valid before (the interval is half-open)", () => {
    expect(codeOf(() => verifyCertificate(load("user-future-cert.pub"), userOptions()))).toBe(CERT_ERROR.NOT_YET_VALID);
    expect(codeOf(() => verifyCertificate(load("user-expired-cert.pub"), userOptions()))).toBe(CERT_ERROR.EXPIRED);
    expect(verifyCertificate(options, userOptions({ now: options.validAfter }))).toBeDefined();
    expect(codeOf(() => verifyCertificate(options, userOptions({ now: options.validAfter - 1n })))).toBe(
      CERT_ERROR.NOT_YET_VALID,
    );
    expect(verifyCertificate(options, userOptions({ now: options.validBefore - 1n }))).toBeDefined();
    expect(codeOf(() => verifyCertificate(options, userOptions({ now: options.validBefore })))).toBe(
      CERT_ERROR.EXPIRED,
    );
    expect(codeOf(() => verifyCertificate(options, userOptions({ now: new Date(Date.UTC(2035, 0, 1)) })))).toBe(
      CERT_ERROR.EXPIRED,
    );
  });

  test("forever certificates never expire; the +1h certificate is valid right after it was made", () => {
    const forever = load("user-forever-cert.pub");
    expect(verifyCertificate(forever, userOptions({ now: 0xfffffffffffffffen }))).toBeDefined();
    const plus1h = load("user-plus1h-cert.pub");
    expect(plus1h.validBefore - plus1h.validAfter).toBeGreaterThanOrEqual(3600n);
    expect(verifyCertificate(plus1h, userOptions({ now: plus1h.validAfter + 60n }))).toBeDefined();
  });

  test("principal not listed: user principals compare exactly (no case folding, no wildcards)", () => {
    for (const principal of ["carol", "Alice", "ali*", ""]) {
      expect(codeOf(() => verifyCertificate(options, userOptions({ principal })))).toBe(
        CERT_ERROR.PRINCIPAL_NOT_LISTED,
      );
    }
    expect(verifyCertificate(options, userOptions({ principal: undefined }))).toBeDefined();
  });

  test("CVE-2024-7594: an empty principals list is refused for users and hosts unless explicitly allowed", () => {
    const user = load("user-no-principals-cert.pub");
    const host = load("host-no-principals-cert.pub");
    expect(codeOf(() => verifyCertificate(user, userOptions()))).toBe(CERT_ERROR.NO_PRINCIPALS);
    expect(codeOf(() => verifyCertificate(host, userOptions({ type: "host", principal: "h" })))).toBe(
      CERT_ERROR.NO_PRINCIPALS,
    );
    expect(verifyCertificate(user, userOptions({ allowEmptyPrincipals: true, principal: "anyone" }))).toBeDefined();
    const o = userOptions({ type: "host", principal: "any.host", allowEmptyPrincipals: true });
    expect(verifyCertificate(host, o)).toBeDefined();
  });

  test("wrong certificate type: a user certificate is not a host certificate and vice versa", () => {
    expect(codeOf(() => verifyCertificate(options, userOptions({ type: "host" })))).toBe(CERT_ERROR.WRONG_TYPE);
    const host = load("host-ed25519-by-ed25519-cert.pub");
    expect(codeOf(() => verifyCertificate(host, userOptions()))).toBe(CERT_ERROR.WRONG_TYPE);
  });

  test("CA not trusted: the signature key is not among trustedCAs", () => {
    const trustedCAs = [caPublicKey("ecdsa-p256").blob, caPublicKey("rsa").blob];
    expect(codeOf(() => verifyCertificate(options, userOptions({ trustedCAs })))).toBe(CERT_ERROR.CA_NOT_TRUSTED);
    expect(codeOf(() => verifyCertificate(options, userOptions({ trustedCAs: [] })))).toBe(CERT_ERROR.CA_NOT_TRUSTED);
  });

  test('"Chained certificates … are NOT supported": a CA key that is itself a certificate is refused', () => {
    const raw = rawOf(options);
    raw.signatureKey = load("user-ed25519-by-ecdsa-p256-cert.pub").blob;
    const chained = parseCertificateBlob(encodeCertificate(raw, ca));
    expect(chained.signatureKey.type).toBe("ssh-ed25519-cert-v01@openssh.com");
    expect(codeOf(() => verifyCertificate(chained, userOptions({ trustedCAs: [raw.signatureKey] })))).toBe(
      CERT_ERROR.CA_IS_CERTIFICATE,
    );
  });

  test("an unknown critical option must fail; an unknown extension is ignored and reported", () => {
    const crit = load("user-unknown-critical-cert.pub");
    expect(codeOf(() => verifyCertificate(crit, userOptions()))).toBe(CERT_ERROR.UNKNOWN_CRITICAL_OPTION);
    const ext = verifyCertificate(load("user-unknown-extension-cert.pub"), userOptions());
    expect(ext.unknownExtensions).toEqual(["custom-flag@example.com", "custom-grant@example.com"]);
  });

  test('"No critical options are defined for host certificates": any critical option fails a host cert', () => {
    const host = signCertificate(
      {
        key: subjectPublicKey("ed25519"),
        type: "host",
        keyId: "h",
        principals: ["h.example"],
        validAfter: 0n,
        validBefore: NOW + 10n,
        criticalOptions: { "force-command": "/bin/true" },
      },
      ca,
    );
    expect(codeOf(() => verifyCertificate(host, { now: NOW, type: "host", principal: "h.example" }))).toBe(
      CERT_ERROR.UNKNOWN_CRITICAL_OPTION,
    );
  });

  test("known options with malformed data: source-address with host bits set, force-command not a string", () => {
    const spec = {
      key: subjectPublicKey("ed25519"),
      type: "user" as const,
      keyId: "bad",
      principals: ["alice"],
      validAfter: 0n,
      validBefore: NOW + 10n,
    };
    const badCidr = signCertificate({ ...spec, criticalOptions: { "source-address": "10.1.2.3/8" } }, ca);
    expect(codeOf(() => verifyCertificate(badCidr, userOptions()))).toBe(CERT_ERROR.BAD_OPTION);
    const rawCommand = signCertificate({ ...spec, criticalOptions: { "force-command": new Uint8Array([1, 2]) } }, ca);
    expect(codeOf(() => verifyCertificate(rawCommand, userOptions()))).toBe(CERT_ERROR.BAD_OPTION);
    const dataFlag = signCertificate({ ...spec, extensions: { "permit-pty": "yes" } }, ca);
    expect(codeOf(() => verifyCertificate(dataFlag, userOptions()))).toBe(CERT_ERROR.BAD_OPTION);
  });

  test("source-address: the CIDR list is parsed; sourceAddress outside it is refused", () => {
    const ok = verifyCertificate(options, userOptions());
    expect(ok.forceCommand).toBe('/usr/bin/backup --now "quoted"');
    expect(ok.sourceAddress?.blocks.map((b) => [b.address.family, b.prefixLength])).toEqual([
      [4, 24],
      [6, 32],
      [4, 32],
    ]);
    for (const ip of ["192.0.2.0", "192.0.2.255", "2001:db8::1", "2001:db8:ffff::", "10.1.2.3"]) {
      expect(ok.matchesSourceAddress(ip), ip).toBe(true);
      expect(verifyCertificate(options, userOptions({ sourceAddress: ip }))).toBeDefined();
    }
    for (const ip of ["192.0.3.1", "10.1.2.4", "2001:db9::1", "::ffff:192.0.2.1", "not-an-ip", ""]) {
      expect(ok.matchesSourceAddress(ip), ip).toBe(false);
      expect(codeOf(() => verifyCertificate(options, userOptions({ sourceAddress: ip })))).toBe(
        CERT_ERROR.SOURCE_ADDRESS_REFUSED,
      );
    }
  });

  test("extensions are exposed as permissions (permit-port-forwarding removed by -O no-port-forwarding)", () => {
    expect(verifyCertificate(options, userOptions()).permissions).toEqual({
      permitX11Forwarding: true,
      permitAgentForwarding: true,
      permitPortForwarding: false,
      permitPty: true,
      permitUserRc: true,
      noTouchRequired: false,
    });
    const clear = verifyCertificate(load("user-clear-cert.pub"), userOptions());
    expect(clear.verifyRequired).toBe(true);
    expect(clear.permissions).toEqual({
      permitX11Forwarding: false,
      permitAgentForwarding: false,
      permitPortForwarding: false,
      permitPty: true,
      permitUserRc: false,
      noTouchRequired: true,
    });
    expect(clear.matchesSourceAddress("203.0.113.9")).toBe(true);
  });

  test("an invalid Date is an argument error (ERR_KEY_INVALID_ARGUMENT), not a silent pass", () => {
    expect(() => verifyCertificate(options, userOptions({ now: new Date(Number.NaN) }))).toThrow(/invalid Date/);
  });

  test("the rules are checked in order: an untrusted, expired certificate reports the CA first", () => {
    const expired = load("user-expired-cert.pub");
    const trustedCAs = [caPublicKey("rsa").blob];
    expect(codeOf(() => verifyCertificate(expired, userOptions({ trustedCAs })))).toBe(CERT_ERROR.CA_NOT_TRUSTED);
    const err = (() => {
      try {
        verifyCertificate(expired, userOptions());
      } catch (e) {
        return e as CertificateError;
      }
    })();
    expect(err?.message).toMatch(/"expired" has expired/);
  });

  test("a hand-made option list out of order never reaches verification (KeyError at parse)", () => {
    const raw = rawOf(options);
    raw.extensions = optionBytes([
      ["permit-pty", new Uint8Array(0)],
      ["permit-X11-forwarding", new Uint8Array(0)],
    ]);
    expect(() => parseCertificateBlob(encodeCertificate(raw, ca))).toThrow(/lexically ordered/);
  });
});
