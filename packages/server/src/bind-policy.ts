/**
 * Where a remote forwarding listens (OpenSSH sshd_config(5) GatewayPorts, channels.c
 * channel_fwd_bind_addr): with "no", always on the loopback interfaces whatever the client asked;
 * with "yes", on every interface; with "clientspecified", where the client asked — "" and "*"
 * meaning every interface, "localhost" the loopback interfaces, anything else that address.
 * And which forwardings are allowed at all (PermitListen, authorized_keys `permitlisten`).
 * @module
 */

export type GatewayPorts = "no" | "yes" | "clientspecified";

/** The concrete addresses to bind: "loopback" = 127.0.0.1 and ::1, "any" = every interface. */
export type BindTarget = { kind: "loopback" } | { kind: "any" } | { kind: "address"; address: string };

export function bindTarget(requested: string, gatewayPorts: GatewayPorts): BindTarget {
  if (gatewayPorts === "no") return { kind: "loopback" };
  if (gatewayPorts === "yes") return { kind: "any" };
  if (requested === "" || requested === "*") return { kind: "any" };
  if (requested === "localhost") return { kind: "loopback" };
  return { kind: "address", address: requested };
}

/**
 * One PermitListen entry (sshd_config(5)): `port`, `host:port`, `[v6]:port`, with `*` as a
 * wildcard for the host or the port, or the keywords `any` / `none`.
 */
export interface ListenPermission {
  host: string;
  port: number | "*";
}

/** Parses PermitListen-style entries; throws on a malformed one. */
export function parsePermitListen(entries: readonly string[]): ListenPermission[] | "any" | "none" {
  if (entries.length === 1 && entries[0] === "any") return "any";
  if (entries.length === 1 && entries[0] === "none") return "none";
  return entries.map((entry) => {
    const m = /^(?:\[([^\]]+)\]|([^:]*)):(\*|\d{1,5})$/.exec(entry) ?? /^()()(\*|\d{1,5})$/.exec(entry);
    if (!m) throw new TypeError(`PermitListen entry "${entry}" is not [host:]port`);
    const host = m[1] ?? m[2] ?? "";
    const port = m[3] === "*" ? "*" : Number(m[3]);
    if (port !== "*" && port > 65535) throw new TypeError(`PermitListen entry "${entry}": port out of range`);
    return { host: host === "" ? "*" : host, port };
  });
}

/** OpenSSH channels.c check_rfwd_permission: host and port must both match an entry. */
export function listenPermitted(
  permissions: readonly ListenPermission[] | "any" | "none",
  host: string,
  port: number,
): boolean {
  if (permissions === "any") return true;
  if (permissions === "none") return false;
  return permissions.some((p) => (p.port === "*" || p.port === port) && (p.host === "*" || p.host === host));
}
