/**
 * Protocol version exchange, RFC 4253 §4.2: the peer may send text lines before its
 * `SSH-protoversion-softwareversion SP comments CR LF` line; we accept 2.0 and 1.99.
 * @module
 */
import { DISCONNECT, ProtocolError, utf8Decode, WireError } from "@purssh/wire";
import { MAX_BANNER_LINE_LENGTH, MAX_BANNER_LINES, MAX_VERSION_LINE_LENGTH } from "./limits.js";

export interface VersionResult {
  /** The identification string without CR LF, e.g. "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3". */
  version: string;
  /** Lines the peer sent before it (RFC 4253 §4.2 allows them from servers). */
  bannerLines: string[];
  /** Bytes after the version line: the start of the binary packet stream. */
  rest: Uint8Array;
}

/** Accumulates bytes until the peer's version line is complete. */
export class VersionExchange {
  private buf = new Uint8Array(0);
  readonly bannerLines: string[] = [];

  constructor(private readonly allowBannerLines: boolean) {}

  /** Feeds bytes; returns the result once the version line is complete. */
  feed(bytes: Uint8Array): VersionResult | undefined {
    const merged = new Uint8Array(this.buf.length + bytes.length);
    merged.set(this.buf);
    merged.set(bytes, this.buf.length);
    this.buf = merged;
    for (;;) {
      const nl = this.buf.indexOf(0x0a);
      const isVersion = startsWithSsh(this.buf);
      const limit = isVersion ? MAX_VERSION_LINE_LENGTH : MAX_BANNER_LINE_LENGTH;
      if (nl < 0) {
        if (this.buf.length > limit) throw this.tooLong(isVersion);
        return undefined;
      }
      if (nl + 1 > limit) throw this.tooLong(isVersion);
      let end = nl;
      if (end > 0 && this.buf[end - 1] === 0x0d) end--;
      const lineBytes = this.buf.subarray(0, end);
      const rest = this.buf.subarray(nl + 1);
      if (isVersion) {
        const version = decodeLine(lineBytes);
        checkVersion(version);
        return { version, bannerLines: this.bannerLines, rest: rest.slice() };
      }
      if (!this.allowBannerLines) {
        throw new ProtocolError(
          "ERR_VERSION_BAD_LINE",
          `expected an SSH identification line, got ${describe(lineBytes)}`,
          DISCONNECT.PROTOCOL_VERSION_NOT_SUPPORTED,
        );
      }
      if (lineBytes.includes(0)) {
        throw new ProtocolError(
          "ERR_VERSION_GARBAGE",
          `peer sent binary data instead of an SSH identification line: ${describe(lineBytes)}`,
          DISCONNECT.PROTOCOL_ERROR,
        );
      }
      this.bannerLines.push(decodeLine(lineBytes));
      if (this.bannerLines.length > MAX_BANNER_LINES) {
        throw new ProtocolError(
          "ERR_VERSION_TOO_MANY_LINES",
          `peer sent more than ${MAX_BANNER_LINES} lines without an SSH identification line; first: ${JSON.stringify(this.bannerLines[0])}`,
          DISCONNECT.PROTOCOL_ERROR,
        );
      }
      this.buf = rest.slice();
    }
  }

  /** What the peer sent so far, for error messages when the connection ends mid-exchange. */
  received(): string {
    const lines = [...this.bannerLines];
    if (this.buf.length > 0) lines.push(describe(this.buf.subarray(0, 80)));
    return lines.length === 0
      ? "nothing"
      : lines
          .slice(0, 3)
          .map((l) => JSON.stringify(l))
          .join(", ");
  }

  private tooLong(isVersion: boolean): ProtocolError {
    return new ProtocolError(
      isVersion ? "ERR_VERSION_LINE_TOO_LONG" : "ERR_VERSION_GARBAGE",
      isVersion
        ? `identification line longer than ${MAX_VERSION_LINE_LENGTH} bytes`
        : `peer sent ${this.buf.length} bytes without a line break instead of an SSH identification line: ${describe(this.buf.subarray(0, 60))}`,
      DISCONNECT.PROTOCOL_ERROR,
    );
  }
}

function startsWithSsh(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x53 && b[1] === 0x53 && b[2] === 0x48 && b[3] === 0x2d;
}

function decodeLine(b: Uint8Array): string {
  try {
    return utf8Decode(b);
  } catch (e) {
    if (e instanceof WireError) return describe(b);
    throw e;
  }
}

/** A printable rendering of untrusted bytes for error messages. */
function describe(b: Uint8Array): string {
  let s = "";
  for (const c of b.subarray(0, 80))
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, "0")}`;
  return b.length > 80 ? `${s}…` : s;
}

/** RFC 4253 §4.2 / §5.1: only protocol 2.0 (and 1.99, which means 2.0-compatible) is spoken. */
function checkVersion(version: string): void {
  const m = /^SSH-([^-]+)-(\S+)/.exec(version);
  if (!m) {
    throw new ProtocolError(
      "ERR_VERSION_MALFORMED",
      `malformed identification line ${JSON.stringify(version)}`,
      DISCONNECT.PROTOCOL_ERROR,
    );
  }
  if (m[1] !== "2.0" && m[1] !== "1.99") {
    throw new ProtocolError(
      "ERR_VERSION_UNSUPPORTED",
      `peer speaks SSH protocol ${m[1]} (${JSON.stringify(version)}); only 2.0 is supported`,
      DISCONNECT.PROTOCOL_VERSION_NOT_SUPPORTED,
    );
  }
  for (let i = 0; i < version.length; i++) {
    const c = version.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) {
      throw new ProtocolError(
        "ERR_VERSION_MALFORMED",
        "identification line has non-printable characters",
        DISCONNECT.PROTOCOL_ERROR,
      );
    }
  }
}
