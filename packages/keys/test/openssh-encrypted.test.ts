/**
 * OpenSSH private keys of every type and every cipher (PROTOCOL.key), encrypted with
 * bcrypt_pbkdf, against files written by ssh-keygen 9.2 (test-vectors/keys/openssh), RustCrypto
 * (rustcrypto/) and OpenSSH's own regress data (openssh-regress/), and what ssh-keygen makes of
 * the files we write.
 */
import { ctr } from "@noble/ciphers/aes.js";
import {
  bcryptPbkdf,
  fingerprintSha256,
  formatOpenSshPrivateKey,
  formatPublicKey,
  KEY_FILE_CIPHERS,
  parseOpenSshPrivateKey,
  parsePublicKey,
} from "@purssh/keys";
import { SshReader, SshWriter, utf8Encode } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { armor, dearmorForTest } from "./builder.js";
import {
  BASE_KEYS,
  fixture,
  keyErrorOf,
  OPENSSH_REGRESS_PASSPHRASE,
  PASSPHRASE,
  publicLine,
  RUSTCRYPTO_PASSPHRASE,
  skipInterop,
  sshKeygen,
  withTempDir,
  writePrivateKeyFile,
} from "./helpers.js";

/** `ssh-keygen -Z` names as used in the fixture file names (the @openssh.com suffix dropped). */
const CIPHERS = [
  "aes128-ctr",
  "aes192-ctr",
  "aes256-ctr",
  "aes128-cbc",
  "aes192-cbc",
  "aes256-cbc",
  "aes128-gcm",
  "aes256-gcm",
  "chacha20-poly1305",
] as const;
const fullName = (c: string) => (c.includes("gcm") || c.startsWith("chacha") ? `${c}@openssh.com` : c);

/** The outer fields of a key file body (PROTOCOL.key §1), read independently of the parser. */
function envelope(text: string) {
  const body = dearmorForTest(text);
  const r = new SshReader(body, 15);
  const cipher = r.utf8();
  const kdf = r.utf8();
  const kdfOptions = r.string();
  r.uint32();
  const publicKey = r.string();
  const listStart = r.offset;
  const list = r.string();
  return { body, cipher, kdf, kdfOptions, publicKey, listStart, list, tag: r.rest() };
}

describe("PROTOCOL.key: every key type, as ssh-keygen 9.2 writes it", () => {
  test.each(BASE_KEYS)("$name: the plain file holds the key ssh-keygen -y printed", ({ name, type }) => {
    const key = parseOpenSshPrivateKey(fixture(`openssh/${name}`));
    expect(key.type).toBe(type);
    expect(formatPublicKey(key.publicKey)).toBe(publicLine(name));
  });

  test.each(BASE_KEYS)("$name.enc: aes256-ctr + bcrypt (ssh-keygen's default) decrypts to the same key", ({ name }) => {
    const text = fixture(`openssh/${name}.enc`);
    expect(envelope(text)).toMatchObject({ cipher: "aes256-ctr", kdf: "bcrypt" });
    const key = parseOpenSshPrivateKey(text, PASSPHRASE);
    expect(formatPublicKey(key.publicKey)).toBe(publicLine(name));
  });

  test.each(BASE_KEYS)("$name: signature algorithms by type (RFC 8709, RFC 5656, RFC 8332)", ({ name, type }) => {
    const key = parseOpenSshPrivateKey(fixture(`openssh/${name}`));
    const want = type === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [type];
    expect(key.signatureAlgorithms).toEqual(want);
  });
});

