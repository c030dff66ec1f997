/**
 * authorized_keys files (sshd(8) "AUTHORIZED_KEYS FILE FORMAT"; OpenSSH auth2-pubkeyfile.c): one
 * key per line, `[options] keytype base64-key [comment]`, `#` comments and blank lines ignored.
 * A line starting with a key type name has no options; otherwise the options field runs to the
 * first whitespace outside double quotes (sshkey_advance_past_options). Malformed lines are
 * reported with their line numbers and never used; the rest of the file still is.
 *
 * `findAuthorizedKey` is sshd's auth_check_authkey_line: a plain key matches a line holding the
 * same key without cert-authority; a certificate matches a cert-authority line holding its CA and
 * must then verify as a user certificate (certificate-verify.ts) for the user — or, when the line
 * has principals="…", for one of those names. Both honour expiry-time and from="…" (host name or
 * address patterns, CIDR for addresses); a line with from="…" is refused when the source address
 * is unknown (fail closed). `permitsListen` / `permitsOpen` implement permitlisten / permitopen for
 * the forwarding layer (OpenSSH channels.c remote_open_match / open_match).
 * @module
 */

import { equalBytes } from "@purssh/wire";
import {
  type AuthorizedKeyOptions,
  DEFAULT_AUTHORIZED_KEY_OPTIONS,
  parseAuthorizedKeyOptions,
} from "./authorized-keys-options.js";
import { CERTIFICATE_KEY_TYPES, isCertificateType, parseCertificateBlob, unixSeconds } from "./certificate.js";
import { CertificateError, type VerifiedCertificate, verifyCertificate } from "./certificate-verify.js";
import { KEY_ERROR, KeyError } from "./errors.js";
import { matchHostAndAddress, matchPattern } from "./host-patterns.js";
import { type LineError, parseLineFile } from "./line-file.js";
import { decodePublicKey, keyTypeOfBlob, type PublicKey, parsePublicKey } from "./public-key.js";

export interface AuthorizedKeyEntry {
  /** 1-based line number. */
  readonly line: number;
  readonly options: AuthorizedKeyOptions;
  /** The options field as written ("" when there is none). */
  readonly optionsText: string;
  readonly key: PublicKey;
  /** The line as written (without its line end). */
  readonly text: string;
}

/** A line that could not be used; the rest of the file still is. */
export type AuthorizedKeysLineError = LineError;

export interface AuthorizedKeys {
  readonly entries: readonly AuthorizedKeyEntry[];
  readonly errors: readonly AuthorizedKeysLineError[];
}

/** Key type names that start a line without options (sshkey_type_from_name knows them). */
const KEY_TYPE_NAMES = new Set<string>([
  ...Object.keys(CERTIFICATE_KEY_TYPES),
  ...Object.values(CERTIFICATE_KEY_TYPES),
  "ssh-dss",
  "ssh-dss-cert-v01@openssh.com",
]);

/** OpenSSH sshkey_advance_past_options: the end of the options field, or -1 for an open quote. */
function endOfOptions(s: string): number {
  let quoted = false;
  let i = 0;
  for (; i < s.length && (quoted || (s[i] !== " " && s[i] !== "\t")); i++) {
    if (s[i] === "\\" && s[i + 1] === '"') i++;
    else if (s[i] === '"') quoted = !quoted;
  }
  return quoted ? -1 : i;
}

function parseKey(text: string): PublicKey {
  const key = parsePublicKey(text);
  if (isCertificateType(key.type) || decodePublicKey(key).kind === "opaque") {
    throw new KeyError(KEY_ERROR.UNSUPPORTED_TYPE, `key type ${JSON.stringify(key.type)} is not supported here`);
  }
  return key;
}

