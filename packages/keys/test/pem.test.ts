/**
 * PEM private and public keys against files written by ssh-keygen 9.2 (-m PEM, -m PKCS8, -e) and
 * OpenSSL 3.0 (pkcs8 -topk8 with PBES2 variants, legacy -aes*, genpkey ed25519), and OpenSSH's
 * regress PEM keys; PBKDF2 / PBES2 / EVP_BytesToKey checked against what openssl produced.
 */
import { md5 } from "@noble/hashes/legacy.js";
import {
  formatPublicKey,
  parsePemPrivateKey,
  parsePemPublicKey,
  parsePrivateKey,
  parsePublicKey,
  parsePublicKeyFile,
} from "@purssh/keys";
import { concatBytes, fromHex, toBase64, utf8Encode } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { evpBytesToKeyMd5 } from "../src/pem-encryption.js";
import { armor, dearmorForTest } from "./builder.js";
import {
  BASE_KEYS,
  fixture,
  keyErrorOf,
  OPENSSH_REGRESS_PASSPHRASE,
  PASSPHRASE,
  publicLine,
  withoutComment,
} from "./helpers.js";

const PEM_KEYS = BASE_KEYS.filter((k) => k.name !== "ed25519");
const expectKey = (text: string, passphrase: string | undefined, want: string) =>
  expect(formatPublicKey(parsePemPrivateKey(text, passphrase).publicKey)).toBe(withoutComment(want));

describe("PEM written by ssh-keygen -m PEM / -m PKCS8", () => {
  test.each(PEM_KEYS)("$name.pem: PKCS#1 / SEC 1 (BEGIN RSA|EC PRIVATE KEY) holds the base key", ({ name }) => {
    const text = fixture(`pem/${name}.pem`);
    expect(text).toMatch(
      name.startsWith("rsa") ? /^-----BEGIN RSA PRIVATE KEY-----/ : /^-----BEGIN EC PRIVATE KEY-----/,
    );
    expectKey(text, undefined, publicLine(name));
  });

  test.each(PEM_KEYS)("$name.enc.pem: Proc-Type 4,ENCRYPTED / DEK-Info AES-128-CBC decrypts", ({ name }) => {
    const text = fixture(`pem/${name}.enc.pem`);
    expect(text).toContain("DEK-Info: AES-128-CBC,");
    expectKey(text, PASSPHRASE, publicLine(name));
  });

  test.each(PEM_KEYS)("$name.pkcs8: PrivateKeyInfo (BEGIN PRIVATE KEY) holds the base key", ({ name }) => {
    expectKey(fixture(`pem/${name}.pkcs8`), undefined, publicLine(name));
  });

  test.each(PEM_KEYS)("$name.enc.pkcs8: PBES2 (PBKDF2-HMAC-SHA256, AES-128-CBC) decrypts", ({ name }) => {
    const text = fixture(`pem/${name}.enc.pkcs8`);
    expect(text).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expectKey(text, PASSPHRASE, publicLine(name));
  });
});

describe("PEM written by openssl 3.0", () => {
  test.each([
    ["rsa-2048.pbes2-aes256-sha1.pkcs8", "rsa-2048"],
    ["ecdsa-p256.pbes2-aes128-sha1.pkcs8", "ecdsa-p256"],
    ["ecdsa-p384.pbes2-aes192-sha512.pkcs8", "ecdsa-p384"],
    ["ecdsa-p256.pbes2-aes256-sha256-100k.pkcs8", "ecdsa-p256"],
    ["ecdsa-p256.scrypt.pkcs8", "ecdsa-p256"],
  ] as const)("RFC 8018 PBES2 / RFC 7914 scrypt: %s", (file, base) => {
    expectKey(fixture(`pem/${file}`), PASSPHRASE, publicLine(base));
  });

  test.each([
    ["rsa-2048.aes256.pem", "rsa-2048", "AES-256-CBC"],
    ["ecdsa-p384.aes192.pem", "ecdsa-p384", "AES-192-CBC"],
  ] as const)("legacy OpenSSL encryption: %s (DEK-Info %s)", (file, base, cipher) => {
    const text = fixture(`pem/${file}`);
    expect(text).toContain(`DEK-Info: ${cipher},`);
    expectKey(text, PASSPHRASE, publicLine(base));
  });

  test("RFC 8410: Ed25519 PKCS#8, plain and encrypted (openssl genpkey)", () => {
    const want = fixture("pem/ed25519.pkcs8.pub");
    expectKey(fixture("pem/ed25519.pkcs8"), undefined, want);
    expectKey(fixture("pem/ed25519.enc.pkcs8"), PASSPHRASE, want);
  });

  test.each([
    ["rsa-2048.des3.pem", /DES-EDE3-CBC/],
    ["ecdsa-p256.pbes2-des3.pkcs8", /des-EDE3-CBC/],
  ] as const)("%s: 3DES is ERR_KEY_UNSUPPORTED_CIPHER, with a hint to re-encrypt", (file, name) => {
    const e = keyErrorOf(() => parsePemPrivateKey(fixture(`pem/${file}`), PASSPHRASE));
    expect(e.code).toBe("ERR_KEY_UNSUPPORTED_CIPHER");
    expect(e.message).toMatch(name);
    expect(e.message).toMatch(/re-encrypt/);
  });
});

