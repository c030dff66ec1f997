/**
 * RFC 4251 §5 data types: SshWriter / SshReader round trips (Node's Buffer as the oracle for the
 * byte layout), the strictness rules the decoders enforce, and the RFC 4648 text helpers.
 * @module
 */
import { fc, test } from "@fast-check/vitest";
import {
  equalBytes,
  fromBase64,
  fromHex,
  Kexinit,
  MAX_MPINT_BYTES,
  mpintBytes,
  SshReader,
  SshWriter,
  toBase64,
  toHex,
  utf8Decode,
  utf8Encode,
} from "@purssh/wire";
import { describe, expect } from "vitest";
import { bytesOf, expectWireError, hexOf, mpintOracleHex, nameArb, UINT64_MAX } from "./arbitraries.js";

const RUNS = { numRuns: 200 };

function write(fn: (w: SshWriter) => void): Uint8Array {
  const w = new SshWriter(8);
  fn(w);
  return w.finish();
}

/** Reads one value and requires the reader to have consumed every byte. */
function readAll<T>(bytes: Uint8Array, fn: (r: SshReader) => T): T {
  const r = new SshReader(bytes);
  const v = fn(r);
  r.expectEnd();
  return v;
}

function be32(n: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b.toString("hex");
}

describe("RFC 4251 §5 round trips", () => {
  test.prop([fc.integer({ min: 0, max: 255 })], RUNS)("RFC 4251 §5: a byte is one octet", (v) => {
    const bytes = write((w) => w.byte(v));
    expect(hexOf(bytes)).toBe(v.toString(16).padStart(2, "0"));
    expect(readAll(bytes, (r) => r.byte())).toBe(v);
  });

  test.prop([fc.boolean()], RUNS)("RFC 4251 §5: a boolean is stored as 0 or 1", (v) => {
    const bytes = write((w) => w.boolean(v));
    expect(hexOf(bytes)).toBe(v ? "01" : "00");
    expect(readAll(bytes, (r) => r.boolean())).toBe(v);
  });

  test.prop([fc.integer({ min: 0, max: 0xffffffff })], RUNS)(
    "RFC 4251 §5: a uint32 is four bytes in network byte order",
    (v) => {
      const bytes = write((w) => w.uint32(v));
      expect(hexOf(bytes)).toBe(be32(v));
      expect(readAll(bytes, (r) => r.uint32())).toBe(v);
    },
  );

  test.prop([fc.bigInt({ min: 0n, max: UINT64_MAX })], RUNS)(
    "RFC 4251 §5: a uint64 is eight bytes in network byte order",
    (v) => {
      const bytes = write((w) => w.uint64(v));
      const oracle = Buffer.alloc(8);
      oracle.writeBigUInt64BE(v);
      expect(hexOf(bytes)).toBe(oracle.toString("hex"));
      expect(readAll(bytes, (r) => r.uint64())).toBe(v);
    },
  );

  test.prop([fc.uint8Array({ maxLength: 300 })], RUNS)(
    "RFC 4251 §5: a string is a uint32 length followed by that many arbitrary bytes",
    (v) => {
      const bytes = write((w) => w.string(v));
      expect(hexOf(bytes)).toBe(be32(v.length) + hexOf(v));
      expect(readAll(bytes, (r) => r.string())).toEqual(v);
    },
  );

  test.prop([fc.string({ unit: "binary", maxLength: 64 })], RUNS)(
    "RFC 4251 §5: text strings are UTF-8 (RFC 3629) inside a string",
    (s) => {
      const bytes = write((w) => w.utf8(s));
      const body = Buffer.from(s, "utf8");
      expect(hexOf(bytes)).toBe(be32(body.length) + body.toString("hex"));
      expect(readAll(bytes, (r) => r.utf8())).toBe(s);
    },
  );

  test("RFC 4251 §5: a leading U+FEFF in a UTF-8 string is data, not a byte-order mark to drop", () => {
    const bytes = write((w) => w.utf8("\uFEFFroot"));
    expect(hexOf(bytes)).toBe("00000007efbbbf726f6f74");
    expect(readAll(bytes, (r) => r.utf8())).toBe("\uFEFFroot");
  });

  test.prop([fc.array(nameArb, { maxLength: 8 })], RUNS)(
    "RFC 4251 §5: a name-list is a string of comma-separated names",
    (names) => {
      const bytes = write((w) => w.nameList(names));
      const body = Buffer.from(names.join(","), "ascii");
      expect(hexOf(bytes)).toBe(be32(body.length) + body.toString("hex"));
      expect(readAll(bytes, (r) => r.nameList())).toEqual(names);
    },
  );

  test("RFC 4251 §5: the empty name-list is the empty string", () => {
    expect(hexOf(write((w) => w.nameList([])))).toBe("00000000");
    expect(readAll(bytesOf("00000000"), (r) => r.nameList())).toEqual([]);
  });

  test("RFC 4251 §5: a name-list longer than the call stack allows still decodes (no RangeError)", () => {
    // A KEXINIT from an unauthenticated peer may carry ~256 KiB; spreading it into a call overflows.
    const body = new Uint8Array(200_000).fill(0x61);
    body[100_000] = 0x2c; // one comma: two long names
    const bytes = write((w) => w.string(body));
    const names = readAll(bytes, (r) => r.nameList());
    expect(names.map((n) => n.length)).toEqual([100_000, 99_999]);
  });

  test.prop([fc.bigInt({ min: -(1n << 520n), max: 1n << 520n })], RUNS)(
    "RFC 4251 §5: an mpint is minimal two's complement, big-endian, in a string",
    (v) => {
      const bytes = write((w) => w.mpint(v));
      const body = mpintOracleHex(v);
      expect(hexOf(bytes)).toBe(be32(body.length / 2) + body);
      expect(hexOf(mpintBytes(v))).toBe(body);
      expect(readAll(bytes, (r) => r.mpint())).toBe(v);
    },
  );

  test.each([
    ["0", 0n, "00000000"],
    ["9a378f9b2e332a7", 0x9a378f9b2e332a7n, "0000000809a378f9b2e332a7"],
    ["80", 0x80n, "000000020080"],
    ["-1234", -0x1234n, "00000002edcc"],
    ["-deadbeef", -0xdeadbeefn, "00000005ff21524111"],
  ])("RFC 4251 §5 example: mpint %s encodes as %s", (_label, value, hex) => {
    expect(mpintOracleHex(value)).toBe(hex.slice(8)); // the property test's oracle agrees with the RFC
    expect(hexOf(write((w) => w.mpint(value)))).toBe(hex);
    expect(readAll(bytesOf(hex), (r) => r.mpint())).toBe(value);
  });

  test.each([
    ["-1", -1n, "00000001ff"],
    ["7f", 0x7fn, "000000017f"],
    ["-80", -0x80n, "0000000180"],
    ["-81", -0x81n, "00000002ff7f"],
    ["ff", 0xffn, "0000000200ff"],
  ])("RFC 4251 §5: mpint %s sits on a sign boundary and encodes as %s", (_label, value, hex) => {
    expect(mpintOracleHex(value)).toBe(hex.slice(8));
    expect(hexOf(write((w) => w.mpint(value)))).toBe(hex);
    expect(readAll(bytesOf(hex), (r) => r.mpint())).toBe(value);
  });

  test.prop([fc.nat({ max: 6 }), fc.uint8Array({ maxLength: 64 })], RUNS)(
    "RFC 8731 §3.1: mpintUnsigned strips leading zeros and adds 00 when the top bit is set",
    (zeros, magnitude) => {
      const padded = new Uint8Array(zeros + magnitude.length);
      padded.set(magnitude, zeros);
      const value = magnitude.length === 0 ? 0n : BigInt(`0x${hexOf(magnitude)}`);
      const bytes = write((w) => w.mpintUnsigned(padded));
      expect(hexOf(bytes)).toBe(be32(mpintOracleHex(value).length / 2) + mpintOracleHex(value));
      expect(readAll(bytes, (r) => r.mpint())).toBe(value);
    },
  );

  test.each([
    ["000080", "000000020080"],
    ["0000", "00000000"],
    ["", "00000000"],
    ["7f", "000000017f"],
    ["ff01", "0000000300ff01"],
    ["00000001", "0000000101"],
  ])("RFC 8731 §3.1: mpintUnsigned(%s) is %s", (magnitude, hex) => {
    expect(hexOf(write((w) => w.mpintUnsigned(bytesOf(magnitude))))).toBe(hex);
  });

  test("RFC 4251 §5: the reader honours a view's byteOffset into a larger buffer", () => {
    const backing = bytesOf("ffffffff" + "0000000568656c6c6f" + "12345678" + "eeee");
    const view = backing.subarray(4, backing.length - 2);
    const r = new SshReader(view);
    expect(utf8Decode(r.string())).toBe("hello");
    expect(r.uint32()).toBe(0x12345678);
    r.expectEnd();
  });

  test("RFC 4251 §5: a writer created with zero capacity still grows", () => {
    const w = new SshWriter(0);
    w.uint32(1).string(new Uint8Array(40));
    expect(w.finish().length).toBe(48);
  });
});

