/**
 * Builds OpenSSH private key files (PROTOCOL.key) field by field, so tests can produce files that
 * are wrong in exactly one place. Independent of the writer under test.
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { SshReader, SshWriter, toBase64, utf8Encode } from "@purssh/wire";

export interface KeyFileFields {
  magic: Uint8Array;
  cipherName: string;
  kdfName: string;
  kdfOptions: Uint8Array;
  n: number;
  publicKeyBlob: Uint8Array;
  check1: number;
  check2: number;
  type: string;
  pk: Uint8Array;
  sk: Uint8Array;
  comment: Uint8Array;
  /** undefined: 1, 2, 3, … up to a multiple of 8 */
  padding?: Uint8Array;
  /** bytes after the private list string (outer trailing garbage) */
  trailing: Uint8Array;
}

export function ed25519Fields(seed: Uint8Array, comment = "test"): KeyFileFields {
  const pk = ed25519.getPublicKey(seed);
  const sk = new Uint8Array(64);
  sk.set(seed);
  sk.set(pk, 32);
  return {
    magic: utf8Encode("openssh-key-v1\0"),
    cipherName: "none",
    kdfName: "none",
    kdfOptions: new Uint8Array(0),
    n: 1,
    publicKeyBlob: new SshWriter().utf8("ssh-ed25519").string(pk).finish(),
    check1: 0x01020304,
    check2: 0x01020304,
    type: "ssh-ed25519",
    pk,
    sk,
    comment: utf8Encode(comment),
    trailing: new Uint8Array(0),
  };
}

export function privateList(f: KeyFileFields): Uint8Array {
  const w = new SshWriter().uint32(f.check1).uint32(f.check2).utf8(f.type).string(f.pk).string(f.sk).string(f.comment);
  if (f.padding) w.raw(f.padding);
  else for (let i = 1; w.length % 8 !== 0; i++) w.byte(i);
  return w.finish();
}

export function keyFileBody(f: KeyFileFields): Uint8Array {
  return new SshWriter()
    .raw(f.magic)
    .utf8(f.cipherName)
    .utf8(f.kdfName)
    .string(f.kdfOptions)
    .uint32(f.n)
    .string(f.publicKeyBlob)
    .string(privateList(f))
    .raw(f.trailing)
    .finish();
}

export function armor(body: Uint8Array, width = 70, label = "OPENSSH PRIVATE KEY"): string {
  const b64 = toBase64(body);
  const lines = [`-----BEGIN ${label}-----`];
  for (let i = 0; i < b64.length; i += width) lines.push(b64.slice(i, i + width));
  lines.push(`-----END ${label}-----`, "");
  return lines.join("\n");
}

export function keyFile(f: KeyFileFields): string {
  return armor(keyFileBody(f));
}

/** The body of an armored file (any width), decoded. */
export function dearmorForTest(text: string): Uint8Array {
  const b64 = text
    .split(/\r?\n/)
    .filter((l) => l !== "" && !l.startsWith("-----"))
    .join("");
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

/** The checkint of an unencrypted key file (first uint32 of the private list). */
export function checkintOf(text: string): number {
  const r = new SshReader(dearmorForTest(text), 15);
  r.string();
  r.string();
  r.string();
  r.uint32();
  r.string();
  return new SshReader(r.string()).uint32();
}