describe("OpenSSH regress PEM keys (rsa_1, ecdsa_1; passphrase mekmitasdigoat)", () => {
  test.each(["rsa_1", "ecdsa_1"])("%s and %s_pw", (name) => {
    const want = fixture(`openssh-regress/${name}.pub`);
    expectKey(fixture(`openssh-regress/${name}`), undefined, want);
    expectKey(fixture(`openssh-regress/${name}_pw`), OPENSSH_REGRESS_PASSPHRASE, want);
  });
});

describe("passphrases", () => {
  const ENCRYPTED = [
    ...PEM_KEYS.flatMap((k) => [`${k.name}.enc.pem`, `${k.name}.enc.pkcs8`]),
    "rsa-2048.aes256.pem",
    "ecdsa-p384.aes192.pem",
    "rsa-2048.pbes2-aes256-sha1.pkcs8",
    "ecdsa-p384.pbes2-aes192-sha512.pkcs8",
    "ecdsa-p256.scrypt.pkcs8",
    "ed25519.enc.pkcs8",
  ];

  test.each(ENCRYPTED)("%s: a wrong passphrase is ERR_KEY_BAD_PASSPHRASE, none is ERR_KEY_ENCRYPTED", (file) => {
    const text = fixture(`pem/${file}`);
    expect(keyErrorOf(() => parsePemPrivateKey(text, "not the passphrase")).code).toBe("ERR_KEY_BAD_PASSPHRASE");
    expect(keyErrorOf(() => parsePemPrivateKey(text)).code).toBe("ERR_KEY_ENCRYPTED");
  });

  test("wrong passphrases never slip through as another error, whatever the padding happens to be", () => {
    const text = fixture("pem/rsa-2048.enc.pem");
    for (let i = 0; i < 300; i++) {
      expect(keyErrorOf(() => parsePemPrivateKey(text, `wrong ${i}`)).code).toBe("ERR_KEY_BAD_PASSPHRASE");
    }
  });
});

describe("key derivation as OpenSSL does it", () => {
  test("EVP_BytesToKey(MD5, 1 iteration): D1 = MD5(pass ‖ salt), D2 = MD5(D1 ‖ pass ‖ salt), …", () => {
    const pass = utf8Encode(PASSPHRASE);
    const salt = fromHex("0102030405060708");
    const d1 = md5(concatBytes(pass, salt));
    const d2 = md5(concatBytes(d1, pass, salt));
    expect(evpBytesToKeyMd5(pass, salt, 16)).toEqual(d1);
    expect(evpBytesToKeyMd5(pass, salt, 32)).toEqual(concatBytes(d1, d2));
    expect(evpBytesToKeyMd5(pass, salt, 24)).toEqual(concatBytes(d1, d2).subarray(0, 24));
  });
});

