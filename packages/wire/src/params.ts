/**
 * The seed's packet helpers (ipworks-spec.md §7): SetSSHParam appends one typed field to a payload,
 * GetSSHParam / GetSSHParamBytes read a named field of a payload, EncodePacket / DecodePacket turn
 * payloads into hex text and back. Field names are the schema field names in PascalCase
 * (`RecipientChannel`, `RequestType`), plus the seed's aliases (`ChannelId`, `WantsReply`).
 * @module
 */
import { concatBytes, fromHex, toHex, utf8Decode, utf8Encode } from "./bytes.js";
import { WireError } from "./errors.js";
import { resolveSchema } from "./registry.js";
import type { FieldKind } from "./schema.js";
import { SshWriter } from "./writer.js";

/** Parses decimal or 0x-prefixed hex integer text. */
function parseInteger(text: string, what: string): bigint {
  const t = text.trim();
  if (!/^(0x[0-9a-fA-F]+|-?[0-9]+)$/.test(t))
    throw new WireError("ERR_WIRE_BAD_PARAM", `${what}: not an integer: ${JSON.stringify(text)}`);
  return BigInt(t);
}

/**
 * Appends one field to `payload` and returns the new payload. Types (ipworks-spec.md §7a):
 * `s` string (UTF-8 text), `sb` string from hex, `m` mpint, `i` uint32, `l` uint64, `b` byte,
 * `f` boolean ("true"/"false"). Integers may be decimal or 0x-prefixed hex.
 */
export function SetSSHParam(payload: Uint8Array, fieldType: string, fieldValue: string): Uint8Array {
  const w = new SshWriter(32);
  switch (fieldType) {
    case "s":
      w.utf8(fieldValue);
      break;
    case "sb":
      w.string(fromHex(fieldValue));
      break;
    case "m":
      w.mpint(parseInteger(fieldValue, "mpint"));
      break;
    case "i":
      w.uint32(Number(parseInteger(fieldValue, "uint32")));
      break;
    case "l":
      w.uint64(parseInteger(fieldValue, "uint64"));
      break;
    case "b":
      w.byte(Number(parseInteger(fieldValue, "byte")));
      break;
    case "f": {
      const v = fieldValue.trim().toLowerCase();
      if (v !== "true" && v !== "false" && v !== "1" && v !== "0") {
        throw new WireError("ERR_WIRE_BAD_PARAM", `boolean: expected true or false, got ${JSON.stringify(fieldValue)}`);
      }
      w.boolean(v === "true" || v === "1");
      break;
    }
    default:
      throw new WireError(
        "ERR_WIRE_BAD_PARAM",
        `unknown field type ${JSON.stringify(fieldType)} (use s, sb, m, i, l, b or f)`,
      );
  }
  return concatBytes(payload, w.finish());
}

/** Seed names that differ from our RFC field names. */
const ALIASES: Record<string, readonly string[]> = {
  ChannelId: ["recipientChannel", "senderChannel"],
  WantsReply: ["wantReply"],
  RequestType: ["requestType", "requestName"],
  ServiceName: ["serviceName"],
  UserName: ["userName"],
};

const pascal = (k: string) => k.charAt(0).toUpperCase() + k.slice(1);

function findField(payload: Uint8Array, field: string): { kind: FieldKind | "messageNumber"; value: unknown } {
  if (payload.length === 0) throw new WireError("ERR_WIRE_SHORT_READ", "empty payload has no message number");
  if (field === "MessageType" || field === "MessageNumber") return { kind: "messageNumber", value: payload[0] };
  const resolved = resolveSchema(payload);
  if (!resolved) {
    throw new WireError(
      "ERR_WIRE_UNKNOWN_MESSAGE",
      `no schema decodes a message with number ${payload[0] ?? "(empty)"}`,
    );
  }
  const { schema, value } = resolved;
  const keys = Object.keys(schema.fields);
  const wanted = ALIASES[field] ?? [];
  const key = keys.find((k) => pascal(k) === field || k === field) ?? keys.find((k) => wanted.includes(k));
  if (key === undefined) {
    throw new WireError(
      "ERR_WIRE_UNKNOWN_FIELD",
      `${schema.name} has no field ${JSON.stringify(field)}; it has ${keys.map(pascal).join(", ") || "no fields"}`,
    );
  }
  return { kind: (schema.fields[key] as { kind: FieldKind }).kind, value: value[key] };
}

/** Reads one named field of `payload` (starting with the message number) as text. */
export function GetSSHParam(payload: Uint8Array, field: string): string {
  const { kind, value } = findField(payload, field);
  switch (kind) {
    case "string":
    case "rest":
    case "bytes16":
      return toHex(value as Uint8Array);
    case "nameList":
      return (value as string[]).join(",");
    case "extensionPairs":
      return (value as Array<{ name: string }>).map((e) => e.name).join(",");
    default:
      return String(value);
  }
}

/** Reads one named field of `payload` as raw bytes (a string's body; an integer's wire bytes). */
export function GetSSHParamBytes(payload: Uint8Array, field: string): Uint8Array {
  const { kind, value } = findField(payload, field);
  const w = new SshWriter(16);
  switch (kind) {
    case "string":
    case "rest":
    case "bytes16":
      return (value as Uint8Array).slice();
    case "utf8":
    case "literal":
      return utf8Encode(value as string);
    case "nameList":
      return utf8Encode((value as string[]).join(","));
    case "extensionPairs":
      return utf8Encode((value as Array<{ name: string }>).map((e) => e.name).join(","));
    case "messageNumber":
    case "byte":
      return Uint8Array.of(value as number);
    case "boolean":
    case "literalBoolean":
      return Uint8Array.of(value ? 1 : 0);
    case "uint32":
      return w.uint32(value as number).finish();
    case "uint64":
      return w.uint64(value as bigint).finish();
    case "mpint":
      return w
        .mpint(value as bigint)
        .finish()
        .subarray(4);
  }
}

/** Raw payload bytes → hex text (the form SSHCustomAuth's `packet` field carries). */
export function EncodePacket(packet: Uint8Array): string {
  return toHex(packet);
}

/** Hex text → raw payload bytes. */
export function DecodePacket(encodedPacket: string): Uint8Array {
  return fromHex(encodedPacket);
}

export {
  DecodePacket as decodePacket,
  EncodePacket as encodePacket,
  GetSSHParam as getSSHParam,
  GetSSHParamBytes as getSSHParamBytes,
  SetSSHParam as setSSHParam,
};
/** Decodes a UTF-8 field read with GetSSHParamBytes. */
export const bytesToText = utf8Decode;
