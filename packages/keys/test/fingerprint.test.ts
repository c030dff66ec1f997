import { sha256 } from "@noble/hashes/sha2.js";
import {
  FINGERPRINT_HASHES,
  fingerprintHex,
  fingerprintMd5,
  fingerprintSha1,
  fingerprintSha256,
  KeyError,
  parsePrivateKey,
  parsePublicKey,
  publicKeyBits,
} from "@purssh/keys";
import { fromBase64, toHex } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { BASE_KEYS, fingerprintField, fingerprintRecords, fixture } from "./helpers.js";

const records = fingerprintRecords();

describe("fingerprints match ssh-keygen -l (test-vectors/keys/fingerprints.json)", () => {
  test("the recorded set covers ed25519, RSA and ECDSA keys", () => {
    const types = records.map((r) => /\((\w+)\)$/.exec(r.sha256)?.[1]);
    expect(new Set(types)).toEqual(new Set(["ED25519", "RSA", "ECDSA"]));
  });

  test.each(records)("ssh-keygen -lf $file.pub: SHA256:<unpadded base64>", (r) => {
    const key = parsePublicKey(fixture(`${r.file}.pub`));
    expect(fingerprintSha256(key.blob)).toBe(fingerprintField(r.sha256));
  });

  test.each(records)("ssh-keygen -l -E md5 -f $file.pub: MD5:<colon hex>", (r) => {
    const key = parsePublicKey(fixture(`${r.file}.pub`));
    expect(fingerprintMd5(key.blob)).toBe(fingerprintField(r.md5));
  });

  test.each(records)("ssh-keygen -l -E sha1 -f $file.pub: SHA1:<unpadded base64>", (r) => {
    const key = parsePublicKey(fixture(`${r.file}.pub`));
    expect(fingerprintSha1(key.blob)).toBe(fingerprintField(r.sha1));
  });

  test.each(records)("the comment ssh-keygen prints for $file.pub is the parsed comment", (r) => {
    const key = parsePublicKey(fixture(`${r.file}.pub`));
    const printed = / (.*) \(\w+\)$/.exec(r.sha256.split(" ").slice(1).join(" "))?.[1];
    // ssh-keygen prints "no comment" for an empty comment.
    expect(printed).toBe(key.comment === "" ? "no comment" : key.comment);
  });
});

describe("fingerprintHex: lower-case colon-separated hex of the digest (seed class `fingerprint` form)", () => {
  test.each(records)("$file: the hex digests agree with ssh-keygen's base64 and MD5 forms", (r) => {
    const blob = parsePublicKey(fixture(`${r.file}.pub`)).blob;
    const b64hex = (line: string) => toHex(fromBase64(fingerprintField(line).replace(/^SHA(256|1):/, "")));
    const colons = (hex: string) => (hex.match(/../g) ?? []).join(":");
    expect(fingerprintHex(blob, "SHA256")).toBe(colons(b64hex(r.sha256)));
    expect(fingerprintHex(blob, "SHA1")).toBe(colons(b64hex(r.sha1)));
    expect(`MD5:${fingerprintHex(blob, "MD5")}`).toBe(fingerprintField(r.md5));
  });

  test("format: 32 two-digit groups for SHA256, 20 for SHA1, 16 for MD5", () => {
    const blob = parsePublicKey(fixture("ed25519-alice.pub")).blob;
    const groups = { SHA256: 32, SHA1: 20, MD5: 16 } as const;
    for (const h of FINGERPRINT_HASHES) {
      expect(fingerprintHex(blob, h)).toMatch(new RegExp(`^[0-9a-f]{2}(:[0-9a-f]{2}){${groups[h] - 1}}$`));
    }
    expect(fingerprintHex(blob, "SHA256")).toBe((toHex(sha256(blob)).match(/../g) ?? []).join(":"));
  });

  test("an unknown hash name from untyped code is a KeyError", () => {
    const blob = new Uint8Array(1);
    expect(() => fingerprintHex(blob, "SHA512" as never)).toThrow(KeyError);
    expect(() => fingerprintHex(blob, "SHA512" as never)).toThrow(/unknown fingerprint hash "SHA512"/);
  });
});

describe("fingerprints of every key type (test-vectors/keys/openssh/fingerprints.txt, OpenSSH regress .fp)", () => {
  const lines = fixture("openssh/fingerprints.txt").trim().split("\n");

  test.each(BASE_KEYS)("$name: SHA256 and MD5 as ssh-keygen -l prints them, with the key size", ({ name, bits }) => {
    const key = parsePrivateKey(fixture(`openssh/${name}`));
    const [sha, md5] = lines.filter((l) => l.includes(` ${name}@purssh.test `));
    expect(sha).toBe(`${bits} ${fingerprintSha256(key.publicKey.blob)} ${name}@purssh.test (${sha?.split("(")[1]}`);
    expect(md5?.split(" ")[1]).toBe(fingerprintMd5(key.publicKey.blob));
    expect(publicKeyBits(key.publicKey)).toBe(bits);
  });

  test.each(["ed25519_sk1", "ecdsa_sk1"])(
    "security key %s: the SHA256 fingerprint OpenSSH's regress records",
    (name) => {
      const key = parsePublicKey(fixture(`openssh-regress/${name}.pub`));
      expect(fingerprintSha256(key.blob)).toBe(fixture(`openssh-regress/${name}.fp`).trim());
      expect(publicKeyBits(key)).toBe(256);
    },
  );
});
