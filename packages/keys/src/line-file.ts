/**
 * The line discipline shared by OpenSSH's known_hosts and authorized_keys files (sshd(8)): one
 * entry per line, CR LF tolerated, blank lines and `#` comments skipped, and a malformed line
 * reported with its number instead of failing the whole file.
 * @module
 */
import { KeyError, type KeyErrorCode } from "./errors.js";

/** A line that could not be parsed, with why. */
export interface LineError {
  readonly line: number;
  readonly code: KeyErrorCode;
  readonly message: string;
  readonly text: string;
}

/** Parses every entry line with `parseLine`; KeyErrors become per-line errors, others propagate. */
export function parseLineFile<E>(
  text: string,
  parseLine: (lineText: string, lineNumber: number) => E,
): { entries: E[]; errors: LineError[]; lineCount: number } {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const entries: E[] = [];
  const errors: LineError[] = [];
  lines.forEach((raw, i) => {
    const lineText = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const trimmed = lineText.replace(/^[ \t]+/, "");
    if (trimmed === "" || trimmed.startsWith("#")) return;
    try {
      entries.push(parseLine(lineText, i + 1));
    } catch (e) {
      if (!(e instanceof KeyError)) throw e;
      errors.push(Object.freeze({ line: i + 1, code: e.code, message: e.message, text: lineText }));
    }
  });
  return { entries, errors, lineCount: lines.length };
}
