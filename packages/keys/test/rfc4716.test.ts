/**
 * RFC 4716 public keys, against `ssh-keygen -e` output and a hand-written file with continued
 * headers (test-vectors/keys/rfc4716), and what `ssh-keygen -i` makes of ours.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  formatPublicKey,
  formatRfc4716PublicKey,
  parsePublicKey,
  parsePublicKeyFile,
  parseRfc4716PublicKey,
} from "@purssh/keys";
import { utf8Encode } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import {
  BASE_KEYS,
  fixture,
  keyErrorOf,
  publicLine,
  skipInterop,
  sshKeygen,
  withoutComment,
  withTempDir,
} from "./helpers.js";

describe("RFC 4716 files written by ssh-keygen -e", () => {
  test.each(BASE_KEYS)("$name.pub: the blob of the base key; the quoted Comment header unquoted", ({ name, bits }) => {
    const key = parseRfc4716PublicKey(fixture(`rfc4716/${name}.pub`));
    expect(formatPublicKey({ ...key, comment: "" })).toBe(withoutComment(publicLine(name)));
    expect(key.comment).toMatch(new RegExp(`^${bits}-bit \\w+, converted by .* from OpenSSH$`));
    expect(key.headers.map(([tag]) => tag)).toEqual(["Comment"]);
    expect(key.headers[0]?.[1].startsWith('"')).toBe(true);
  });

  test("RFC 4716 §3.3: headers continued with a backslash, a Subject and a private x- header", () => {
    const key = parseRfc4716PublicKey(fixture("rfc4716/ed25519-continued.pub"));
    expect(key.headers).toEqual([
      ["Subject", "purssh"],
      ["Comment", '"a comment long enough that the writer continued it on the next line"'],
      ["x-purssh-note", "private headers start with x-"],
    ]);
    expect(key.comment).toBe("a comment long enough that the writer continued it on the next line");
    expect(key.blob).toEqual(parsePublicKey(publicLine("ed25519")).blob);
  });

  test("header tags are case-insensitive (§3.3): a lower-case comment: header is the comment", () => {
    const text = fixture("rfc4716/ed25519.pub").replace("Comment:", "comment:");
    expect(parseRfc4716PublicKey(text).comment).toMatch(/converted by/);
  });

  test("parsePublicKeyFile recognises the format; CRLF line ends are fine", () => {
    const key = parsePublicKeyFile(fixture("rfc4716/rsa-2048.pub").replace(/\n/g, "\r\n"));
    expect(key.blob).toEqual(parsePublicKey(publicLine("rsa-2048")).blob);
  });
});

describe("formatRfc4716PublicKey", () => {
  test("the same layout as ssh-keygen -e: quoted comment, body at 70 columns", () => {
    const text = fixture("rfc4716/ecdsa-p384.pub");
    const key = parseRfc4716PublicKey(text);
    expect(formatRfc4716PublicKey(key)).toBe(text);
  });

  test("§3: lines stay within 72 bytes; long and multi-byte values are continued and read back", () => {
    const comment = `${"ünïcödé ✓ ".repeat(20)}end`;
    const key = { ...parsePublicKey(publicLine("ed25519")), comment };
    const text = formatRfc4716PublicKey(key, { headers: [["Subject", "purssh"]] });
    for (const line of text.split("\n")) expect(utf8Encode(line).length).toBeLessThanOrEqual(72);
    const back = parseRfc4716PublicKey(text);
    expect(back.comment).toBe(comment);
    expect(back.headers[0]).toEqual(["Subject", "purssh"]);
  });

  test("no comment, no Comment header; invalid tags and values are refused", () => {
    const key = parsePublicKey(publicLine("ed25519"));
    expect(formatRfc4716PublicKey({ ...key, comment: "" })).not.toContain("Comment:");
    for (const header of [
      ["Bad:Tag", "v"],
      ["a".repeat(65), "v"],
      ["Subject", "x".repeat(1025)],
      ["Subject", "two\nlines"],
    ] as const) {
      expect(keyErrorOf(() => formatRfc4716PublicKey(key, { headers: [header] })).code).toBe(
        "ERR_KEY_INVALID_ARGUMENT",
      );
    }
  });
});

describe("RFC 4716 errors", () => {
  const good = () => fixture("rfc4716/ed25519.pub");

  test("a missing end marker or body is ERR_KEY_TRUNCATED; a wrong begin marker or trailing text ERR_KEY_PARSE", () => {
    expect(keyErrorOf(() => parseRfc4716PublicKey(good().replace(/---- END.*\n/, ""))).code).toBe("ERR_KEY_TRUNCATED");
    expect(keyErrorOf(() => parseRfc4716PublicKey(good().replace("SSH2 PUBLIC", "SSH2 PRIVATE"))).code).toBe(
      "ERR_KEY_PARSE",
    );
    expect(keyErrorOf(() => parseRfc4716PublicKey(`${good()}more\n`)).code).toBe("ERR_KEY_PARSE");
    const noBody = "---- BEGIN SSH2 PUBLIC KEY ----\nComment: x\n---- END SSH2 PUBLIC KEY ----\n";
    expect(keyErrorOf(() => parseRfc4716PublicKey(noBody)).code).toBe("ERR_KEY_TRUNCATED");
  });

  test("§3.3: a tag over 64 bytes or a value over 1,024 bytes is rejected; a dangling continuation is truncated", () => {
    const withHeader = (h: string) => good().replace("Comment:", `${h}\nComment:`);
    expect(keyErrorOf(() => parseRfc4716PublicKey(withHeader(`${"x".repeat(65)}: v`))).code).toBe("ERR_KEY_PARSE");
    expect(keyErrorOf(() => parseRfc4716PublicKey(withHeader(`x-long: ${"v".repeat(1025)}`))).code).toBe(
      "ERR_KEY_PARSE",
    );
    const dangling = "---- BEGIN SSH2 PUBLIC KEY ----\nComment: a\\";
    expect(keyErrorOf(() => parseRfc4716PublicKey(dangling)).code).toBe("ERR_KEY_TRUNCATED");
  });
});

describe.skipIf(skipInterop)("ssh-keygen -i reads what we write", () => {
  test.each(BASE_KEYS)("ssh-keygen -i -f <our RFC 4716 $name key> prints the OpenSSH key", ({ name }) => {
    withTempDir((dir) => {
      const key = parsePublicKey(publicLine(name));
      const path = join(dir, "key.pub");
      writeFileSync(path, formatRfc4716PublicKey({ ...key, comment: `${"long comment ".repeat(8)}${name}` }));
      const out = sshKeygen(["-i", "-f", path]);
      expect(out.status, out.stderr).toBe(0);
      expect(withoutComment(out.stdout)).toBe(withoutComment(publicLine(name)));
    });
  });
});