describe("PROTOCOL.key ciphers (OpenSSH cipher.c)", () => {
  test.each(CIPHERS)("ssh-keygen -Z %s: decrypts to the ed25519 base key", (c) => {
    const text = fixture(`openssh/ed25519.enc-${c}`);
    expect(envelope(text).cipher).toBe(fullName(c));
    expect(formatPublicKey(parseOpenSshPrivateKey(text, PASSPHRASE).publicKey)).toBe(publicLine("ed25519"));
  });

  test.each(CIPHERS)("RustCrypto id_ed25519.%s.enc (passphrase hunter42) decrypts to id_ed25519.pub", (c) => {
    const key = parseOpenSshPrivateKey(fixture(`rustcrypto/id_ed25519.${c}.enc`), RUSTCRYPTO_PASSPHRASE);
    expect(formatPublicKey(key.publicKey)).toBe(fixture("rustcrypto/id_ed25519.pub").trim());
  });

  test("bigger keys under the AEAD ciphers: RSA with aes256-gcm, P-521 with chacha20-poly1305", () => {
    const rsa = parseOpenSshPrivateKey(fixture("openssh/rsa-2048.enc-aes256-gcm"), PASSPHRASE);
    expect(formatPublicKey(rsa.publicKey)).toBe(publicLine("rsa-2048"));
    const p521 = parseOpenSshPrivateKey(fixture("openssh/ecdsa-p521.enc-chacha20-poly1305"), PASSPHRASE);
    expect(formatPublicKey(p521.publicKey)).toBe(publicLine("ecdsa-p521"));
  });

  test("3des-cbc is ERR_KEY_UNSUPPORTED_CIPHER naming the cipher and how to re-encrypt", () => {
    const e = keyErrorOf(() => parseOpenSshPrivateKey(fixture("rustcrypto/id_ed25519.3des-cbc.enc"), "x"));
    expect(e.code).toBe("ERR_KEY_UNSUPPORTED_CIPHER");
    expect(e.message).toContain('"3des-cbc"');
    expect(e.message).toContain("ssh-keygen -p");
  });

  test("sshkey.c: the 16-byte AEAD tag follows the encrypted string, outside its length", () => {
    for (const c of ["aes128-gcm", "aes256-gcm", "chacha20-poly1305"]) {
      const env = envelope(fixture(`openssh/ed25519.enc-${c}`));
      expect(env.tag.length, c).toBe(16);
      expect(env.list.length % (c.startsWith("chacha") ? 8 : 16), c).toBe(0);
    }
    for (const c of ["aes256-ctr", "aes256-cbc"])
      expect(envelope(fixture(`openssh/ed25519.enc-${c}`)).tag.length).toBe(0);
  });

  test.each(["aes256-gcm", "chacha20-poly1305"])(
    "%s: a damaged tag or ciphertext fails authentication; a missing or extra tag byte is structural",
    (c) => {
      const text = fixture(`openssh/ed25519.enc-${c}`);
      const { body } = envelope(text);
      const flip = (at: number) => {
        const b = body.slice();
        b[at] = (b[at] as number) ^ 1;
        return armor(b);
      };
      expect(keyErrorOf(() => parseOpenSshPrivateKey(flip(body.length - 1), PASSPHRASE)).code).toBe(
        "ERR_KEY_BAD_PASSPHRASE",
      );
      expect(keyErrorOf(() => parseOpenSshPrivateKey(flip(body.length - 20), PASSPHRASE)).code).toBe(
        "ERR_KEY_BAD_PASSPHRASE",
      );
      expect(keyErrorOf(() => parseOpenSshPrivateKey(armor(body.subarray(0, -1)), PASSPHRASE)).code).toBe(
        "ERR_KEY_TRUNCATED",
      );
      const extra = new Uint8Array(body.length + 1);
      extra.set(body);
      expect(keyErrorOf(() => parseOpenSshPrivateKey(armor(extra), PASSPHRASE)).code).toBe("ERR_KEY_PARSE");
    },
  );

  test("KEY_FILE_CIPHERS lists exactly the ciphers above", () => {
    expect([...KEY_FILE_CIPHERS].sort()).toEqual(CIPHERS.map(fullName).sort());
  });
});

