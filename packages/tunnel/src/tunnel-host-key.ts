/**
 * Server identity checks of SSHLogon (ipworks-spec.md §6 "Host key verification order", §5b):
 * the identification string against SSHVersionPattern, then the host key — its fingerprints
 * (SSHFingerprintMD5/SHA1/SHA256), `accept` pre-set when it matches SSHAcceptServerHostKey,
 * SSHAcceptServerHostKeyFingerPrint, SSHAcceptAnyServerHostKey, or is a host certificate that a
 * CA in SSHAcceptServerCAKey signed for SSHHost — then SSHServerAuthentication decides.
 * @module
 */
import {
  fingerprintHex,
  fingerprintSha1,
  fingerprintSha256,
  isCertificateType,
  parseCertificateBlob,
  parsePublicKey,
  verifyCertificate,
} from "@purssh/keys";
import { equalBytes } from "@purssh/wire";
import type { Certificate } from "./certificate.js";
import { SSHTunnelError, SSHTunnelErrorCodes } from "./errors.js";
import { type SSHReverseTunnelEvents, serverAuthenticationEvent } from "./events.js";
import { parseList, type TunnelSettings, wildcardMatch } from "./settings.js";

export interface HostKeyHost {
  readonly settings: TunnelSettings;
  emit<K extends keyof SSHReverseTunnelEvents>(name: K, ...args: SSHReverseTunnelEvents[K]): boolean;
  log(level: number, message: string): void;
}

/** SSHVersionPattern: throws VERSION_MISMATCH when the server's identification string matches none. */
export function checkServerVersion(settings: TunnelSettings, version: string): void {
  const patterns = parseList(settings.versionPattern);
  if (patterns.length === 0 || patterns.some((p) => wildcardMatch(p, version))) return;
  throw new SSHTunnelError(
    SSHTunnelErrorCodes.VERSION_MISMATCH,
    `the server's identification string ${JSON.stringify(version)} does not match SSHVersionPattern ${JSON.stringify(settings.versionPattern)}`,
  );
}

/** What a host certificate says, when SSHAcceptServerCAKey names CAs. */
interface CertVerdict {
  subject: string;
  issuer: string;
  status: string;
  trusted: boolean;
}

function hostCertificate(
  settings: TunnelSettings,
  blob: Uint8Array,
  algorithm: string,
  host: string,
): CertVerdict | undefined {
  if (!isCertificateType(algorithm)) return undefined;
  let cert: ReturnType<typeof parseCertificateBlob>;
  try {
    cert = parseCertificateBlob(blob);
  } catch (e) {
    return { subject: "", issuer: "", status: `malformed host certificate: ${(e as Error).message}`, trusted: false };
  }
  const subject = cert.keyId;
  const issuer = fingerprintSha256(cert.signatureKey.blob);
  if (settings.acceptServerCaKeys.length === 0) {
    return { subject, issuer, status: "host certificate (no SSHAcceptServerCAKey to check it)", trusted: false };
  }
  try {
    verifyCertificate(cert, {
      now: new Date(),
      type: "host",
      principal: host,
      trustedCAs: settings.acceptServerCaKeys.map((line) => parsePublicKey(line).blob),
    });
    return { subject, issuer, status: "host certificate signed by SSHAcceptServerCAKey", trusted: true };
  } catch (e) {
    return { subject, issuer, status: `host certificate not accepted: ${(e as Error).message}`, trusted: false };
  }
}

/**
 * Computes the fingerprints, pre-sets `accept`, fires SSHServerAuthentication and returns the
 * listener's verdict (only an explicit true accepts).
 */
export function checkHostKey(
  t: HostKeyHost,
  pinned: Certificate | undefined,
  blob: Uint8Array,
  algorithm: string,
  host: string,
): boolean {
  const s = t.settings;
  s.fingerprints = {
    MD5: fingerprintHex(blob, "MD5"),
    SHA1: fingerprintHex(blob, "SHA1"),
    SHA256: fingerprintHex(blob, "SHA256"),
  };
  const fingerprint = s.fingerprints[s.fingerprintHash];
  // Fingerprints may be given as ssh-keygen prints them (SHA256:base64, MD5:hex) or as the
  // seed's colon-separated hex, with or without the hash prefix.
  const known = new Set([
    fingerprintSha256(blob),
    fingerprintSha1(blob),
    s.fingerprints.MD5,
    s.fingerprints.SHA1,
    s.fingerprints.SHA256,
  ]);
  const matches = (f: string) => {
    const v = f.trim().replace(/=+$/, "");
    return known.has(v) || known.has(v.toLowerCase().replace(/^(sha256|sha1|md5):/, ""));
  };
  const cert = hostCertificate(s, blob, algorithm, host);
  const preset =
    s.acceptAnyServerHostKey ||
    (pinned !== undefined && equalBytes(pinned.encoded, blob)) ||
    s.acceptServerHostKeyFingerprints.some(matches) ||
    cert?.trusted === true;
  const e = serverAuthenticationEvent(
    {
      fingerprint,
      keyAlgorithm: algorithm,
      certSubject: cert?.subject ?? "",
      certIssuer: cert?.issuer ?? "",
      status: cert?.status ?? "",
      accept: preset,
    },
    blob,
  );
  t.emit("SSHServerAuthentication", e);
  if (e.accept !== true) t.log(1, `host key ${fingerprint} rejected${cert ? ` (${cert.status})` : ""}`);
  return e.accept === true;
}
