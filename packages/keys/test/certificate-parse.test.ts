/**
 * PROTOCOL.certkeys certificate parsing: every field of every fixture as `ssh-keygen -L` prints
 * it, and the structural rules (option order and uniqueness, certificate type, trailing bytes).
 */
import {
  CERT_VALID_FOREVER,
  type Certificate,
  formatPublicKey,
  KEY_ERROR,
  KeyError,
  parseCertificate,
  parseCertificateBlob,
  parsePublicKey,
} from "@purssh/keys";
import { concatBytes, fromBase64, SshWriter } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import {
  CA_NAMES,
  caPrivateKey,
  caPublicKey,
  certFiles,
  certFixture,
  describeCertificate,
  encodeCertificate,
  flipped,
  optionBytes,
  principalBytes,
  rawOf,
  SUBJECT_NAMES,
  subjectPublicKey,
} from "./cert-helpers.js";
import { keyErrorOf } from "./helpers.js";

const files = certFiles();

function load(file: string): Certificate {
  return parseCertificate(certFixture(file));
}

describe("PROTOCOL.certkeys: every field as ssh-keygen -L prints it", () => {
  test("the fixture set covers every CA type × subject type, user and host, plus the special cases", () => {
    for (const ca of CA_NAMES) {
      for (const subject of SUBJECT_NAMES) {
        expect(files).toContain(`user-${subject}-by-${ca}-cert.pub`);
        expect(files).toContain(`host-${subject}-by-${ca}-cert.pub`);
      }
    }
    expect(files.length).toBe(70 + 12 + 7);
  });

  test.each(files)("%s: our fields, formatted like ssh-keygen -L, equal its listing verbatim", (file) => {
    const cert = load(file);
    expect(describeCertificate(cert, file)).toBe(certFixture(file.replace(/\.pub$/, ".txt")));
  });

  test.each(files)("%s: the text form round-trips and signedData ‖ string(signature) is the blob", (file) => {
    const text = certFixture(file).trim();
    const cert = load(file);
    expect(formatPublicKey(cert)).toBe(text);
    const sig = new SshWriter().string(cert.signature).finish();
    expect(concatBytes(cert.signedData, sig)).toEqual(cert.blob);
  });

  test("user-options: nonce, serial, key id, principals, validity, options and keys field by field", () => {
    const cert = load("user-options-cert.pub");
    expect(cert.type).toBe("ssh-ed25519-cert-v01@openssh.com");
    expect(cert.nonce.length).toBe(32);
    expect(cert.publicKey.blob).toEqual(subjectPublicKey("ed25519").blob);
    expect(cert.publicKey.type).toBe("ssh-ed25519");
    expect(cert.serial).toBe(3003n);
    expect(cert.certificateType).toBe("user");
    expect(cert.keyId).toBe("options");
    expect(cert.principals).toEqual(["alice"]);
    expect(cert.validAfter).toBe(BigInt(Date.UTC(2025, 0, 1) / 1000));
    expect(cert.validBefore).toBe(BigInt(Date.UTC(2035, 0, 1) / 1000));
    expect(cert.criticalOptions.map((o) => [o.name, o.value])).toEqual([
      ["force-command", '/usr/bin/backup --now "quoted"'],
      ["source-address", "192.0.2.0/24,2001:db8::/32,10.1.2.3"],
    ]);
    expect(cert.extensions.map((o) => o.name)).toEqual([
      "permit-X11-forwarding",
      "permit-agent-forwarding",
      "permit-pty",
      "permit-user-rc",
    ]);
    expect(cert.extensions.every((o) => o.data.length === 0 && o.value === undefined)).toBe(true);
    expect(cert.reserved.length).toBe(0);
    expect(cert.signatureKey.blob).toEqual(caPublicKey("ed25519").blob);
    expect(cert.signatureAlgorithm).toBe("ssh-ed25519");
    expect(cert.comment).toBe("subject-ed25519");
  });

  test("serial 2^64-1 and validity always:forever are the uint64 extremes", () => {
    const cert = load("user-forever-cert.pub");
    expect(cert.serial).toBe(0xffffffffffffffffn);
    expect(cert.validAfter).toBe(0n);
    expect(cert.validBefore).toBe(CERT_VALID_FOREVER);
  });

  test("security-key subjects keep their application; sk certificate types map to sk key types", () => {
    const ed = load("user-sk-ed25519-by-ed25519-cert.pub");
    expect(ed.type).toBe("sk-ssh-ed25519-cert-v01@openssh.com");
    expect(ed.publicKey.type).toBe("sk-ssh-ed25519@openssh.com");
    expect(ed.publicKey.blob).toEqual(subjectPublicKey("sk-ed25519").blob);
    const ec = load("host-sk-ecdsa-by-rsa-cert.pub");
    expect(ec.type).toBe("sk-ecdsa-sha2-nistp256-cert-v01@openssh.com");
    expect(ec.publicKey.blob).toEqual(subjectPublicKey("sk-ecdsa").blob);
    expect(ec.signatureAlgorithm).toBe("rsa-sha2-512");
  });

  test("OpenSSH's regress .fp files are the SHA256 fingerprints of the certified keys", async () => {
    const { fingerprintSha256 } = await import("@purssh/keys");
    for (const name of ["rsa_1", "ecdsa_1", "ed25519_1", "ecdsa_sk1", "ed25519_sk1"]) {
      const cert = load(`openssh-regress/${name}-cert.pub`);
      expect(fingerprintSha256(cert.publicKey.blob)).toBe(certFixture(`openssh-regress/${name}-cert.fp`).trim());
    }
  });
});

