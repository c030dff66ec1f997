/**
 * The tunnel's settings and the `config("Name[=Value]")` table (ipworks-spec.md §5). Every seed
 * setting is listed: implemented ones read and write, known ones not implemented yet throw a
 * "not implemented" error, and an unknown name throws — never a silent no-op.
 * @module
 */
import {
  DEFAULT_CIPHERS,
  DEFAULT_HOST_KEY_ALGORITHMS,
  DEFAULT_KEX_ALGORITHMS,
  DEFAULT_MACS,
  getCipher,
  getKex,
  getMac,
  getSignatureAlgorithm,
} from "@purssh/crypto";
import { SSHTunnelError, SSHTunnelErrorCodes } from "./errors.js";

/** Plain data the tunnel reads when it connects. */
export interface TunnelSettings {
  forwardedPort: number;
  kexAlgorithms: string[];
  macAlgorithms: string[];
  hostKeyAlgorithms: string[];
  pubKeyAuthSigAlgorithms: string[];
  encryptionAlgorithms: string[];
  compressionAlgorithms: string[];
  timeoutSeconds: number;
  connectionTimeoutSeconds: number;
  logLevel: number;
  clientVersion: string;
  serverVersion: string;
  fingerprintHash: "SHA256" | "SHA1" | "MD5";
  fingerprints: { MD5: string; SHA1: string; SHA256: string };
  acceptAnyServerHostKey: boolean;
  acceptServerHostKeyFingerprints: string[];
  rekeyBytes: number;
  /** RFC 4419 group exchange: the preferred group size `n` (min 2048, max 8192 stay). */
  preferredDhGroupBits: number;
  maxPacketSize: number;
  maxWindowSize: number;
  tcpNoDelay: boolean;
  tcpKeepAlive: boolean;
  useIPv6: boolean;
  localHost: string;
  localPort: number;
  forwardingLocalHost: string;
  /** SignedSSHCert: the OpenSSH user certificate (one-line text) for SSHCert's key. */
  signedSshCert: string;
}

/** OpenSSH 10's PubkeyAcceptedAlgorithms order among what we can sign with (no certs yet). */
const DEFAULT_PUBKEY_AUTH_ALGORITHMS = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
] as const;

export function defaultSettings(): TunnelSettings {
  return {
    forwardedPort: 0,
    kexAlgorithms: [...DEFAULT_KEX_ALGORITHMS],
    macAlgorithms: [...DEFAULT_MACS],
    hostKeyAlgorithms: [...DEFAULT_HOST_KEY_ALGORITHMS],
    pubKeyAuthSigAlgorithms: [...DEFAULT_PUBKEY_AUTH_ALGORITHMS],
    encryptionAlgorithms: [...DEFAULT_CIPHERS],
    compressionAlgorithms: ["none"],
    timeoutSeconds: 60,
    connectionTimeoutSeconds: 0,
    logLevel: 1,
    clientVersion: "SSH-2.0-purssh_0.1",
    serverVersion: "",
    fingerprintHash: "SHA256",
    fingerprints: { MD5: "", SHA1: "", SHA256: "" },
    acceptAnyServerHostKey: false,
    acceptServerHostKeyFingerprints: [],
    rekeyBytes: 1024 * 1024 * 1024,
    preferredDhGroupBits: 3072,
    maxPacketSize: 32 * 1024,
    maxWindowSize: 2 * 1024 * 1024,
    tcpNoDelay: true,
    tcpKeepAlive: false,
    useIPv6: false,
    localHost: "",
    localPort: 0,
    forwardingLocalHost: "",
    signedSshCert: "",
  };
}

const invalid = (message: string) => new SSHTunnelError(SSHTunnelErrorCodes.INVALID_ARGUMENT, message);

export function parseBoolean(name: string, v: string): boolean {
  const t = v.trim().toLowerCase();
  if (t === "true" || t === "1") return true;
  if (t === "false" || t === "0") return false;
  throw invalid(`${name}: expected true, false, 1 or 0, got ${JSON.stringify(v)}`);
}

