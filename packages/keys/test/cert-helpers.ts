/**
 * Test helpers for OpenSSH certificates (PROTOCOL.certkeys): the fixtures of
 * test-vectors/keys/certs (see its README), `ssh-keygen -L` as a formatter over our parsed fields,
 * and a raw certificate encoder for malformed and hand-made certificates.
 * @module
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import {
  type Certificate,
  fingerprintSha256,
  type PrivateKey,
  type PublicKey,
  parsePrivateKey,
  parsePublicKey,
} from "@purssh/keys";
import { SshWriter, toHex } from "@purssh/wire";
import { fixture, VECTORS } from "./helpers.js";

export const CERTS = join(VECTORS, "certs");

/** `certs/NAME` as text. */
export function certFixture(name: string): string {
  return fixture(`certs/${name}`);
}

/** Every `*-cert.pub` under certs/ and certs/openssh-regress/, as paths relative to certs/. */
export function certFiles(): string[] {
  const top = readdirSync(CERTS).filter((f) => f.endsWith("-cert.pub"));
  const regress = readdirSync(join(CERTS, "openssh-regress"))
    .filter((f) => f.endsWith("-cert.pub"))
    .map((f) => `openssh-regress/${f}`);
  return [...top, ...regress].sort();
}

export const CA_NAMES = ["ed25519", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521", "rsa"] as const;
export const SUBJECT_NAMES = [
  "ed25519",
  "ecdsa-p256",
  "ecdsa-p384",
  "ecdsa-p521",
  "rsa",
  "sk-ed25519",
  "sk-ecdsa",
] as const;

export function caPrivateKey(name: (typeof CA_NAMES)[number]): PrivateKey {
  return parsePrivateKey(certFixture(`ca-${name}`));
}

export function caPublicKey(name: (typeof CA_NAMES)[number]): PublicKey {
  return parsePublicKey(certFixture(`ca-${name}.pub`));
}

export function subjectPublicKey(name: (typeof SUBJECT_NAMES)[number]): PublicKey {
  return parsePublicKey(certFixture(`subject-${name}.pub`));
}

/** sshkey_type(): the short type names ssh-keygen prints. */
const SHORT_TYPE: Readonly<Record<string, string>> = {
  "ssh-ed25519": "ED25519",
  "ecdsa-sha2-nistp256": "ECDSA",
  "ecdsa-sha2-nistp384": "ECDSA",
  "ecdsa-sha2-nistp521": "ECDSA",
  "ssh-rsa": "RSA",
  "sk-ssh-ed25519@openssh.com": "ED25519-SK",
  "sk-ecdsa-sha2-nistp256@openssh.com": "ECDSA-SK",
};

/** OpenSSH format_absolute_time in UTC (the fixtures are listed with TZ=UTC). */
function time(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
}

function validity(cert: Certificate): string {
  const forever = 0xffffffffffffffffn;
  if (cert.validAfter === 0n && cert.validBefore === forever) return "forever";
  if (cert.validAfter === 0n) return `before ${time(cert.validBefore)}`;
  if (cert.validBefore === forever) return `after ${time(cert.validAfter)}`;
  return `from ${time(cert.validAfter)} to ${time(cert.validBefore)}`;
}

const FLAG_EXTENSIONS = new Set([
  "permit-X11-forwarding",
  "permit-agent-forwarding",
  "permit-port-forwarding",
  "permit-pty",
  "permit-user-rc",
  "no-touch-required",
]);

/** OpenSSH 9.2 ssh-keygen.c show_options. */
function options(list: Certificate["criticalOptions"], critical: boolean): string {
  if (list.length === 0) return "(none)\n";
  let out = "\n";
  for (const o of list) {
    out += `                ${o.name}`;
    if (!critical && FLAG_EXTENSIONS.has(o.name)) out += "\n";
    else if (critical && (o.name === "force-command" || o.name === "source-address")) out += ` ${o.value}\n`;
    else if (critical && o.name === "verify-required") out += "\n";
    else if (o.data.length > 0) out += ` UNKNOWN OPTION: ${toHex(o.data)} (len ${o.data.length})\n`;
    else out += " UNKNOWN FLAG OPTION\n";
  }
  return out;
}

/** What `TZ=UTC ssh-keygen -L -f path` prints for `cert` (OpenSSH 9.2 print_cert), from our fields. */
export function describeCertificate(cert: Certificate, path: string): string {
  const principals =
    cert.principals.length === 0 ? "(none)\n" : `${cert.principals.map((p) => `\n                ${p}`).join("")}\n`;
  return (
    `${path}:\n` +
    `        Type: ${cert.type} ${cert.certificateType} certificate\n` +
    `        Public key: ${SHORT_TYPE[cert.publicKey.type]}-CERT ${fingerprintSha256(cert.publicKey.blob)}\n` +
    `        Signing CA: ${SHORT_TYPE[cert.signatureKey.type]} ${fingerprintSha256(cert.signatureKey.blob)} (using ${cert.signatureAlgorithm})\n` +
    `        Key ID: "${cert.keyId}"\n` +
    `        Serial: ${cert.serial}\n` +
    `        Valid: ${validity(cert)}\n` +
    `        Principals: ${principals}` +
    `        Critical Options: ${options(cert.criticalOptions, true)}` +
    `        Extensions: ${options(cert.extensions, false)}`
  );
}

/** A copy of `bytes` with `mask` XORed into the byte at `index` (negative: from the end). */
export function flipped(bytes: Uint8Array, index: number, mask = 1): Uint8Array {
  const out = bytes.slice();
  const i = index < 0 ? out.length + index : index;
  out[i] = (out[i] ?? 0) ^ mask;
  return out;
}

/** Raw certificate fields for `encodeCertificate`; everything is written as given, unchecked. */
export interface RawCertificate {
  type: string;
  nonce: Uint8Array;
  keyFields: Uint8Array;
  serial: bigint;
  certType: number;
  keyId: string;
  principals: Uint8Array;
  validAfter: bigint;
  validBefore: bigint;
  critical: Uint8Array;
  extensions: Uint8Array;
  reserved: Uint8Array;
  signatureKey: Uint8Array;
}

/** `string name ‖ string data` pairs, in the order given. */
export function optionBytes(pairs: readonly [string, Uint8Array][]): Uint8Array {
  const w = new SshWriter();
  for (const [name, data] of pairs) w.utf8(name).string(data);
  return w.finish();
}

/** The principals field: strings packed in a string body. */
export function principalBytes(names: readonly string[]): Uint8Array {
  const w = new SshWriter();
  for (const n of names) w.utf8(n);
  return w.finish();
}

/** The raw fields of a parsed certificate (to change one and re-sign). */
export function rawOf(cert: Certificate): RawCertificate {
  const keyBlob = cert.publicKey.blob;
  const typeLength = new DataView(keyBlob.buffer, keyBlob.byteOffset).getUint32(0);
  return {
    type: cert.type,
    nonce: cert.nonce,
    keyFields: keyBlob.subarray(4 + typeLength),
    serial: cert.serial,
    certType: cert.certificateType === "user" ? 1 : 2,
    keyId: cert.keyId,
    principals: principalBytes(cert.principals),
    validAfter: cert.validAfter,
    validBefore: cert.validBefore,
    critical: optionBytes(cert.criticalOptions.map((o) => [o.name, o.data])),
    extensions: optionBytes(cert.extensions.map((o) => [o.name, o.data])),
    reserved: cert.reserved,
    signatureKey: cert.signatureKey.blob,
  };
}

/** Encodes and signs raw fields with `ca` (the signature key field is written as given). */
export function encodeCertificate(raw: RawCertificate, ca: PrivateKey, algorithm?: string): Uint8Array {
  const body = new SshWriter()
    .utf8(raw.type)
    .string(raw.nonce)
    .raw(raw.keyFields)
    .uint64(raw.serial)
    .uint32(raw.certType)
    .utf8(raw.keyId)
    .string(raw.principals)
    .uint64(raw.validAfter)
    .uint64(raw.validBefore)
    .string(raw.critical)
    .string(raw.extensions)
    .string(raw.reserved)
    .string(raw.signatureKey)
    .finish();
  return new SshWriter().raw(body).string(ca.sign(body, algorithm)).finish();
}
