/**
 * The seed's Firewall type (ipworks-spec.md §2, §5c): the proxy the SSH TCP connection itself is
 * made through — HTTP CONNECT ("tunnel"), SOCKS4 (SOCKS4a when SSHHost is a name, so the proxy
 * resolves it), SOCKS5 — or the system's proxy (FirewallAutoDetect: the ALL_PROXY / HTTPS_PROXY /
 * HTTP_PROXY environment, NO_PROXY adding to ProxyExceptionsList). `proxyFor` turns the settings
 * into @purssh/net's ProxyOptions, or undefined for a direct connection.
 * @module
 */
import { isIP } from "node:net";
import { SSHTunnelError, SSHTunnelErrorCodes } from "./errors.js";

/** FirewallType values: the seed's NONE / TUNNEL / SOCKS4 / SOCKS5, plus SOCKS4A to force 4a. */
export const FirewallTypes = { fwNone: 0, fwTunnel: 1, fwSOCKS4: 2, fwSOCKS5: 3, fwSOCKS4A: 10 } as const;
export type FirewallType = (typeof FirewallTypes)[keyof typeof FirewallTypes];

/** Default ports when FirewallPort is 0 (the secondary sources' defaults: 80 tunnel, 1080 SOCKS). */
export const DEFAULT_TUNNEL_PORT = 80;
export const DEFAULT_SOCKS_PORT = 1080;

/** The Firewall property: a live object; changing a field changes the tunnel's setting. */
export class Firewall {
  autoDetect = false;
  firewallType: FirewallType = FirewallTypes.fwNone;
  host = "";
  port = 0;
  user = "";
  password = "";

  constructor(fields: Partial<Omit<Firewall, "assign">> = {}) {
    this.assign(fields);
  }

  /** Copies the given fields (what setFirewall does). */
  assign(fields: Partial<Omit<Firewall, "assign">>): void {
    if (fields.autoDetect !== undefined) this.autoDetect = fields.autoDetect;
    if (fields.firewallType !== undefined) this.firewallType = parseFirewallType(String(fields.firewallType));
    if (fields.host !== undefined) this.host = fields.host;
    if (fields.port !== undefined) {
      if (!Number.isInteger(fields.port) || fields.port < 0 || fields.port > 65535) {
        throw new SSHTunnelError(
          SSHTunnelErrorCodes.INVALID_ARGUMENT,
          `Firewall port must be 0..65535, got ${fields.port}`,
        );
      }
      this.port = fields.port;
    }
    if (fields.user !== undefined) this.user = fields.user;
    if (fields.password !== undefined) this.password = fields.password;
  }
}

const TYPE_NAMES: Record<string, FirewallType> = {
  NONE: 0,
  TUNNEL: 1,
  HTTP: 1,
  SOCKS4: 2,
  SOCKS5: 3,
  SOCKS4A: 10,
};

/** A FirewallType number or name (NONE, TUNNEL, SOCKS4, SOCKS5, SOCKS4A; an `fw` prefix is fine). */
export function parseFirewallType(v: string): FirewallType {
  const t = v.trim().toUpperCase().replace(/^FW/, "");
  const byName = TYPE_NAMES[t];
  if (byName !== undefined) return byName;
  const n = Number(t);
  if ((Object.values(FirewallTypes) as number[]).includes(n) && t !== "") return n as FirewallType;
  throw new SSHTunnelError(
    SSHTunnelErrorCodes.INVALID_ARGUMENT,
    `FirewallType must be 0 (NONE), 1 (TUNNEL), 2 (SOCKS4), 3 (SOCKS5) or 10 (SOCKS4A), got ${JSON.stringify(v)}`,
  );
}

/** What @purssh/net's connectViaProxy takes (its ProxyOptions). */
export interface ProxySpec {
  type: "socks4" | "socks4a" | "socks5" | "http";
  host: string;
  port: number;
  username?: string;
  password?: string;
  headers?: Record<string, string>;
}