export function parseInteger(name: string, v: string, min: number, max: number): number {
  const t = v.trim();
  if (!/^-?\d+$/.test(t)) throw invalid(`${name}: expected an integer, got ${JSON.stringify(v)}`);
  const n = Number(t);
  if (n < min || n > max) throw invalid(`${name}: ${n} is outside ${min}..${max}`);
  return n;
}

/**
 * An algorithm list setting: names we do not implement are skipped (with a log line); a list with
 * none we implement is an error.
 */
export function parseAlgorithmList(
  name: string,
  value: string,
  implemented: (alg: string) => boolean,
  log: (text: string) => void,
): string[] {
  const names = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const ok = names.filter(implemented);
  for (const n of names) if (!implemented(n)) log(`${name}: skipping ${n}, which is not implemented`);
  if (ok.length === 0) throw invalid(`${name}: none of ${JSON.stringify(value)} is implemented`);
  return ok;
}

export const isCipher = (n: string) => getCipher(n) !== undefined;
export const isKex = (n: string) => getKex(n) !== undefined;
export const isMac = (n: string) => getMac(n) !== undefined;
export const isSignature = (n: string) => getSignatureAlgorithm(n) !== undefined;

/** Seed settings not implemented yet, each with the issue that brings it. */
const NOT_YET: Record<string, string> = {
  AutoReconnect: "resilient tunnels",
  DefaultChannelIdleTimeout: "resilient tunnels",
  MaxRetryCount: "resilient tunnels",
  RetryInterval: "resilient tunnels",
  EnablePageantAuth: "agent authentication",
  KerberosDelegation: "GSSAPI authentication",
  KerberosRealm: "GSSAPI authentication",
  KerberosSPN: "GSSAPI authentication",
  PasswordPrompt: "keyboard-interactive authentication",
  RecordLength: "the complete seed surface",
  SSHAcceptServerCAKey: "host certificates",
  SSHKeepAliveCountMax: "keepalive",
  SSHKeepAliveInterval: "keepalive",
  SSHVersionPattern: "the complete seed surface",
  TryAllAvailableAuthMethods: "the complete seed surface",
  WaitForChannelClose: "the complete seed surface",
  WaitForServerDisconnect: "the complete seed surface",
  FirewallAutoDetect: "proxies",
  FirewallHost: "proxies",
  FirewallPassword: "proxies",
  FirewallPort: "proxies",
  FirewallType: "proxies",
  FirewallUser: "proxies",
  FirewallData: "proxies",
  ProxyExceptionsList: "proxies",
  KeepAliveInterval: "TCP keepalive tuning",
  KeepAliveTime: "TCP keepalive tuning",
  Linger: "the complete seed surface",
  LingerTime: "the complete seed surface",
  MaxLineLength: "the complete seed surface",
  MaxTransferRate: "rate limits",
  AbsoluteTimeout: "the complete seed surface",
  InBufferSize: "the complete seed surface",
  OutBufferSize: "the complete seed surface",
};

export interface ConfigEntry {
  get(): string;
  set?(value: string): void;
}

/** Runs one `config()` call against a table of implemented entries. */
export function runConfig(table: Record<string, ConfigEntry>, configurationString: string): string {
  const eq = configurationString.indexOf("=");
  const rawName = (eq < 0 ? configurationString : configurationString.slice(0, eq)).trim();
  const key = Object.keys(table).find((k) => k.toLowerCase() === rawName.toLowerCase());
  if (!key) {
    const pending = Object.keys(NOT_YET).find((k) => k.toLowerCase() === rawName.toLowerCase());
    if (pending) {
      throw new SSHTunnelError(
        SSHTunnelErrorCodes.NOT_IMPLEMENTED,
        `config setting ${pending} is not implemented yet (it arrives with ${NOT_YET[pending]})`,
      );
    }
    throw invalid(`unknown config setting ${JSON.stringify(rawName)}`);
  }
  const entry = table[key]!;
  if (eq < 0) return entry.get();
  if (!entry.set) throw invalid(`config setting ${key} is read-only`);
  entry.set(configurationString.slice(eq + 1));
  return "";
}