describe("bcrypt kdf options (PROTOCOL.key §2) and their limits", () => {
  /** ssh-keygen's ed25519.enc with its kdfoptions replaced. */
  function withKdfOptions(options: Uint8Array): string {
    const env = envelope(fixture("openssh/ed25519.enc"));
    const w = new SshWriter()
      .raw(env.body.subarray(0, 15))
      .utf8(env.cipher)
      .utf8(env.kdf)
      .string(options)
      .uint32(1)
      .string(env.publicKey)
      .string(env.list)
      .raw(env.tag);
    return armor(w.finish());
  }
  const salt = new Uint8Array(16);

  test("`ssh-keygen -a 4`: 4 rounds decrypt to the same key", () => {
    const env = envelope(fixture("openssh/ed25519.enc-rounds-4"));
    expect(new SshReader(env.kdfOptions, 4 + 16).uint32()).toBe(4);
    expect(formatPublicKey(parseOpenSshPrivateKey(fixture("openssh/ed25519.enc-rounds-4"), PASSPHRASE).publicKey)).toBe(
      publicLine("ed25519"),
    );
  });

  test("Go b315afd: more than 2,048 rounds is ERR_KEY_KDF_LIMIT, before any passphrase work", () => {
    for (const rounds of [2049, 100_000, 0xffffffff]) {
      const text = withKdfOptions(new SshWriter().string(salt).uint32(rounds).finish());
      const started = performance.now();
      const e = keyErrorOf(() => parseOpenSshPrivateKey(text, PASSPHRASE));
      expect(e.code).toBe("ERR_KEY_KDF_LIMIT");
      expect(e.message).toContain(String(rounds));
      expect(performance.now() - started).toBeLessThan(1000);
      // the limit is reported even without a passphrase
      expect(keyErrorOf(() => parseOpenSshPrivateKey(text)).code).toBe("ERR_KEY_KDF_LIMIT");
    }
  });

  test("0 rounds, an empty salt, trailing or missing option bytes are malformed", () => {
    const cases: Array<[Uint8Array, string]> = [
      [new SshWriter().string(salt).uint32(0).finish(), "ERR_KEY_PARSE"],
      [new SshWriter().string(new Uint8Array(0)).uint32(16).finish(), "ERR_KEY_PARSE"],
      [new SshWriter().string(salt).uint32(16).byte(0).finish(), "ERR_KEY_PARSE"],
      [new SshWriter().string(salt).finish(), "ERR_KEY_TRUNCATED"],
    ];
    for (const [options, code] of cases) {
      expect(keyErrorOf(() => parseOpenSshPrivateKey(withKdfOptions(options), PASSPHRASE)).code).toBe(code);
    }
  });

  test("an unknown kdf is ERR_KEY_UNSUPPORTED_CIPHER; an encrypted key with kdf none is malformed", () => {
    const env = envelope(fixture("openssh/ed25519.enc"));
    const build = (kdf: string) =>
      armor(
        new SshWriter()
          .raw(env.body.subarray(0, 15))
          .utf8(env.cipher)
          .utf8(kdf)
          .string(env.kdfOptions)
          .uint32(1)
          .string(env.publicKey)
          .string(env.list)
          .finish(),
      );
    expect(keyErrorOf(() => parseOpenSshPrivateKey(build("scrypt"), PASSPHRASE)).code).toBe(
      "ERR_KEY_UNSUPPORTED_CIPHER",
    );
    expect(keyErrorOf(() => parseOpenSshPrivateKey(build("none"), PASSPHRASE)).code).toBe("ERR_KEY_PARSE");
  });
});

describe("passphrases", () => {
  const ENCRYPTED = [
    ...BASE_KEYS.map((k) => `openssh/${k.name}.enc`),
    ...CIPHERS.map((c) => `openssh/ed25519.enc-${c}`),
  ];

  test.each(ENCRYPTED)("%s: a wrong passphrase is ERR_KEY_BAD_PASSPHRASE", (file) => {
    const e = keyErrorOf(() => parseOpenSshPrivateKey(fixture(file), "not the passphrase"));
    expect(e.code).toBe("ERR_KEY_BAD_PASSPHRASE");
    expect(e.message).toMatch(/wrong passphrase/);
  });

  test("no passphrase is ERR_KEY_ENCRYPTED; the empty passphrase is wrong; bytes work like UTF-8 text", () => {
    const text = fixture("openssh/ed25519.enc");
    expect(keyErrorOf(() => parseOpenSshPrivateKey(text)).code).toBe("ERR_KEY_ENCRYPTED");
    expect(keyErrorOf(() => parseOpenSshPrivateKey(text, "")).code).toBe("ERR_KEY_BAD_PASSPHRASE");
    expect(parseOpenSshPrivateKey(text, utf8Encode(PASSPHRASE)).publicKey.blob).toEqual(
      parsePublicKey(publicLine("ed25519")).blob,
    );
  });

  test("a passphrase is not needed (and ignored) for an unencrypted key", () => {
    expect(formatPublicKey(parseOpenSshPrivateKey(fixture("openssh/ed25519"), "anything").publicKey)).toBe(
      publicLine("ed25519"),
    );
  });
});

