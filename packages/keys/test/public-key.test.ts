import { ecdsaPublicKeyBlob, ed25519PublicKeyBlob, rsaPublicKeyBlob } from "@purssh/crypto";
import {
  decodePublicKey,
  ed25519PublicKeyBytes,
  formatPublicKey,
  KEY_ERROR,
  KeyError,
  keyTypeOfBlob,
  type PublicKey,
  parsePublicKey,
  parsePublicKeyBlob,
  publicKeyBits,
} from "@purssh/keys";
import { fromBase64, SshError, SshWriter, toBase64, WireError } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { BASE_KEYS, ED25519_FIXTURES, fixture, OTHER_TYPE_FIXTURES } from "./helpers.js";

function expectKeyError(fn: () => unknown, code: string, message?: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(KeyError);
  expect((thrown as KeyError).code).toBe(code);
  if (message) expect((thrown as KeyError).message).toMatch(message);
}

const alice = fixture("ed25519-alice.pub");
const aliceBlobB64 = alice.split(" ")[1] as string;

describe("OpenSSH public key text (sshd(8) AUTHORIZED_KEYS FILE FORMAT)", () => {
  test.each(ED25519_FIXTURES)("ssh-keygen's %s.pub parses and formats back to the same line", (name) => {
    const text = fixture(`${name}.pub`);
    const key = parsePublicKey(text);
    expect(key.type).toBe("ssh-ed25519");
    expect(formatPublicKey(key)).toBe(text.trimEnd());
  });

  test("the comment is everything after the blob, spaces included", () => {
    expect(parsePublicKey(fixture("ed25519-bob.pub")).comment).toBe("bob's key with spaces");
    expect(parsePublicKey(fixture("ed25519-alice.pub")).comment).toBe("alice@example.test");
    expect(parsePublicKey(fixture("ed25519-nocomment.pub")).comment).toBe("");
  });

  test.each(OTHER_TYPE_FIXTURES)(
    "$type keys ($file.pub) are kept opaque, with the type read from the blob",
    ({ file, type }) => {
      const text = fixture(`${file}.pub`);
      const key = parsePublicKey(text);
      expect(key.type).toBe(type);
      expect(toBase64(key.blob)).toBe(text.split(" ")[1]);
      expect(formatPublicKey(key)).toBe(text.trimEnd());
    },
  );

  test("leading and trailing whitespace and a CRLF line end are ignored", () => {
    const a = parsePublicKey(alice);
    for (const variant of [
      `  ${alice.trimEnd()}\r\n`,
      `\t${alice.trimEnd()}  \r\n\r\n`,
      alice.replace(/\n$/, "\r\n"),
    ]) {
      const k = parsePublicKey(variant);
      expect(k.blob).toEqual(a.blob);
      expect(k.comment).toBe("alice@example.test");
    }
  });

  test("tabs separate fields like spaces", () => {
    const k = parsePublicKey(`ssh-ed25519\t${aliceBlobB64}\tsome comment`);
    expect(k.comment).toBe("some comment");
  });

  test("a line that is only the base64 blob is rejected: the key type must come first", () => {
    expectKeyError(() => parsePublicKey(aliceBlobB64), "ERR_KEY_PARSE", /key type is missing/);
    expectKeyError(() => parsePublicKey(`${aliceBlobB64} alice@example.test`), "ERR_KEY_PARSE", /key type is missing/);
  });

  test("the type in the text must equal the type inside the blob", () => {
    expectKeyError(
      () => parsePublicKey(`ssh-rsa ${aliceBlobB64} x`),
      "ERR_KEY_TYPE_MISMATCH",
      /"ssh-rsa" in the text does not match "ssh-ed25519"/,
    );
    const rsaBlob = fixture("rsa-2048.pub").split(" ")[1] as string;
    expectKeyError(() => parsePublicKey(`ssh-ed25519 ${rsaBlob}`), "ERR_KEY_TYPE_MISMATCH");
  });

  test("empty input, several lines, bad base64 and bad type names are ERR_KEY_PARSE", () => {
    expectKeyError(() => parsePublicKey(""), "ERR_KEY_PARSE", /empty/);
    expectKeyError(() => parsePublicKey(" \r\n "), "ERR_KEY_PARSE", /empty/);
    expectKeyError(() => parsePublicKey(`${alice}${alice}`), "ERR_KEY_PARSE", /more than one line/);
    expectKeyError(() => parsePublicKey("ssh-ed25519 AAAA$$$$ c"), "ERR_KEY_PARSE", /not valid base64/);
    expectKeyError(() => parsePublicKey("ssh-ed25519"), "ERR_KEY_PARSE", /single field/);
    expectKeyError(() => parsePublicKey(`ssh,ed25519 ${aliceBlobB64}`), "ERR_KEY_PARSE", /RFC 4251 §6/);
  });

  test("authorized_keys options before the type are not accepted by this parser", () => {
    expectKeyError(() => parsePublicKey(`no-pty ssh-ed25519 ${aliceBlobB64}`), "ERR_KEY_PARSE");
  });

  test("formatPublicKey rejects a type that disagrees with the blob and comments with line breaks", () => {
    const k = parsePublicKey(alice);
    expectKeyError(() => formatPublicKey({ ...k, type: "ssh-rsa" }), "ERR_KEY_TYPE_MISMATCH");
    expectKeyError(() => formatPublicKey({ ...k, comment: "a\nb" }), "ERR_KEY_INVALID_ARGUMENT");
  });
});

