/**
 * Decoder fuzzing over the whole schema registry (DESIGN.md Testing, layer 1; principle 9: bad
 * input from a peer ends that connection with a clear error, never the process). Every decoder,
 * resolveSchema() and the GetSSHParam helpers get random payloads that start with the schema's
 * message number, mutations of valid encodings, and oversized length-prefixed fields. The only
 * error allowed out is a WireError; whatever decodes must re-encode to the identical bytes.
 * @module
 */
import { fc } from "@fast-check/vitest";
import {
  ChannelData,
  decodeChannelData,
  equalBytes,
  GetSSHParam,
  GetSSHParamBytes,
  type MessageSchema,
  MSG,
  resolveSchema,
  SCHEMAS,
  SshReader,
  toHex,
  WireError,
} from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { encodeAny, SCHEMA_ROWS, schemaArb } from "./arbitraries.js";

const RUNS = 300;
let inputs = 0;
const decoders = new Set<MessageSchema>();

/** Runs `fn`; a thrown non-WireError (RangeError, TypeError, …) fails with the offending input. */
function guarded<T>(what: string, input: Uint8Array, fn: () => T): { ok: true; value: T } | { ok: false } {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (e instanceof WireError && e.code.startsWith("ERR_WIRE_")) return { ok: false };
    const desc = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new Error(`${what} threw ${desc} (not a WireError) on ${toHex(input.subarray(0, 64))}…`);
  }
}

const pascal = (k: string) => k.charAt(0).toUpperCase() + k.slice(1);
const SEED_NAMES = ["MessageType", "ChannelId", "RequestType", "WantsReply", "NoSuchField"];

function fieldNames(schema: MessageSchema): string[] {
  return [...Object.keys(schema.fields).map(pascal), ...SEED_NAMES];
}

/** Feeds one input to the schema's decoder, the hot path (for 94), resolveSchema and the param helpers. */
function feed(schema: MessageSchema, input: Uint8Array, field: string): void {
  inputs++;
  const decoded = guarded(`${schema.name}.decode`, input, () => schema.decode(input));
  if (decoded.ok) {
    const again = encodeAny(schema, decoded.value as Record<string, unknown>);
    if (!equalBytes(again, input)) throw new Error(`${schema.name}: decode accepted a non-canonical ${toHex(input)}`);
  }
  if (schema.number === MSG.CHANNEL_DATA) {
    const hot = guarded("decodeChannelData", input, () => decodeChannelData(input));
    if (hot.ok !== decoded.ok)
      throw new Error(`decodeChannelData disagrees with ChannelData.decode on ${toHex(input)}`);
    if (hot.ok && decoded.ok && !equalBytes(ChannelData.encode(hot.value), input)) {
      throw new Error(`decodeChannelData decoded ${toHex(input)} to different values`);
    }
  }
  const resolved = guarded("resolveSchema", input, () => resolveSchema(input));
  if (resolved.ok && resolved.value !== undefined) {
    const { schema: s, value } = resolved.value;
    if (s.number !== input[0] || !equalBytes(encodeAny(s, value), input)) {
      throw new Error(`resolveSchema picked ${s.name} for ${toHex(input)}, which does not re-encode to it`);
    }
  }
  if (decoded.ok && (!resolved.ok || resolved.value === undefined)) {
    throw new Error(`resolveSchema found nothing for ${toHex(input)}, which ${schema.name} decodes`);
  }
  // One helper call per input keeps the fuzz fast; which one alternates with the input count.
  if (inputs % 2 === 0) guarded(`GetSSHParam(${field})`, input, () => GetSSHParam(input, field));
  else guarded(`GetSSHParamBytes(${field})`, input, () => GetSSHParamBytes(input, field));
}

type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "replace"; at: number; byte: number }
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "length"; at: number; value: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant("length" as const),
    at: fc.nat(),
    value: fc.constantFrom(0xffffffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0),
  }),
);

/** Offsets of the uint32 that starts each field (a length or count for the variable-size kinds). */
function fieldOffsets(schema: MessageSchema, bytes: Uint8Array): number[] {
  const r = new SshReader(bytes, 1);
  const offsets: number[] = [];
  for (const codec of Object.values(schema.fields)) {
    offsets.push(r.offset);
    codec.read(r);
  }
  return offsets;
}

