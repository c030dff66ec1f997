/**
 * The tunnel's settings (ipworks-spec.md §5) as plain data with their defaults, the value parsers
 * `config()` uses, and `runConfig`, which resolves one `config("Name[=Value]")` call against the
 * table in tunnel-config.ts: implemented settings read and write, a known setting whose lower
 * layer is missing throws "not implemented", and an unknown name throws — never a silent no-op.
 * Defaults the vendor never documented are our OpenSSH-compatible choices (spec §9).
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
import { Firewall } from "./firewall.js";

/** Plain data the tunnel reads when it connects. */
export interface TunnelSettings {
  forwardedPort: number;
  forwardingLocalHost: string;
  autoReconnect: boolean;
  /** 0 = unlimited. */
  maxRetryCount: number;
  retryIntervalSeconds: number;
  /** SSHKeepAliveInterval (seconds, 0 = off) and SSHKeepAliveCountMax. */
  keepAliveIntervalSeconds: number;
  keepAliveCountMax: number;
  /** DefaultChannelIdleTimeout (seconds, 0 = off). */
  channelIdleTimeoutSeconds: number;
  /** MaxTransferRate (bytes per second, 0 = unlimited). */
  maxTransferRate: number;
  kexAlgorithms: string[];
  macAlgorithms: string[];
  hostKeyAlgorithms: string[];
  pubKeyAuthSigAlgorithms: string[];
  encryptionAlgorithms: string[];
  compressionAlgorithms: string[];
  /** EnablePageantAuth mapped to ssh-agent: 0 off, 1 if reachable, 2 required. */
  enablePageantAuth: 0 | 1 | 2;
  kerberosDelegation: boolean;
  kerberosRealm: string;
  kerberosSpn: string;
  /** A wildcard pattern; a keyboard-interactive prompt matching it is answered with SSHPassword. */
  passwordPrompt: string;
  tryAllAvailableAuthMethods: boolean;
  /** SignedSSHCert: the OpenSSH user certificate (one-line text) for SSHCert's key. */
  signedSshCert: string;
  timeoutSeconds: number;
  absoluteTimeout: boolean;
  connectionTimeoutSeconds: number;
  logLevel: number;
  clientVersion: string;
  serverVersion: string;
  /** Comma-separated wildcard patterns the server's identification string must match. */
  versionPattern: string;
  fingerprintHash: "SHA256" | "SHA1" | "MD5";
  fingerprints: { MD5: string; SHA1: string; SHA256: string };
  acceptAnyServerHostKey: boolean;
  acceptServerHostKeyFingerprints: string[];
  /** SSHAcceptServerCAKey: OpenSSH public-key lines of CAs trusted to sign host certificates. */
  acceptServerCaKeys: string[];
  rekeyBytes: number;
  /** RFC 4419 group exchange: the preferred group size `n` (min 2048, max 8192 stay). */
  preferredDhGroupBits: number;
  maxPacketSize: number;
  maxWindowSize: number;
  /** Default RecordLength of new channels (0 = deliver data as it arrives). */
  recordLength: number;
  waitForChannelClose: boolean;
  waitForServerDisconnect: boolean;
  tcpNoDelay: boolean;
  tcpKeepAlive: boolean;
  /** KeepAliveTime (ms before the first TCP keep-alive probe; 0 = the OS default). */
  keepAliveTimeMs: number;
  linger: boolean;
  lingerTimeSeconds: number;
  useIPv6: boolean;
  localHost: string;
  localPort: number;
  /** Stream queue sizes of the SSH socket in bytes (0 = Node's default). */
  inBufferSize: number;
  outBufferSize: number;
  firewall: Firewall;
  /** FirewallData: extra HTTP CONNECT header lines ("Name: value", CRLF or LF separated). */
  firewallData: string;
  /** ProxyExceptionsList: hosts / IPs (wildcards allowed) reached without the firewall. */
  proxyExceptions: string[];
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
    forwardingLocalHost: "",
    autoReconnect: false,
    maxRetryCount: 0,
    retryIntervalSeconds: 5,
    keepAliveIntervalSeconds: 0,
    keepAliveCountMax: 3,
    channelIdleTimeoutSeconds: 0,
    maxTransferRate: 0,
    kexAlgorithms: [...DEFAULT_KEX_ALGORITHMS],
    macAlgorithms: [...DEFAULT_MACS],
    hostKeyAlgorithms: [...DEFAULT_HOST_KEY_ALGORITHMS],
    pubKeyAuthSigAlgorithms: [...DEFAULT_PUBKEY_AUTH_ALGORITHMS],
    encryptionAlgorithms: [...DEFAULT_CIPHERS],
    // The vendor's default (ipworks-spec.md §2): none preferred, zlib accepted.
    compressionAlgorithms: ["none", "zlib"],
    enablePageantAuth: 0,
    kerberosDelegation: false,
    kerberosRealm: "",
    kerberosSpn: "",
    passwordPrompt: "",
    tryAllAvailableAuthMethods: false,
    signedSshCert: "",
    timeoutSeconds: 60,
    absoluteTimeout: false,
    connectionTimeoutSeconds: 0,
    logLevel: 1,
    clientVersion: "SSH-2.0-purssh_0.1",
    serverVersion: "",
    versionPattern: "*SSH-1.99-*,*SSH-2.0-*",
    fingerprintHash: "SHA256",
    fingerprints: { MD5: "", SHA1: "", SHA256: "" },
    acceptAnyServerHostKey: false,
    acceptServerHostKeyFingerprints: [],
    acceptServerCaKeys: [],
    rekeyBytes: 1024 * 1024 * 1024,
    preferredDhGroupBits: 3072,
    maxPacketSize: 32 * 1024,
    maxWindowSize: 2 * 1024 * 1024,
    recordLength: 0,
    waitForChannelClose: true,
    waitForServerDisconnect: false,
    tcpNoDelay: true,
    tcpKeepAlive: false,
    keepAliveTimeMs: 0,
    linger: true,
    lingerTimeSeconds: 0,
    useIPv6: false,
    localHost: "",
    localPort: 0,
    inBufferSize: 0,
    outBufferSize: 0,
    firewall: new Firewall(),
    firewallData: "",
    proxyExceptions: [],
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

/** A comma (or semicolon) separated list, trimmed, without empty entries. */
export function parseList(v: string, separator: RegExp = /,/): string[] {
  return v
    .split(separator)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
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
  const names = parseList(value);
  const ok = names.filter(implemented);
  for (const n of names) if (!implemented(n)) log(`${name}: skipping ${n}, which is not implemented`);
  if (ok.length === 0) throw invalid(`${name}: none of ${JSON.stringify(value)} is implemented`);
  return ok;
}

export const isCipher = (n: string) => getCipher(n) !== undefined;
export const isKex = (n: string) => getKex(n) !== undefined;
export const isMac = (n: string) => getMac(n) !== undefined;
export const isSignature = (n: string) => getSignatureAlgorithm(n) !== undefined;
/** RFC 4253 §6.2 "none" and zlib, plus OpenSSH's delayed zlib (PROTOCOL §1.2). */
export const isCompression = (n: string) => n === "none" || n === "zlib" || n === "zlib@openssh.com";

/** `*` and `?` wildcard match, case-insensitive (SSHVersionPattern, PasswordPrompt, exceptions). */
export function wildcardMatch(pattern: string, text: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, "is").test(text);
}

/** Seed settings this build cannot provide yet, each with the lower layer it waits for. */
export const NOT_YET: Record<string, string> = {};

export interface ConfigEntry {
  get(): string;
  set?(value: string, name: string): void;
}

/** Runs one `config()` call against a table of implemented entries. */
export function runConfig(table: Record<string, ConfigEntry>, configurationString: string): string {
  const eq = configurationString.indexOf("=");
  const rawName = (eq < 0 ? configurationString : configurationString.slice(0, eq)).trim();
  const lower = rawName.toLowerCase();
  const pending = Object.keys(NOT_YET).find((k) => k.toLowerCase() === lower);
  if (pending) {
    throw new SSHTunnelError(
      SSHTunnelErrorCodes.NOT_IMPLEMENTED,
      `config setting ${pending} is not implemented yet (it needs ${NOT_YET[pending]})`,
    );
  }
  const key = Object.keys(table).find((k) => k.toLowerCase() === lower);
  if (!key) throw invalid(`unknown config setting ${JSON.stringify(rawName)}`);
  const entry = table[key]!;
  if (eq < 0) return entry.get();
  if (!entry.set) throw invalid(`config setting ${key} is read-only`);
  entry.set(configurationString.slice(eq + 1), key);
  return "";
}
