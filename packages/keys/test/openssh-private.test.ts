import { ed25519 } from "@noble/curves/ed25519.js";
import {
  ed25519PrivateKeyFromSeed,
  formatOpenSshPrivateKey,
  formatPublicKey,
  KeyError,
  parseOpenSshPrivateKey,
  parsePublicKey,
} from "@purssh/keys";
import { fromHex, SshWriter, utf8Encode } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { armor, checkintOf, dearmorForTest, ed25519Fields, keyFile, keyFileBody } from "./builder.js";
import { ED25519_FIXTURES, fixture, OTHER_TYPE_FIXTURES } from "./helpers.js";

function keyError(fn: () => unknown): KeyError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KeyError);
    return e as KeyError;
  }
  throw new Error("expected a KeyError, nothing was thrown");
}

const SEED = fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"); // RFC 8032 §7.1 TEST 1
const MESSAGE = utf8Encode("data signed in a test");

describe("PROTOCOL.key: unencrypted ssh-ed25519 keys written by ssh-keygen", () => {
  test.each(ED25519_FIXTURES)("%s: the public key and comment equal those of %s.pub", (name) => {
    const key = parseOpenSshPrivateKey(fixture(name));
    const pub = parsePublicKey(fixture(`${name}.pub`));
    expect(key.type).toBe("ssh-ed25519");
    expect(key.signatureAlgorithms).toEqual(["ssh-ed25519"]);
    expect(key.publicKey.blob).toEqual(pub.blob);
    expect(key.publicKey.comment).toBe(pub.comment);
    expect(formatPublicKey(key.publicKey)).toBe(fixture(`${name}.pub`).trimEnd());
  });

  test.each(ED25519_FIXTURES)(
    "%s: rewriting with the file's checkint reproduces ssh-keygen's file byte for byte",
    (name) => {
      const text = fixture(name);
      const key = parseOpenSshPrivateKey(text);
      expect(formatOpenSshPrivateKey(key, { checkint: checkintOf(text) })).toBe(text);
    },
  );

  test.each(ED25519_FIXTURES)("%s: a signature verifies with noble against the pk in the key blob", (name) => {
    const key = parseOpenSshPrivateKey(fixture(name));
    const sig = key.sign(MESSAGE);
    // RFC 8709 §6: string "ssh-ed25519" ‖ string signature(64)
    expect(sig.length).toBe(4 + 11 + 4 + 64);
    expect(new TextDecoder().decode(sig.subarray(4, 15))).toBe("ssh-ed25519");
    const pk = parsePublicKey(fixture(`${name}.pub`)).blob.subarray(19);
    expect(ed25519.verify(sig.subarray(19), MESSAGE, pk)).toBe(true);
    expect(ed25519.verify(sig.subarray(19), utf8Encode("other data"), pk)).toBe(false);
  });

  test("the input may be given as UTF-8 bytes, with CRLF line ends, or wrapped at any width", () => {
    const text = fixture("ed25519-alice");
    const want = parseOpenSshPrivateKey(text).publicKey.blob;
    const body = dearmorForTest(text);
    for (const variant of [
      utf8Encode(text),
      text.replace(/\n/g, "\r\n"),
      `\n\n  ${text}\n\n`,
      armor(body, 1),
      armor(body, 64),
      armor(body, 76),
      armor(body, 10_000),
    ]) {
      expect(parseOpenSshPrivateKey(variant).publicKey.blob).toEqual(want);
    }
  });
});

describe("PROTOCOL.key edge cases from RustCrypto/SSH fixtures", () => {
  test("id_ed25519.64cols: base64 wrapped at 64 columns", () => {
    const key = parseOpenSshPrivateKey(fixture("rustcrypto/id_ed25519.64cols"));
    // what `ssh-keygen -y -f` prints for this file
    expect(formatPublicKey(key.publicKey)).toBe(
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILM+rvN+ot98qgEN796jTiQfZfG1KaT0PtFDJ/XFSqti user@example.com",
    );
  });

  test("puttygen_overpadded: padding 1…16 (longer than one block) is accepted", () => {
    const key = parseOpenSshPrivateKey(fixture("rustcrypto/puttygen_overpadded"));
    expect(formatPublicKey(key.publicKey)).toBe(
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID5p/hCQL2n45AeALwRDXFP7hiSR/RJg+YQXzm1vntYz eddsa-key-20241227a1234567890",
    );
  });

  test("non_utf8_comment: a comment that is not UTF-8 is decoded with replacement characters", () => {
    const key = parseOpenSshPrivateKey(fixture("rustcrypto/non_utf8_comment"));
    expect(key.publicKey.comment.startsWith("star_@")).toBe(true);
    expect(key.publicKey.comment).toContain("\uFFFD");
  });

  test("padless_wonder: an ecdsa-sha2-nistp256 key whose private list has no padding at all", () => {
    const key = parseOpenSshPrivateKey(fixture("rustcrypto/padless_wonder"));
    // what `ssh-keygen -y -f` prints for this file
    expect(formatPublicKey(key.publicKey)).toBe(
      "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHHeXmj9kjts0ZeC7FUj9WYN39IjBSieVkdsdKbAFJ4c9PtGKyMFuJedLzb1Gtnaj4jHfgYW0s3vP5IEdWI9FW4=",
    );
  });
});

