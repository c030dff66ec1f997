/**
 * Test helpers for the wire codec suites: fast-check arbitraries for every RFC 4251 §5 field kind
 * (derived from a schema's declaration, so a new schema is covered without touching the tests),
 * readable names for registry entries, and a typed-error assertion.
 * @module
 */
import { fc } from "@fast-check/vitest";
import * as wire from "@purssh/wire";
import { type Codec, type MessageSchema, SCHEMAS, WireError } from "@purssh/wire";
import { expect } from "vitest";

/** A valid name-list element (RFC 4251 §5): printable US-ASCII without a comma. */
export const nameArb = fc.stringMatching(/^[\x21-\x2b\x2d-\x7e]{1,12}$/);

/** uint64 range, inclusive. */
export const UINT64_MAX = (1n << 64n) - 1n;

/** An arbitrary of the values one field kind accepts; exhaustive over FieldKind. */
export function fieldArb(codec: Codec<unknown>): fc.Arbitrary<unknown> {
  switch (codec.kind) {
    case "byte":
      return fc.integer({ min: 0, max: 255 });
    case "boolean":
      return fc.boolean();
    case "uint32":
      return fc.integer({ min: 0, max: 0xffffffff });
    case "uint64":
      return fc.bigInt({ min: 0n, max: UINT64_MAX });
    case "string":
      return fc.uint8Array({ maxLength: 48 });
    case "utf8":
      return fc.string({ unit: "binary", maxLength: 24 });
    case "nameList":
      return fc.array(nameArb, { maxLength: 4 });
    case "mpint":
      return fc.bigInt({ min: -(1n << 300n), max: 1n << 300n });
    case "rest":
      return fc.uint8Array({ maxLength: 48 });
    case "bytes16":
      return fc.uint8Array({ minLength: 16, maxLength: 16 });
    case "literal":
    case "literalBoolean":
      return fc.constant(codec.value);
    case "extensionPairs":
      return fc.array(
        fc.record({ name: fc.string({ unit: "binary", maxLength: 16 }), value: fc.uint8Array({ maxLength: 16 }) }),
        { maxLength: 3 },
      );
    default: {
      const unhandled: never = codec.kind;
      throw new Error(`no arbitrary for field kind ${String(unhandled)}`);
    }
  }
}

/** An arbitrary of valid values for a whole message schema. */
export function schemaArb(schema: MessageSchema): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, codec] of Object.entries(schema.fields)) model[key] = fieldArb(codec);
  return fc.record(model);
}

/** Encodes with a schema whose field types are erased (the registry's view). */
export function encodeAny(schema: MessageSchema, value: Record<string, unknown>): Uint8Array {
  return (schema.encode as (v: Record<string, unknown>) => Uint8Array)(value);
}

const exportNames = new Map<unknown, string>();
for (const [name, value] of Object.entries(wire)) if (!exportNames.has(value)) exportNames.set(value, name);

/** "ChannelOpenForwardedTcpip (SSH_MSG_CHANNEL_OPEN 90, forwarded-tcpip)" for test titles. */
export function schemaTitle(schema: MessageSchema): string {
  const variant = schema.variant === undefined ? "" : `, ${schema.variant}`;
  return `${exportNames.get(schema) ?? "?"} (${schema.name} ${schema.number}${variant})`;
}

/** Registry rows for test.each: [title, schema]. */
export const SCHEMA_ROWS = SCHEMAS.map((s) => [schemaTitle(s), s] as const);

/** The name of the last field when it is a `rest` field. */
export function restField(schema: MessageSchema): string | undefined {
  const entries = Object.entries(schema.fields);
  const last = entries[entries.length - 1];
  return last !== undefined && last[1].kind === "rest" ? last[0] : undefined;
}

/** Runs `fn`, requires it to throw a WireError whose code starts ERR_WIRE_ (and equals `code` if given). */
export function expectWireError(fn: () => unknown, code?: string): WireError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, "expected a WireError to be thrown").toBeInstanceOf(WireError);
  const err = thrown as WireError;
  expect(err.code).toMatch(/^ERR_WIRE_/);
  if (code !== undefined) expect(err.code).toBe(code);
  return err;
}

/** Big-endian hex of a byte array, via Node's Buffer (an oracle independent of @purssh/wire). */
export function hexOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

/** Hex → bytes via Node's Buffer. */
export function bytesOf(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** Independent mpint oracle (RFC 4251 §5): minimal two's complement hex, via the one's complement of -v - 1. */
export function mpintOracleHex(v: bigint): string {
  if (v === 0n) return "";
  const magnitude = v >= 0n ? v : -v - 1n;
  let hex = magnitude.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (Number.parseInt(hex[0] as string, 16) >= 8) hex = `00${hex}`;
  if (v >= 0n) return hex;
  return [...hex].map((c) => (15 - Number.parseInt(c, 16)).toString(16)).join("");
}
