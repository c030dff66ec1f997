/**
 * Hostile and damaged input in every format (DESIGN.md principle 9): truncation at every offset
 * and bit flips of encrypted OpenSSH keys, PEM / DER, PuTTY PPK and RFC 4716 files give a
 * KeyError (or, for a flip that misses everything the format checks, the undamaged key) and
 * never a TypeError, RangeError or a hang. Bounded: fixed fixtures and fast-check run counts.
 */
import { fc, test as fcTest } from "@fast-check/vitest";
import {
  formatOpenSshPrivateKey,
  KeyError,
  parseOpenSshPrivateKey,
  parsePemPrivateKey,
  parsePpkPrivateKey,
  parsePrivateKey,
  parsePublicKeyFile,
  parseRfc4716PublicKey,
} from "@purssh/keys";
import { describe, expect, test } from "vitest";
import { armor, dearmorForTest } from "./builder.js";
import { fixture, PASSPHRASE } from "./helpers.js";

/** Runs `fn`; returns "ok" or the KeyError code; anything else fails the test. */
function outcome(fn: () => unknown, where: string): string {
  try {
    fn();
    return "ok";
  } catch (e) {
    expect(e, where).toBeInstanceOf(KeyError);
    return (e as KeyError).code;
  }
}

describe("truncation at every offset", () => {
  test.each([
    ["openssh/ecdsa-p521.enc", PASSPHRASE],
    ["openssh/rsa-2048.enc-aes256-gcm", PASSPHRASE],
    ["openssh/ed25519.enc-chacha20-poly1305", PASSPHRASE],
    ["openssh-regress/ecdsa_sk1", undefined],
  ] as const)(
    "%s: every cut of the decoded body is ERR_KEY_TRUNCATED, found before any key derivation",
    (file, pass) => {
      const body = dearmorForTest(fixture(file));
      const started = performance.now();
      for (let n = 0; n < body.length; n++) {
        expect(outcome(() => parseOpenSshPrivateKey(armor(body.subarray(0, n)), pass), `offset ${n}`)).toBe(
          "ERR_KEY_TRUNCATED",
        );
      }
      // ~1,000 cuts in well under a second each would be impossible if bcrypt ran for any of them
      expect(performance.now() - started).toBeLessThan(body.length * 20);
    },
  );

  test.each([
    "pem/ecdsa-p256.pem",
    "pem/rsa-2048.pkcs8",
    "pem/ecdsa-p384.enc.pkcs8",
    "pem/ecdsa-p256.enc.pem",
    "ppk/ecdsa-p384.v3.ppk",
    "ppk/ed25519.v2.enc.ppk",
    "ppk/ed25519.v3.enc.ppk",
  ])("%s: the text cut at every offset gives a KeyError unless only trailing whitespace went", (file) => {
    const text = fixture(file);
    for (let n = 0; n < text.length; n++) {
      const cut = text.slice(0, n);
      const result = outcome(() => parsePrivateKey(cut, PASSPHRASE), `offset ${n}`);
      if (cut.trimEnd() === text.trimEnd()) expect(result).toBe("ok");
      else expect(result, `offset ${n}`).not.toBe("ok");
    }
  });

  test.each(["rfc4716/rsa-2048.pub", "rfc4716/ed25519-continued.pub", "spki/ecdsa-p521.spki.pem"])(
    "%s: every cut gives a KeyError unless only trailing whitespace went",
    (file) => {
      const text = fixture(file);
      for (let n = 0; n < text.length; n++) {
        const cut = text.slice(0, n);
        const result = outcome(() => parsePublicKeyFile(cut), `offset ${n}`);
        if (cut.trimEnd() === text.trimEnd()) expect(result).toBe("ok");
        else expect(result, `offset ${n}`).not.toBe("ok");
      }
    },
  );
});