/** FirewallData as CONNECT headers: one "Name: value" per line. */
export function parseFirewallData(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) {
      throw new SSHTunnelError(
        SSHTunnelErrorCodes.INVALID_ARGUMENT,
        `FirewallData: expected "Name: value" header lines, got ${JSON.stringify(line)}`,
      );
    }
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** True when `host` matches an entry of ProxyExceptionsList (wildcards, or a domain suffix ".x"). */
export function isProxyException(host: string, exceptions: readonly string[]): boolean {
  const h = host.toLowerCase();
  return exceptions.some((raw) => {
    const e = raw.toLowerCase();
    if (e === "*") return true;
    if (e.startsWith(".")) return h.endsWith(e) || h === e.slice(1);
    const re = new RegExp(
      `^${e
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".")}$`,
    );
    return re.test(h);
  });
}

/** The system proxy from the environment (curl's variables), as a Firewall, or undefined. */
export function detectSystemFirewall(
  env: NodeJS.ProcessEnv = process.env,
): { firewall: Firewall; noProxy: string[] } | undefined {
  const raw = env.ALL_PROXY ?? env.all_proxy ?? env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy;
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw.includes("://") ? raw : `http://${raw}`);
  } catch {
    throw new SSHTunnelError(
      SSHTunnelErrorCodes.INVALID_ARGUMENT,
      `FirewallAutoDetect: cannot parse proxy ${JSON.stringify(raw)}`,
    );
  }
  const scheme = url.protocol.replace(/:$/, "").toLowerCase();
  const firewallType =
    scheme === "socks5" || scheme === "socks5h"
      ? FirewallTypes.fwSOCKS5
      : scheme === "socks4a"
        ? FirewallTypes.fwSOCKS4A
        : scheme === "socks4" || scheme === "socks"
          ? FirewallTypes.fwSOCKS4
          : FirewallTypes.fwTunnel;
  const firewall = new Firewall({
    firewallType,
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port ? Number(url.port) : 0,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  });
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? "").split(/[,;\s]+/).filter(Boolean);
  return { firewall, noProxy };
}

/** The proxy to use for `target`, or undefined to connect directly. */
export function proxyFor(
  target: string,
  settings: { firewall: Firewall; firewallData: string; proxyExceptions: readonly string[] },
  env: NodeJS.ProcessEnv = process.env,
): ProxySpec | undefined {
  let fw = settings.firewall;
  let exceptions = settings.proxyExceptions;
  if (fw.firewallType === FirewallTypes.fwNone && fw.autoDetect) {
    const detected = detectSystemFirewall(env);
    if (!detected) return undefined;
    fw = detected.firewall;
    exceptions = [...exceptions, ...detected.noProxy];
  }
  if (fw.firewallType === FirewallTypes.fwNone) return undefined;
  if (isProxyException(target, exceptions)) return undefined;
  if (!fw.host) {
    throw new SSHTunnelError(
      SSHTunnelErrorCodes.INVALID_ARGUMENT,
      "Firewall: FirewallType is set but FirewallHost is empty",
    );
  }
  const tunnel = fw.firewallType === FirewallTypes.fwTunnel;
  const type: ProxySpec["type"] = tunnel
    ? "http"
    : fw.firewallType === FirewallTypes.fwSOCKS5
      ? "socks5"
      : fw.firewallType === FirewallTypes.fwSOCKS4A || isIP(target) === 0
        ? "socks4a"
        : "socks4";
  const spec: ProxySpec = { type, host: fw.host, port: fw.port || (tunnel ? DEFAULT_TUNNEL_PORT : DEFAULT_SOCKS_PORT) };
  if (fw.user) spec.username = fw.user;
  // SOCKS4 has no password field; SOCKS5 and HTTP Basic carry one.
  if (fw.password && type !== "socks4" && type !== "socks4a") spec.password = fw.password;
  if (type === "socks5" && spec.username !== undefined && spec.password === undefined) spec.password = "";
  if (tunnel && settings.firewallData.trim() !== "") spec.headers = parseFirewallData(settings.firewallData);
  return spec;
}
