/**
 * The implemented rows of SSHReverseTunnel's `config()` table (ipworks-spec.md §5), each reading
 * and writing the tunnel's settings. Defaults for settings the vendor never documented are our
 * OpenSSH-compatible choices (spec §9's recommendation).
 * @module
 */

import { parseCertificate } from "@purssh/keys";
import { SSHTunnelError, SSHTunnelErrorCodes } from "./errors.js";
import {
  type ConfigEntry,
  isCipher,
  isKex,
  isMac,
  isSignature,
  parseAlgorithmList,
  parseBoolean,
  parseInteger,
} from "./settings.js";
import type { SSHReverseTunnel } from "./tunnel.js";

const VERSION = "0.1.0";

export function buildConfigTable(t: SSHReverseTunnel): Record<string, ConfigEntry> {
  const s = t.settings;
  const log = (text: string) => t.log(1, text);
  const list = (
    get: () => string[],
    set: (v: string[]) => void,
    name: string,
    ok: (n: string) => boolean,
  ): ConfigEntry => ({
    get: () => get().join(","),
    set: (v) => set(parseAlgorithmList(name, v, ok, log)),
  });
  const bool = (get: () => boolean, set: (v: boolean) => void, name: string): ConfigEntry => ({
    get: () => String(get()),
    set: (v) => set(parseBoolean(name, v)),
  });
  const int = (get: () => number, set: (v: number) => void, name: string, min: number, max: number): ConfigEntry => ({
    get: () => String(get()),
    set: (v) => set(parseInteger(name, v, min, max)),
  });
  const readOnly = (get: () => string): ConfigEntry => ({ get });
  return {
    ForwardedPort: readOnly(() => String(s.forwardedPort)),
    SSHKeyExchangeAlgorithms: list(
      () => s.kexAlgorithms,
      (v) => {
        s.kexAlgorithms = v;
      },
      "SSHKeyExchangeAlgorithms",
      isKex,
    ),
    SSHMacAlgorithms: list(
      () => s.macAlgorithms,
      (v) => {
        s.macAlgorithms = v;
      },
      "SSHMacAlgorithms",
      isMac,
    ),
    SSHPublicKeyAlgorithms: list(
      () => s.hostKeyAlgorithms,
      (v) => {
        s.hostKeyAlgorithms = v;
      },
      "SSHPublicKeyAlgorithms",
      isSignature,
    ),
    SSHPubKeyAuthSigAlgorithms: list(
      () => s.pubKeyAuthSigAlgorithms,
      (v) => {
        s.pubKeyAuthSigAlgorithms = v;
      },
      "SSHPubKeyAuthSigAlgorithms",
      isSignature,
    ),
    SSHEncryptionAlgorithms: list(
      () => s.encryptionAlgorithms,
      (v) => {
        s.encryptionAlgorithms = v;
      },
      "SSHEncryptionAlgorithms",
      isCipher,
    ),
    SSHCompressionAlgorithms: list(
      () => s.compressionAlgorithms,
      (v) => {
        s.compressionAlgorithms = v;
      },
      "SSHCompressionAlgorithms",
      (n) => n === "none",
    ),
    PreferredDHGroupBits: int(
      () => s.preferredDhGroupBits,
      (v) => {
        s.preferredDhGroupBits = v;
      },
      "PreferredDHGroupBits",
      2048,
      8192,
    ),
    Timeout: int(
      () => s.timeoutSeconds,
      (v) => {
        s.timeoutSeconds = v;
      },
      "Timeout",
      0,
      86_400,
    ),
    ConnectionTimeout: int(
      () => s.connectionTimeoutSeconds,
      (v) => {
        s.connectionTimeoutSeconds = v;
      },
      "ConnectionTimeout",
      0,
      86_400,
    ),
    LogLevel: int(
      () => s.logLevel,
      (v) => {
        s.logLevel = v;
      },
      "LogLevel",
      0,
      3,
    ),
    ClientSSHVersionString: {
      get: () => s.clientVersion,
      set: (v) => {
        if (!/^SSH-2\.0-[\x21-\x2c\x2e-\x7e]+( [\x20-\x7e]*)?$/.test(v) || v.length > 253) {
          throw new SSHTunnelError(
            SSHTunnelErrorCodes.INVALID_ARGUMENT,
            `ClientSSHVersionString must look like SSH-2.0-name (RFC 4253 §4.2), got ${JSON.stringify(v)}`,
          );
        }
        s.clientVersion = v;
      },
    },
    ServerSSHVersionString: readOnly(() => s.serverVersion),
    SSHFingerprintHashAlgorithm: {
      get: () => s.fingerprintHash,
      set: (v) => {
        const u = v.trim().toUpperCase().replace("-", "");
        if (u !== "SHA256" && u !== "SHA1" && u !== "MD5") {
          throw new SSHTunnelError(
            SSHTunnelErrorCodes.INVALID_ARGUMENT,
            `SSHFingerprintHashAlgorithm must be SHA256, SHA1 or MD5, got ${JSON.stringify(v)}`,
          );
        }
        s.fingerprintHash = u;
      },
    },
    SSHFingerprintMD5: readOnly(() => s.fingerprints.MD5),
    SSHFingerprintSHA1: readOnly(() => s.fingerprints.SHA1),
    SSHFingerprintSHA256: readOnly(() => s.fingerprints.SHA256),
    SSHAcceptAnyServerHostKey: bool(
      () => s.acceptAnyServerHostKey,
      (v) => {
        s.acceptAnyServerHostKey = v;
      },
      "SSHAcceptAnyServerHostKey",
    ),
    SSHAcceptServerHostKeyFingerPrint: {
      get: () => s.acceptServerHostKeyFingerprints.join(","),
      set: (v) => {
        s.acceptServerHostKeyFingerprints = v
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean);
      },
    },
    KeyRenegotiationThreshold: int(
      () => s.rekeyBytes,
      (v) => {
        s.rekeyBytes = v;
      },
      "KeyRenegotiationThreshold",
      1024,
      2 ** 40,
    ),
    SSHKeyRenegotiate: {
      get: () => "",
      set: (v) => {
        if (parseBoolean("SSHKeyRenegotiate", v))
          void t.exchangeKeys().catch((e: Error) => t.log(1, `rekey failed: ${e.message}`));
      },
    },
    MaxPacketSize: int(
      () => s.maxPacketSize,
      (v) => {
        s.maxPacketSize = v;
      },
      "MaxPacketSize",
      1024,
      256 * 1024,
    ),
    MaxWindowSize: int(
      () => s.maxWindowSize,
      (v) => {
        s.maxWindowSize = v;
      },
      "MaxWindowSize",
      64 * 1024,
      2 ** 31,
    ),
    TcpNoDelay: bool(
      () => s.tcpNoDelay,
      (v) => {
        s.tcpNoDelay = v;
      },
      "TcpNoDelay",
    ),
    TCPKeepAlive: bool(
      () => s.tcpKeepAlive,
      (v) => {
        s.tcpKeepAlive = v;
      },
      "TCPKeepAlive",
    ),
    UseIPv6: bool(
      () => s.useIPv6,
      (v) => {
        s.useIPv6 = v;
      },
      "UseIPv6",
    ),
    LocalHost: {
      get: () => s.localHost,
      set: (v) => {
        s.localHost = v.trim();
      },
    },
    LocalPort: int(
      () => s.localPort,
      (v) => {
        s.localPort = v;
      },
      "LocalPort",
      0,
      65535,
    ),
    ForwardingLocalHost: {
      get: () => s.forwardingLocalHost,
      set: (v) => {
        s.forwardingLocalHost = v.trim();
      },
    },
    SignedSSHCert: {
      get: () => s.signedSshCert,
      set: (v) => {
        const text = v.trim();
        if (text !== "") {
          try {
            parseCertificate(text);
          } catch (e) {
            throw new SSHTunnelError(SSHTunnelErrorCodes.KEY_ERROR, `SignedSSHCert: ${(e as Error).message}`, {
              cause: e,
            });
          }
        }
        s.signedSshCert = text;
      },
    },
    BuildInfo: readOnly(() => `purssh ${VERSION} (pure TypeScript, noble crypto)`),
    LicenseInfo: readOnly(() => "MIT licence; no licence key needed"),
    CodePage: {
      get: () => "65001",
      set: (v) => {
        if (v.trim() !== "65001") {
          throw new SSHTunnelError(SSHTunnelErrorCodes.INVALID_ARGUMENT, "CodePage: only 65001 (UTF-8) is supported");
        }
      },
    },
    UseInternalSecurityAPI: readOnly(() => "true"),
  };
}
