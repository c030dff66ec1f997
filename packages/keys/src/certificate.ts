/**
 * OpenSSH certificates (PROTOCOL.certkeys, now draft-miller-ssh-cert): parsing the blob and the
 * one-line text form, and minting certificates with a CA key. The blob (RFC 4251 §5 types) is
 *
 *   string  "<type>-cert-v01@openssh.com"   e.g. ssh-ed25519-cert-v01@openssh.com
 *   string  nonce                           CA-chosen random bytes (16 or 32 in practice)
 *   ...     the certified key's fields      as in the plain key blob after its type name
 *   uint64  serial
 *   uint32  type                            SSH_CERT_TYPE_USER 1, SSH_CERT_TYPE_HOST 2
 *   string  key id
 *   string  valid principals                zero or more `string`s packed inside
 *   uint64  valid after, uint64 valid before   seconds since 1970; 2^64-1 is "forever"
 *   string  critical options, string extensions   each a sequence of `string name, string data`,
 *                                           names lexically ordered and unique
 *   string  reserved
 *   string  signature key                   the CA's public key blob (never itself a certificate)
 *   string  signature                       over every preceding byte of the blob
 *
 * Parsing is structural and strict (ordering, uniqueness, types, no trailing bytes); whether a
 * certificate is acceptable — CA signature, validity, principals, critical options — is decided by
 * certificate-verify.ts. Certified key types: ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa and
 * the PROTOCOL.u2f sk-* keys; ssh-dss certificates are not supported.
 * @module
 */
import { concatBytes, SshReader, SshWriter, utf8Decode, utf8Encode } from "@purssh/wire";
import { decoding, KEY_ERROR, KeyError } from "./errors.js";
import { readPublicKeyFields } from "./key-blobs.js";
import type { PrivateKey } from "./private-key.js";
import { isAlgorithmName, type PublicKey, parsePublicKey, parsePublicKeyBlob } from "./public-key.js";

/** PROTOCOL.certkeys SSH_CERT_TYPE_USER / SSH_CERT_TYPE_HOST. */
export const SSH_CERT_TYPE = { user: 1, host: 2 } as const;
export type CertificateType = keyof typeof SSH_CERT_TYPE;

/** "valid before" of a certificate that never expires (ssh-keygen -L prints "forever"). */
export const CERT_VALID_FOREVER = 0xffffffffffffffffn;

/** OpenSSH SSHKEY_CERT_MAX_PRINCIPALS. */
export const MAX_CERT_PRINCIPALS = 256;

/** Certificate key type → the type of the key it certifies. */
export const CERTIFICATE_KEY_TYPES = {
  "ssh-ed25519-cert-v01@openssh.com": "ssh-ed25519",
  "ecdsa-sha2-nistp256-cert-v01@openssh.com": "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384-cert-v01@openssh.com": "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521-cert-v01@openssh.com": "ecdsa-sha2-nistp521",
  "ssh-rsa-cert-v01@openssh.com": "ssh-rsa",
  "sk-ssh-ed25519-cert-v01@openssh.com": "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com": "sk-ecdsa-sha2-nistp256@openssh.com",
} as const;
export type CertificateKeyType = keyof typeof CERTIFICATE_KEY_TYPES;

const CERT_SUFFIX = "-cert-v01@openssh.com";

/**
 * ssh-keygen's default extensions for user certificates (what `ssh-keygen -s` adds unless
 * `-O clear`); host certificates have none.
 */
export const DEFAULT_USER_EXTENSIONS: Readonly<Record<string, true>> = Object.freeze({
  "permit-X11-forwarding": true,
  "permit-agent-forwarding": true,
  "permit-port-forwarding": true,
  "permit-pty": true,
  "permit-user-rc": true,
});

/** One critical option or extension: `string name ‖ string data`. */
export interface CertificateOption {
  readonly name: string;
  /** The raw data field (empty for flags such as permit-pty). */
  readonly data: Uint8Array;
  /**
   * The data decoded as a single UTF-8 `string` when it is exactly one (force-command and
   * source-address are encoded so); undefined otherwise.
   */
  readonly value?: string;
}

