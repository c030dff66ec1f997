/**
 * The options field of an authorized_keys line (sshd(8) "AUTHORIZED_KEYS FILE FORMAT"; OpenSSH
 * auth-options.c sshauthopt_parse): comma-separated, keywords case-insensitive, no spaces except
 * inside double quotes, a quote inside a value written `\"`. Flags: restrict, cert-authority and
 * the negatable [no-]port-forwarding, [no-]agent-forwarding, [no-]X11-forwarding, [no-]pty,
 * [no-]user-rc, [no-]touch-required, [no-]verify-required. Valued (always quoted): command,
 * principals, from, expiry-time, environment, permitopen, permitlisten, tunnel.
 *
 * As in sshd, an unknown option, a missing quote, a repeated command / principals / from, a bad
 * environment name, a bad permitopen/permitlisten host:port or a bad expiry-time makes the whole
 * line unusable ("bad key options"); the error names the option. `restrict` turns off port, agent
 * and X11 forwarding, pty and user-rc; a later flag turns one back on ("restrict,pty").
 * @module
 */
import { KEY_ERROR, KeyError } from "./errors.js";

/** OpenSSH SSH_AUTHOPT_ENV_MAX and SSH_AUTHOPT_PERMIT_MAX. */
const MAX_ENVIRONMENT = 1024;
const MAX_PERMITS = 4096;
/** NI_MAXHOST: OpenSSH's bound on a permitopen/permitlisten host name. */
const MAX_PERMIT_HOST_LENGTH = 1024;
/** SSH_TUNID_MAX. */
const MAX_TUNNEL_ID = 0x7fffffff;

/** One permitopen / permitlisten entry: a host (a pattern for permitlisten) and a port or `*`. */
export interface HostPortPermission {
  readonly host: string;
  readonly port: number | "*";
  /** The value as written (permitlisten's bare port becomes `*:port`). */
  readonly text: string;
}

