/**
 * parsePrivateKey / parsePublicKeyFile: every format × every key type, recognised from the file
 * itself, all holding the key `ssh-keygen -y` printed for the OpenSSH original.
 */
import { formatPublicKey, parsePrivateKey, parsePublicKeyFile } from "@purssh/keys";
import { utf8Encode } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { BASE_KEYS, fixture, fixtureBytes, keyErrorOf, PASSPHRASE, publicLine, withoutComment } from "./helpers.js";

/** Format → file of base key `name` (undefined: that format cannot hold that type). */
const PRIVATE_FORMATS: ReadonlyArray<[format: string, file: (name: string) => string | undefined, encrypted: boolean]> =
  [
    ["OpenSSH", (n) => `openssh/${n}`, false],
    ["OpenSSH aes256-ctr", (n) => `openssh/${n}.enc`, true],
    ["PEM PKCS#1/SEC 1", (n) => (n === "ed25519" ? undefined : `pem/${n}.pem`), false],
    ["PEM legacy AES-128-CBC", (n) => (n === "ed25519" ? undefined : `pem/${n}.enc.pem`), true],
    ["PKCS#8", (n) => (n === "ed25519" ? undefined : `pem/${n}.pkcs8`), false],
    ["PKCS#8 PBES2", (n) => (n === "ed25519" ? undefined : `pem/${n}.enc.pkcs8`), true],
    ["PPK v2", (n) => `ppk/${n}.v2.ppk`, false],
    ["PPK v2 aes256-cbc", (n) => `ppk/${n}.v2.enc.ppk`, true],
    ["PPK v3", (n) => `ppk/${n}.v3.ppk`, false],
    ["PPK v3 Argon2id", (n) => `ppk/${n}.v3.enc.ppk`, true],
  ];

const MATRIX = BASE_KEYS.flatMap((k) =>
  PRIVATE_FORMATS.flatMap(([format, file, encrypted]) => {
    const path = file(k.name);
    return path === undefined ? [] : [{ ...k, format, path, encrypted }];
  }),
);

describe("parsePrivateKey: every format × key type", () => {
  test.each(MATRIX)("$format $name ($path) as text and as bytes", ({ name, path, encrypted }) => {
    const pass = encrypted ? PASSPHRASE : undefined;
    const fromText = parsePrivateKey(fixture(path), pass);
    const fromBytes = parsePrivateKey(fixtureBytes(path), pass);
    expect(formatPublicKey({ ...fromText.publicKey, comment: "" })).toBe(withoutComment(publicLine(name)));
    expect(fromBytes.publicKey).toEqual(fromText.publicKey);
  });

  test.each(MATRIX.filter((m) => m.encrypted))(
    "$format $name: wrong passphrase → ERR_KEY_BAD_PASSPHRASE",
    ({ path }) => {
      expect(keyErrorOf(() => parsePrivateKey(fixture(path), "wrong")).code).toBe("ERR_KEY_BAD_PASSPHRASE");
      expect(keyErrorOf(() => parsePrivateKey(fixture(path))).code).toBe("ERR_KEY_ENCRYPTED");
    },
  );

  test("Ed25519 PKCS#8 (openssl genpkey) and comments: OpenSSH and PPK keep them, PEM has none", () => {
    expect(formatPublicKey(parsePrivateKey(fixture("pem/ed25519.pkcs8")).publicKey)).toBe(
      fixture("pem/ed25519.pkcs8.pub").trim(),
    );
    expect(parsePrivateKey(fixture("openssh/rsa-2048")).publicKey.comment).toBe("rsa-2048@purssh.test");
    expect(parsePrivateKey(fixture("ppk/rsa-2048.v3.ppk")).publicKey.comment).toBe("rsa-2048@purssh.test");
    expect(parsePrivateKey(fixture("pem/rsa-2048.pem")).publicKey.comment).toBe("");
  });
});

describe("parsePrivateKey: inputs that are not private keys", () => {
  test("public keys, ssh.com keys and binary DER are ERR_KEY_UNSUPPORTED_FORMAT with a hint", () => {
    const cases: Array<[string | Uint8Array, RegExp]> = [
      [publicLine("ed25519"), /public key/],
      [fixture("rfc4716/ed25519.pub"), /public key/],
      ["---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nAAAA\n---- END SSH2 ENCRYPTED PRIVATE KEY ----\n", /ssh\.com/],
      [Uint8Array.of(0x30, 0x82, 0x04, 0xa4, 0x02, 0x01, 0x00), /DER/],
      [fixture("spki/rsa-2048.spki.pem"), /PUBLIC KEY/],
    ];
    for (const [input, message] of cases) {
      const e = keyErrorOf(() => parsePrivateKey(input));
      expect(e.code).toBe("ERR_KEY_UNSUPPORTED_FORMAT");
      expect(e.message).toMatch(message);
    }
  });

  test("empty input and arbitrary text are ERR_KEY_PARSE", () => {
    for (const input of ["", "   \n", "hello world", utf8Encode("not a key")]) {
      expect(keyErrorOf(() => parsePrivateKey(input)).code).toBe("ERR_KEY_PARSE");
    }
  });
});

describe("parsePublicKeyFile: OpenSSH line, RFC 4716 and PEM SubjectPublicKeyInfo", () => {
  test.each(BASE_KEYS)("$name in all three forms gives one key blob", ({ name }) => {
    const want = parsePublicKeyFile(publicLine(name));
    expect(want.comment).toBe(`${name}@purssh.test`);
    expect(parsePublicKeyFile(fixture(`rfc4716/${name}.pub`)).blob).toEqual(want.blob);
    const spki = name === "ed25519" ? undefined : fixture(`spki/${name}.spki.pem`);
    if (spki !== undefined) expect(parsePublicKeyFile(utf8Encode(spki)).blob).toEqual(want.blob);
  });

  test("a PuTTY private key is refused with a pointer to parsePrivateKey", () => {
    expect(keyErrorOf(() => parsePublicKeyFile(fixture("ppk/ed25519.v3.ppk"))).message).toMatch(/parsePrivateKey/);
  });
});