/** A parsed certificate. It is a PublicKey too: `type` and `blob` are the certificate's own. */
export interface Certificate extends PublicKey {
  readonly type: CertificateKeyType;
  readonly nonce: Uint8Array;
  /** The certified key, as a plain key blob of its own type (e.g. ssh-ed25519). */
  readonly publicKey: PublicKey;
  readonly serial: bigint;
  readonly certificateType: CertificateType;
  readonly keyId: string;
  /** Users for user certificates, host names (wildcards allowed) for host certificates. */
  readonly principals: readonly string[];
  readonly validAfter: bigint;
  /** Exclusive; CERT_VALID_FOREVER for no expiry. */
  readonly validBefore: bigint;
  readonly criticalOptions: readonly CertificateOption[];
  readonly extensions: readonly CertificateOption[];
  readonly reserved: Uint8Array;
  /** The CA key that signed the certificate. */
  readonly signatureKey: PublicKey;
  /** The algorithm named in the signature, e.g. "rsa-sha2-512". */
  readonly signatureAlgorithm: string;
  /** The signature blob `string algorithm ‖ string signature…` (RFC 4253 §6.6). */
  readonly signature: Uint8Array;
  /** The bytes the signature covers: the blob up to, not including, the signature field. */
  readonly signedData: Uint8Array;
}

/** Whether `name` is an OpenSSH certificate key type (any `*-cert-v01@openssh.com`, supported or not). */
export function isCertificateType(name: string): boolean {
  return name.endsWith(CERT_SUFFIX);
}

/** The certificate type for a plain key type (ssh-ed25519 → ssh-ed25519-cert-v01@openssh.com). */
export function certificateTypeOf(plainType: string): CertificateKeyType | undefined {
  for (const [cert, plain] of Object.entries(CERTIFICATE_KEY_TYPES)) {
    if (plain === plainType) return cert as CertificateKeyType;
  }
  return undefined;
}

function isSupportedCertificateType(name: string): name is CertificateKeyType {
  return Object.hasOwn(CERTIFICATE_KEY_TYPES, name);
}

/** Byte-wise comparison of option names ("lexically ordered", as OpenSSH's strcmp). */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** A `cstring` of OpenSSH: UTF-8 text without NUL bytes. */
function readText(r: SshReader, what: string): string {
  const raw = r.string();
  if (raw.includes(0)) throw new KeyError(KEY_ERROR.PARSE, `certificate ${what} contains a NUL byte`);
  return utf8Decode(raw);
}

/** The single `string` inside `data`, when `data` is exactly one string of UTF-8 text. */
function singleString(data: Uint8Array): string | undefined {
  try {
    const r = new SshReader(data);
    const raw = r.string();
    r.expectEnd();
    return raw.includes(0) ? undefined : utf8Decode(raw);
  } catch {
    return undefined;
  }
}

function readOptions(section: Uint8Array, what: string): CertificateOption[] {
  const r = new SshReader(section);
  const options: CertificateOption[] = [];
  let previous: Uint8Array | undefined;
  while (r.remaining > 0) {
    const nameBytes = r.string();
    const data = r.string().slice();
    if (nameBytes.includes(0)) throw new KeyError(KEY_ERROR.PARSE, `a certificate ${what} name contains a NUL byte`);
    const name = utf8Decode(nameBytes);
    if (previous !== undefined) {
      const order = compareBytes(previous, nameBytes);
      if (order === 0) throw new KeyError(KEY_ERROR.PARSE, `certificate ${what} ${JSON.stringify(name)} appears twice`);
      if (order > 0) {
        throw new KeyError(
          KEY_ERROR.PARSE,
          `certificate ${what} are not lexically ordered: ${JSON.stringify(name)} comes after ${JSON.stringify(utf8Decode(previous))}`,
        );
      }
    }
    previous = nameBytes;
    const value = singleString(data);
    options.push(Object.freeze(value === undefined ? { name, data } : { name, data, value }));
  }
  return options;
}

function readPrincipals(section: Uint8Array): string[] {
  const r = new SshReader(section);
  const principals: string[] = [];
  while (r.remaining > 0) {
    if (principals.length >= MAX_CERT_PRINCIPALS) {
      throw new KeyError(KEY_ERROR.PARSE, `a certificate lists more than ${MAX_CERT_PRINCIPALS} principals`);
    }
    principals.push(readText(r, "principal"));
  }
  return principals;
}

/**
 * Parses a certificate blob (PROTOCOL.certkeys). Throws ERR_KEY_UNSUPPORTED_TYPE for a
 * certificate type not implemented here (ssh-dss) and ERR_KEY_PARSE / ERR_KEY_TRUNCATED for a
 * malformed one: bad certified key, certificate type other than user/host, options out of order
 * or repeated, more than 256 principals, a malformed signature key, trailing bytes. The blob is
 * copied; the signature is not checked (see verifyCertificate).
 */
