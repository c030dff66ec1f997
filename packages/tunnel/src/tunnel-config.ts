/**
 * SSHReverseTunnel's `config()` table (ipworks-spec.md §5): one row per seed setting, reading and
 * writing the tunnel's settings with a typed parser, so a bad value is refused with the setting's
 * name and range. Rows whose value cannot be provided on this runtime refuse it clearly rather
 * than pretending (KeepAliveInterval, MaxLineLength); BuildInfo, LicenseInfo, CodePage and
 * UseInternalSecurityAPI describe this implementation.
 * @module
 */
import { parseCertificate, parsePublicKey } from "@purssh/keys";
import { SSHTunnelError, SSHTunnelErrorCodes } from "./errors.js";
import { parseFirewallData, parseFirewallType } from "./firewall.js";
import {
  type ConfigEntry,
  isCipher,
  isCompression,
  isKex,
  isMac,
  isSignature,
  parseAlgorithmList,
  parseBoolean,
  parseInteger,
  parseList,
  type TunnelSettings,
} from "./settings.js";
import type { SSHReverseTunnel } from "./tunnel.js";

const VERSION = "0.1.0";

type KeysOf<T> = { [K in keyof TunnelSettings]: TunnelSettings[K] extends T ? K : never }[keyof TunnelSettings];

const invalid = (message: string) => new SSHTunnelError(SSHTunnelErrorCodes.INVALID_ARGUMENT, message);
const unsupported = (message: string) => new SSHTunnelError(SSHTunnelErrorCodes.UNSUPPORTED, message);