describe("RFC 4251 §5 strictness", () => {
  const samples: Array<[string, string, (r: SshReader) => unknown]> = [
    ["byte", "7f", (r) => r.byte()],
    ["boolean", "01", (r) => r.boolean()],
    ["uint32", "deadbeef", (r) => r.uint32()],
    ["uint64", "0102030405060708", (r) => r.uint64()],
    ["string", "00000003616263", (r) => r.string()],
    ["utf8", "00000004c3a9c3a9", (r) => r.utf8()],
    ["name-list", "00000003612c62", (r) => r.nameList()],
    ["mpint", "00000005ff21524111", (r) => r.mpint()],
  ];

  test.each(samples)("RFC 4251 §5: a %s cut short at every length is a short read", (_kind, hex, read) => {
    const full = bytesOf(hex);
    expect(() => readAll(full, read)).not.toThrow();
    for (let n = 0; n < full.length; n++) {
      expectWireError(() => read(new SshReader(full.subarray(0, n))), "ERR_WIRE_SHORT_READ");
    }
  });

  test.prop([fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat()], RUNS)(
    "RFC 4251 §5: a string whose length exceeds the bytes present is a short read, whatever the cut",
    (body, cut) => {
      const full = write((w) => w.string(body));
      const n = 4 + (cut % body.length);
      expectWireError(() => new SshReader(full.subarray(0, n)).string(), "ERR_WIRE_SHORT_READ");
    },
  );

  test("RFC 4251 §5: a string length of 0xffffffff is a short read, not an allocation", () => {
    expectWireError(() => new SshReader(bytesOf("ffffffff00")).string(), "ERR_WIRE_SHORT_READ");
    expectWireError(() => new SshReader(bytesOf("7fffffff00")).mpint(), "ERR_WIRE_SHORT_READ");
  });

  test("RFC 4251 §5: trailing bytes after the last field are rejected", () => {
    const r = new SshReader(bytesOf("0000000100"));
    r.uint32();
    expectWireError(() => r.expectEnd(), "ERR_WIRE_TRAILING_BYTES");
  });

  test.prop([fc.integer({ min: 2, max: 255 })], RUNS)(
    "RFC 4251 §5: a boolean byte other than 0 or 1 is rejected",
    (b) => {
      expectWireError(() => new SshReader(Uint8Array.of(b)).boolean(), "ERR_WIRE_BAD_BOOLEAN");
    },
  );

  test.each([
    ["a lone 00 (zero must have no bytes)", "0000000100"],
    ["00 00", "000000020000"],
    ["00 before a positive without the top bit", "00000002007f"],
    ["00 00 before a positive with the top bit", "00000003000080"],
    ["ff ff", "00000002ffff"],
    ["ff before a negative that already has the top bit", "00000002ff80"],
    ["ff ff before -deadbeef", "00000006ffff21524111"],
  ])("RFC 4251 §5: a non-minimal mpint (%s) is rejected", (_label, hex) => {
    expectWireError(() => new SshReader(bytesOf(hex)).mpint(), "ERR_WIRE_NON_MINIMAL_MPINT");
  });

  test.prop([fc.bigInt({ min: -(1n << 300n), max: 1n << 300n }).filter((v) => v !== 0n)], RUNS)(
    "RFC 4251 §5: an mpint with one more sign byte than necessary is rejected",
    (v) => {
      const body = mpintBytes(v);
      const padded = new Uint8Array(body.length + 1);
      padded[0] = v < 0n ? 0xff : 0x00;
      padded.set(body, 1);
      const bytes = write((w) => w.string(padded));
      expectWireError(() => new SshReader(bytes).mpint(), "ERR_WIRE_NON_MINIMAL_MPINT");
    },
  );

  test.each([
    ["a lone continuation byte", "80"],
    ["0xff", "ff"],
    ["an overlong NUL (c0 80)", "c080"],
    ["a UTF-16 surrogate (ed a0 80)", "eda080"],
    ["a truncated three-byte sequence", "e282"],
    ["a code point above U+10FFFF", "f4908080"],
  ])("RFC 4251 §5 / RFC 3629: a UTF-8 string with %s is rejected", (_label, body) => {
    const bytes = bytesOf(be32(body.length / 2) + body);
    expectWireError(() => new SshReader(bytes).utf8(), "ERR_WIRE_BAD_UTF8");
    expectWireError(() => utf8Decode(bytesOf(body)), "ERR_WIRE_BAD_UTF8");
  });

  test.each([
    ["an empty name in the middle", "a,,b"],
    ["a leading comma", ",a"],
    ["a trailing comma", "a,"],
    ["only a comma", ","],
  ])("RFC 4251 §5: a name-list with %s is rejected", (_label, text) => {
    const bytes = write((w) => w.string(Buffer.from(text, "ascii")));
    expectWireError(() => new SshReader(bytes).nameList(), "ERR_WIRE_BAD_NAME_LIST");
  });

  test.each([
    ["a non-ASCII name", "c3a9"],
    ["a space", "6120"],
    ["a tab (control character)", "6109"],
    ["a NUL", "6100"],
    ["DEL", "617f"],
  ])("RFC 4251 §5: a name-list containing %s is rejected", (_label, body) => {
    const bytes = bytesOf(be32(body.length / 2) + body);
    expectWireError(() => new SshReader(bytes).nameList(), "ERR_WIRE_BAD_NAME_LIST");
  });

  test.each([
    ["an empty name", ["a", ""]],
    ["a name containing a comma", ["a,b"]],
    ["a non-ASCII name", ["é"]],
    ["a control character", ["a\tb"]],
    ["a space", ["a b"]],
  ])("RFC 4251 §5: the writer refuses a name-list with %s", (_label, names) => {
    expectWireError(() => new SshWriter().nameList(names), "ERR_WIRE_BAD_NAME_LIST");
  });

  test.each([-1, 256, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("RFC 4251 §5: the writer refuses byte %s", (v) => {
    expectWireError(() => new SshWriter().byte(v), "ERR_WIRE_RANGE");
  });

  test.each([-1, 0x1_0000_0000, 0.5, Number.NaN, 2 ** 53])("RFC 4251 §5: the writer refuses uint32 %s", (v) => {
    expectWireError(() => new SshWriter().uint32(v), "ERR_WIRE_RANGE");
  });

  test.each([-1n, 1n << 64n, -(1n << 63n)])("RFC 4251 §5: the writer refuses uint64 %s", (v) => {
    expectWireError(() => new SshWriter().uint64(v), "ERR_WIRE_RANGE");
  });

  test("RFC 4253 §7.1: the KEXINIT cookie must be exactly 16 bytes", () => {
    const base = {
      cookie: new Uint8Array(15),
      kexAlgorithms: ["curve25519-sha256"],
      serverHostKeyAlgorithms: ["ssh-ed25519"],
      encryptionAlgorithmsClientToServer: ["aes128-ctr"],
      encryptionAlgorithmsServerToClient: ["aes128-ctr"],
      macAlgorithmsClientToServer: ["hmac-sha2-256"],
      macAlgorithmsServerToClient: ["hmac-sha2-256"],
      compressionAlgorithmsClientToServer: ["none"],
      compressionAlgorithmsServerToClient: ["none"],
      languagesClientToServer: [],
      languagesServerToClient: [],
      firstKexPacketFollows: false,
      reserved: 0,
    };
    expectWireError(() => Kexinit.encode(base), "ERR_WIRE_RANGE");
    expectWireError(() => Kexinit.encode({ ...base, cookie: new Uint8Array(17) }), "ERR_WIRE_RANGE");
    expect(Kexinit.encode({ ...base, cookie: new Uint8Array(16) })[0]).toBe(20);
  });
});

describe("RFC 4648 text forms and byte helpers", () => {
  test.prop([fc.uint8Array({ maxLength: 200 })], RUNS)("RFC 4648 §8: toHex matches Buffer's lowercase hex", (b) => {
    expect(toHex(b)).toBe(Buffer.from(b).toString("hex"));
  });

  test.prop([fc.uint8Array({ maxLength: 200 }), fc.boolean()], RUNS)(
    "RFC 4648 §8: fromHex accepts either case and matches Buffer",
    (b, upper) => {
      const text = Buffer.from(b).toString("hex");
      expect(fromHex(upper ? text.toUpperCase() : text)).toEqual(new Uint8Array(Buffer.from(text, "hex")));
    },
  );

  test.each([
    ["odd length", "abc"],
    ["a non-hex character", "0g"],
    ["a 0x prefix", "0x00"],
    ["a sign", "-1"],
  ])("RFC 4648 §8: fromHex rejects %s", (_label, text) => {
    expectWireError(() => fromHex(text), "ERR_WIRE_BAD_HEX");
  });

  test.prop([fc.uint8Array({ maxLength: 200 })], RUNS)("RFC 4648 §4: toBase64 matches Buffer", (b) => {
    const oracle = Buffer.from(b).toString("base64");
    expect(toBase64(b)).toBe(oracle);
    expect(toBase64(b, false)).toBe(oracle.replace(/=+$/, ""));
  });

  test.prop([fc.uint8Array({ maxLength: 200 }), fc.boolean()], RUNS)(
    "RFC 4648 §4: fromBase64 decodes padded and unpadded text like Buffer",
    (b, padded) => {
      const text = Buffer.from(b).toString("base64");
      const input = padded ? text : text.replace(/=+$/, "");
      expect(fromBase64(input)).toEqual(new Uint8Array(Buffer.from(text, "base64")));
    },
  );

  const badChars = ["-", "_", " ", "\n", "\t", "*", ".", "é", "\u0000", "=", ":"];
  test.prop([fc.uint8Array({ minLength: 1, maxLength: 60 }), fc.constantFrom(...badChars), fc.nat()], RUNS)(
    "RFC 4648 §3.3: strict base64 rejects characters outside the alphabet anywhere in the text",
    (b, bad, at) => {
      const text = Buffer.from(b).toString("base64").replace(/=+$/, "");
      const i = at % text.length; // strictly inside, so a "=" here is not trailing padding
      expectWireError(() => fromBase64(text.slice(0, i) + bad + text.slice(i)), "ERR_WIRE_BAD_BASE64");
    },
  );

  test.each([
    ["an impossible length", "QUJDR"],
    ["too much padding", "QQ==="],
    ["partial padding", "QQ="],
    ["padding after a full group", "QUJD="],
    ["padding alone", "=="],
  ])("RFC 4648 §3.2: strict base64 rejects %s", (_label, text) => {
    expectWireError(() => fromBase64(text), "ERR_WIRE_BAD_BASE64");
  });

  test.prop([fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 })], RUNS)(
    "equalBytes agrees with Buffer.equals",
    (a, b) => {
      expect(equalBytes(a, b)).toBe(Buffer.from(a).equals(Buffer.from(b)));
      expect(equalBytes(a, a.slice())).toBe(true);
    },
  );

  test.prop([fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.nat(), fc.integer({ min: 1, max: 255 })], RUNS)(
    "equalBytes finds a difference in any single byte, and a length difference",
    (a, at, delta) => {
      const b = a.slice();
      const i = at % a.length;
      b[i] = ((b[i] as number) + delta) & 0xff;
      expect(equalBytes(a, b)).toBe(false);
      expect(equalBytes(a, a.subarray(0, a.length - 1))).toBe(false);
    },
  );

  test.prop([fc.string({ unit: "binary", maxLength: 64 })], RUNS)(
    "RFC 3629: utf8Encode matches Buffer and utf8Decode inverts it",
    (s) => {
      const bytes = utf8Encode(s);
      expect(hexOf(bytes)).toBe(Buffer.from(s, "utf8").toString("hex"));
      expect(utf8Decode(bytes)).toBe(s);
    },
  );
});

describe("mpint limits (OpenSSH SSHBUF_MAX_BIGNUM)", () => {
  test("an mpint larger than 16 384 bits is refused before any bigint work", () => {
    const body = new Uint8Array(256 * 1024).fill(0x11);
    const w = new SshWriter(body.length + 8).string(body).finish();
    const started = performance.now();
    expectWireError(() => new SshReader(w).mpint(), "ERR_WIRE_MPINT_TOO_LARGE");
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test("a 16 384-bit mpint decodes and re-encodes exactly (the conversion is linear, not quadratic)", () => {
    const body = new Uint8Array(MAX_MPINT_BYTES).fill(0x5a);
    const v = new SshReader(new SshWriter(4096).string(body).finish()).mpint();
    expect(mpintBytes(v)).toEqual(body);
    expect(mpintBytes(-v - 1n).length).toBe(MAX_MPINT_BYTES);
  });
});