describe("PROTOCOL.key: what this version rejects, with a code and a message naming the problem", () => {
  test("a passphrase-protected key without a passphrase is ERR_KEY_ENCRYPTED naming cipher and kdf", () => {
    const e = keyError(() => parseOpenSshPrivateKey(fixture("ed25519-encrypted")));
    expect(e.code).toBe("ERR_KEY_ENCRYPTED");
    expect(e.message).toMatch(/passphrase-protected/);
    expect(e.message).toContain('"aes256-ctr"');
    expect(e.message).toContain('"bcrypt"');
  });

  test.each(OTHER_TYPE_FIXTURES)("$file: the $type private key equals $file.pub", ({ file, type }) => {
    const key = parseOpenSshPrivateKey(fixture(file));
    expect(key.type).toBe(type);
    expect(formatPublicKey(key.publicKey)).toBe(fixture(`${file}.pub`).trimEnd());
  });

  test("a PEM PKCS#1 RSA key is ERR_KEY_UNSUPPORTED_FORMAT for the OpenSSH parser, naming parsePrivateKey", () => {
    const e = keyError(() => parseOpenSshPrivateKey(fixture("rsa-2048-pem")));
    expect(e.code).toBe("ERR_KEY_UNSUPPORTED_FORMAT");
    expect(e.message).toMatch(/PKCS#1/);
    expect(e.message).toMatch(/parsePrivateKey/);
  });

  test("a PuTTY .ppk file and unknown armor labels are ERR_KEY_UNSUPPORTED_FORMAT", () => {
    expect(keyError(() => parseOpenSshPrivateKey("PuTTY-User-Key-File-3: ssh-ed25519\n")).code).toBe(
      "ERR_KEY_UNSUPPORTED_FORMAT",
    );
    const other = armor(new Uint8Array(8), 70, "SOMETHING ELSE");
    expect(keyError(() => parseOpenSshPrivateKey(other)).code).toBe("ERR_KEY_UNSUPPORTED_FORMAT");
  });

  test("PROTOCOL.key: the two checkints must be equal", () => {
    const f = { ...ed25519Fields(SEED), check2: 0x01020305 };
    const e = keyError(() => parseOpenSshPrivateKey(keyFile(f)));
    expect(e.code).toBe("ERR_KEY_PARSE");
    expect(e.message).toMatch(/checkints differ/);
  });

  test("PROTOCOL.key: padding must be 1, 2, 3, …", () => {
    for (const padding of [new Uint8Array([0]), new Uint8Array([1, 2, 4]), new Uint8Array([2])]) {
      const e = keyError(() => parseOpenSshPrivateKey(keyFile({ ...ed25519Fields(SEED), padding })));
      expect(e.code).toBe("ERR_KEY_PARSE");
      expect(e.message).toMatch(/bad padding/);
    }
    // no padding at all, or any length of correct padding, is accepted
    for (const padding of [new Uint8Array(0), Uint8Array.from({ length: 300 }, (_, i) => (i + 1) & 0xff)]) {
      expect(parseOpenSshPrivateKey(keyFile({ ...ed25519Fields(SEED), padding })).type).toBe("ssh-ed25519");
    }
  });

  test("ssh-ed25519 private key: sk must be seed ‖ pk and pk must derive from the seed", () => {
    const good = ed25519Fields(SEED);
    const skOtherPk = good.sk.slice();
    skOtherPk[63] = (skOtherPk[63] as number) ^ 1;
    expect(keyError(() => parseOpenSshPrivateKey(keyFile({ ...good, sk: skOtherPk }))).message).toMatch(
      /second half of sk is not pk/,
    );
    const otherSeed = good.sk.slice();
    otherSeed[0] = (otherSeed[0] as number) ^ 1;
    expect(keyError(() => parseOpenSshPrivateKey(keyFile({ ...good, sk: otherSeed }))).message).toMatch(
      /not derived from the seed/,
    );
    expect(keyError(() => parseOpenSshPrivateKey(keyFile({ ...good, sk: good.sk.subarray(0, 32) }))).code).toBe(
      "ERR_KEY_PARSE",
    );
    expect(keyError(() => parseOpenSshPrivateKey(keyFile({ ...good, pk: good.pk.subarray(0, 31) }))).code).toBe(
      "ERR_KEY_PARSE",
    );
  });

  test("the public key in the file header must be the private key's public key", () => {
    const other = ed25519Fields(new Uint8Array(32).fill(7));
    const f = { ...ed25519Fields(SEED), publicKeyBlob: other.publicKeyBlob };
    expect(keyError(() => parseOpenSshPrivateKey(keyFile(f))).message).toMatch(/does not match the public key/);
  });

  test("PROTOCOL.key header: magic, kdf for cipher none, one key, no trailing bytes", () => {
    const good = ed25519Fields(SEED);
    const cases: Array<[Partial<typeof good>, RegExp]> = [
      [{ magic: utf8Encode("openssh-key-v2\0") }, /magic/],
      [{ kdfName: "bcrypt" }, /kdf "none"/],
      [{ kdfOptions: new Uint8Array(4) }, /empty kdf options/],
      [{ n: 2 }, /declares 2 keys/],
      [{ n: 0 }, /declares 0 keys/],
      [{ trailing: new Uint8Array(1) }, /trailing/],
    ];
    for (const [change, message] of cases) {
      const e = keyError(() => parseOpenSshPrivateKey(keyFile({ ...good, ...change })));
      expect(e.code).toBe("ERR_KEY_PARSE");
      expect(e.message).toMatch(message);
    }
  });

  test("any cipher other than none means the key is encrypted", () => {
    const kdfOptions = new SshWriter().string(new Uint8Array(16)).uint32(16).finish();
    // 135 bytes of list + 9 padding bytes = 144, a whole number of AES blocks
    const padding = Uint8Array.from({ length: 9 }, (_, i) => i + 1);
    const f = { ...ed25519Fields(SEED), cipherName: "aes256-cbc", kdfName: "bcrypt", kdfOptions, padding };
    expect(keyError(() => parseOpenSshPrivateKey(keyFile(f))).code).toBe("ERR_KEY_ENCRYPTED");
  });

  test("a private type differing from the header's public type is rejected", () => {
    const rsaBlob = parsePublicKey(fixture("rsa-2048.pub")).blob;
    const f = { ...ed25519Fields(SEED), publicKeyBlob: rsaBlob };
    expect(keyError(() => parseOpenSshPrivateKey(keyFile(f))).message).toMatch(
      /ssh-ed25519 private key but a ssh-rsa public key/,
    );
  });

  test("armor: text around the block, a different END label, bad base64, no END line", () => {
    const text = fixture("ed25519-alice");
    expect(keyError(() => parseOpenSshPrivateKey(`junk\n${text}`)).code).toBe("ERR_KEY_PARSE");
    expect(keyError(() => parseOpenSshPrivateKey(`${text}junk\n`)).code).toBe("ERR_KEY_PARSE");
    expect(keyError(() => parseOpenSshPrivateKey(text.replace("END OPENSSH", "END RSA"))).message).toMatch(
      /closed by a different/,
    );
    expect(keyError(() => parseOpenSshPrivateKey(text.replace("b3Bl", "b3B!"))).message).toMatch(/not valid base64/);
    expect(keyError(() => parseOpenSshPrivateKey(text.replace(/-----END.*\n/, ""))).code).toBe("ERR_KEY_TRUNCATED");
    expect(keyError(() => parseOpenSshPrivateKey("")).code).toBe("ERR_KEY_PARSE");
    expect(keyError(() => parseOpenSshPrivateKey(new Uint8Array([0xff, 0xfe]))).code).toBe("ERR_KEY_PARSE");
  });

  test("a comment with a line break (legal in the file) becomes a space", () => {
    const f = { ...ed25519Fields(SEED), comment: utf8Encode("two\nlines") };
    expect(parseOpenSshPrivateKey(keyFile(f)).publicKey.comment).toBe("two lines");
  });

  test("the builder used by these tests agrees with the writer under test", () => {
    const f = ed25519Fields(SEED, "test");
    const key = ed25519PrivateKeyFromSeed(SEED, "test");
    expect(formatOpenSshPrivateKey(key, { checkint: f.check1 })).toBe(armor(keyFileBody(f)));
  });
});