export function parseCertificateBlob(blob: Uint8Array, comment = ""): Certificate {
  const copy = blob.slice();
  return decoding("certificate blob", () => {
    const r = new SshReader(copy);
    const type = r.utf8();
    if (!isSupportedCertificateType(type)) {
      const code = isCertificateType(type) ? KEY_ERROR.UNSUPPORTED_TYPE : KEY_ERROR.PARSE;
      throw new KeyError(code, `${JSON.stringify(type.slice(0, 80))} is not a supported certificate type`);
    }
    const plainType = CERTIFICATE_KEY_TYPES[type];
    const nonce = r.string().slice();
    const keyStart = r.offset;
    readPublicKeyFields(r, plainType, `${type} certified key`);
    const publicKeyBlob = concatBytes(new SshWriter(32).utf8(plainType).finish(), copy.subarray(keyStart, r.offset));
    const serial = r.uint64();
    const typeNumber = r.uint32();
    const certificateType =
      typeNumber === SSH_CERT_TYPE.user ? "user" : typeNumber === SSH_CERT_TYPE.host ? "host" : undefined;
    if (certificateType === undefined) {
      throw new KeyError(KEY_ERROR.PARSE, `certificate type ${typeNumber} is neither user (1) nor host (2)`);
    }
    const keyId = readText(r, "key id");
    const principals = readPrincipals(r.string());
    const validAfter = r.uint64();
    const validBefore = r.uint64();
    const criticalOptions = readOptions(r.string(), "critical options");
    const extensions = readOptions(r.string(), "extensions");
    const reserved = r.string().slice();
    const signatureKey = parsePublicKeyBlob(r.string());
    const signedData = copy.subarray(0, r.offset);
    const signature = r.string().slice();
    r.expectEnd(`${type} certificate`);
    const sr = new SshReader(signature);
    const signatureAlgorithm = sr.utf8();
    if (!isAlgorithmName(signatureAlgorithm)) {
      throw new KeyError(KEY_ERROR.PARSE, "the certificate signature names an invalid algorithm");
    }
    return Object.freeze({
      type,
      blob: copy,
      comment,
      nonce,
      publicKey: parsePublicKeyBlob(publicKeyBlob),
      serial,
      certificateType,
      keyId,
      principals: Object.freeze(principals),
      validAfter,
      validBefore,
      criticalOptions: Object.freeze(criticalOptions),
      extensions: Object.freeze(extensions),
      reserved,
      signatureKey,
      signatureAlgorithm,
      signature,
      signedData,
    });
  });
}

/**
 * Parses the one-line text form `<type>-cert-v01@openssh.com <base64> [comment]` (a `*-cert.pub`
 * file as ssh-keygen -s writes it). A line holding a plain key is ERR_KEY_PARSE.
 */
export function parseCertificate(text: string): Certificate {
  const key = parsePublicKey(text);
  if (!isCertificateType(key.type)) {
    throw new KeyError(KEY_ERROR.PARSE, `expected a certificate, got a plain ${key.type} key`);
  }
  return parseCertificateBlob(key.blob, key.comment);
}

/** Option values for signCertificate: `true` for a flag, a string for a string-valued option, raw bytes otherwise. */
export type CertificateOptionValues = Readonly<Record<string, true | string | Uint8Array>>;

/** What to certify; see signCertificate. */
export interface CertificateSpec {
  /** The plain key to certify (ssh-ed25519, ecdsa-sha2-nistp*, ssh-rsa or sk-*). */
  readonly key: PublicKey;
  readonly type: CertificateType;
  readonly keyId: string;
  /** User names or host names (host names may use `*` / `?` wildcards). */
  readonly principals: readonly string[];
  /** Seconds since 1970, or a Date (rounded down to the second). */
  readonly validAfter: bigint | Date;
  /** Seconds since 1970 (exclusive), a Date, or CERT_VALID_FOREVER. */
  readonly validBefore: bigint | Date;
  /** e.g. `{ "force-command": "/bin/true", "source-address": "10.0.0.0/8" }`; sorted for you. */
  readonly criticalOptions?: CertificateOptionValues;
  /** e.g. DEFAULT_USER_EXTENSIONS, or `{ "permit-port-forwarding": true }`; sorted for you. */
  readonly extensions?: CertificateOptionValues;
  readonly serial?: bigint;
  /** Defaults to 32 random bytes (crypto.getRandomValues). */
  readonly nonce?: Uint8Array;
  /** Comment of the returned certificate (the text form's third field). */
  readonly comment?: string;
}

