/**
 * Every message schema in the registry (DESIGN.md principle 1, RFC 4250–4254, 8308, 5656, 8731):
 * arbitraries built from the declared field kinds, encode → decode round trips, and the strict
 * decoding rules — short reads at every cut, trailing bytes, wrong message numbers, literals.
 * @module
 */
import { fc } from "@fast-check/vitest";
import { type MessageSchema, SCHEMAS, WireError } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { encodeAny, expectWireError, restField, SCHEMA_ROWS, schemaArb } from "./arbitraries.js";

const exercised = new Set<MessageSchema>();

/** Byte offset where a `rest` field's bytes start in an encoding whose rest value is `restBytes`. */
function restStart(encoding: Uint8Array, restBytes: Uint8Array): number {
  return encoding.length - restBytes.length;
}

describe.each(SCHEMA_ROWS)("%s", (_title, schema) => {
  const arb = schemaArb(schema);
  const restKey = restField(schema);

  test("DESIGN.md principle 1: encode → decode is the identity, and the payload starts with the number", () => {
    fc.assert(
      fc.property(arb, (value) => {
        const bytes = encodeAny(schema, value);
        expect(bytes[0]).toBe(schema.number);
        expect(schema.decode(bytes)).toEqual(value);
      }),
      { numRuns: 150 },
    );
    exercised.add(schema);
  });

  test("RFC 4251 §5: every strict prefix of an encoding is rejected with a WireError", () => {
    fc.assert(
      fc.property(arb, (value) => {
        const bytes = encodeAny(schema, value);
        const firstRestByte = restKey === undefined ? bytes.length : restStart(bytes, value[restKey] as Uint8Array);
        const accepted: number[] = [];
        for (let n = 0; n < bytes.length; n++) {
          const prefix = bytes.subarray(0, n);
          if (n < firstRestByte) {
            // Checked without expect() per cut (hot loop); one assertion per run below.
            const e = thrown(() => schema.decode(prefix));
            if (!(e instanceof WireError && e.code.startsWith("ERR_WIRE_"))) accepted.push(n);
          } else {
            // A cut inside a trailing `rest` field is still a well-formed, shorter message.
            expect((schema.decode(prefix) as Record<string, unknown>)[restKey as string]).toEqual(
              prefix.subarray(firstRestByte),
            );
          }
        }
        expect(accepted, "prefix lengths not rejected with a WireError").toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  if (restKey === undefined) {
    test("RFC 4251 §5 / DESIGN.md principle 1: one trailing byte is rejected", () => {
      fc.assert(
        fc.property(arb, fc.integer({ min: 0, max: 255 }), (value, extra) => {
          const bytes = encodeAny(schema, value);
          const longer = new Uint8Array(bytes.length + 1);
          longer.set(bytes);
          longer[bytes.length] = extra;
          expectWireError(() => schema.decode(longer), "ERR_WIRE_TRAILING_BYTES");
        }),
        { numRuns: 100 },
      );
    });
  } else {
    test(`RFC 4254 / RFC 4252: a trailing byte is absorbed by the final rest field ${restKey}`, () => {
      fc.assert(
        fc.property(arb, fc.integer({ min: 0, max: 255 }), (value, extra) => {
          const bytes = encodeAny(schema, value);
          const longer = new Uint8Array(bytes.length + 1);
          longer.set(bytes);
          longer[bytes.length] = extra;
          const decoded = schema.decode(longer) as Record<string, unknown>;
          expect(decoded[restKey]).toEqual(Uint8Array.from([...(value[restKey] as Uint8Array), extra]));
          expect({ ...decoded, [restKey]: value[restKey] }).toEqual(value);
        }),
        { numRuns: 100 },
      );
    });
  }

  test("RFC 4253 §6: a payload with another message number is rejected", () => {
    fc.assert(
      fc.property(
        arb,
        fc.integer({ min: 0, max: 255 }).filter((n) => n !== schema.number),
        (value, other) => {
          const bytes = encodeAny(schema, value).slice();
          bytes[0] = other;
          expectWireError(() => schema.decode(bytes), "ERR_WIRE_WRONG_MESSAGE");
        },
      ),
      { numRuns: 50 },
    );
  });

  const literals = Object.entries(schema.fields).filter(([, c]) => c.kind === "literal");
  const literalBooleans = Object.entries(schema.fields).filter(([, c]) => c.kind === "literalBoolean");
  if (literals.length > 0 || literalBooleans.length > 0) {
    test("DESIGN.md principle 1: a second-level schema rejects a different discriminator", () => {
      fc.assert(
        fc.property(arb, fc.string({ unit: "binary", maxLength: 20 }), (value, otherName) => {
          for (const [key, codec] of literals) {
            fc.pre(otherName !== codec.value);
            expectWireError(() => encodeAndDecode(schema, { ...value, [key]: otherName }), "ERR_WIRE_BAD_LITERAL");
          }
          for (const [key, codec] of literalBooleans) {
            expectWireError(() => encodeAndDecode(schema, { ...value, [key]: !codec.value }), "ERR_WIRE_BAD_LITERAL");
          }
        }),
        { numRuns: 50 },
      );
    });
  }
});

/** What `fn` throws (undefined when it returns). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

function encodeAndDecode(schema: MessageSchema, value: Record<string, unknown>): unknown {
  return schema.decode(encodeAny(schema, value));
}

describe("the schema registry", () => {
  test("RFC 4253 §6: an empty payload (no message number) is a short read for every decoder", () => {
    for (const schema of SCHEMAS) expectWireError(() => schema.decode(new Uint8Array(0)), "ERR_WIRE_SHORT_READ");
  });

  test("DESIGN.md principle 1: a rest field is only ever the last field", () => {
    for (const schema of SCHEMAS) {
      const kinds = Object.values(schema.fields).map((c) => c.kind);
      expect(kinds.slice(0, -1), schema.name).not.toContain("rest");
    }
  });

  // Runs last (tests in a file run in order): every registry entry passed its round trip above.
  test("DESIGN.md Testing, layer 1: the round trip covered every schema in the registry", () => {
    console.log(`schemas.test.ts: exercised ${exercised.size} schemas (SCHEMAS.length = ${SCHEMAS.length})`);
    expect(exercised.size).toBe(SCHEMAS.length);
    expect(exercised.size).toBeGreaterThan(30);
  });
});
