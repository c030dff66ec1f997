/**
 * Deciding whether an OpenSSH certificate (PROTOCOL.certkeys, draft-miller-ssh-cert) is
 * acceptable, as sshd and ssh do (OpenSSH sshkey.c sshkey_cert_check_authority, auth-options.c
 * cert_option_list, sshkey_check_cert_sigtype):
 *
 *   1. the signature key is not itself a certificate ("chained certificates are NOT supported");
 *   2. it is one of the trusted CA keys;
 *   3. the signature algorithm is allowed — by default OpenSSH ≥ 8.2's CASignatureAlgorithms,
 *      which leaves out SHA-1 `ssh-rsa`;
 *   4. the signature verifies over the blob up to the signature field;
 *   5. the certificate type (user / host) is the one asked for;
 *   6. valid after ≤ now < valid before;
 *   7. the principal is listed — exactly for user certificates, as a wildcard pattern for host
 *      certificates (OpenSSH ≥ 10.3). An EMPTY principals list is refused by default: PROTOCOL.certkeys
 *      once meant "any principal", OpenSSH ≤ 10.2 still accepted it for host certificates, and
 *      CVE-2024-7594 showed how that fails open when a CA signs one by mistake, so OpenSSH 10.3
 *      refuses it everywhere and so do we. `allowEmptyPrincipals: true` restores the old meaning;
 *   8. every critical option is understood — force-command, source-address and verify-required for
 *      user certificates, none for host certificates — and well-formed, and known extensions
 *      carry no data; with `sourceAddress` given, the source-address list must contain it.
 *
 * Failures throw a CertificateError whose code names the rule; a malformed blob is a KeyError.
 * @module
 */
import { getSignatureAlgorithm } from "@purssh/crypto";
import { equalBytes, SshError } from "@purssh/wire";
import type { Certificate, CertificateOption, CertificateType } from "./certificate.js";
import { isCertificateType, unixSeconds } from "./certificate.js";
import { matchPattern } from "./host-patterns.js";
import { type CidrList, parseCidrList } from "./ip-address.js";

/** Stable codes of CertificateError: why a well-formed certificate was not accepted. */
export const CERT_ERROR = {
  /** The signature key is a certificate (chained certificates are not supported). */
  CA_IS_CERTIFICATE: "ERR_CERT_CA_IS_CERTIFICATE",
  /** The signature key is none of the trusted CA keys. */
  CA_NOT_TRUSTED: "ERR_CERT_CA_NOT_TRUSTED",
  /** The CA signed with an algorithm that is not allowed (by default: ssh-rsa, SHA-1). */
  SIGNATURE_ALGORITHM_REFUSED: "ERR_CERT_SIGNATURE_ALGORITHM_REFUSED",
  /** The CA signature does not verify (or uses an algorithm we do not implement). */
  SIGNATURE_INVALID: "ERR_CERT_SIGNATURE_INVALID",
  /** A user certificate where a host certificate was required, or the reverse. */
  WRONG_TYPE: "ERR_CERT_WRONG_TYPE",
  /** The current time is before "valid after". */
  NOT_YET_VALID: "ERR_CERT_NOT_YET_VALID",
  /** The current time is at or after "valid before". */
  EXPIRED: "ERR_CERT_EXPIRED",
  /** The certificate has no principals (refused unless allowEmptyPrincipals). */
  NO_PRINCIPALS: "ERR_CERT_NO_PRINCIPALS",
  /** The user or host name is not among the principals. */
  PRINCIPAL_NOT_LISTED: "ERR_CERT_PRINCIPAL_NOT_LISTED",
  /** A critical option we do not implement (every critical option must be understood). */
  UNKNOWN_CRITICAL_OPTION: "ERR_CERT_UNKNOWN_CRITICAL_OPTION",
  /** A known option or extension with malformed data (e.g. a bad source-address list). */
  BAD_OPTION: "ERR_CERT_BAD_OPTION",
  /** The connection's source address is outside the source-address critical option. */
  SOURCE_ADDRESS_REFUSED: "ERR_CERT_SOURCE_ADDRESS_REFUSED",
} as const;
export type CertErrorCode = (typeof CERT_ERROR)[keyof typeof CERT_ERROR];

