/**
 * known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"; OpenSSH hostfile.c): one key per line,
 *
 *   [@cert-authority | @revoked] host-patterns keytype base64-key [comment]
 *
 * where host-patterns is a comma-separated pattern-list (`*`, `?`, `!` negation; a non-22 port as
 * `[host]:port`) or one hashed name `|1|base64(salt)|base64(HMAC-SHA1(salt, name))` (RFC 2104,
 * 20-byte salt; `name` is `host` or `[host]:port`). Comments and blank lines are skipped;
 * malformed lines are reported with their line numbers and skipped, never fatal to the file.
 *
 * `check` follows OpenSSH's check_key_in_hostkeys (hostfile.c) and its caller in sshconnect.c:
 *   - a key listed under @revoked for the host is "revoked", whatever else matches (for a
 *     certificate: its certified key or its CA key);
 *   - a certificate whose CA is an @cert-authority key for the host, and that verifies as a host
 *     certificate for the host name (certificate-verify.ts), is "known";
 *   - otherwise a certificate is judged by its plain key, like ssh's "retry with plain key", and
 *     the reason the certificate was not accepted is returned alongside;
 *   - a plain key listed for the host is "known"; if the host is listed only with other keys it is
 *     "changed" (the MITM warning — OpenSSH counts keys of any type here, and so do we; `line`
 *     points at a key of the presented type when there is one); else "unknown".
 * @module
 */

import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { equalBytes, fromBase64, toBase64, utf8Encode } from "@purssh/wire";
import { isCertificateType, parseCertificateBlob } from "./certificate.js";
import { CERT_ERROR, CertificateError, type VerifiedCertificate, verifyCertificate } from "./certificate-verify.js";
import { KEY_ERROR, KeyError } from "./errors.js";
import { knownHostsName, matchPatternList } from "./host-patterns.js";
import { type LineError, parseLineFile } from "./line-file.js";
import { decodePublicKey, formatPublicKey, keyTypeOfBlob, type PublicKey, parsePublicKey } from "./public-key.js";

/** `|1|`: the only hashed-name format OpenSSH writes (HASH_MAGIC). */
const HASH_MAGIC = "|1|";
/** The salt and the HMAC-SHA1 output are both 20 bytes. */
const HASH_SALT_LENGTH = 20;

export type KnownHostsMarker = "cert-authority" | "revoked";

/** The host field of a line: a pattern-list, or one hashed name. */
export type KnownHostsHosts =
  | { readonly kind: "patterns"; readonly patterns: string }
  | { readonly kind: "hashed"; readonly salt: Uint8Array; readonly hash: Uint8Array; readonly text: string };

export interface KnownHostsEntry {
  /** 1-based line number. */
  readonly line: number;
  readonly marker?: KnownHostsMarker;
  readonly hosts: KnownHostsHosts;
  readonly key: PublicKey;
  /** The line as written (without its line end). */
  readonly text: string;
}

/** A line that could not be used; the rest of the file still is. */
export type KnownHostsLineError = LineError;

export type KnownHostsStatus = "known" | "changed" | "unknown" | "revoked";

export interface KnownHostsCheck {
  readonly status: KnownHostsStatus;
  /** The deciding line: the matching key or CA, the revoked key, or the differing key. */
  readonly line?: number;
  readonly entry?: KnownHostsEntry;
  /** For a certificate accepted through @cert-authority: what it allows. */
  readonly certificate?: VerifiedCertificate;
  /** For a certificate that was not accepted as such: why (the status then reflects its plain key). */
  readonly certificateError?: CertificateError;
}

export interface KnownHostsCheckOptions {
  /** Time for certificate validity; default the current time. */
  readonly now?: Date | bigint;
  /** CA signature algorithms accepted; default DEFAULT_CA_SIGNATURE_ALGORITHMS. */
  readonly allowedSignatureAlgorithms?: readonly string[];
}

export interface KnownHostsAddOptions {
  /** Store the name hashed (ssh_config HashKnownHosts yes). */
  readonly hashed?: boolean;
  readonly marker?: KnownHostsMarker;
  readonly comment?: string;
  /** The 20-byte salt of a hashed name; random by default (for tests). */
  readonly salt?: Uint8Array;
}

