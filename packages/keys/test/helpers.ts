/**
 * Test helpers for @purssh/keys: fixture files from test-vectors/keys (see its README for
 * provenance) and a wrapper around the real `ssh-keygen` for interop checks.
 * @module
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const VECTORS = fileURLToPath(new URL("../../../test-vectors/keys/", import.meta.url));

export function fixture(name: string): string {
  return readFileSync(join(VECTORS, name), "utf8");
}

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(VECTORS, name)));
}

/** The passphrase of every encrypted fixture made by generate-formats.sh (see the README). */
export const PASSPHRASE = "purssh-test-passphrase";
/** RustCrypto/SSH fixtures: OpenSSH keys use "hunter42", PPK keys "123". */
export const RUSTCRYPTO_PASSPHRASE = "hunter42";
export const RUSTCRYPTO_PPK_PASSPHRASE = "123";
/** OpenSSH regress/unittests/sshkey/mktestdata.sh. */
export const OPENSSH_REGRESS_PASSPHRASE = "mekmitasdigoat";

/** The base keys of generate-formats.sh: each exists in every format under openssh/, pem/, ppk/, rfc4716/. */
export const BASE_KEYS = [
  { name: "ed25519", type: "ssh-ed25519", bits: 256 },
  { name: "ecdsa-p256", type: "ecdsa-sha2-nistp256", bits: 256 },
  { name: "ecdsa-p384", type: "ecdsa-sha2-nistp384", bits: 384 },
  { name: "ecdsa-p521", type: "ecdsa-sha2-nistp521", bits: 521 },
  { name: "rsa-2048", type: "ssh-rsa", bits: 2048 },
] as const;
export type BaseKeyName = (typeof BASE_KEYS)[number]["name"];

/** `ssh-keygen -y` output for a base key (type, blob and comment). */
export function publicLine(name: BaseKeyName): string {
  return fixture(`openssh/${name}.pub`).trim();
}

/** The "type base64" part of a public key line, without the comment. */
export function withoutComment(line: string): string {
  return line.trim().split(/\s+/).slice(0, 2).join(" ");
}

/** Runs `fn` and returns the KeyError it throws (fails the test if it throws nothing or something else). */
export function keyErrorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof Error && e.name === "KeyError" && "code" in e) return e as Error & { code: string };
    throw e;
  }
  throw new Error("expected a KeyError, nothing was thrown");
}

export const ED25519_FIXTURES = ["ed25519-alice", "ed25519-bob", "ed25519-nocomment"] as const;
export const OTHER_TYPE_FIXTURES = [
  { file: "rsa-2048", type: "ssh-rsa" },
  { file: "ecdsa-p256", type: "ecdsa-sha2-nistp256" },
  { file: "ecdsa-p384", type: "ecdsa-sha2-nistp384" },
] as const;

export interface FingerprintRecord {
  file: string;
  sha256: string;
  md5: string;
  sha1: string;
}

export function fingerprintRecords(): FingerprintRecord[] {
  return (JSON.parse(fixture("fingerprints.json")) as { keys: FingerprintRecord[] }).keys;
}

/** The fingerprint field of an `ssh-keygen -l` line: `<bits> <fingerprint> <comment> (<TYPE>)`. */
export function fingerprintField(line: string): string {
  const f = line.split(" ")[1];
  if (f === undefined) throw new Error(`not an ssh-keygen -l line: ${line}`);
  return f;
}

/** `ssh-keygen -?` prints usage and exits 1; only a spawn error means it is not installed. */
export const hasSshKeygen = spawnSync("ssh-keygen", ["-?"]).error === undefined;
/** Under CI the interop tests must run, so a missing ssh-keygen fails them instead of skipping. */
export const skipInterop = !hasSshKeygen && process.env.CI !== "true";

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function sshKeygen(args: readonly string[], input?: string | Uint8Array): Run {
  const r = spawnSync("ssh-keygen", args, { input, encoding: "utf8" });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `fn` with a fresh 0700 temporary directory, removed afterwards. */
export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "purssh-keys-"));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes a private key file with mode 0600 (ssh-keygen refuses group/world-readable keys). */
export function writePrivateKeyFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}
