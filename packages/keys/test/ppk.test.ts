/**
 * PuTTY PPK v2 and v3 (PuTTY manual appendix C) against files written by puttygen 0.78
 * (test-vectors/keys/ppk, converted from the OpenSSH base keys) and RustCrypto/SSH's examples.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { formatOpenSshPrivateKey, formatPublicKey, parsePpkPrivateKey, parsePrivateKey } from "@purssh/keys";
import { concatBytes, fromBase64, SshWriter, toBase64, toHex, utf8Encode } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import {
  BASE_KEYS,
  fixture,
  keyErrorOf,
  PASSPHRASE,
  publicLine,
  RUSTCRYPTO_PPK_PASSPHRASE,
  skipInterop,
  sshKeygen,
  withTempDir,
  writePrivateKeyFile,
} from "./helpers.js";

const VERSIONS = ["v2", "v3"] as const;
const CASES = BASE_KEYS.flatMap((k) => VERSIONS.map((v) => ({ ...k, v })));

describe("PPK written by puttygen 0.78", () => {
  test.each(CASES)("$name.$v.ppk (Encryption: none): the key and comment of the OpenSSH original", ({ name, v }) => {
    const text = fixture(`ppk/${name}.${v}.ppk`);
    expect(text.startsWith(`PuTTY-User-Key-File-${v.slice(1)}: `)).toBe(true);
    expect(formatPublicKey(parsePpkPrivateKey(text).publicKey)).toBe(publicLine(name));
  });

  test.each(CASES)("$name.$v.enc.ppk (aes256-cbc): decrypts with the passphrase", ({ name, v }) => {
    const text = fixture(`ppk/${name}.${v}.enc.ppk`);
    expect(text).toContain("Encryption: aes256-cbc");
    expect(formatPublicKey(parsePpkPrivateKey(text, PASSPHRASE).publicKey)).toBe(publicLine(name));
  });

  test.each(["argon2i", "argon2d"])("v3 Key-Derivation %s (argon2d with Argon2-Parallelism 2)", (flavour) => {
    const text = fixture(`ppk/ed25519.v3.${flavour}.ppk`);
    expect(text).toMatch(new RegExp(`Key-Derivation: ${flavour.replace("a", "A")}`));
    expect(formatPublicKey(parsePpkPrivateKey(text, PASSPHRASE).publicKey)).toBe(publicLine("ed25519"));
  });

  test("puttygen's default Argon2id parameters (8192 KiB, calibrated passes) decrypt", () => {
    const text = fixture("ppk/ed25519.v3.default.ppk");
    expect(text).toContain("Argon2-Memory: 8192");
    const started = performance.now();
    const key = parsePpkPrivateKey(text, PASSPHRASE);
    const passes = /Argon2-Passes: (\d+)/.exec(text)?.[1];
    console.info(`PPK v3 Argon2id 8192 KiB × ${passes} passes: ${Math.round(performance.now() - started)} ms`);
    expect(formatPublicKey(key.publicKey)).toBe(publicLine("ed25519"));
  });

  test.each(BASE_KEYS.flatMap((k) => VERSIONS.map((v) => `${k.name}.${v}.enc.ppk`)))(
    "%s: a wrong passphrase fails the Private-MAC (ERR_KEY_BAD_PASSPHRASE); none is ERR_KEY_ENCRYPTED",
    (file) => {
      const text = fixture(`ppk/${file}`);
      const e = keyErrorOf(() => parsePpkPrivateKey(text, "not the passphrase"));
      expect(e.code).toBe("ERR_KEY_BAD_PASSPHRASE");
      expect(e.message).toMatch(/Private-MAC/);
      expect(keyErrorOf(() => parsePpkPrivateKey(text)).code).toBe("ERR_KEY_ENCRYPTED");
    },
  );
});

describe("PPK from RustCrypto/SSH (passphrase 123)", () => {
  const want = (base: string) => fixture(`rustcrypto/${base}.pub`).trim();

  test.each([
    ["id_ed25519.ppk", "id_ed25519"],
    ["id_ecdsa_p256.ppk", "id_ecdsa_p256"],
    ["id_rsa_3072.ppk", "id_rsa_3072"],
    ["id_rsa_3072.ppk2", "id_rsa_3072"],
    ["id_rsa_3072_enc.ppk2", "id_rsa_3072"],
  ])("%s holds the key of %s.pub", (file, base) => {
    const key = parsePpkPrivateKey(fixture(`rustcrypto/${file}`), RUSTCRYPTO_PPK_PASSPHRASE);
    expect(formatPublicKey(key.publicKey).split(" ").slice(0, 2)).toEqual(want(base).split(" ").slice(0, 2));
  });

  test("id_ed25519_enc.ppk: Argon2id with 34 passes (the RFC 8032 TEST 1-style fixture of RustCrypto)", () => {
    const key = parsePpkPrivateKey(fixture("rustcrypto/id_ed25519_enc.ppk"), RUSTCRYPTO_PPK_PASSPHRASE);
    expect(formatPublicKey(key.publicKey)).toBe(want("id_ed25519"));
  });

  test("id_dsa_1024.ppk: ssh-dss is ERR_KEY_UNSUPPORTED_TYPE", () => {
    expect(keyErrorOf(() => parsePpkPrivateKey(fixture("rustcrypto/id_dsa_1024.ppk"))).code).toBe(
      "ERR_KEY_UNSUPPORTED_TYPE",
    );
  });
});

describe("the Private-MAC covers the whole file and is checked before the private blob is used", () => {
  test("an edited comment or a swapped public key in an unencrypted file is ERR_KEY_PARSE (damaged)", () => {
    const text = fixture("ppk/ed25519.v3.ppk");
    const comment = text.replace("Comment: ed25519@purssh.test", "Comment: someone-else");
    expect(keyErrorOf(() => parsePpkPrivateKey(comment)).message).toMatch(/Private-MAC does not verify/);
    // RustCrypto's id_ed25519.ppk holds another Ed25519 key: put its public lines into our file.
    const publicLines = (t: string) => /Public-Lines: 2\n.*\n.*\n/.exec(t)?.[0] ?? "";
    const swapped = text.replace(publicLines(text), publicLines(fixture("rustcrypto/id_ed25519.ppk")));
    expect(swapped).not.toBe(text);
    expect(keyErrorOf(() => parsePpkPrivateKey(swapped)).message).toMatch(/Private-MAC does not verify/);
  });

  test("an edited comment in an encrypted file looks like a wrong passphrase", () => {
    const text = fixture("ppk/ecdsa-p256.v2.enc.ppk").replace("Comment: ecdsa-p256@", "Comment: ECDSA-p256@");
    expect(keyErrorOf(() => parsePpkPrivateKey(text, PASSPHRASE)).code).toBe("ERR_KEY_BAD_PASSPHRASE");
  });

  test("a comment that is not UTF-8 is MACed as the file's bytes and shown with U+FFFD", () => {
    // Build a v3 unencrypted file (MAC key = empty string) with a Latin-1 comment byte.
    const base = fixture("ppk/ed25519.v3.ppk");
    const publicBlob = fromBase64(/Public-Lines: 2\n(.*)\n(.*)\n/.exec(base)?.slice(1, 3).join("") ?? "");
    const privateBlob = fromBase64(/Private-Lines: 1\n(.*)\n/.exec(base)?.[1] ?? "");
    const comment = Uint8Array.of(0x63, 0xe9); // "c" + Latin-1 é
    const mac = hmac(
      sha256,
      new Uint8Array(0),
      new SshWriter().utf8("ssh-ed25519").utf8("none").string(comment).string(publicBlob).string(privateBlob).finish(),
    );
    const b64 = toBase64(publicBlob);
    const file = concatBytes(
      utf8Encode("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: "),
      comment,
      utf8Encode(
        `\nPublic-Lines: 2\n${b64.slice(0, 64)}\n${b64.slice(64)}\nPrivate-Lines: 1\n${toBase64(privateBlob)}\nPrivate-MAC: ${toHex(mac)}\n`,
      ),
    );
    const key = parsePrivateKey(file);
    expect(key.publicKey.comment).toBe("c\uFFFD");
  });
});

describe("PPK structure and limits", () => {
  const v3enc = () => fixture("ppk/ed25519.v3.enc.ppk");

  test("Argon2 parameters beyond the limits are ERR_KEY_KDF_LIMIT, without running Argon2", () => {
    for (const [from, to] of [
      ["Argon2-Memory: 1024", "Argon2-Memory: 4194304"],
      ["Argon2-Passes: 2", "Argon2-Passes: 100000"],
      ["Argon2-Parallelism: 1", "Argon2-Parallelism: 64"],
    ] as const) {
      const started = performance.now();
      expect(keyErrorOf(() => parsePpkPrivateKey(v3enc().replace(from, to), PASSPHRASE)).code).toBe(
        "ERR_KEY_KDF_LIMIT",
      );
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });

  test("unsupported versions, encryptions and key derivations are named", () => {
    const v1 = fixture("ppk/ed25519.v2.ppk").replace("PuTTY-User-Key-File-2", "PuTTY-User-Key-File-1");
    expect(keyErrorOf(() => parsePpkPrivateKey(v1)).code).toBe("ERR_KEY_UNSUPPORTED_FORMAT");
    const des = v3enc().replace("Encryption: aes256-cbc", "Encryption: 3des-cbc");
    expect(keyErrorOf(() => parsePpkPrivateKey(des, PASSPHRASE)).code).toBe("ERR_KEY_UNSUPPORTED_CIPHER");
    const kdf = v3enc().replace("Key-Derivation: Argon2id", "Key-Derivation: scrypt");
    expect(keyErrorOf(() => parsePpkPrivateKey(kdf, PASSPHRASE)).code).toBe("ERR_KEY_UNSUPPORTED_CIPHER");
  });

  test("a header out of order, an algorithm that disagrees with the public key, text after the MAC", () => {
    const text = fixture("ppk/ed25519.v3.ppk");
    const swapped = text.replace(/(Encryption: none)\n(Comment: .*)/, "$2\n$1");
    expect(keyErrorOf(() => parsePpkPrivateKey(swapped)).message).toMatch(/expected a "Encryption:" line/);
    const wrongType = text.replace("PuTTY-User-Key-File-3: ssh-ed25519", "PuTTY-User-Key-File-3: ssh-rsa");
    expect(keyErrorOf(() => parsePpkPrivateKey(wrongType)).code).toBe("ERR_KEY_PARSE");
    expect(keyErrorOf(() => parsePpkPrivateKey(`${text}extra\n`)).code).toBe("ERR_KEY_PARSE");
  });

  test("CRLF and CR line ends are accepted (PuTTY tolerates both)", () => {
    const text = fixture("ppk/rsa-2048.v3.ppk");
    for (const eol of ["\r\n", "\r"]) {
      expect(formatPublicKey(parsePpkPrivateKey(text.replace(/\n/g, eol)).publicKey)).toBe(publicLine("rsa-2048"));
    }
  });
});

describe.skipIf(skipInterop)("converting PPK to OpenSSH", () => {
  test.each(BASE_KEYS)("a $name key read from PPK, written as OpenSSH, is accepted by ssh-keygen -y", ({ name }) => {
    withTempDir((dir) => {
      const key = parsePpkPrivateKey(fixture(`ppk/${name}.v2.enc.ppk`), PASSPHRASE);
      const path = writePrivateKeyFile(dir, "id", formatOpenSshPrivateKey(key));
      const out = sshKeygen(["-y", "-f", path]);
      expect(out.status, out.stderr).toBe(0);
      expect(out.stdout.trim()).toBe(publicLine(name));
    });
  });
});
