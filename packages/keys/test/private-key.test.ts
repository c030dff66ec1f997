import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fc, test as fcTest } from "@fast-check/vitest";
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha512 } from "@noble/hashes/sha2.js";
import {
  ed25519PrivateKeyFromSeed,
  ed25519PublicKeyBytes,
  formatOpenSshPrivateKey,
  formatPublicKey,
  generateEd25519Key,
  KeyError,
  type PrivateKey,
  parseOpenSshPrivateKey,
} from "@purssh/keys";
import { fromHex, SshReader, SshWriter, toHex, utf8Encode } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { armor, checkintOf, dearmorForTest } from "./builder.js";
import { skipInterop, sshKeygen, withTempDir, writePrivateKeyFile } from "./helpers.js";

function keyError(fn: () => unknown): KeyError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KeyError);
    return e as KeyError;
  }
  throw new Error("expected a KeyError, nothing was thrown");
}

/** RFC 4253 §6.6 signature blob → [algorithm, signature]. */
function splitSignatureBlob(blob: Uint8Array): [string, Uint8Array] {
  const r = new SshReader(blob);
  const alg = r.utf8();
  const sig = r.string();
  r.expectEnd();
  return [alg, sig];
}

// RFC 8032 §7.1 TEST 1 and TEST 2
const TEST1 = {
  seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
  pk: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
  msg: "",
  sig: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
};
const TEST2 = {
  seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
  pk: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
  msg: "72",
  sig: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
};

describe("ssh-ed25519 signing keys (RFC 8709, RFC 8032)", () => {
  test.each([TEST1, TEST2])("RFC 8032 §7.1 vector: pk and signature, wrapped as RFC 8709 §6 blob", (v) => {
    const key = ed25519PrivateKeyFromSeed(fromHex(v.seed), "rfc8032");
    expect(toHex(ed25519PublicKeyBytes(key.publicKey))).toBe(v.pk);
    const blob = key.sign(fromHex(v.msg));
    expect(blob).toEqual(new SshWriter().utf8("ssh-ed25519").string(fromHex(v.sig)).finish());
    expect(key.sign(fromHex(v.msg), "ssh-ed25519")).toEqual(blob);
  });

  test('RFC 8709 §4: the public key blob is string "ssh-ed25519" ‖ string pk', () => {
    const key = ed25519PrivateKeyFromSeed(fromHex(TEST1.seed));
    expect(key.publicKey).toEqual({
      type: "ssh-ed25519",
      blob: new SshWriter().utf8("ssh-ed25519").string(fromHex(TEST1.pk)).finish(),
      comment: "",
    });
  });

  test("a signature algorithm the key does not have is ERR_KEY_UNSUPPORTED_ALGORITHM", () => {
    const key = ed25519PrivateKeyFromSeed(fromHex(TEST1.seed));
    for (const alg of ["rsa-sha2-256", "ssh-rsa", "ecdsa-sha2-nistp256", ""]) {
      const e = keyError(() => key.sign(new Uint8Array(1), alg));
      expect(e.code).toBe("ERR_KEY_UNSUPPORTED_ALGORITHM");
      expect(e.message).toContain(JSON.stringify(alg));
    }
  });

  test("RFC 8032 §5.1.5: a seed must be 32 bytes; comments cannot contain line breaks", () => {
    for (const n of [0, 31, 33, 64]) {
      expect(keyError(() => ed25519PrivateKeyFromSeed(new Uint8Array(n))).code).toBe("ERR_KEY_INVALID_ARGUMENT");
    }
    expect(keyError(() => ed25519PrivateKeyFromSeed(new Uint8Array(32), "a\nb")).code).toBe("ERR_KEY_INVALID_ARGUMENT");
    expect(keyError(() => generateEd25519Key("a\r")).code).toBe("ERR_KEY_INVALID_ARGUMENT");
  });

  test("the seed is copied: changing the caller's buffer does not change the key", () => {
    const seed = fromHex(TEST1.seed);
    const key = ed25519PrivateKeyFromSeed(seed);
    seed.fill(0);
    expect(toHex(splitSignatureBlob(key.sign(new Uint8Array(0)))[1])).toBe(TEST1.sig);
  });

  test("the secret seed is not reachable from the key object (logging a key leaks nothing)", () => {
    const key = ed25519PrivateKeyFromSeed(fromHex(TEST1.seed), "c");
    const dump = JSON.stringify(key, (_k, v) => (v instanceof Uint8Array ? toHex(v) : v));
    expect(dump).not.toContain(TEST1.seed);
    expect(Object.keys(key).sort()).toEqual(["publicKey", "sign", "signatureAlgorithms", "type"]);
    expect(Object.isFrozen(key)).toBe(true);
  });

  test("generateEd25519Key: random keys that sign and verify, different each time", () => {
    const a = generateEd25519Key("a");
    const b = generateEd25519Key();
    expect(a.publicKey.blob).not.toEqual(b.publicKey.blob);
    expect(a.publicKey.comment).toBe("a");
    const [alg, sig] = splitSignatureBlob(a.sign(utf8Encode("m")));
    expect(alg).toBe("ssh-ed25519");
    expect(ed25519.verify(sig, utf8Encode("m"), ed25519PublicKeyBytes(a.publicKey))).toBe(true);
  });
});