export interface AuthorizedKeyOptions {
  readonly restrict: boolean;
  readonly certAuthority: boolean;
  /** command="…": forced command. */
  readonly command?: string;
  /** principals="…" (cert-authority lines): the names, up to the first empty one, as sshd reads them. */
  readonly principals?: readonly string[];
  /** from="…": the pattern-list, checked by matchHostAndAddress. */
  readonly from?: string;
  /** expiry-time="…" in seconds since 1970 (the earliest when repeated). */
  readonly expiryTime?: bigint;
  /** environment="NAME=value", first one per name wins. */
  readonly environment: readonly { readonly name: string; readonly value: string }[];
  readonly permitOpen: readonly HostPortPermission[];
  readonly permitListen: readonly HostPortPermission[];
  /** tunnel="n": a tun(4) device number or "any". */
  readonly tunnel?: number | "any";
  readonly portForwarding: boolean;
  readonly agentForwarding: boolean;
  readonly x11Forwarding: boolean;
  readonly pty: boolean;
  readonly userRc: boolean;
  /** False after no-touch-required (FIDO keys need not assert user presence). */
  readonly touchRequired: boolean;
  /** verify-required: FIDO signatures must assert user verification. */
  readonly verifyRequired: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The options of a line with no options field (sshauthopt_new_with_keys_defaults). */
export const DEFAULT_AUTHORIZED_KEY_OPTIONS: AuthorizedKeyOptions = Object.freeze({
  restrict: false,
  certAuthority: false,
  environment: Object.freeze([]),
  permitOpen: Object.freeze([]),
  permitListen: Object.freeze([]),
  portForwarding: true,
  agentForwarding: true,
  x11Forwarding: true,
  pty: true,
  userRc: true,
  touchRequired: true,
  verifyRequired: false,
});

type Flag =
  | "portForwarding"
  | "agentForwarding"
  | "x11Forwarding"
  | "pty"
  | "userRc"
  | "touchRequired"
  | "verifyRequired";

/** Negatable flags by lower-cased keyword. */
const FLAGS: Readonly<Record<string, Flag>> = {
  "port-forwarding": "portForwarding",
  "agent-forwarding": "agentForwarding",
  "x11-forwarding": "x11Forwarding",
  pty: "pty",
  "user-rc": "userRc",
  "touch-required": "touchRequired",
  "verify-required": "verifyRequired",
};

function bad(reason: string): KeyError {
  return new KeyError(KEY_ERROR.PARSE, `bad key options: ${reason}`);
}

/** OpenSSH opt_dequote: `"…"` with `\"` for a quote; returns the value and the index after it. */
function dequote(s: string, start: number, name: string): [string, number] {
  if (s[start] !== '"') throw bad(`missing start quote in ${name}=`);
  let value = "";
  let i = start + 1;
  while (i < s.length && s[i] !== '"') {
    if (s[i] === "\\" && s[i + 1] === '"') i++;
    value += s[i];
    i++;
  }
  if (i >= s.length) throw bad(`missing end quote in ${name}=`);
  return [value, i + 1];
}

/** OpenSSH hpdelim2 + the checks of handle_permit: `host:port`, `[v6]:port`, port `*` or 1…65535. */
function parsePermit(value: string, name: string, listen: boolean): HostPortPermission {
  const text = listen && !value.includes(":") ? `*:${value}` : value;
  let host: string;
  let portText: string | undefined;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) throw bad(`invalid permission hostname in ${name}="${value}"`);
    host = text.slice(1, close);
    const after = text.slice(close + 1);
    if (after !== "" && !after.startsWith(":") && (listen || !after.startsWith("/"))) {
      throw bad(`invalid permission hostname in ${name}="${value}"`);
    }
    portText = after === "" ? undefined : after.slice(1);
  } else {
    const m = (listen ? /[:]/ : /[:/]/).exec(text);
    host = m === null ? text : text.slice(0, m.index);
    portText = m === null ? undefined : text.slice(m.index + 1);
  }
  if (host.length >= MAX_PERMIT_HOST_LENGTH) throw bad(`invalid permission hostname in ${name}="${value}"`);
  if (portText === "*") return Object.freeze({ host, port: "*", text });
  const port = portText !== undefined && /^\d{1,5}$/.test(portText) ? Number(portText) : 0;
  if (port < 1 || port > 65535) throw bad(`invalid permission port in ${name}="${value}"`);
  return Object.freeze({ host, port, text });
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * OpenSSH parse_absolute_time: YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, in the local time zone of
 * the runtime unless suffixed `Z` or `UTC` (any case). Returns seconds since 1970; throws a
 * KeyError for anything else (unlike strptime+mktime we reject out-of-range fields such as
 * February 30 instead of normalising them).
 */
export function parseAbsoluteTime(text: string): bigint {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(z|utc)?$/i.exec(text);
  if (m === null) throw bad(`invalid expiry-time "${text}"`);
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? "0", m[5] ?? "0", m[6] ?? "0"].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) {
    throw bad(`invalid expiry-time "${text}"`);
  }
  const ms = m[7] !== undefined ? Date.UTC(y, mo - 1, d, h, mi, s) : new Date(y, mo - 1, d, h, mi, s).getTime();
  if (!Number.isFinite(ms) || ms <= 0) throw bad(`invalid expiry-time "${text}"`);
  return BigInt(Math.floor(ms / 1000));
}

interface ParseState {
  readonly o: Mutable<AuthorizedKeyOptions>;
  readonly environment: { name: string; value: string }[];
  readonly permitOpen: HostPortPermission[];
  readonly permitListen: HostPortPermission[];
}

function once(keyword: string, present: boolean): void {
  if (present) throw bad(`multiple "${keyword}" clauses`);
}

