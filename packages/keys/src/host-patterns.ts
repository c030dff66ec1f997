/**
 * OpenSSH patterns (ssh_config(5) PATTERNS; OpenSSH match.c and addrmatch.c): `*` matches any
 * run of characters, `?` exactly one; a pattern-list is comma-separated and an entry prefixed by
 * `!` is a negation — a string matching a negated entry is rejected by the whole list, whatever
 * else matches. These are the host patterns of known_hosts (sshd(8) SSH_KNOWN_HOSTS FILE FORMAT),
 * the `from="…"` lists of authorized_keys (with CIDR entries for addresses) and the host part of
 * `permitlisten`. Host names compare case-insensitively (lower-cased), everything else exactly.
 *
 * Also here: the name known_hosts stores for a host and port, `host` for port 22 and
 * `[host]:port` otherwise (sshd(8): "A hostname or address may optionally be enclosed within '['
 * and ']' brackets then followed by ':' and a non-standard port number").
 * @module
 */
import { type CidrBlock, cidrContains, parseCidr, parseIpAddress } from "./ip-address.js";

/** The result of matching a pattern-list: a positive entry matched, nothing matched, or a `!` entry matched. */
export type PatternListMatch = "match" | "none" | "negated";

/** The SSH default port (RFC 4253 §4.1); known_hosts names for it carry no port. */
export const SSH_DEFAULT_PORT = 22;

/**
 * Whether `text` matches the wildcard `pattern` as a whole (`*` any run, possibly empty; `?` one
 * character; everything else literal). Linear backtracking on the last `*`, so hostile patterns
 * cost at most O(|text|·|pattern|).
 */
export function matchPattern(text: string, pattern: string): boolean {
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const pc = pattern[p];
    if (pc === "*") {
      starP = p++;
      starT = t;
    } else if (pc !== undefined && (pc === "?" || pc === text[t])) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}

/** The entries of a pattern-list with their negation flags. */
function entries(list: string): { negated: boolean; pattern: string }[] {
  return list
    .split(",")
    .map((e) => (e.startsWith("!") ? { negated: true, pattern: e.slice(1) } : { negated: false, pattern: e }));
}

/**
 * OpenSSH match_pattern_list: "negated" as soon as a `!` entry matches, else "match" if a positive
 * entry matched, else "none". With `lowercase`, patterns are lower-cased first (the caller
 * lower-cases `text`), as match_hostname does.
 */
export function matchPatternList(text: string, list: string, lowercase = false): PatternListMatch {
  let positive = false;
  for (const { negated, pattern } of entries(list)) {
    if (!matchPattern(text, lowercase ? pattern.toLowerCase() : pattern)) continue;
    if (negated) return "negated";
    positive = true;
  }
  return positive ? "match" : "none";
}

/** OpenSSH match_hostname: a host name against a pattern-list, case-insensitively. */
export function matchHostname(host: string, list: string): PatternListMatch {
  return matchPatternList(host.toLowerCase(), list, true);
}

/**
 * OpenSSH addr_match_list: an address against a list whose entries are CIDR blocks or wildcard
 * patterns, each possibly negated. "invalid" when an entry is empty or is a CIDR block with host
 * bits set (the list is then unusable); "none" when `ip` is not an address.
 */
export function matchAddressList(ip: string, list: string): PatternListMatch | "invalid" {
  const address = parseIpAddress(ip);
  let result: PatternListMatch = "none";
  for (const { negated, pattern } of entries(list)) {
    if (pattern === "") return "invalid";
    let hit: boolean;
    const slash = pattern.indexOf("/");
    const asAddress = parseIpAddress(slash < 0 ? pattern : pattern.slice(0, slash));
    if (asAddress !== undefined && (slash < 0 || /^\d+$/.test(pattern.slice(slash + 1)))) {
      let block: CidrBlock;
      try {
        block = parseCidr(pattern);
      } catch {
        return "invalid"; // OpenSSH: "inconsistent mask length for match network"
      }
      hit = address !== undefined && cidrContains(block, address);
    } else {
      hit = address !== undefined && matchPattern(ip, pattern);
    }
    if (!hit) continue;
    if (negated) return "negated";
    result = "match";
  }
  return result;
}

/**
 * OpenSSH match_host_and_ip, the `from="…"` check of authorized_keys: accepted when the address
 * or the host name matches a positive entry and neither matches a negated one; an invalid list
 * never accepts. `host` is the client's canonical name; sshd uses the address itself when it does
 * not resolve names (UseDNS no, the default), which is what an omitted `host` means here.
 */
export function matchHostAndAddress(host: string | undefined, ip: string, list: string): boolean {
  const byAddress = matchAddressList(ip, list);
  if (byAddress === "invalid" || byAddress === "negated") return false;
  const byHost = matchHostname(host ?? ip, list);
  if (byHost === "negated") return false;
  return byHost === "match" || byAddress === "match";
}

/**
 * The name known_hosts records for a host and port (OpenSSH put_host_port): the lower-cased host
 * for port 22 (or 0, "unspecified"), else `[host]:port`.
 */
export function knownHostsName(host: string, port: number = SSH_DEFAULT_PORT): string {
  const lower = host.toLowerCase();
  return port === SSH_DEFAULT_PORT || port === 0 ? lower : `[${lower}]:${port}`;
}