/** Seconds since 1970 of a Date (rounded down) or a bigint; an invalid Date is an argument error. @internal */
export function unixSeconds(t: bigint | Date, what: string): bigint {
  if (!(t instanceof Date)) return t;
  const ms = t.getTime();
  if (!Number.isFinite(ms)) throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, `${what} is an invalid Date`);
  return BigInt(Math.floor(ms / 1000));
}

function seconds(t: bigint | Date, what: string): bigint {
  const v = unixSeconds(t, `certificate ${what}`);
  if (v < 0n || v > CERT_VALID_FOREVER) {
    throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, `certificate ${what} ${v} is outside 0…2^64-1`);
  }
  return v;
}

function encodeOptions(values: CertificateOptionValues | undefined, what: string): Uint8Array {
  const w = new SshWriter(64);
  const names = Object.keys(values ?? {}).map((name) => ({ name, bytes: utf8Encode(name) }));
  names.sort((a, b) => compareBytes(a.bytes, b.bytes));
  for (const { name, bytes } of names) {
    if (bytes.length === 0 || bytes.includes(0)) {
      throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, `invalid certificate ${what} name ${JSON.stringify(name)}`);
    }
    const value = values?.[name];
    const data =
      value === true
        ? new Uint8Array(0)
        : typeof value === "string"
          ? new SshWriter(value.length + 8).utf8(value).finish()
          : (value as Uint8Array);
    w.string(bytes).string(data);
  }
  return w.finish();
}

function checkText(value: string, what: string): void {
  if (value.includes("\0")) throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, `certificate ${what} contains a NUL`);
}

/**
 * Creates and signs a certificate (what `ssh-keygen -s ca -I keyId -n principals -V … -z serial`
 * does) with the CA's private key. `algorithm` picks the CA signature algorithm; an RSA CA signs
 * with rsa-sha2-512 unless told otherwise (ssh-rsa SHA-1 signatures only on explicit request —
 * verifiers refuse them by default). Options and extensions are written in lexical order. Returns
 * the parsed certificate; `formatPublicKey(cert)` gives its `*-cert.pub` line.
 */
export function signCertificate(spec: CertificateSpec, caKey: PrivateKey, algorithm?: string): Certificate {
  const type = certificateTypeOf(spec.key.type);
  if (type === undefined) {
    throw new KeyError(KEY_ERROR.UNSUPPORTED_TYPE, `cannot certify a ${JSON.stringify(spec.key.type)} key`);
  }
  if (isCertificateType(caKey.type)) {
    throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, "a CA key cannot itself be a certificate (PROTOCOL.certkeys)");
  }
  const validAfter = seconds(spec.validAfter, "valid after");
  const validBefore = seconds(spec.validBefore, "valid before");
  if (validAfter > validBefore) {
    throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, "certificate validity ends before it starts");
  }
  if (spec.principals.length > MAX_CERT_PRINCIPALS) {
    throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, `a certificate lists at most ${MAX_CERT_PRINCIPALS} principals`);
  }
  checkText(spec.keyId, "key id");
  const principals = new SshWriter(64);
  for (const p of spec.principals) {
    checkText(p, "principal");
    principals.utf8(p);
  }
  const keyFields = decoding("certified key", () => {
    const r = new SshReader(spec.key.blob);
    r.string();
    return r.rest();
  });
  parsePublicKeyBlob(spec.key.blob); // validates the key fields
  const nonce = spec.nonce ?? crypto.getRandomValues(new Uint8Array(32));
  const body = new SshWriter(512)
    .utf8(type)
    .string(nonce)
    .raw(keyFields)
    .uint64(spec.serial ?? 0n)
    .uint32(SSH_CERT_TYPE[spec.type])
    .utf8(spec.keyId)
    .string(principals.finish())
    .uint64(validAfter)
    .uint64(validBefore)
    .string(encodeOptions(spec.criticalOptions, "critical option"))
    .string(encodeOptions(spec.extensions, "extension"))
    .string(new Uint8Array(0))
    .string(caKey.publicKey.blob)
    .finish();
  const chosen = algorithm ?? (caKey.type === "ssh-rsa" ? "rsa-sha2-512" : undefined);
  const signature = caKey.sign(body, chosen);
  return parseCertificateBlob(
    new SshWriter(body.length + signature.length + 4).raw(body).string(signature).finish(),
    spec.comment,
  );
}