/** A certificate that parsed but must not be accepted; `code` names the rule it broke. */
export class CertificateError extends SshError {
  declare readonly code: CertErrorCode;
  constructor(code: CertErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * OpenSSH's default CASignatureAlgorithms (ssh_config(5), since 8.2): everything but ssh-rsa.
 */
export const DEFAULT_CA_SIGNATURE_ALGORITHMS: readonly string[] = Object.freeze([
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
  "rsa-sha2-512",
  "rsa-sha2-256",
]);

/** Critical options of user certificates (PROTOCOL.certkeys "Critical options"). */
export const KNOWN_CRITICAL_OPTIONS = ["force-command", "source-address", "verify-required"] as const;
/** Extensions of user certificates that are flags (PROTOCOL.certkeys "Extensions"). */
export const KNOWN_EXTENSIONS = [
  "no-touch-required",
  "permit-X11-forwarding",
  "permit-agent-forwarding",
  "permit-port-forwarding",
  "permit-pty",
  "permit-user-rc",
] as const;

export interface VerifyCertificateOptions {
  /** The time to check validity at: a Date or seconds since 1970. */
  readonly now: Date | bigint;
  /** The kind of certificate required. */
  readonly type: CertificateType;
  /**
   * The user name (user certificates, compared exactly) or host name (host certificates,
   * lower-cased and matched against wildcard principals). Omitted: principals are not checked.
   */
  readonly principal?: string;
  /**
   * Trusted CA public key blobs. Omitted: CA trust is not checked here, because the caller has
   * chosen the CA (as KnownHosts and findAuthorizedKey do). Pass it in every other case.
   */
  readonly trustedCAs?: readonly Uint8Array[];
  /** Signature algorithms a CA may use; default DEFAULT_CA_SIGNATURE_ALGORITHMS. */
  readonly allowedSignatureAlgorithms?: readonly string[];
  /** Treat an empty principals list as "any principal" (pre-10.3 OpenSSH). Default false. */
  readonly allowEmptyPrincipals?: boolean;
  /** The client's IP address: when given, the source-address option must contain it. */
  readonly sourceAddress?: string;
}

/** Extensions of a user certificate, as flags (PROTOCOL.certkeys "Extensions"). */
export interface CertificatePermissions {
  readonly permitX11Forwarding: boolean;
  readonly permitAgentForwarding: boolean;
  readonly permitPortForwarding: boolean;
  readonly permitPty: boolean;
  readonly permitUserRc: boolean;
  readonly noTouchRequired: boolean;
}

/** What an accepted certificate allows and requires. */
export interface VerifiedCertificate {
  readonly certificate: Certificate;
  /** The force-command critical option. */
  readonly forceCommand?: string;
  /** The parsed source-address critical option. */
  readonly sourceAddress?: CidrList;
  /** The verify-required critical option: FIDO signatures must assert user verification. */
  readonly verifyRequired: boolean;
  readonly permissions: CertificatePermissions;
  /** Names of extensions not in KNOWN_EXTENSIONS (ignored, as the spec allows). */
  readonly unknownExtensions: readonly string[];
  /** True when there is no source-address option or `ip` is inside it. */
  matchesSourceAddress(ip: string): boolean;
}

function fail(code: CertErrorCode, message: string, cause?: unknown): never {
  throw new CertificateError(code, message, cause === undefined ? undefined : { cause });
}

function checkSignature(cert: Certificate, allowed: readonly string[]): void {
  const ca = cert.signatureKey;
  const name = cert.signatureAlgorithm;
  if (!allowed.includes(name)) {
    fail(
      CERT_ERROR.SIGNATURE_ALGORITHM_REFUSED,
      `the CA signed with ${JSON.stringify(name)}, which is not among the allowed CA signature algorithms (${allowed.join(",")})`,
    );
  }
  const algorithm = getSignatureAlgorithm(name);
  if (algorithm === undefined) fail(CERT_ERROR.SIGNATURE_INVALID, `CA signature algorithm ${name} is not implemented`);
  if (algorithm.keyType !== ca.type) {
    fail(CERT_ERROR.SIGNATURE_INVALID, `a ${ca.type} CA key cannot make a ${name} signature`);
  }
  if (!algorithm.verify(ca.blob, cert.signature, cert.signedData)) {
    fail(
      CERT_ERROR.SIGNATURE_INVALID,
      `the ${name} CA signature of certificate ${JSON.stringify(cert.keyId)} is invalid`,
    );
  }
}

function checkPrincipal(cert: Certificate, options: VerifyCertificateOptions): void {
  if (cert.principals.length === 0) {
    if (options.allowEmptyPrincipals === true) return;
    fail(CERT_ERROR.NO_PRINCIPALS, `certificate ${JSON.stringify(cert.keyId)} lists no principals (CVE-2024-7594)`);
  }
  const name = options.principal;
  if (name === undefined) return;
  const listed =
    cert.certificateType === "host"
      ? cert.principals.some((p) => matchPattern(name.toLowerCase(), p))
      : cert.principals.includes(name);
  if (!listed) {
    fail(
      CERT_ERROR.PRINCIPAL_NOT_LISTED,
      `${JSON.stringify(name)} is not a listed principal of certificate ${JSON.stringify(cert.keyId)} (${cert.principals.join(",")})`,
    );
  }
}

/** The string of a string-valued option, or a BAD_OPTION failure. */
function stringOption(option: CertificateOption): string {
  if (option.value === undefined) fail(CERT_ERROR.BAD_OPTION, `certificate option ${option.name} is not one string`);
  return option.value;
}

function flagOption(option: CertificateOption, what: string): true {
  if (option.data.length !== 0) fail(CERT_ERROR.BAD_OPTION, `certificate ${what} ${option.name} carries data`);
  return true;
}

interface CriticalOptions {
  forceCommand?: string;
  sourceAddress?: CidrList;
  verifyRequired: boolean;
}

function interpretCriticalOptions(cert: Certificate): CriticalOptions {
  const result: CriticalOptions = { verifyRequired: false };
  for (const option of cert.criticalOptions) {
    if (cert.certificateType === "host") {
      fail(CERT_ERROR.UNKNOWN_CRITICAL_OPTION, `host certificates have no critical options, found ${option.name}`);
    }
    switch (option.name) {
      case "force-command":
        result.forceCommand = stringOption(option);
        break;
      case "source-address":
        try {
          result.sourceAddress = parseCidrList(stringOption(option));
        } catch (e) {
          if (e instanceof CertificateError) throw e;
          fail(CERT_ERROR.BAD_OPTION, `certificate source-address is invalid: ${(e as Error).message}`, e);
        }
        break;
      case "verify-required":
        result.verifyRequired = flagOption(option, "critical option");
        break;
      default:
        fail(
          CERT_ERROR.UNKNOWN_CRITICAL_OPTION,
          `certificate ${JSON.stringify(cert.keyId)} has the unsupported critical option ${JSON.stringify(option.name)}`,
        );
    }
  }
  return result;
}

function interpretExtensions(cert: Certificate): { permissions: CertificatePermissions; unknown: string[] } {
  const known = new Set<string>(KNOWN_EXTENSIONS);
  const present = new Set<string>();
  const unknown: string[] = [];
  for (const option of cert.extensions) {
    if (!known.has(option.name)) {
      unknown.push(option.name);
      continue;
    }
    flagOption(option, "extension");
    present.add(option.name);
  }
  return {
    permissions: Object.freeze({
      permitX11Forwarding: present.has("permit-X11-forwarding"),
      permitAgentForwarding: present.has("permit-agent-forwarding"),
      permitPortForwarding: present.has("permit-port-forwarding"),
      permitPty: present.has("permit-pty"),
      permitUserRc: present.has("permit-user-rc"),
      noTouchRequired: present.has("no-touch-required"),
    }),
    unknown,
  };
}

/**
 * Checks a parsed certificate against the rules in the module header, in that order, and returns
 * what it allows; throws a CertificateError naming the first rule broken.
 */
export function verifyCertificate(cert: Certificate, options: VerifyCertificateOptions): VerifiedCertificate {
  if (isCertificateType(cert.signatureKey.type)) {
    fail(CERT_ERROR.CA_IS_CERTIFICATE, `certificate ${JSON.stringify(cert.keyId)} is signed by a certificate`);
  }
  if (options.trustedCAs !== undefined && !options.trustedCAs.some((ca) => equalBytes(ca, cert.signatureKey.blob))) {
    fail(CERT_ERROR.CA_NOT_TRUSTED, `certificate ${JSON.stringify(cert.keyId)} is signed by an untrusted CA`);
  }
  checkSignature(cert, options.allowedSignatureAlgorithms ?? DEFAULT_CA_SIGNATURE_ALGORITHMS);
  if (cert.certificateType !== options.type) {
    fail(
      CERT_ERROR.WRONG_TYPE,
      `certificate ${JSON.stringify(cert.keyId)} is a ${cert.certificateType} certificate, not a ${options.type} certificate`,
    );
  }
  const now = unixSeconds(options.now, "the verification time");
  if (now < cert.validAfter)
    fail(CERT_ERROR.NOT_YET_VALID, `certificate ${JSON.stringify(cert.keyId)} is not yet valid`);
  if (now >= cert.validBefore) fail(CERT_ERROR.EXPIRED, `certificate ${JSON.stringify(cert.keyId)} has expired`);
  checkPrincipal(cert, options);
  const critical = interpretCriticalOptions(cert);
  const { permissions, unknown } = interpretExtensions(cert);
  const source = critical.sourceAddress;
  if (options.sourceAddress !== undefined && source !== undefined && !source.matches(options.sourceAddress)) {
    fail(
      CERT_ERROR.SOURCE_ADDRESS_REFUSED,
      `certificate ${JSON.stringify(cert.keyId)} is not accepted from ${options.sourceAddress} (source-address ${source.text})`,
    );
  }
  return Object.freeze({
    certificate: cert,
    ...(critical.forceCommand === undefined ? {} : { forceCommand: critical.forceCommand }),
    ...(source === undefined ? {} : { sourceAddress: source }),
    verifyRequired: critical.verifyRequired,
    permissions,
    unknownExtensions: Object.freeze(unknown),
    matchesSourceAddress: (ip: string) => source === undefined || source.matches(ip),
  });
}