describe("bit flips", () => {
  test.each(["pem/ecdsa-p256.pkcs8", "pem/ecdsa-p256.pem", "pem/rsa-2048.pem"])(
    "%s: every bit flip of the DER gives a KeyError or the same key",
    (file) => {
      const text = fixture(file);
      const label = /-----BEGIN (.*)-----/.exec(text)?.[1] as string;
      const der = dearmorForTest(text);
      const original = parsePemPrivateKey(text).publicKey.blob;
      for (let i = 0; i < der.length; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const b = der.slice();
          b[i] = (b[i] as number) ^ (1 << bit);
          try {
            const key = parsePemPrivateKey(armor(b, 64, label));
            expect(key.publicKey.blob, `byte ${i} bit ${bit}`).toEqual(original);
          } catch (e) {
            expect(e, `byte ${i} bit ${bit}`).toBeInstanceOf(KeyError);
          }
        }
      }
    },
  );

  test("PPK v2 encrypted: every flip of every character gives a KeyError or the same key", () => {
    const text = fixture("ppk/rsa-2048.v2.enc.ppk");
    const original = parsePpkPrivateKey(text, PASSPHRASE).publicKey.blob;
    for (let i = 0; i < text.length; i++) {
      for (let bit = 0; bit < 7; bit++) {
        const flipped = `${text.slice(0, i)}${String.fromCharCode(text.charCodeAt(i) ^ (1 << bit))}${text.slice(i + 1)}`;
        try {
          expect(parsePpkPrivateKey(flipped, PASSPHRASE).publicKey.blob, `char ${i} bit ${bit}`).toEqual(original);
        } catch (e) {
          expect(e, `char ${i} bit ${bit}`).toBeInstanceOf(KeyError);
        }
      }
    }
  });

  // An encrypted key with 1 bcrypt round, so that every fast-check run can afford the KDF.
  const cheap = formatOpenSshPrivateKey(parseOpenSshPrivateKey(fixture("openssh/ecdsa-p256")), {
    passphrase: PASSPHRASE,
    rounds: 1,
    cipher: "aes256-gcm@openssh.com",
  });
  const cheapCtr = formatOpenSshPrivateKey(parseOpenSshPrivateKey(fixture("openssh/rsa-2048")), {
    passphrase: PASSPHRASE,
    rounds: 1,
  });

  fcTest.prop([fc.nat(), fc.integer({ min: 0, max: 7 }), fc.boolean()], { numRuns: 200 })(
    "encrypted OpenSSH keys (GCM, CTR): a random bit flip gives a KeyError or the same key",
    (position, bit, gcm) => {
      const text = gcm ? cheap : cheapCtr;
      const body = dearmorForTest(text);
      const i = position % body.length;
      body[i] = (body[i] as number) ^ (1 << bit);
      const original = parseOpenSshPrivateKey(text, PASSPHRASE).publicKey.blob;
      try {
        expect(parseOpenSshPrivateKey(armor(body), PASSPHRASE).publicKey.blob).toEqual(original);
      } catch (e) {
        expect(e).toBeInstanceOf(KeyError);
      }
    },
  );
});

describe("arbitrary input", () => {
  fcTest.prop([fc.uint8Array({ maxLength: 300 })], { numRuns: 400 })(
    "arbitrary DER bodies under every PEM label only ever yield KeyError",
    (bytes) => {
      for (const label of ["RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "PUBLIC KEY"]) {
        try {
          if (label === "PUBLIC KEY") parsePublicKeyFile(armor(bytes, 64, label));
          else parsePemPrivateKey(armor(bytes, 64, label), "p");
        } catch (e) {
          expect(e).toBeInstanceOf(KeyError);
        }
      }
    },
  );

  fcTest.prop([fc.string({ maxLength: 300 })], { numRuns: 400 })(
    "arbitrary text after each format's first line only ever yields KeyError",
    (rest) => {
      for (const head of [
        "PuTTY-User-Key-File-3: ssh-ed25519\n",
        "PuTTY-User-Key-File-2: ssh-rsa\nEncryption: aes256-cbc\n",
        "---- BEGIN SSH2 PUBLIC KEY ----\n",
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n",
      ]) {
        try {
          if (head.startsWith("---- ")) parseRfc4716PublicKey(head + rest);
          else parsePrivateKey(head + rest, "p");
        } catch (e) {
          expect(e).toBeInstanceOf(KeyError);
        }
      }
    },
  );

  test("a PPK with a huge line count or an RSA key beyond 16,384 bits is refused cheaply", () => {
    const ppk = fixture("ppk/ed25519.v3.ppk").replace("Public-Lines: 2", "Public-Lines: 99999999");
    expect(outcome(() => parsePpkPrivateKey(ppk), "ppk")).toBe("ERR_KEY_PARSE");
    // PKCS#1 RSAPublicKey with a 16,392-bit modulus
    const n = new Uint8Array(2050);
    n[1] = 0xff;
    n[n.length - 1] = 1;
    const der = Uint8Array.of(0x30, 0x82, 0x08, 0x0a, 0x02, 0x82, 0x08, 0x02, ...n, 0x02, 0x03, 1, 0, 1);
    expect(outcome(() => parsePublicKeyFile(armor(der, 64, "RSA PUBLIC KEY")), "rsa")).toBe("ERR_KEY_PARSE");
  });
});