/** `|1|base64(salt)|base64(HMAC-SHA1(salt, name))` for a known_hosts name (`host` or `[host]:port`). */
export function hashKnownHostName(name: string, salt?: Uint8Array): string {
  const s = salt ?? crypto.getRandomValues(new Uint8Array(HASH_SALT_LENGTH));
  if (s.length !== HASH_SALT_LENGTH) {
    throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, `a known_hosts salt is ${HASH_SALT_LENGTH} bytes, got ${s.length}`);
  }
  return `${HASH_MAGIC}${toBase64(s)}|${toBase64(hmac(sha1, s, utf8Encode(name)))}`;
}

function parseHosts(field: string): KnownHostsHosts {
  if (!field.startsWith("|")) return { kind: "patterns", patterns: field };
  const m = /^\|1\|([^|]+)\|([^|]+)$/.exec(field);
  if (m === null) throw new KeyError(KEY_ERROR.PARSE, "hashed host name is not |1|salt|hash");
  let salt: Uint8Array;
  let hash: Uint8Array;
  try {
    salt = fromBase64(m[1] as string);
    hash = fromBase64(m[2] as string);
  } catch (cause) {
    throw new KeyError(KEY_ERROR.PARSE, "hashed host name is not valid base64", { cause });
  }
  if (salt.length !== HASH_SALT_LENGTH || hash.length !== HASH_SALT_LENGTH) {
    throw new KeyError(KEY_ERROR.PARSE, `hashed host name needs a ${HASH_SALT_LENGTH}-byte salt and HMAC-SHA1`);
  }
  return { kind: "hashed", salt, hash, text: field };
}

/** Parses one non-comment line (already known not to be blank or a comment). */
function parseLine(text: string, line: number): KnownHostsEntry {
  let rest = text.replace(/^[ \t]+/, "");
  let marker: KnownHostsMarker | undefined;
  while (rest.startsWith("@")) {
    const m = /^(@\S*)[ \t]+/.exec(rest);
    if (m === null) throw new KeyError(KEY_ERROR.PARSE, "a marker must be followed by host patterns and a key");
    if (marker !== undefined) throw new KeyError(KEY_ERROR.PARSE, "only one marker is allowed per line");
    const word = m[1] as string;
    if (word === "@cert-authority") marker = "cert-authority";
    else if (word === "@revoked") marker = "revoked";
    else throw new KeyError(KEY_ERROR.PARSE, `unknown marker ${JSON.stringify(word.slice(0, 40))}`);
    rest = rest.slice(m[0].length);
  }
  const m = /^(\S+)[ \t]+(.*)$/.exec(rest);
  const keyText = m?.[2] ?? "";
  if (m === null || keyText === "" || keyText.startsWith("#")) {
    throw new KeyError(KEY_ERROR.PARSE, "the line has host patterns but no key");
  }
  const hosts = parseHosts(m[1] as string);
  const key = parsePublicKey(keyText);
  if (decodePublicKey(key).kind === "opaque") {
    throw new KeyError(KEY_ERROR.UNSUPPORTED_TYPE, `key type ${JSON.stringify(key.type)} is not supported here`);
  }
  return Object.freeze(marker === undefined ? { line, hosts, key, text } : { line, marker, hosts, key, text });
}

/** Whether a line's host field matches a known_hosts name (already lower-cased). */
function hostsMatch(hosts: KnownHostsHosts, name: string): boolean {
  if (hosts.kind === "patterns") return matchPatternList(name, hosts.patterns, true) === "match";
  return equalBytes(hmac(sha1, hosts.salt, utf8Encode(name)), hosts.hash);
}