export function buildConfigTable(t: SSHReverseTunnel): Record<string, ConfigEntry> {
  const s = t.settings;
  const fw = s.firewall;
  const log = (text: string) => t.log(1, text);
  const bool = (key: KeysOf<boolean>): ConfigEntry => ({
    get: () => String(s[key]),
    set: (v, name) => {
      s[key] = parseBoolean(name, v);
    },
  });
  const int = (key: KeysOf<number>, min: number, max: number): ConfigEntry => ({
    get: () => String(s[key]),
    set: (v, name) => {
      (s[key] as number) = parseInteger(name, v, min, max);
    },
  });
  const text = (key: KeysOf<string>, check?: (v: string, name: string) => void): ConfigEntry => ({
    get: () => String(s[key]),
    set: (v, name) => {
      check?.(v, name);
      (s[key] as string) = v;
    },
  });
  const list = (key: KeysOf<string[]>, ok: (n: string) => boolean): ConfigEntry => ({
    get: () => s[key].join(","),
    set: (v, name) => {
      s[key] = parseAlgorithmList(name, v, ok, log);
    },
  });
  const readOnly = (get: () => string): ConfigEntry => ({ get });
  const DAY = 86_400;
  return {
    // SSHReverseTunnel
    AutoReconnect: bool("autoReconnect"),
    DefaultChannelIdleTimeout: int("channelIdleTimeoutSeconds", 0, DAY),
    ForwardedPort: readOnly(() => String(s.forwardedPort)),
    ForwardingLocalHost: text("forwardingLocalHost"),
    MaxRetryCount: int("maxRetryCount", 0, 1_000_000),
    RetryInterval: int("retryIntervalSeconds", 0, DAY),
    // SSH client
    ClientSSHVersionString: text("clientVersion", (v) => {
      if (!/^SSH-2\.0-[\x21-\x2c\x2e-\x7e]+( [\x20-\x7e]*)?$/.test(v) || v.length > 253) {
        throw invalid(`ClientSSHVersionString must look like SSH-2.0-name (RFC 4253 §4.2), got ${JSON.stringify(v)}`);
      }
    }),
    EnablePageantAuth: int("enablePageantAuth", 0, 2),
    KerberosDelegation: bool("kerberosDelegation"),
    KerberosRealm: text("kerberosRealm"),
    KerberosSPN: text("kerberosSpn"),
    KeyRenegotiationThreshold: int("rekeyBytes", 1024, 2 ** 40),
    LogLevel: int("logLevel", 0, 3),
    MaxPacketSize: int("maxPacketSize", 1024, 256 * 1024),
    MaxWindowSize: int("maxWindowSize", 64 * 1024, 2 ** 31),
    PasswordPrompt: text("passwordPrompt"),
    PreferredDHGroupBits: int("preferredDhGroupBits", 2048, 8192),
    RecordLength: int("recordLength", 0, 2 ** 30),
    ServerSSHVersionString: readOnly(() => s.serverVersion),
    SignedSSHCert: text("signedSshCert", (v) => {
      if (v.trim() === "") return;
      try {
        parseCertificate(v.trim());
      } catch (e) {
        throw new SSHTunnelError(SSHTunnelErrorCodes.KEY_ERROR, `SignedSSHCert: ${(e as Error).message}`, { cause: e });
      }
    }),
    SSHAcceptAnyServerHostKey: bool("acceptAnyServerHostKey"),
    SSHAcceptServerCAKey: {
      get: () => s.acceptServerCaKeys.join("\n"),
      set: (v) => {
        const lines = parseList(v, /[\n,]/);
        for (const line of lines) {
          try {
            parsePublicKey(line);
          } catch (e) {
            throw new SSHTunnelError(SSHTunnelErrorCodes.KEY_ERROR, `SSHAcceptServerCAKey: ${(e as Error).message}`);
          }
        }
        s.acceptServerCaKeys = lines;
      },
    },
    SSHAcceptServerHostKeyFingerPrint: {
      get: () => s.acceptServerHostKeyFingerprints.join(","),
      set: (v) => {
        s.acceptServerHostKeyFingerprints = parseList(v);
      },
    },
    SSHFingerprintHashAlgorithm: {
      get: () => s.fingerprintHash,
      set: (v) => {
        const u = v.trim().toUpperCase().replace("-", "");
        if (u !== "SHA256" && u !== "SHA1" && u !== "MD5") {
          throw invalid(`SSHFingerprintHashAlgorithm must be SHA256, SHA1 or MD5, got ${JSON.stringify(v)}`);
        }
        s.fingerprintHash = u;
      },
    },
    SSHFingerprintMD5: readOnly(() => s.fingerprints.MD5),
    SSHFingerprintSHA1: readOnly(() => s.fingerprints.SHA1),
    SSHFingerprintSHA256: readOnly(() => s.fingerprints.SHA256),
    SSHKeepAliveCountMax: int("keepAliveCountMax", 0, 1000),
    SSHKeepAliveInterval: int("keepAliveIntervalSeconds", 0, DAY),
    SSHKeyExchangeAlgorithms: list("kexAlgorithms", isKex),
    SSHKeyRenegotiate: {
      get: () => "",
      set: (v, name) => {
        if (parseBoolean(name, v)) void t.exchangeKeys().catch((e: Error) => t.log(1, `rekey failed: ${e.message}`));
      },
    },
    SSHMacAlgorithms: list("macAlgorithms", isMac),
    SSHPubKeyAuthSigAlgorithms: list("pubKeyAuthSigAlgorithms", isSignature),
    SSHPublicKeyAlgorithms: list("hostKeyAlgorithms", isSignature),
    SSHEncryptionAlgorithms: list("encryptionAlgorithms", isCipher),
    SSHCompressionAlgorithms: list("compressionAlgorithms", isCompression),
    SSHVersionPattern: text("versionPattern", (v, name) => {
      if (parseList(v).length === 0) throw invalid(`${name} needs at least one pattern (e.g. *SSH-2.0-*)`);
    }),
    TryAllAvailableAuthMethods: bool("tryAllAvailableAuthMethods"),
    WaitForChannelClose: bool("waitForChannelClose"),
    WaitForServerDisconnect: bool("waitForServerDisconnect"),
    // TCP client
    ConnectionTimeout: int("connectionTimeoutSeconds", 0, DAY),
    FirewallAutoDetect: {
      get: () => String(fw.autoDetect),
      set: (v, name) => {
        fw.autoDetect = parseBoolean(name, v);
      },
    },
    FirewallHost: {
      get: () => fw.host,
      set: (v) => {
        fw.host = v.trim();
      },
    },
    FirewallPassword: {
      get: () => fw.password,
      set: (v) => {
        fw.password = v;
      },
    },
    FirewallPort: {
      get: () => String(fw.port),
      set: (v, name) => {
        fw.port = parseInteger(name, v, 0, 65535);
      },
    },
    FirewallType: {
      get: () => String(fw.firewallType),
      set: (v) => {
        fw.firewallType = parseFirewallType(v);
      },
    },
    FirewallUser: {
      get: () => fw.user,
      set: (v) => {
        fw.user = v;
      },
    },
    KeepAliveInterval: {
      get: () => "0",
      set: (v, name) => {
        if (parseInteger(name, v, 0, 2 ** 31) !== 0) {
          throw unsupported(
            "KeepAliveInterval is not available on this runtime: Node.js cannot set the TCP keep-alive retry interval (TCP_KEEPINTVL); the OS default applies",
          );
        }
      },
    },
    KeepAliveTime: int("keepAliveTimeMs", 0, 2 ** 31),
    Linger: bool("linger"),
    LingerTime: int("lingerTimeSeconds", 0, 3600),
    LocalHost: text("localHost"),
    LocalPort: int("localPort", 0, 65535),
    MaxLineLength: {
      get: () => "0",
      set: () => {
        throw unsupported(
          "MaxLineLength does not apply: SSHReverseTunnel has no line-mode receive (RecordLength sets the size of SSHChannelData)",
        );
      },
    },
    MaxTransferRate: int("maxTransferRate", 0, 2 ** 40),
    ProxyExceptionsList: {
      get: () => s.proxyExceptions.join(";"),
      set: (v) => {
        s.proxyExceptions = parseList(v, /;/);
      },
    },
    TCPKeepAlive: bool("tcpKeepAlive"),
    TcpNoDelay: bool("tcpNoDelay"),
    UseIPv6: bool("useIPv6"),
    // Socket
    AbsoluteTimeout: bool("absoluteTimeout"),
    FirewallData: text("firewallData", (v) => void parseFirewallData(v)),
    InBufferSize: int("inBufferSize", 0, 64 * 1024 * 1024),
    OutBufferSize: int("outBufferSize", 0, 64 * 1024 * 1024),
    Timeout: int("timeoutSeconds", 0, DAY),
    // Base
    BuildInfo: readOnly(() => `purssh ${VERSION} (pure TypeScript, noble crypto)`),
    CodePage: {
      get: () => "65001",
      set: (v) => {
        if (v.trim() !== "65001") throw invalid("CodePage: only 65001 (UTF-8) is supported");
      },
    },
    LicenseInfo: readOnly(() => "MIT licence; no licence key needed"),
    UseInternalSecurityAPI: readOnly(() => "true"),
  };
}