function parseLine(text: string, line: number): AuthorizedKeyEntry {
  const body = text.replace(/^[ \t]+/, "");
  const firstWord = /^\S*/.exec(body)?.[0] ?? "";
  if (KEY_TYPE_NAMES.has(firstWord)) {
    return Object.freeze({ line, options: DEFAULT_AUTHORIZED_KEY_OPTIONS, optionsText: "", key: parseKey(body), text });
  }
  const end = endOfOptions(body);
  if (end < 0) throw new KeyError(KEY_ERROR.PARSE, "invalid key option string: unterminated quote");
  const optionsText = body.slice(0, end);
  const keyText = body.slice(end).trim();
  if (keyText === "") throw new KeyError(KEY_ERROR.PARSE, "no key after the options field");
  const options = parseAuthorizedKeyOptions(optionsText);
  return Object.freeze({ line, options, optionsText, key: parseKey(keyText), text });
}

/**
 * Parses an authorized_keys file. Never throws for bad lines: they are listed in `errors` with
 * their line numbers and messages naming the problem (e.g. `bad key options: unknown key option
 * "foo"`). A trailing CR is ignored, so CRLF files read the same.
 */
export function parseAuthorizedKeys(text: string): AuthorizedKeys {
  const { entries, errors } = parseLineFile(text, parseLine);
  return Object.freeze({ entries: Object.freeze(entries), errors: Object.freeze(errors) });
}

export interface FindAuthorizedKeyOptions {
  /** The client's IP address (for from="…" and a certificate's source-address). */
  readonly sourceAddress?: string;
  /** The client's canonical host name, if names are resolved (sshd UseDNS); default the address. */
  readonly sourceHost?: string;
  /** Time for expiry-time and certificate validity; default the current time. */
  readonly now?: Date | bigint;
  /** The user logging in: a certificate must list it unless the line has principals="…". */
  readonly user?: string;
  /** CA signature algorithms accepted; default DEFAULT_CA_SIGNATURE_ALGORITHMS. */
  readonly allowedSignatureAlgorithms?: readonly string[];
  /** Told why each candidate line was refused (sshd logs these). */
  readonly onRefused?: (line: number, reason: string) => void;
}

/** A line that authorises the key, with the certificate's permissions when a certificate was used. */
export interface AuthorizedKeyMatch {
  readonly entry: AuthorizedKeyEntry;
  readonly certificate?: VerifiedCertificate;
  /** The forced command: the line's command="…", else the certificate's force-command. */
  readonly forceCommand?: string;
}

/** sshd auth_authorise_keyopts: expiry-time and from="…"; a reason when refused. */
function refusal(o: AuthorizedKeyOptions, now: bigint, find: FindAuthorizedKeyOptions): string | undefined {
  if (o.expiryTime !== undefined && o.expiryTime < now) return "the entry has expired (expiry-time)";
  if (o.from !== undefined) {
    if (find.sourceAddress === undefined) return `from="${o.from}" needs the source address`;
    if (!matchHostAndAddress(find.sourceHost, find.sourceAddress, o.from)) {
      return `${find.sourceAddress} is not permitted by from="${o.from}"`;
    }
  }
  return undefined;
}

function matchCertificate(
  entries: readonly AuthorizedKeyEntry[],
  keyBlob: Uint8Array,
  find: FindAuthorizedKeyOptions,
  now: bigint,
  refuse: (line: number, reason: string) => void,
): AuthorizedKeyMatch | undefined {
  const cert = parseCertificateBlob(keyBlob);
  for (const entry of entries) {
    const o = entry.options;
    if (!o.certAuthority || !equalBytes(entry.key.blob, cert.signatureKey.blob)) continue;
    const reason = refusal(o, now, find);
    if (reason !== undefined) {
      refuse(entry.line, reason);
      continue;
    }
    if (o.principals !== undefined && !o.principals.some((p) => cert.principals.includes(p))) {
      refuse(entry.line, "the certificate lists none of the line's principals");
      continue;
    }
    if (o.principals === undefined && find.user === undefined) {
      refuse(entry.line, "no user name to match against the certificate's principals");
      continue;
    }
    let verified: VerifiedCertificate;
    try {
      verified = verifyCertificate(cert, {
        type: "user",
        now,
        trustedCAs: [entry.key.blob],
        ...(o.principals === undefined && find.user !== undefined ? { principal: find.user } : {}),
        ...(find.sourceAddress === undefined ? {} : { sourceAddress: find.sourceAddress }),
        ...(find.allowedSignatureAlgorithms === undefined
          ? {}
          : { allowedSignatureAlgorithms: find.allowedSignatureAlgorithms }),
      });
    } catch (e) {
      if (!(e instanceof CertificateError)) throw e;
      refuse(entry.line, e.message);
      continue;
    }
    if (verified.sourceAddress !== undefined && find.sourceAddress === undefined) {
      refuse(entry.line, "the certificate's source-address needs the source address");
      continue;
    }
    if (o.command !== undefined && verified.forceCommand !== undefined && o.command !== verified.forceCommand) {
      refuse(entry.line, "forced command options do not match");
      continue;
    }
    const forceCommand = o.command ?? verified.forceCommand;
    return Object.freeze({ entry, certificate: verified, ...(forceCommand === undefined ? {} : { forceCommand }) });
  }
  return undefined;
}

