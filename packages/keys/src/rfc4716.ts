/**
 * The SSH public key file format of RFC 4716 (what `ssh-keygen -e` writes and `-i` reads):
 *
 *   ---- BEGIN SSH2 PUBLIC KEY ----                    §3.2 begin marker
 *   Comment: "2048-bit RSA, converted by …"           §3.3 headers: tag ":" " " value; a line
 *   x-private-header: value that goes on \\            ending in "\" continues on the next one
 *   and continues here                                 (§3.3); tags are case-insensitive
 *   AAAAB3NzaC1yc2EAAAADAQABAAABAQ…                    §3.4 base64 key blob
 *   ---- END SSH2 PUBLIC KEY ----                      §3.2 end marker
 *
 * Lines are at most 72 bytes (§3), tags at most 64 bytes and values at most 1,024 bytes (§3.3).
 * The Comment header maps to the key's comment (surrounding double quotes removed, §3.3.2); other
 * headers are returned as they are, and unknown ones are otherwise ignored as §3.3 requires.
 * @module
 */
import { fromBase64, toBase64, utf8Encode } from "@purssh/wire";
import { decoding, KEY_ERROR, KeyError } from "./errors.js";
import { type PublicKey, parsePublicKeyBlob } from "./public-key.js";

export const RFC4716_BEGIN = "---- BEGIN SSH2 PUBLIC KEY ----";
export const RFC4716_END = "---- END SSH2 PUBLIC KEY ----";
const MAX_LINE_BYTES = 72;
const MAX_TAG_BYTES = 64;
const MAX_VALUE_BYTES = 1024;
/** ssh-keygen wraps the body at 70 columns. */
const BODY_WIDTH = 70;
const WHAT = "RFC 4716 public key";

/** An RFC 4716 key: the public key (comment from the Comment header) and all headers in order. */
export interface Rfc4716PublicKey extends PublicKey {
  readonly headers: ReadonlyArray<readonly [tag: string, value: string]>;
}

function byteLength(s: string): number {
  return utf8Encode(s).length;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/** Parses an RFC 4716 public key file. */
export function parseRfc4716PublicKey(text: string): Rfc4716PublicKey {
  const lines = text.split(/\r\n|\r|\n/);
  let i = 0;
  while (i < lines.length && (lines[i] as string).trim() === "") i++;
  if (lines[i]?.trim() !== RFC4716_BEGIN) {
    throw new KeyError(KEY_ERROR.PARSE, `${WHAT} must start with "${RFC4716_BEGIN}" (RFC 4716 §3.2)`);
  }
  i++;
  const headers: Array<readonly [string, string]> = [];
  // §3.3: a header line contains ':'; body lines are base64 and never do.
  while (i < lines.length && (lines[i] as string).includes(":")) {
    let line = lines[i++] as string;
    while (line.endsWith("\\")) {
      const next = lines[i++];
      if (next === undefined) throw new KeyError(KEY_ERROR.TRUNCATED, `${WHAT} is truncated inside a continued header`);
      line = line.slice(0, -1) + next;
    }
    const colon = line.indexOf(":");
    const tag = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^ /, "");
    if (tag === "" || !/^[\x21-\x39\x3b-\x7e]+$/.test(tag) || byteLength(tag) > MAX_TAG_BYTES) {
      throw new KeyError(
        KEY_ERROR.PARSE,
        `${WHAT}: header tag ${JSON.stringify(tag.slice(0, 70))} is invalid (RFC 4716 §3.3)`,
      );
    }
    if (byteLength(value) > MAX_VALUE_BYTES) {
      throw new KeyError(KEY_ERROR.PARSE, `${WHAT}: the ${tag} header value is longer than ${MAX_VALUE_BYTES} bytes`);
    }
    headers.push([tag, value]);
  }
  const end = lines.findIndex((l, k) => k >= i && l.trim() === RFC4716_END);
  if (end < 0) throw new KeyError(KEY_ERROR.TRUNCATED, `${WHAT} is truncated: "${RFC4716_END}" is missing`);
  if (lines.slice(end + 1).some((l) => l.trim() !== "")) {
    throw new KeyError(KEY_ERROR.PARSE, `${WHAT} has text after its end marker`);
  }
  const base64 = lines
    .slice(i, end)
    .map((l) => l.trim())
    .join("");
  if (base64 === "") throw new KeyError(KEY_ERROR.TRUNCATED, `${WHAT} has no key body`);
  const blob = decoding(`${WHAT} body`, () => fromBase64(base64));
  const comment = headers.find(([tag]) => tag.toLowerCase() === "comment")?.[1];
  const key = parsePublicKeyBlob(blob, comment === undefined ? "" : unquote(comment).replace(/[\r\n]/g, " "));
  return { ...key, headers };
}

/** Splits `tag: value` into lines of at most 72 bytes, each but the last ending in "\". */
function headerLines(tag: string, value: string): string[] {
  const out: string[] = [];
  let line = `${tag}: `;
  for (const ch of value) {
    if (byteLength(line + ch) > MAX_LINE_BYTES - 1) {
      out.push(`${line}\\`);
      line = "";
    }
    line += ch;
  }
  out.push(line);
  return out;
}

export interface FormatRfc4716Options {
  /** Headers to write before the Comment header, e.g. [["Subject", "user"]]. */
  readonly headers?: ReadonlyArray<readonly [tag: string, value: string]>;
}

/**
 * Writes `key` in RFC 4716 form with a line end after the end marker: the comment (if any) as a
 * quoted Comment header like ssh-keygen, long headers continued with "\", the blob wrapped at
 * 70 columns.
 */
export function formatRfc4716PublicKey(key: PublicKey, options: FormatRfc4716Options = {}): string {
  const lines = [RFC4716_BEGIN];
  const headers = [...(options.headers ?? [])];
  if (key.comment !== "") headers.push(["Comment", `"${key.comment}"`]);
  for (const [tag, value] of headers) {
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(tag) || byteLength(tag) > MAX_TAG_BYTES) {
      throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, `RFC 4716 header tag ${JSON.stringify(tag)} is invalid (§3.3)`);
    }
    if (byteLength(value) > MAX_VALUE_BYTES || /[\r\n]/.test(value)) {
      throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, `RFC 4716 ${tag} header value is too long or has a line break`);
    }
    lines.push(...headerLines(tag, value));
  }
  const b64 = toBase64(key.blob);
  for (let o = 0; o < b64.length; o += BODY_WIDTH) lines.push(b64.slice(o, o + BODY_WIDTH));
  lines.push(RFC4716_END, "");
  return lines.join("\n");
}
