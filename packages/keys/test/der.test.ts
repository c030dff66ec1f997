/**
 * The strict DER reader (ITU-T X.690): one encoding per value, bounds checked before reading.
 */
import { fc, test as fcTest } from "@fast-check/vitest";
import { KeyError } from "@purssh/keys";
import { fromHex } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { DerReader, derSequence } from "../src/der.js";
import { keyErrorOf } from "./helpers.js";

const reader = (hex: string) => new DerReader(fromHex(hex), "test structure");

describe("X.690 §8.1.3 / §10.1: lengths", () => {
  test("short and long form, minimal", () => {
    expect(reader("0403010203").octetString("x")).toEqual(fromHex("010203"));
    const long = `0481${"80"}${"00".repeat(128)}`;
    expect(reader(long).octetString("x").length).toBe(128);
    const long2 = `048201${"00"}${"00".repeat(256)}`;
    expect(reader(long2).octetString("x").length).toBe(256);
  });

  test("non-minimal long forms, indefinite length and 5-byte lengths are rejected", () => {
    for (const hex of ["04810100", "0482000100", "048000", "0485000000000100"]) {
      expect(keyErrorOf(() => reader(hex).octetString("x")).code, hex).toBe("ERR_KEY_PARSE");
    }
  });

  test("a length beyond the input is ERR_KEY_TRUNCATED, before anything is read", () => {
    for (const hex of ["0405010203", "04", "0482ff", "0483ffffff00"]) {
      expect(keyErrorOf(() => reader(hex).octetString("x")).code, hex).toBe("ERR_KEY_TRUNCATED");
    }
  });

  test("a different tag and the high-tag-number form are rejected", () => {
    expect(keyErrorOf(() => reader("020100").octetString("x")).message).toMatch(/expected x \(tag 0x4\)/);
    expect(keyErrorOf(() => reader("1f0100").octetString("x")).message).toMatch(/high-tag-number/);
  });
});

describe("X.690 §8.3: INTEGER", () => {
  test("minimal two's complement, non-negative", () => {
    expect(reader("020100").integer("x")).toBe(0n);
    expect(reader("02020080").integer("x")).toBe(128n);
    expect(reader("0203010001").integer("x")).toBe(65537n);
  });

  test("redundant leading bytes, negative values, empty content and oversize values are rejected", () => {
    for (const hex of ["02020001", "0202ff80", "0201ff", "0200"]) {
      expect(keyErrorOf(() => reader(hex).integer("x")).code, hex).toBe("ERR_KEY_PARSE");
    }
    expect(keyErrorOf(() => reader(`0205${"7f".repeat(5)}`).integer("x", 2)).message).toMatch(/longer than 2 bytes/);
  });
});

describe("X.690 §8.19: OBJECT IDENTIFIER", () => {
  test("decodes the OIDs of key formats", () => {
    expect(reader("06092a864886f70d010101").oid("x")).toBe("1.2.840.113549.1.1.1");
    expect(reader("06082a8648ce3d030107").oid("x")).toBe("1.2.840.10045.3.1.7");
    expect(reader("06052b81040023").oid("x")).toBe("1.3.132.0.35");
    expect(reader("06032b6570").oid("x")).toBe("1.3.101.112");
    expect(reader("0609608648016503040102").oid("x")).toBe("2.16.840.1.101.3.4.1.2");
  });

  test("a leading 0x80 in an arc, an unterminated arc and an empty OID are rejected", () => {
    expect(keyErrorOf(() => reader("0603808101").oid("x")).code).toBe("ERR_KEY_PARSE");
    expect(keyErrorOf(() => reader("06022a86").oid("x")).code).toBe("ERR_KEY_TRUNCATED");
    expect(keyErrorOf(() => reader("0600").oid("x")).code).toBe("ERR_KEY_PARSE");
  });
});

describe("BIT STRING, NULL, SEQUENCE, nesting", () => {
  test("X.690 §8.6: BIT STRING keys have 0 unused bits", () => {
    expect(reader("030300abcd").bitString("x")).toEqual(fromHex("abcd"));
    expect(keyErrorOf(() => reader("030301abcd").bitString("x")).message).toMatch(/1 unused bits/);
    expect(keyErrorOf(() => reader("0300").bitString("x")).code).toBe("ERR_KEY_PARSE");
  });

  test("X.690 §8.8: NULL has no content", () => {
    reader("0500").null("x");
    expect(keyErrorOf(() => reader("050100").null("x")).code).toBe("ERR_KEY_PARSE");
  });

  test("a document is exactly one SEQUENCE; trailing bytes inside and after are rejected", () => {
    const seq = derSequence(fromHex("3003020101"), "doc");
    expect(seq.integer("v")).toBe(1n);
    seq.expectEnd("doc");
    expect(keyErrorOf(() => derSequence(fromHex("300302010100"), "doc")).message).toMatch(/trailing/);
    const inner = derSequence(fromHex("30060201010201ff"), "doc");
    inner.integer("v");
    expect(keyErrorOf(() => inner.expectEnd("doc")).message).toMatch(/trailing/);
  });

  test("nesting deeper than 16 levels is refused (no unbounded recursion)", () => {
    let hex = "0500";
    for (let i = 0; i < 20; i++) hex = `30${(hex.length / 2).toString(16).padStart(2, "0")}${hex}`;
    let r = reader(hex);
    const descend = () => {
      for (let i = 0; i < 20; i++) r = r.sequence("s");
    };
    expect(keyErrorOf(descend).message).toMatch(/deeper than 16/);
  });
});

fcTest.prop([fc.uint8Array({ maxLength: 64 })], { numRuns: 500 })(
  "arbitrary bytes only ever give a KeyError from any read",
  (bytes) => {
    for (const read of [
      (r: DerReader) => r.integer("i"),
      (r: DerReader) => r.oid("o"),
      (r: DerReader) => r.bitString("b"),
      (r: DerReader) => r.sequence("s").octetString("o"),
    ]) {
      try {
        read(new DerReader(bytes, "fuzz"));
      } catch (e) {
        expect(e).toBeInstanceOf(KeyError);
      }
    }
  },
);