describe("security keys (PROTOCOL.u2f) from OpenSSH regress/unittests/sshkey/testdata", () => {
  test.each(["ed25519_sk1", "ecdsa_sk1"])("%s and %s_pw: the public key, fingerprint and key handle", (name) => {
    const plain = parseOpenSshPrivateKey(fixture(`openssh-regress/${name}`));
    const encrypted = parseOpenSshPrivateKey(fixture(`openssh-regress/${name}_pw`), OPENSSH_REGRESS_PASSPHRASE);
    const pub = parsePublicKey(fixture(`openssh-regress/${name}.pub`));
    for (const key of [plain, encrypted]) {
      expect(key.publicKey.blob).toEqual(pub.blob);
      expect(fingerprintSha256(key.publicKey.blob)).toBe(fixture(`openssh-regress/${name}.fp`).trim());
    }
    expect(plain.type).toBe(
      name.startsWith("ed25519") ? "sk-ssh-ed25519@openssh.com" : "sk-ecdsa-sha2-nistp256@openssh.com",
    );
    expect(plain.signatureAlgorithms).toEqual([plain.type]);
  });

  test.each(["ed25519_sk1", "ecdsa_sk1"])(
    "%s: sign() is ERR_KEY_SECURITY_KEY_REQUIRED (the token holds the key)",
    (name) => {
      const key = parseOpenSshPrivateKey(fixture(`openssh-regress/${name}`));
      const e = keyErrorOf(() => key.sign(utf8Encode("data")));
      expect(e.code).toBe("ERR_KEY_SECURITY_KEY_REQUIRED");
      expect(e.message).toMatch(/hardware token/);
    },
  );

  test.each(["ed25519_sk1", "ecdsa_sk1"])(
    "%s: rewriting with the file's checkint reproduces it byte for byte",
    (name) => {
      const text = fixture(`openssh-regress/${name}`);
      const checkint = new SshReader(envelope(text).list).uint32();
      expect(formatOpenSshPrivateKey(parseOpenSshPrivateKey(text), { checkint })).toBe(text);
    },
  );
});

/** Decrypts an aes256-ctr key file independently of the parser, to learn its checkint and salt. */
function checkintAndSalt(text: string, passphrase: string): { checkint: number; salt: Uint8Array; rounds: number } {
  const env = envelope(text);
  const o = new SshReader(env.kdfOptions);
  const salt = o.string().slice();
  const rounds = o.uint32();
  const kiv = bcryptPbkdf(utf8Encode(passphrase), salt, rounds, 48);
  const list = ctr(kiv.subarray(0, 32), kiv.subarray(32)).decrypt(env.list);
  return { checkint: new SshReader(list).uint32(), salt, rounds };
}