describe("formatOpenSshPrivateKey: the PROTOCOL.key writer", () => {
  test("70-column base64, padding 1, 2, 3, … to a multiple of 8, random equal checkints", () => {
    const key = generateEd25519Key("a comment of some length");
    const text = formatOpenSshPrivateKey(key);
    const lines = text.split("\n");
    expect(lines[0]).toBe("-----BEGIN OPENSSH PRIVATE KEY-----");
    expect(lines.at(-2)).toBe("-----END OPENSSH PRIVATE KEY-----");
    expect(lines.at(-1)).toBe("");
    const body = lines.slice(1, -2);
    for (const l of body.slice(0, -1)) expect(l.length).toBe(70);
    expect((body.at(-1) ?? "").length).toBeLessThanOrEqual(70);
    const r = new SshReader(dearmorForTest(text), 15);
    expect([r.utf8(), r.utf8(), r.string().length, r.uint32()]).toEqual(["none", "none", 0, 1]);
    expect(r.string()).toEqual(key.publicKey.blob);
    const list = r.string();
    r.expectEnd();
    expect(list.length % 8).toBe(0);
    const l = new SshReader(list);
    expect(l.uint32()).toBe(l.uint32());
    const checkints = new Set([0, 1, 2, 3].map(() => checkintOf(formatOpenSshPrivateKey(key))));
    expect(checkints.size).toBeGreaterThan(1);
  });

  test("a key without secret material (e.g. an agent key) cannot be written", () => {
    const real = generateEd25519Key();
    const foreign: PrivateKey = { ...real, sign: (d) => real.sign(d) };
    expect(keyError(() => formatOpenSshPrivateKey(foreign)).code).toBe("ERR_KEY_UNSUPPORTED_TYPE");
  });

  fcTest.prop(
    [
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.string({ maxLength: 40 }).filter((s) => !/[\r\n]/.test(s)),
      fc.integer({ min: 0, max: 0xffffffff }),
    ],
    { numRuns: 100 },
  )(
    "round trip: format → parse keeps public key, comment and signatures; format is a fixed point",
    (seed, comment, checkint) => {
      const key = ed25519PrivateKeyFromSeed(seed, comment);
      const text = formatOpenSshPrivateKey(key, { checkint });
      const back = parseOpenSshPrivateKey(text);
      expect(back.publicKey).toEqual(key.publicKey);
      expect(back.sign(utf8Encode("x"))).toEqual(key.sign(utf8Encode("x")));
      expect(formatOpenSshPrivateKey(back, { checkint })).toBe(text);
    },
  );
});