function mutate(bytes: Uint8Array, m: Mutation, lengthOffsets: number[]): Uint8Array {
  const out = bytes.slice();
  if (out.length === 0) return out;
  const at = m.at % out.length;
  switch (m.kind) {
    case "flip":
      out[at] = (out[at] as number) ^ (1 << m.bit);
      return out;
    case "replace":
      out[at] = m.byte;
      return out;
    case "truncate":
      return out.subarray(0, at);
    case "insert": {
      const grown = new Uint8Array(out.length + m.bytes.length);
      grown.set(out.subarray(0, at));
      grown.set(m.bytes, at);
      grown.set(out.subarray(at), at + m.bytes.length);
      return grown;
    }
    case "length": {
      // Prefer a real length/count field; fall back to any position.
      const pos = lengthOffsets.length > 0 ? (lengthOffsets[m.at % lengthOffsets.length] as number) : at;
      if (pos + 4 > out.length) return out;
      new DataView(out.buffer, out.byteOffset).setUint32(pos, m.value);
      return out;
    }
    default: {
      const unhandled: never = m;
      throw new Error(`unknown mutation ${JSON.stringify(unhandled)}`);
    }
  }
}

const LENGTH_PREFIXED = new Set(["string", "utf8", "nameList", "mpint", "literal", "extensionPairs"]);
const HUGE = 200_000;

describe.each(SCHEMA_ROWS)("%s", (_title, schema) => {
  const arb = schemaArb(schema);
  const names = fc.constantFrom(...fieldNames(schema));

  test("DESIGN.md principle 9: random bytes after the message number raise only WireError", () => {
    decoders.add(schema);
    const before = inputs;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 160 }), names, (tail, field) => {
        feed(schema, Uint8Array.from([schema.number, ...tail]), field);
      }),
      { numRuns: RUNS },
    );
    expect(inputs - before).toBe(RUNS);
  });

  test("DESIGN.md principle 9: mutated valid encodings raise only WireError, and what decodes is canonical", () => {
    const before = inputs;
    fc.assert(
      fc.property(arb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), names, (value, mutations, field) => {
        let bytes = encodeAny(schema, value);
        const offsets = fieldOffsets(schema, bytes);
        for (const m of mutations) bytes = mutate(bytes, m, offsets);
        feed(schema, bytes, field);
      }),
      { numRuns: RUNS },
    );
    expect(inputs - before).toBe(RUNS);
  });

  const variableFields = Object.values(schema.fields).filter((c) => LENGTH_PREFIXED.has(c.kind)).length;
  if (variableFields > 0) {
    test(`RFC 4251 §5: a ${HUGE}-byte length-prefixed field raises at most a WireError (no stack overflow)`, () => {
      const value = fc.sample(arb, { numRuns: 1, seed: 42 })[0] as Record<string, unknown>;
      const bytes = encodeAny(schema, value);
      const kinds = Object.values(schema.fields).map((c) => c.kind);
      const offsets = fieldOffsets(schema, bytes);
      const keys = Object.keys(schema.fields);
      let fed = 0;
      offsets.forEach((at, i) => {
        if (!LENGTH_PREFIXED.has(kinds[i] as string)) return;
        const oldLength = new DataView(bytes.buffer).getUint32(at);
        const end = kinds[i] === "extensionPairs" ? at + 4 : at + 4 + oldLength;
        const huge = new Uint8Array(at + 4 + HUGE + (bytes.length - end));
        huge.set(bytes.subarray(0, at));
        new DataView(huge.buffer).setUint32(at, HUGE);
        huge.fill(0x61, at + 4, at + 4 + HUGE); // "aaa…": valid as text, name-list, positive mpint
        huge.set(bytes.subarray(end), at + 4 + HUGE);
        feed(schema, huge, pascal(keys[i] as string));
        fed++;
      });
      expect(fed).toBe(variableFields);
    });
  }
});

describe("the fuzz itself", () => {
  test("DESIGN.md Testing, layer 1: every decoder in the registry was fuzzed", () => {
    const count = SCHEMAS.length + 1; // + the hand-coded decodeChannelData, fed every CHANNEL_DATA input
    console.log(`fuzzed ${count} decoders (${SCHEMAS.length} schemas + decodeChannelData) with ${inputs} inputs`);
    expect(decoders.size).toBe(SCHEMAS.length);
    expect(inputs).toBeGreaterThanOrEqual(SCHEMAS.length * 2 * RUNS);
  });

  test("DESIGN.md principle 9: the guard itself fails on a non-WireError", () => {
    const input = Uint8Array.of(1);
    expect(() =>
      guarded("x", input, () => {
        throw new RangeError("boom");
      }),
    ).toThrow(/RangeError: boom \(not a WireError\)/);
    expect(guarded("x", input, () => 7)).toEqual({ ok: true, value: 7 });
    expect(
      guarded("x", input, () => {
        throw new WireError("ERR_WIRE_SHORT_READ", "short");
      }),
    ).toEqual({ ok: false });
  });
});