describe("formatOpenSshPrivateKey with a passphrase", () => {
  test.each(BASE_KEYS)(
    "$name: with ssh-keygen's salt and checkint we reproduce its encrypted file byte for byte",
    ({ name }) => {
      const text = fixture(`openssh/${name}.enc`);
      const key = parseOpenSshPrivateKey(text, PASSPHRASE);
      const { checkint, salt, rounds } = checkintAndSalt(text, PASSPHRASE);
      expect(rounds).toBe(16);
      expect(formatOpenSshPrivateKey(key, { passphrase: PASSPHRASE, checkint, salt })).toBe(text);
    },
  );

  test.each(CIPHERS)("cipher %s: what we write decrypts to the same key", (c) => {
    const key = parseOpenSshPrivateKey(fixture("openssh/ed25519"));
    const text = formatOpenSshPrivateKey(key, { passphrase: "pw", cipher: fullName(c), rounds: 2 });
    const env = envelope(text);
    expect([env.cipher, env.kdf, env.tag.length]).toEqual([
      fullName(c),
      "bcrypt",
      c.includes("gcm") || c.startsWith("chacha") ? 16 : 0,
    ]);
    expect(parseOpenSshPrivateKey(text, "pw").publicKey).toEqual(key.publicKey);
    expect(keyErrorOf(() => parseOpenSshPrivateKey(text, "wrong")).code).toBe("ERR_KEY_BAD_PASSPHRASE");
  });

  test("defaults: aes256-ctr, bcrypt, 16 rounds, a random 16-byte salt; no or an empty passphrase writes a plain key", () => {
    const key = parseOpenSshPrivateKey(fixture("openssh/ecdsa-p256"));
    const a = envelope(formatOpenSshPrivateKey(key, { passphrase: "pw" }));
    const b = envelope(formatOpenSshPrivateKey(key, { passphrase: "pw" }));
    expect([a.cipher, a.kdf]).toEqual(["aes256-ctr", "bcrypt"]);
    const options = new SshReader(a.kdfOptions);
    expect(options.string().length).toBe(16);
    expect(options.uint32()).toBe(16);
    expect(a.kdfOptions).not.toEqual(b.kdfOptions);
    for (const passphrase of [undefined, ""]) {
      expect(envelope(formatOpenSshPrivateKey(key, { passphrase })).cipher).toBe("none");
    }
  });

  test("bad options: an unknown cipher, 0 or 2,049 rounds", () => {
    const key = parseOpenSshPrivateKey(fixture("openssh/ed25519"));
    expect(keyErrorOf(() => formatOpenSshPrivateKey(key, { passphrase: "p", cipher: "3des-cbc" })).code).toBe(
      "ERR_KEY_UNSUPPORTED_CIPHER",
    );
    for (const rounds of [0, 2049, 1.5]) {
      expect(keyErrorOf(() => formatOpenSshPrivateKey(key, { passphrase: "p", rounds })).code).toBe(
        "ERR_KEY_INVALID_ARGUMENT",
      );
    }
  });
});

describe.skipIf(skipInterop)("ssh-keygen reads the keys we write", () => {
  test.each(BASE_KEYS)("ssh-keygen -y -P <pass> -f accepts our encrypted $name key", ({ name }) => {
    withTempDir((dir) => {
      const key = parseOpenSshPrivateKey(fixture(`openssh/${name}`));
      const path = writePrivateKeyFile(dir, "id", formatOpenSshPrivateKey(key, { passphrase: PASSPHRASE }));
      const out = sshKeygen(["-y", "-P", PASSPHRASE, "-f", path]);
      expect(out.status, out.stderr).toBe(0);
      expect(out.stdout.trim()).toBe(publicLine(name));
      expect(sshKeygen(["-y", "-P", "wrong passphrase", "-f", path]).status).not.toBe(0);
    });
  });

  test.each(CIPHERS)("ssh-keygen -y accepts our ed25519 key encrypted with %s", (c) => {
    withTempDir((dir) => {
      const key = parseOpenSshPrivateKey(fixture("openssh/ed25519"));
      const text = formatOpenSshPrivateKey(key, { passphrase: PASSPHRASE, cipher: fullName(c), rounds: 4 });
      const out = sshKeygen(["-y", "-P", PASSPHRASE, "-f", writePrivateKeyFile(dir, "id", text)]);
      expect(out.status, out.stderr).toBe(0);
      expect(out.stdout.trim()).toBe(publicLine("ed25519"));
    });
  });

  test.each(BASE_KEYS)("ssh-keygen -y accepts our unencrypted $name key", ({ name }) => {
    withTempDir((dir) => {
      const key = parseOpenSshPrivateKey(fixture(`openssh/${name}.enc`), PASSPHRASE);
      const out = sshKeygen(["-y", "-f", writePrivateKeyFile(dir, "id", formatOpenSshPrivateKey(key))]);
      expect(out.status, out.stderr).toBe(0);
      expect(out.stdout.trim()).toBe(publicLine(name));
    });
  });

  test("ssh-keygen -y accepts a security key we wrote (encrypted)", () => {
    withTempDir((dir) => {
      const key = parseOpenSshPrivateKey(fixture("openssh-regress/ecdsa_sk1"));
      const text = formatOpenSshPrivateKey(key, { passphrase: PASSPHRASE, rounds: 2 });
      const out = sshKeygen(["-y", "-P", PASSPHRASE, "-f", writePrivateKeyFile(dir, "id", text)]);
      expect(out.status, out.stderr).toBe(0);
      expect(parsePublicKey(out.stdout).blob).toEqual(key.publicKey.blob);
    });
  });
});