describe.skipIf(skipInterop)("interop with OpenSSH ssh-keygen", () => {
  const comments = ["purssh@example.test", "", "comment with  spaces", "ünïcödé ✓"];

  test.each(comments)("ssh-keygen -y -f accepts a key we wrote (comment %j) and prints our public key", (comment) => {
    withTempDir((dir) => {
      const key = generateEd25519Key(comment);
      const path = writePrivateKeyFile(dir, "id_ed25519", formatOpenSshPrivateKey(key));
      const out = sshKeygen(["-y", "-f", path]);
      expect(out.stderr).toBe("");
      expect(out.status).toBe(0);
      expect(out.stdout.trimEnd()).toBe(formatPublicKey(key.publicKey));
    });
  });

  test("ssh-keygen -y -f also accepts our key body re-wrapped at 64 columns (any width is legal)", () => {
    withTempDir((dir) => {
      const key = generateEd25519Key("w");
      const body = dearmorForTest(formatOpenSshPrivateKey(key));
      const path = writePrivateKeyFile(dir, "k", armor(body, 64));
      expect(sshKeygen(["-y", "-f", path]).stdout.trimEnd()).toBe(formatPublicKey(key.publicKey));
    });
  });

  // PROTOCOL.sshsig: SSHSIG blob and signed data, used to cross-check signatures both ways.
  const NAMESPACE = "purssh-test";
  const signedData = (message: Uint8Array) =>
    new SshWriter().raw(utf8Encode("SSHSIG")).utf8(NAMESPACE).utf8("").utf8("sha512").string(sha512(message)).finish();

  test("ssh-keygen -Y sign with a key we wrote makes a signature that verifies against our public key", () => {
    withTempDir((dir) => {
      const key = generateEd25519Key("signer");
      const path = writePrivateKeyFile(dir, "id", formatOpenSshPrivateKey(key));
      const message = utf8Encode("message signed by ssh-keygen\n");
      writeFileSync(join(dir, "msg"), message);
      const out = sshKeygen(["-Y", "sign", "-f", path, "-n", NAMESPACE, join(dir, "msg")]);
      expect(out.status, out.stderr).toBe(0);
      const r = new SshReader(dearmorForTest(readFileSync(join(dir, "msg.sig"), "utf8")), 6);
      expect(r.uint32()).toBe(1);
      expect(r.string()).toEqual(key.publicKey.blob);
      expect(r.utf8()).toBe(NAMESPACE);
      r.string();
      expect(r.utf8()).toBe("sha512");
      const [alg, sig] = splitSignatureBlob(r.string());
      expect(alg).toBe("ssh-ed25519");
      expect(ed25519.verify(sig, signedData(message), ed25519PublicKeyBytes(key.publicKey))).toBe(true);
      // Ed25519 is deterministic: our sign() produces the very same signature blob.
      expect(splitSignatureBlob(key.sign(signedData(message)))[1]).toEqual(sig);
    });
  });

  test("ssh-keygen -Y check-novalidate accepts an SSHSIG made with our sign()", () => {
    withTempDir((dir) => {
      const key = generateEd25519Key("verifier");
      const message = utf8Encode("message signed by purssh\n");
      const sshsig = new SshWriter()
        .raw(utf8Encode("SSHSIG"))
        .uint32(1)
        .string(key.publicKey.blob)
        .utf8(NAMESPACE)
        .utf8("")
        .utf8("sha512")
        .string(key.sign(signedData(message)))
        .finish();
      writeFileSync(join(dir, "msg.sig"), armor(sshsig, 76, "SSH SIGNATURE"));
      const ok = sshKeygen(["-Y", "check-novalidate", "-n", NAMESPACE, "-s", join(dir, "msg.sig")], message);
      expect(ok.status, ok.stderr).toBe(0);
      const tampered = sshKeygen(
        ["-Y", "check-novalidate", "-n", NAMESPACE, "-s", join(dir, "msg.sig")],
        utf8Encode("another message\n"),
      );
      expect(tampered.status).not.toBe(0);
    });
  });
});