/** Characters OpenSSH never records in a host name (sshconnect.c check_host_key). */
const UNRECORDABLE = /[\s,@?*#[\]|'"\\!]/;

/** A parsed known_hosts file: its entries, its bad lines, and host key checks against it. */
export class KnownHosts {
  readonly #entries: KnownHostsEntry[];
  readonly #errors: KnownHostsLineError[];
  #lines: number;

  /** Use parseKnownHosts. @internal */
  constructor(entries: KnownHostsEntry[], errors: KnownHostsLineError[], lines: number) {
    this.#entries = entries;
    this.#errors = errors;
    this.#lines = lines;
  }

  get entries(): readonly KnownHostsEntry[] {
    return this.#entries;
  }

  get errors(): readonly KnownHostsLineError[] {
    return this.#errors;
  }

  /** Every entry whose host field matches `host` on `port` (all markers), in file order. */
  lookup(host: string, port = 22): KnownHostsEntry[] {
    const name = knownHostsName(host, port);
    return this.#entries.filter((e) => hostsMatch(e.hosts, name));
  }

  /**
   * Checks the key blob a host presented (plain key or certificate) against the file; see the
   * module header. A malformed key blob throws a KeyError (never a silent "unknown").
   */
  check(host: string, port: number, keyBlob: Uint8Array, options: KnownHostsCheckOptions = {}): KnownHostsCheck {
    const matching = this.lookup(host, port);
    if (!isCertificateType(keyTypeOfBlob(keyBlob))) return checkPlainKey(matching, keyBlob);
    const cert = parseCertificateBlob(keyBlob);
    const revoked = matching.find(
      (e) =>
        e.marker === "revoked" &&
        (equalBytes(e.key.blob, cert.publicKey.blob) || equalBytes(e.key.blob, cert.signatureKey.blob)),
    );
    if (revoked !== undefined) return { status: "revoked", line: revoked.line, entry: revoked };
    const ca = matching.find((e) => e.marker === "cert-authority" && equalBytes(e.key.blob, cert.signatureKey.blob));
    let certificateError: CertificateError;
    if (ca !== undefined) {
      try {
        const verified = verifyCertificate(cert, {
          type: "host",
          principal: host.toLowerCase(),
          now: options.now ?? new Date(),
          ...(options.allowedSignatureAlgorithms === undefined
            ? {}
            : { allowedSignatureAlgorithms: options.allowedSignatureAlgorithms }),
        });
        return { status: "known", line: ca.line, entry: ca, certificate: verified };
      } catch (e) {
        if (!(e instanceof CertificateError)) throw e;
        certificateError = e;
      }
    } else {
      certificateError = new CertificateError(
        CERT_ERROR.CA_NOT_TRUSTED,
        `no @cert-authority line for ${knownHostsName(host, port)} holds the CA of certificate ${JSON.stringify(cert.keyId)}`,
      );
    }
    return { ...checkPlainKey(matching, cert.publicKey.blob), certificateError };
  }

  /**
   * Appends an entry for `host` on `port` and returns the line to write (no line end): the name
   * lower-cased, `[host]:port` for ports other than 22, hashed with a random salt when
   * `hashed`. With a marker, `host` may be a pattern-list (e.g. `*.example.com`).
   */
  add(host: string, port: number, key: PublicKey, options: KnownHostsAddOptions = {}): string {
    if (host === "" || (options.marker === undefined || options.hashed === true ? UNRECORDABLE : /[\s]/).test(host)) {
      throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, `cannot record host name ${JSON.stringify(host)} in known_hosts`);
    }
    if (isCertificateType(key.type)) {
      throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, "known_hosts records plain keys; record the CA of a certificate");
    }
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, `port ${port} is not a TCP port`);
    }
    const name = knownHostsName(host, port);
    const hosts = options.hashed === true ? hashKnownHostName(name, options.salt) : name;
    const marker = options.marker === undefined ? "" : `@${options.marker} `;
    const text = `${marker}${hosts} ${formatPublicKey({ type: key.type, blob: key.blob, comment: options.comment ?? "" })}`;
    this.#lines += 1;
    this.#entries.push(parseLine(text, this.#lines));
    return text;
  }
}

function checkPlainKey(matching: readonly KnownHostsEntry[], blob: Uint8Array): KnownHostsCheck {
  const revoked = matching.find((e) => e.marker === "revoked" && equalBytes(e.key.blob, blob));
  if (revoked !== undefined) return { status: "revoked", line: revoked.line, entry: revoked };
  const plain = matching.filter((e) => e.marker === undefined);
  const known = plain.find((e) => equalBytes(e.key.blob, blob));
  if (known !== undefined) return { status: "known", line: known.line, entry: known };
  const type = keyTypeOfBlob(blob);
  const differing = plain.find((e) => e.key.type === type) ?? plain[0];
  if (differing !== undefined) return { status: "changed", line: differing.line, entry: differing };
  return { status: "unknown" };
}

/**
 * Parses a known_hosts file. Never throws for bad lines: they are listed in `errors` with their
 * line numbers (a trailing CR is ignored, so CRLF files read the same).
 */
export function parseKnownHosts(text: string): KnownHosts {
  const { entries, errors, lineCount } = parseLineFile(text, parseLine);
  return new KnownHosts(entries, errors, lineCount);
}
