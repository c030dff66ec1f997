/**
 * The schema registry: every message schema this stack declares, and resolution of a payload to
 * the most specific schema (generic form first, then the second-level variant named by its
 * discriminating literal). Used by the packet helpers and by the decoder fuzz test.
 * @module
 */
import * as connection from "./messages/connection.js";
import * as transport from "./messages/transport.js";
import * as userauth from "./messages/userauth.js";
import type { MessageSchema } from "./schema.js";

function collect(mod: Record<string, unknown>): MessageSchema[] {
  return Object.values(mod).filter(
    (v): v is MessageSchema => typeof v === "object" && v !== null && "number" in v && "decode" in v,
  );
}

/** Every declared schema, generic forms before their variants. */
export const SCHEMAS: readonly MessageSchema[] = [...collect(transport), ...collect(userauth), ...collect(connection)];

/** All schemas sharing a message number (numbers 60 and 30/31 are phase-specific). */
export function schemasFor(number: number): MessageSchema[] {
  return SCHEMAS.filter((s) => s.number === number);
}

/**
 * The most specific schema that decodes `payload` without error, with the decoded value; the
 * generic schema if no variant applies; undefined for a number nothing declares.
 */
export function resolveSchema(
  payload: Uint8Array,
): { schema: MessageSchema; value: Record<string, unknown> } | undefined {
  const n = payload[0];
  if (n === undefined) return undefined;
  const candidates = schemasFor(n);
  let generic: { schema: MessageSchema; value: Record<string, unknown> } | undefined;
  for (const schema of candidates) {
    try {
      const value = schema.decode(payload) as Record<string, unknown>;
      if (schema.variant !== undefined) return { schema, value };
      generic ??= { schema, value };
    } catch {
      // not this one
    }
  }
  return generic;
}
