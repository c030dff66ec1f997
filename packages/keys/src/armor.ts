/**
 * Text armor of key files: `-----BEGIN <label>-----`, base64 body (RFC 4648 §4) wrapped at any
 * width, `-----END <label>-----` (the RFC 7468 layout, also used by OpenSSH's PROTOCOL.key files,
 * which it wraps at 70 columns). Callers that expect them (OpenSSL's legacy encrypted PEM) may
 * allow RFC 1421 §4.6 headers: `Name: value` lines right after BEGIN, ended by an empty line,
 * e.g. `Proc-Type: 4,ENCRYPTED` and `DEK-Info: AES-128-CBC,<hex IV>`.
 * @module
 */
import { fromBase64, toBase64 } from "@purssh/wire";
import { KEY_ERROR, KeyError } from "./errors.js";

export interface Armored {
  /** The label between "BEGIN " and the closing dashes, e.g. "OPENSSH PRIVATE KEY". */
  readonly label: string;
  readonly body: Uint8Array;
  /** RFC 1421 headers by name as written (only when allowed; empty otherwise). */
  readonly headers: ReadonlyMap<string, string>;
}

const HEADER_LINE = /^([A-Za-z0-9][A-Za-z0-9-]*):[ \t]*(.*)$/;

const BEGIN_PREFIX = "-----BEGIN ";
const BEGIN_LINE = /^-----BEGIN ([\x21-\x2c\x2e-\x7e](?:[\x20-\x2c\x2e-\x7e]*[\x21-\x2c\x2e-\x7e])?)-----$/;

/**
 * Decodes an armored block. `what` names the expected content in error messages. Text before the
 * BEGIN line or after the END line (other than whitespace) is rejected; a missing END line is
 * ERR_KEY_TRUNCATED.
 */
export function decodeArmor(text: string, what: string, options: { allowHeaders?: boolean } = {}): Armored {
  const lines = text.split(/\r\n|\n|\r/).map((l) => l.trim());
  let i = 0;
  while (i < lines.length && lines[i] === "") i++;
  const first = lines[i];
  if (first === undefined) throw new KeyError(KEY_ERROR.PARSE, `${what}: the input is empty`);
  const begin = BEGIN_LINE.exec(first);
  const label = begin?.[1];
  if (label === undefined) {
    const isLast = lines.slice(i + 1).every((l) => l === "");
    if (isLast && (BEGIN_PREFIX.startsWith(first) || first.startsWith(BEGIN_PREFIX))) {
      throw new KeyError(KEY_ERROR.TRUNCATED, `${what} is truncated inside its -----BEGIN line`);
    }
    throw new KeyError(KEY_ERROR.PARSE, `${what} does not start with a -----BEGIN …----- line`);
  }
  const endLine = `-----END ${label}-----`;
  const end = lines.indexOf(endLine, i + 1);
  if (end < 0) {
    const other = lines.slice(i + 1).find((l) => l.startsWith("-----END ") && l.endsWith("-----"));
    if (other !== undefined) {
      throw new KeyError(KEY_ERROR.PARSE, `${what}: "${first}" is closed by a different "${other}" line`);
    }
    throw new KeyError(KEY_ERROR.TRUNCATED, `${what} is truncated: the "${endLine}" line is missing`);
  }
  if (lines.slice(end + 1).some((l) => l !== "")) {
    throw new KeyError(KEY_ERROR.PARSE, `${what} has unexpected text after its "${endLine}" line`);
  }
  let bodyStart = i + 1;
  const headers = new Map<string, string>();
  if (options.allowHeaders && HEADER_LINE.test(lines[bodyStart] ?? "")) {
    for (; bodyStart < end && lines[bodyStart] !== ""; bodyStart++) {
      const m = HEADER_LINE.exec(lines[bodyStart] ?? "");
      if (m === null) {
        throw new KeyError(KEY_ERROR.PARSE, `${what}: the header block must end with an empty line (RFC 1421 §4.4)`);
      }
      headers.set(m[1] as string, m[2] as string);
    }
  }
  const base64 = lines
    .slice(bodyStart, end)
    .join("")
    .replace(/[ \t]+/g, "");
  let body: Uint8Array;
  try {
    body = fromBase64(base64);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new KeyError(KEY_ERROR.PARSE, `${what}: the body between BEGIN and END is not valid base64: ${detail}`, {
      cause,
    });
  }
  return { label, body, headers };
}

/** Armors `body` under `label`, base64 wrapped at `width` columns, with a final line end. */
export function encodeArmor(label: string, body: Uint8Array, width = 70): string {
  const b64 = toBase64(body);
  const lines: string[] = [`-----BEGIN ${label}-----`];
  for (let o = 0; o < b64.length; o += width) lines.push(b64.slice(o, o + width));
  lines.push(`-----END ${label}-----`, "");
  return lines.join("\n");
}