describe("PEM structure errors", () => {
  test("RFC 8017: a PKCS#1 key whose exponent1/exponent2 disagree with d is inconsistent", () => {
    const der = dearmorForTest(fixture("pem/rsa-2048.pem"));
    // Locate exponent1 by walking the DER: SEQUENCE { version, n, e, d, p, q, dp, dq, qinv }.
    let at = der[1] === 0x82 ? 4 : 2;
    const skip = () => {
      const len = der[at + 1] as number;
      const header = len & 0x80 ? 2 + (len & 0x7f) : 2;
      const size =
        len & 0x80 ? Number.parseInt(Buffer.from(der.subarray(at + 2, at + header)).toString("hex"), 16) : len;
      const start = at;
      at += header + size;
      return { start, header, size };
    };
    for (let i = 0; i < 6; i++) skip();
    const dp = skip();
    const tampered = der.slice();
    const last = dp.start + dp.header + dp.size - 1;
    tampered[last] = (tampered[last] as number) ^ 1;
    const e = keyErrorOf(() => parsePemPrivateKey(armor(tampered, 64, "RSA PRIVATE KEY")));
    expect(e.code).toBe("ERR_KEY_PARSE");
    expect(e.message).toMatch(/inconsistent/);
  });

  test("other labels are ERR_KEY_UNSUPPORTED_FORMAT; DSA is ERR_KEY_UNSUPPORTED_TYPE", () => {
    const body = new Uint8Array([0x30, 0x00]);
    expect(keyErrorOf(() => parsePemPrivateKey(armor(body, 64, "CERTIFICATE"))).code).toBe(
      "ERR_KEY_UNSUPPORTED_FORMAT",
    );
    expect(keyErrorOf(() => parsePemPrivateKey(armor(body, 64, "DSA PRIVATE KEY"))).code).toBe(
      "ERR_KEY_UNSUPPORTED_TYPE",
    );
  });

  test("RFC 7468 §2: PKCS#8 blocks carry no headers; an unencrypted header block needs Proc-Type", () => {
    const pkcs8 = fixture("pem/ecdsa-p256.pkcs8").replace("KEY-----\n", "KEY-----\nProc-Type: 4,ENCRYPTED\n\n");
    expect(keyErrorOf(() => parsePemPrivateKey(pkcs8)).code).toBe("ERR_KEY_PARSE");
    const sec1 = fixture("pem/ecdsa-p256.pem").replace("KEY-----\n", "KEY-----\nComment: x\n\n");
    expect(keyErrorOf(() => parsePemPrivateKey(sec1)).message).toMatch(/Proc-Type/);
  });

  test("openssl ecparam -genkey output: a leading EC PARAMETERS block is skipped", () => {
    const params = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
    expectKey(params + fixture("pem/ecdsa-p256.pem"), undefined, publicLine("ecdsa-p256"));
  });
});

describe("PEM public keys (RFC 5280 SubjectPublicKeyInfo, PKCS#1 RSAPublicKey)", () => {
  test.each(PEM_KEYS)("ssh-keygen -e -m PKCS8 -f $name.pub: BEGIN PUBLIC KEY", ({ name }) => {
    expect(formatPublicKey(parsePemPublicKey(fixture(`spki/${name}.spki.pem`)))).toBe(withoutComment(publicLine(name)));
  });

  test("ssh-keygen -e -m PEM (RSA): BEGIN RSA PUBLIC KEY; openssl pkey -pubout (Ed25519)", () => {
    expect(formatPublicKey(parsePemPublicKey(fixture("spki/rsa-2048.pkcs1.pem")))).toBe(
      withoutComment(publicLine("rsa-2048")),
    );
    expect(formatPublicKey(parsePemPublicKey(fixture("spki/ed25519.spki.pem")))).toBe(
      withoutComment(fixture("pem/ed25519.pkcs8.pub")),
    );
  });

  test("parsePublicKeyFile reads PEM public keys and refuses private keys", () => {
    expect(parsePublicKeyFile(fixture("spki/ecdsa-p384.spki.pem")).blob).toEqual(
      parsePublicKey(publicLine("ecdsa-p384")).blob,
    );
    expect(keyErrorOf(() => parsePublicKeyFile(fixture("pem/rsa-2048.pem"))).code).toBe("ERR_KEY_UNSUPPORTED_FORMAT");
  });

  test("an SPKI point that is not on the curve is rejected", () => {
    const der = dearmorForTest(fixture("spki/ecdsa-p256.spki.pem"));
    der[der.length - 1] = (der[der.length - 1] as number) ^ 1;
    expect(keyErrorOf(() => parsePemPublicKey(armor(der, 64, "PUBLIC KEY"))).message).toMatch(/not on curve/);
  });
});

test("parsePrivateKey dispatches PEM text given as bytes", () => {
  const key = parsePrivateKey(utf8Encode(fixture("pem/ecdsa-p521.enc.pkcs8")), PASSPHRASE);
  expect(toBase64(key.publicKey.blob)).toBe(publicLine("ecdsa-p521").split(" ")[1]);
});