/** Options that take a quoted value, by lower-cased keyword. */
const VALUED: Readonly<Record<string, (s: ParseState, value: string, keyword: string) => void>> = {
  command(s, value, keyword) {
    once(keyword, s.o.command !== undefined);
    s.o.command = value;
  },
  principals(s, value, keyword) {
    once(keyword, s.o.principals !== undefined);
    const names = value.split(",");
    const firstEmpty = names.indexOf("");
    s.o.principals = Object.freeze(firstEmpty < 0 ? names : names.slice(0, firstEmpty));
  },
  from(s, value, keyword) {
    once(keyword, s.o.from !== undefined);
    s.o.from = value;
  },
  "expiry-time"(s, value) {
    const t = parseAbsoluteTime(value);
    if (s.o.expiryTime === undefined || t < s.o.expiryTime) s.o.expiryTime = t;
  },
  environment(s, value) {
    if (s.environment.length >= MAX_ENVIRONMENT) throw bad("too many environment strings");
    const eq = value.indexOf("=");
    const name = eq < 0 ? "" : value.slice(0, eq);
    if (!/^[A-Za-z0-9_]+$/.test(name)) throw bad(`invalid environment string "${value}"`);
    if (!s.environment.some((e) => e.name === name)) {
      s.environment.push(Object.freeze({ name, value: value.slice(eq + 1) }));
    }
  },
  permitopen(s, value, keyword) {
    if (s.permitOpen.length >= MAX_PERMITS) throw bad("too many permission directives");
    s.permitOpen.push(parsePermit(value, keyword, false));
  },
  permitlisten(s, value, keyword) {
    if (s.permitListen.length >= MAX_PERMITS) throw bad("too many permission directives");
    s.permitListen.push(parsePermit(value, keyword, true));
  },
  tunnel(s, value) {
    if (value.toLowerCase() === "any") s.o.tunnel = "any";
    else if (/^\d{1,10}$/.test(value) && Number(value) <= MAX_TUNNEL_ID) s.o.tunnel = Number(value);
    else throw bad(`invalid tun device "${value}"`);
  },
};

/**
 * Parses an options field (the text before the key type, without surrounding whitespace). Throws
 * a KeyError ("bad key options: …") naming the offending option.
 */
export function parseAuthorizedKeyOptions(text: string): AuthorizedKeyOptions {
  const o: Mutable<AuthorizedKeyOptions> = { ...DEFAULT_AUTHORIZED_KEY_OPTIONS };
  const state: ParseState = { o, environment: [], permitOpen: [], permitListen: [] };
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const nameEnd = rest.search(/[=,]/);
    const name = nameEnd < 0 ? rest : rest.slice(0, nameEnd);
    const keyword = name.toLowerCase();
    if (rest[name.length] === "=") {
      const handler = Object.hasOwn(VALUED, keyword) ? VALUED[keyword] : undefined;
      if (handler === undefined) throw bad(`unknown key option ${JSON.stringify(name.slice(0, 60))}`);
      const [value, next] = dequote(text, i + name.length + 1, name);
      i = next;
      handler(state, value, keyword);
    } else {
      i += name.length;
      if (keyword === "restrict") {
        Object.assign(o, { restrict: true, portForwarding: false, agentForwarding: false, x11Forwarding: false });
        Object.assign(o, { pty: false, userRc: false });
      } else if (keyword === "cert-authority") {
        o.certAuthority = true;
      } else {
        const negated = keyword.startsWith("no-");
        const base = negated ? keyword.slice(3) : keyword;
        const flag = Object.hasOwn(FLAGS, base) ? FLAGS[base] : undefined;
        if (flag === undefined) throw bad(`unknown key option ${JSON.stringify(name.slice(0, 60))}`);
        o[flag] = !negated;
      }
    }
    if (i >= text.length) break;
    if (text[i] !== ",") throw bad(`unexpected text after option ${JSON.stringify(name.slice(0, 60))}`);
    i++;
    if (i >= text.length) throw bad("unexpected end-of-options");
  }
  o.environment = Object.freeze(state.environment);
  o.permitOpen = Object.freeze(state.permitOpen);
  o.permitListen = Object.freeze(state.permitListen);
  return Object.freeze(o);
}
