/**
 * Hostile and damaged input (DESIGN.md principle 9, "only typed errors may come out"): every
 * truncation and bit flip of a key file and of a public key gives a KeyError (or, for bit flips,
 * at worst a WireError), never a TypeError, RangeError or a hang.
 */
import { fc, test as fcTest } from "@fast-check/vitest";
import { KEY_ERROR, KeyError, parseOpenSshPrivateKey, parsePublicKey, parsePublicKeyBlob } from "@purssh/keys";
import { WireError } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { armor, dearmorForTest } from "./builder.js";
import { fixture } from "./helpers.js";

const FILES = ["ed25519-alice", "ed25519-nocomment", "ed25519-encrypted", "rsa-2048", "ecdsa-p256"] as const;

/** What a damaged file may produce: a parse (of an undamaged key) or a KeyError code. */
const OUTCOMES: readonly string[] = ["ok", ...Object.values(KEY_ERROR)];

function outcome(fn: () => unknown): "ok" | string {
  try {
    fn();
    return "ok";
  } catch (e) {
    if (e instanceof KeyError) return e.code;
    if (e instanceof WireError) return e.code;
    throw e;
  }
}

describe("PROTOCOL.key: truncation", () => {
  test.each(FILES)("%s: the text cut at every offset gives a KeyError unless only whitespace was cut", (name) => {
    const text = fixture(name);
    for (let n = 0; n < text.length; n++) {
      const cut = text.slice(0, n);
      let thrown: unknown;
      try {
        parseOpenSshPrivateKey(cut);
      } catch (e) {
        thrown = e;
      }
      if (cut.trimEnd() === text.trimEnd() && name !== "ed25519-encrypted") {
        expect(thrown, `offset ${n}`).toBeUndefined();
      } else {
        expect(thrown, `offset ${n}`).toBeInstanceOf(KeyError);
      }
    }
  });

  test.each(FILES)("%s: the decoded body cut at every byte offset is ERR_KEY_TRUNCATED", (name) => {
    const body = dearmorForTest(fixture(name));
    for (let n = 0; n < body.length; n++) {
      let thrown: unknown;
      try {
        parseOpenSshPrivateKey(armor(body.subarray(0, n)));
      } catch (e) {
        thrown = e;
      }
      expect(thrown, `offset ${n}`).toBeInstanceOf(KeyError);
      expect((thrown as KeyError).code, `offset ${n}`).toBe("ERR_KEY_TRUNCATED");
    }
  });

  test("a public key line cut at every offset gives a KeyError", () => {
    const line = fixture("ed25519-alice.pub").trimEnd();
    const blobEnd = line.lastIndexOf(" ");
    for (let n = 0; n < blobEnd; n++) {
      expect(() => parsePublicKey(line.slice(0, n)), `offset ${n}`).toThrow(KeyError);
    }
  });
});

describe("PROTOCOL.key: bit flips", () => {
  test.each(FILES)(
    "%s: every single-bit flip of every base64 body character gives KeyError/WireError or a parse",
    (name) => {
      const text = fixture(name);
      const start = text.indexOf("\n") + 1;
      const end = text.indexOf("-----END");
      const seen = new Set<string>();
      for (let i = start; i < end; i++) {
        if (text[i] === "\n") continue;
        for (let bit = 0; bit < 7; bit++) {
          const flipped = `${text.slice(0, i)}${String.fromCharCode(text.charCodeAt(i) ^ (1 << bit))}${text.slice(i + 1)}`;
          seen.add(outcome(() => parseOpenSshPrivateKey(flipped)));
        }
      }
      expect(seen.has("ERR_KEY_PARSE")).toBe(true);
      for (const o of seen) expect(OUTCOMES).toContain(o);
    },
  );

  test.each(FILES)(
    "%s: every single-bit flip of the decoded body gives a KeyError or leaves the key intact",
    (name) => {
      const body = dearmorForTest(fixture(name));
      const originalBlob =
        name === "ed25519-encrypted" ? undefined : parseOpenSshPrivateKey(fixture(name)).publicKey.blob;
      const seen = new Set<string>();
      for (let i = 0; i < body.length; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const b = body.slice();
          b[i] = (b[i] as number) ^ (1 << bit);
          try {
            const key = parseOpenSshPrivateKey(armor(b));
            // An undetected flip can only be in the comment: the key itself must be unchanged.
            expect(key.publicKey.blob, `byte ${i} bit ${bit}`).toEqual(originalBlob);
            seen.add("ok");
          } catch (e) {
            if (!(e instanceof KeyError)) throw e;
            seen.add(e.code);
          }
        }
      }
      for (const o of seen) expect(OUTCOMES).toContain(o);
    },
  );

  fcTest.prop([fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { minLength: 1, maxLength: 8 })], {
    numRuns: 300,
  })("random multi-byte corruption of a key body only ever yields KeyError", (xors, positions) => {
    const body = dearmorForTest(fixture("ed25519-alice"));
    positions.forEach((p, k) => {
      const i = p % body.length;
      body[i] = ((body[i] as number) ^ (xors[k % xors.length] as number)) & 0xff;
    });
    try {
      parseOpenSshPrivateKey(armor(body));
    } catch (e) {
      expect(e).toBeInstanceOf(KeyError);
    }
  });

  fcTest.prop([fc.uint8Array({ maxLength: 200 })], { numRuns: 500 })(
    "arbitrary bytes as a key body or public key blob only ever yield KeyError",
    (bytes) => {
      for (const fn of [() => parseOpenSshPrivateKey(armor(bytes)), () => parsePublicKeyBlob(bytes)]) {
        try {
          fn();
        } catch (e) {
          expect(e).toBeInstanceOf(KeyError);
        }
      }
    },
  );

  fcTest.prop([fc.string({ maxLength: 200 })], { numRuns: 500 })(
    "arbitrary text as a public key line or key file only ever yields KeyError",
    (text) => {
      for (const fn of [() => parsePublicKey(text), () => parseOpenSshPrivateKey(text)]) {
        try {
          fn();
        } catch (e) {
          expect(e).toBeInstanceOf(KeyError);
        }
      }
    },
  );
});