/**
 * The first line that authorises `keyBlob` (a plain key or a user certificate) under the given
 * circumstances, or undefined. A malformed key blob throws a KeyError.
 */
export function findAuthorizedKey(
  entries: readonly AuthorizedKeyEntry[],
  keyBlob: Uint8Array,
  options: FindAuthorizedKeyOptions = {},
): AuthorizedKeyMatch | undefined {
  const now = unixSeconds(options.now ?? new Date(), "the current time");
  const refuse = options.onRefused ?? (() => {});
  if (isCertificateType(keyTypeOfBlob(keyBlob))) return matchCertificate(entries, keyBlob, options, now, refuse);
  for (const entry of entries) {
    const o = entry.options;
    if (o.certAuthority || !equalBytes(entry.key.blob, keyBlob)) continue;
    const reason = o.principals !== undefined ? "principals on a key that is not a CA" : refusal(o, now, options);
    if (reason !== undefined) {
      refuse(entry.line, reason);
      continue;
    }
    return Object.freeze(o.command === undefined ? { entry } : { entry, forceCommand: o.command });
  }
  return undefined;
}

function optionsOf(granted: AuthorizedKeyEntry | AuthorizedKeyMatch): {
  options: AuthorizedKeyOptions;
  certificate?: VerifiedCertificate;
} {
  return "entry" in granted
    ? { options: granted.entry.options, ...(granted.certificate ? { certificate: granted.certificate } : {}) }
    : { options: granted.options };
}

/** Port forwarding is allowed by the line (restrict / no-port-forwarding) and by the certificate. */
function forwardingAllowed(granted: AuthorizedKeyEntry | AuthorizedKeyMatch): AuthorizedKeyOptions | undefined {
  const { options, certificate } = optionsOf(granted);
  if (!options.portForwarding) return undefined;
  if (certificate !== undefined && !certificate.permissions.permitPortForwarding) return undefined;
  return options;
}

/**
 * Whether a remote forwarding (tcpip-forward, RFC 4254 §7.1) on `host`/`port` is allowed: never
 * under restrict or no-port-forwarding (or a certificate without permit-port-forwarding); with
 * permitlisten entries only a listed port (or `*`) on a host matching the entry's pattern (host
 * lower-cased; `*` matches any, including the empty "all interfaces" address); otherwise any.
 */
export function permitsListen(granted: AuthorizedKeyEntry | AuthorizedKeyMatch, host: string, port: number): boolean {
  const options = forwardingAllowed(granted);
  if (options === undefined) return false;
  if (options.permitListen.length === 0) return true;
  const lower = host.toLowerCase();
  return options.permitListen.some((p) => (p.port === "*" || p.port === port) && matchPattern(lower, p.host));
}

/**
 * Whether a local forwarding (direct-tcpip, RFC 4254 §7.2) to `host`/`port` is allowed: like
 * permitsListen, but permitopen hosts are literal (no patterns, no name lookup) except `*`.
 */
export function permitsOpen(granted: AuthorizedKeyEntry | AuthorizedKeyMatch, host: string, port: number): boolean {
  const options = forwardingAllowed(granted);
  if (options === undefined) return false;
  if (options.permitOpen.length === 0) return true;
  return options.permitOpen.some((p) => (p.port === "*" || p.port === port) && (p.host === "*" || p.host === host));
}
