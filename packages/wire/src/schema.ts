/**
 * Declarative message schemas (DESIGN.md principle 1): a message is declared once, as a number, its
 * RFC name and typed fields; its encoder, strict decoder and TypeScript type all derive from that
 * declaration. Method-specific variants (a `tcpip-forward` GLOBAL_REQUEST, a `publickey`
 * USERAUTH_REQUEST) are schemas of their own whose discriminating field is a `literal`.
 * @module
 */
import { WireError } from "./errors.js";
import { SshReader } from "./reader.js";
import { SshWriter } from "./writer.js";

/** What a field is on the wire; used by the packet helpers and by the property tests. */
export type FieldKind =
  | "byte"
  | "boolean"
  | "uint32"
  | "uint64"
  | "string"
  | "utf8"
  | "nameList"
  | "mpint"
  | "rest"
  | "bytes16"
  | "literal"
  | "literalBoolean"
  | "extensionPairs";

export interface Codec<T> {
  readonly kind: FieldKind;
  /** For `literal` / `literalBoolean`: the only value accepted. */
  readonly value?: string | boolean;
  read(r: SshReader): T;
  write(w: SshWriter, v: T): void;
}

export const byte: Codec<number> = { kind: "byte", read: (r) => r.byte(), write: (w, v) => w.byte(v) };
export const boolean: Codec<boolean> = { kind: "boolean", read: (r) => r.boolean(), write: (w, v) => w.boolean(v) };
export const uint32: Codec<number> = { kind: "uint32", read: (r) => r.uint32(), write: (w, v) => w.uint32(v) };
export const uint64: Codec<bigint> = { kind: "uint64", read: (r) => r.uint64(), write: (w, v) => w.uint64(v) };
export const string: Codec<Uint8Array> = { kind: "string", read: (r) => r.string(), write: (w, v) => w.string(v) };
export const utf8: Codec<string> = { kind: "utf8", read: (r) => r.utf8(), write: (w, v) => w.utf8(v) };
export const nameList: Codec<string[]> = {
  kind: "nameList",
  read: (r) => r.nameList(),
  write: (w, v) => w.nameList(v),
};
export const mpint: Codec<bigint> = { kind: "mpint", read: (r) => r.mpint(), write: (w, v) => w.mpint(v) };
/** All remaining bytes; only valid as the last field. */
export const rest: Codec<Uint8Array> = { kind: "rest", read: (r) => r.rest(), write: (w, v) => w.raw(v) };
/** 16 raw bytes (the KEXINIT cookie, RFC 4253 §7.1). */
export const bytes16: Codec<Uint8Array> = {
  kind: "bytes16",
  read: (r) => r.bytes(16),
  write: (w, v) => {
    if (v.length !== 16) throw new WireError("ERR_WIRE_RANGE", `expected 16 bytes, got ${v.length}`);
    w.raw(v);
  },
};

/** RFC 8308 §2.3: uint32 count, then that many (string name, string value) pairs. */
export const extensionPairs: Codec<Array<{ name: string; value: Uint8Array }>> = {
  kind: "extensionPairs",
  read: (r) => {
    const n = r.uint32();
    // Each pair takes at least 8 bytes: bound the count by what is there before looping.
    if (n > r.remaining / 8) {
      throw new WireError("ERR_WIRE_SHORT_READ", `extension count ${n} exceeds the ${r.remaining} bytes left`);
    }
    const out: Array<{ name: string; value: Uint8Array }> = [];
    for (let i = 0; i < n; i++) out.push({ name: r.utf8(), value: r.string() });
    return out;
  },
  write: (w, v) => {
    w.uint32(v.length);
    for (const e of v) w.utf8(e.name).string(e.value);
  },
};

/** A UTF-8 string field that must hold exactly `value` (discriminates second-level schemas). */
export function literal<const S extends string>(value: S): Codec<S> {
  return {
    kind: "literal",
    value,
    read: (r) => {
      const got = r.utf8();
      if (got !== value) {
        throw new WireError("ERR_WIRE_BAD_LITERAL", `expected ${JSON.stringify(value)}, got ${JSON.stringify(got)}`);
      }
      return value;
    },
    write: (w, v) => {
      w.utf8(v);
    },
  };
}

/** A boolean field that must hold exactly `value` (e.g. the publickey `has signature` flag). */
export function literalBoolean<const B extends boolean>(value: B): Codec<B> {
  return {
    kind: "literalBoolean",
    value,
    read: (r) => {
      const got = r.boolean();
      if (got !== value) throw new WireError("ERR_WIRE_BAD_LITERAL", `expected boolean ${value}, got ${got}`);
      return value;
    },
    write: (w, v) => {
      w.boolean(v);
    },
  };
}

export type Fields = Record<string, Codec<unknown>>;
export type FieldValues<F extends Fields> = { [K in keyof F]: F[K] extends Codec<infer T> ? T : never };

export interface MessageSchema<F extends Fields = Fields> {
  readonly number: number;
  /** The RFC name, e.g. "SSH_MSG_CHANNEL_OPEN". */
  readonly name: string;
  /** For second-level schemas: the value of the discriminating literal (e.g. "tcpip-forward"). */
  readonly variant?: string;
  readonly fields: F;
  encode(v: FieldValues<F>): Uint8Array;
  decode(payload: Uint8Array): FieldValues<F>;
}

export type Infer<S> = S extends MessageSchema<infer F> ? FieldValues<F> : never;

/** Declare a message: number, RFC name and its fields in wire order. */
export function msg<const F extends Fields>(number: number, name: string, fields: F): MessageSchema<F> {
  const entries = Object.entries(fields);
  entries.forEach(([key, c], i) => {
    if (c.kind === "rest" && i !== entries.length - 1) throw new Error(`${name}.${key}: rest must be last`);
  });
  const variant = entries.find(([, c]) => c.kind === "literal")?.[1].value as string | undefined;
  return {
    number,
    name,
    ...(variant === undefined ? {} : { variant }),
    fields,
    encode(v) {
      const w = new SshWriter(64);
      w.byte(number);
      for (const [key, c] of entries) c.write(w, (v as Record<string, unknown>)[key]);
      return w.finish();
    },
    decode(payload) {
      const r = new SshReader(payload);
      const n = r.byte();
      if (n !== number) throw new WireError("ERR_WIRE_WRONG_MESSAGE", `expected ${name} (${number}), got message ${n}`);
      const out: Record<string, unknown> = {};
      for (const [key, c] of entries) {
        try {
          out[key] = c.read(r);
        } catch (e) {
          if (e instanceof WireError) throw new WireError(e.code, `${name}.${key}: ${e.message}`, { cause: e });
          throw e;
        }
      }
      r.expectEnd(name);
      return out as FieldValues<F>;
    },
  };
}