describe("PROTOCOL.certkeys: structural rules", () => {
  const base = load("user-options-cert.pub");
  const ca = caPrivateKey("ed25519");

  function reparse(change: (raw: ReturnType<typeof rawOf>) => void): () => Certificate {
    const raw = rawOf(base);
    change(raw);
    const blob = encodeCertificate(raw, ca);
    return () => parseCertificateBlob(blob);
  }

  test("re-encoding the parsed fields and re-signing gives a certificate that parses the same", () => {
    const again = reparse(() => {})();
    expect(again.blob).toEqual(base.blob);
  });

  test('"Options must be lexically ordered by name": out-of-order critical options are rejected', () => {
    const err = keyErrorOf(
      reparse((r) => {
        r.critical = optionBytes([
          ["source-address", new SshWriter().utf8("10.0.0.0/8").finish()],
          ["force-command", new SshWriter().utf8("x").finish()],
        ]);
      }),
    );
    expect(err.code).toBe(KEY_ERROR.PARSE);
    expect(err.message).toMatch(/lexically ordered/);
  });

  test('"Each named option may only appear once": a repeated extension is rejected', () => {
    const err = keyErrorOf(
      reparse((r) => {
        r.extensions = optionBytes([
          ["permit-pty", new Uint8Array(0)],
          ["permit-pty", new Uint8Array(0)],
        ]);
      }),
    );
    expect(err.message).toMatch(/appears twice/);
  });

  test("ordering is byte-wise (strcmp): permit-X11-forwarding sorts before permit-agent-forwarding", () => {
    const ok = reparse((r) => {
      r.extensions = optionBytes([
        ["permit-X11-forwarding", new Uint8Array(0)],
        ["permit-agent-forwarding", new Uint8Array(0)],
      ]);
    })();
    expect(ok.extensions.map((e) => e.name)).toEqual(["permit-X11-forwarding", "permit-agent-forwarding"]);
  });

  test.each([0, 3, 0xffffffff])("certificate type %d (neither user 1 nor host 2) is rejected", (n) => {
    expect(keyErrorOf(reparse((r) => (r.certType = n))).message).toMatch(/neither user/);
  });

  test("more than 256 principals (SSHKEY_CERT_MAX_PRINCIPALS) are rejected", () => {
    const many = Array.from({ length: 257 }, (_, i) => `u${i}`);
    expect(keyErrorOf(reparse((r) => (r.principals = principalBytes(many)))).message).toMatch(/256/);
    expect(reparse((r) => (r.principals = principalBytes(many.slice(1))))().principals.length).toBe(256);
  });

  test("a NUL inside the key id or a principal is rejected (OpenSSH reads them as C strings)", () => {
    expect(keyErrorOf(reparse((r) => (r.keyId = "a\0b"))).code).toBe(KEY_ERROR.PARSE);
    expect(keyErrorOf(reparse((r) => (r.principals = principalBytes(["al\0ice"])))).code).toBe(KEY_ERROR.PARSE);
  });

  test("trailing bytes after the signature are rejected", () => {
    const blob = concatBytes(base.blob, new Uint8Array([0]));
    expect(keyErrorOf(() => parseCertificateBlob(blob)).code).toBe(KEY_ERROR.PARSE);
  });

  test("the blob cut at every offset is a KeyError (ERR_KEY_TRUNCATED or ERR_KEY_PARSE)", () => {
    for (let n = 0; n < base.blob.length; n++) {
      const err = keyErrorOf(() => parseCertificateBlob(base.blob.subarray(0, n)));
      expect([KEY_ERROR.TRUNCATED, KEY_ERROR.PARSE], `offset ${n}`).toContain(err.code);
    }
  });

  test("a certified key that is malformed (ECDSA point off the curve) is rejected", () => {
    const ecdsa = load("user-ecdsa-p256-by-ed25519-cert.pub");
    const raw = rawOf(ecdsa);
    raw.keyFields = flipped(raw.keyFields, -1);
    expect(keyErrorOf(() => parseCertificateBlob(encodeCertificate(raw, ca))).code).toBe(KEY_ERROR.PARSE);
  });

  test("ssh-dss certificates are recognised but not supported; other names are not certificates", () => {
    const dss = new SshWriter().utf8("ssh-dss-cert-v01@openssh.com").string(new Uint8Array(32)).finish();
    expect(keyErrorOf(() => parseCertificateBlob(dss)).code).toBe(KEY_ERROR.UNSUPPORTED_TYPE);
    const rsaSha2 = new SshWriter().utf8("rsa-sha2-256-cert-v01@openssh.com").finish();
    expect(keyErrorOf(() => parseCertificateBlob(rsaSha2)).code).toBe(KEY_ERROR.UNSUPPORTED_TYPE);
    expect(keyErrorOf(() => parseCertificateBlob(subjectPublicKey("ed25519").blob)).code).toBe(KEY_ERROR.PARSE);
  });

  test("parseCertificate of a plain public key line names the problem", () => {
    const err = keyErrorOf(() => parseCertificate(certFixture("subject-ed25519.pub")));
    expect(err.message).toMatch(/expected a certificate/);
  });

  test("the text form checks the type name against the blob (ERR_KEY_TYPE_MISMATCH)", () => {
    const [, b64] = certFixture("user-options-cert.pub").split(" ");
    const err = keyErrorOf(() => parseCertificate(`ecdsa-sha2-nistp256-cert-v01@openssh.com ${b64}`));
    expect(err.code).toBe(KEY_ERROR.TYPE_MISMATCH);
  });

  test("a certificate is a PublicKey: parsePublicKey keeps its blob and type", () => {
    const key = parsePublicKey(certFixture("user-options-cert.pub"));
    expect(key.blob).toEqual(base.blob);
    expect(key.type).toBe(base.type);
    expect(fromBase64(certFixture("user-options-cert.pub").split(" ")[1] as string)).toEqual(base.blob);
  });

  test("an empty blob is ERR_KEY_TRUNCATED, thrown as a KeyError", () => {
    expect(() => parseCertificateBlob(new Uint8Array(0))).toThrow(KeyError);
    expect(keyErrorOf(() => parseCertificateBlob(new Uint8Array(0))).code).toBe(KEY_ERROR.TRUNCATED);
  });
});