describe("public key blobs (RFC 4253 §6.6, RFC 8709 §4)", () => {
  const blob = fromBase64(aliceBlobB64);
  const ed25519Blob = (pk: Uint8Array, extra: Uint8Array = new Uint8Array(0)) =>
    new SshWriter().utf8("ssh-ed25519").string(pk).raw(extra).finish();

  test('RFC 8709 §4: ssh-ed25519 blob is string "ssh-ed25519" ‖ string key(32)', () => {
    const k = parsePublicKeyBlob(blob);
    expect(k).toEqual({ type: "ssh-ed25519", blob, comment: "" });
    expect(ed25519PublicKeyBytes(k)).toEqual(blob.subarray(19));
    expect(keyTypeOfBlob(blob)).toBe("ssh-ed25519");
  });

  test("the blob is copied, so later changes to the caller's buffer do not affect the key", () => {
    const mine = blob.slice();
    const k = parsePublicKeyBlob(mine, "c");
    mine.fill(0);
    expect(k.blob).toEqual(blob);
    expect(k.comment).toBe("c");
  });

  test("RFC 8709 §4: a key of any length but 32 is rejected", () => {
    for (const n of [0, 31, 33, 64]) {
      expectKeyError(() => parsePublicKeyBlob(ed25519Blob(new Uint8Array(n))), "ERR_KEY_PARSE", /requires 32/);
    }
  });

  test("RFC 4251 §5: trailing bytes after the ssh-ed25519 key are rejected", () => {
    expectKeyError(
      () => parsePublicKeyBlob(ed25519Blob(new Uint8Array(32), new Uint8Array([0]))),
      "ERR_KEY_PARSE",
      /trailing/,
    );
  });

  test("every truncation of an ssh-ed25519 blob is ERR_KEY_TRUNCATED", () => {
    for (let n = 0; n < blob.length; n++)
      expectKeyError(() => parsePublicKeyBlob(blob.subarray(0, n)), "ERR_KEY_TRUNCATED");
  });

  test("RFC 4251 §6: a type name that is empty, too long, or has commas, spaces or control bytes is rejected", () => {
    for (const name of ["", "a".repeat(65), "ssh ed25519", "a,b", "ssh\x01x", "ssh-\u00e9"]) {
      expectKeyError(() => parsePublicKeyBlob(new SshWriter().utf8(name).finish()), "ERR_KEY_PARSE");
    }
    const badUtf8 = new SshWriter().string(new Uint8Array([0xff, 0xfe])).finish();
    expectKeyError(() => parsePublicKeyBlob(badUtf8), "ERR_KEY_PARSE");
  });

  test("blobs of unknown types are opaque: any bytes after a valid type name are kept", () => {
    const opaque = new SshWriter()
      .utf8("ssh-ed25519-cert-v01@openssh.com")
      .raw(new Uint8Array([1, 2, 3]))
      .finish();
    const k: PublicKey = parsePublicKeyBlob(opaque);
    expect(k.type).toBe("ssh-ed25519-cert-v01@openssh.com");
    expect(k.blob).toEqual(opaque);
    expectKeyError(() => ed25519PublicKeyBytes(k), "ERR_KEY_UNSUPPORTED_TYPE");
  });
});

describe("KeyError (DESIGN.md principle 8: one error hierarchy, stable codes)", () => {
  test("KeyError is an SshError with a stable code, its class name and a cause for wire errors", () => {
    let e: unknown;
    try {
      parsePublicKeyBlob(new Uint8Array([0, 0, 0, 9, 0x73]));
    } catch (caught) {
      e = caught;
    }
    expect(e).toBeInstanceOf(KeyError);
    expect(e).toBeInstanceOf(SshError);
    expect((e as KeyError).name).toBe("KeyError");
    expect((e as KeyError).code).toBe(KEY_ERROR.TRUNCATED);
    expect((e as KeyError).cause).toBeInstanceOf(WireError);
    expect((e as KeyError).message).toMatch(/public key blob is truncated/);
  });
});

describe("key blobs of every type (RFC 5656 §3.1, RFC 4253 §6.6, PROTOCOL.u2f)", () => {
  test.each(BASE_KEYS)(
    "$name: decodePublicKey gives the type's fields; publicKeyBits its size",
    ({ name, type, bits }) => {
      const key = parsePublicKey(fixture(`openssh/${name}.pub`));
      const params = decodePublicKey(key);
      expect(params.type).toBe(type);
      expect(publicKeyBits(key)).toBe(bits);
      if (params.kind === "ecdsa") {
        expect(params.curve).toBe(`nistp${bits}`);
        expect(params.point[0]).toBe(4);
      } else if (params.kind === "rsa") {
        expect(params.e).toBe(65537n);
        expect(params.n.toString(2).length).toBe(bits);
      } else if (params.kind === "ed25519") {
        expect(params.publicKey.length).toBe(32);
      } else {
        throw new Error(`unexpected kind ${params.kind}`);
      }
    },
  );

  test.each(["id_sk_ed25519", "id_sk_ecdsa_p256", "id_sk_ed25519_2", "id_sk_ecdsa_p256_2"])(
    "RustCrypto %s.pub: security key blobs carry the FIDO application",
    (name) => {
      const key = parsePublicKey(fixture(`rustcrypto/${name}.pub`));
      const params = decodePublicKey(key);
      if (params.kind !== "sk-ed25519" && params.kind !== "sk-ecdsa") throw new Error(params.kind);
      expect(params.application.startsWith("ssh:")).toBe(true);
      expect(formatPublicKey(key)).toBe(fixture(`rustcrypto/${name}.pub`).trim());
    },
  );

  const ecdsaBlob = (curve: string, point: Uint8Array, type = "ecdsa-sha2-nistp256") =>
    new SshWriter().utf8(type).utf8(curve).string(point).finish();
  const goodPoint = () => {
    const params = decodePublicKey(parsePublicKey(fixture("openssh/ecdsa-p256.pub")));
    if (params.kind !== "ecdsa") throw new Error("fixture");
    return params.point.slice();
  };

  test("RFC 5656 §3.1: the curve name must match the type and the point must be on the curve, uncompressed", () => {
    expectKeyError(
      () => parsePublicKeyBlob(ecdsaBlob("nistp384", goodPoint())),
      "ERR_KEY_PARSE",
      /requires "nistp256"/,
    );
    const off = goodPoint();
    off[64] = (off[64] as number) ^ 1;
    expectKeyError(() => parsePublicKeyBlob(ecdsaBlob("nistp256", off)), "ERR_KEY_PARSE", /not on curve/);
    const compressed = Uint8Array.of(2 + ((goodPoint()[64] as number) & 1), ...goodPoint().subarray(1, 33));
    expectKeyError(() => parsePublicKeyBlob(ecdsaBlob("nistp256", compressed)), "ERR_KEY_PARSE", /uncompressed/);
    const trailing = new SshWriter().raw(ecdsaBlob("nistp256", goodPoint())).byte(0).finish();
    expectKeyError(() => parsePublicKeyBlob(trailing), "ERR_KEY_PARSE", /trailing/);
  });

  test("ssh-rsa: 1,024…16,384-bit odd modulus, odd exponent 3 ≤ e < 2^32, minimal mpints", () => {
    const rsa = (e: bigint, n: bigint) => new SshWriter().utf8("ssh-rsa").mpint(e).mpint(n).finish();
    const n1024 = (1n << 1023n) + 1n;
    expect(parsePublicKeyBlob(rsa(65537n, n1024)).type).toBe("ssh-rsa");
    expectKeyError(() => parsePublicKeyBlob(rsa(65537n, (1n << 1022n) + 1n)), "ERR_KEY_PARSE", /1023 bits/);
    expectKeyError(() => parsePublicKeyBlob(rsa(65537n, 1n << 1023n)), "ERR_KEY_PARSE", /even/);
    for (const e of [1n, 65536n, 1n << 33n]) {
      expectKeyError(() => parsePublicKeyBlob(rsa(e, n1024)), "ERR_KEY_PARSE", /exponent/);
    }
    const nonMinimal = new SshWriter()
      .utf8("ssh-rsa")
      .string(Uint8Array.of(0, 1, 0, 1))
      .mpint(n1024)
      .finish();
    expectKeyError(() => parsePublicKeyBlob(nonMinimal), "ERR_KEY_PARSE");
  });
});

test("@purssh/crypto's blob encoders produce the same blobs as ssh-keygen and our decoder reads", () => {
  for (const { name } of BASE_KEYS) {
    const key = parsePublicKey(fixture(`openssh/${name}.pub`));
    const params = decodePublicKey(key);
    if (params.kind === "rsa") expect(rsaPublicKeyBlob(params.e, params.n)).toEqual(key.blob);
    if (params.kind === "ecdsa") expect(ecdsaPublicKeyBlob(params.curve, params.point)).toEqual(key.blob);
    if (params.kind === "ed25519") expect(ed25519PublicKeyBlob(params.publicKey)).toEqual(key.blob);
  }
});
