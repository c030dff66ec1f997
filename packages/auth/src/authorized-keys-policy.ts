/**
 * An AuthPolicy `publicKey` callback backed by an authorized_keys file (sshd(8) AUTHORIZED_KEYS
 * FILE FORMAT; OpenSSH auth2-pubkeyfile.c), and the forwarding checks the connection layer applies
 * afterwards. Matching is @purssh/keys' findAuthorizedKey: plain keys, `cert-authority` lines
 * with `principals=`, `from=` (fail closed when the client address is unknown), `expiry-time=`;
 * the matched line travels to AuthServer's onSuccess as `authorizedKey`, so `restrict`,
 * `no-port-forwarding`, `permitlisten=` and `permitopen=` hold for the whole connection.
 * @module
 */
import {
  type AuthorizedKeys,
  findAuthorizedKey,
  KeyError,
  parseAuthorizedKeys,
  permitsListen,
  permitsOpen,
} from "@purssh/keys";
import { isPromiseLike, type MaybePromise } from "./serial.js";
import type { AuthContext, AuthResult, PublicKeyCandidate, PublicKeyDecision } from "./server-policy.js";

/** An authorized_keys file as text or parsed; undefined for a user without one. */
export type AuthorizedKeysSource = string | AuthorizedKeys | undefined;

export interface AuthorizedKeysPolicyOptions {
  /** The file (text or parsed), or a per-user lookup (sshd AuthorizedKeysFile), sync or async. */
  authorizedKeys: AuthorizedKeysSource | ((username: string) => MaybePromise<AuthorizedKeysSource>);
  /** The client's IP address for from= and source-address; default the AuthContext's. */
  clientAddress?: string;
  /** The client's resolved host name, if any; default the AuthContext's. */
  clientHost?: string;
  /** Milliseconds since 1970 for expiry-time and certificate validity; default Date.now. */
  now?(): number;
  /** CA signature algorithms for cert-authority lines; default DEFAULT_CA_SIGNATURE_ALGORITHMS. */
  caSignatureAlgorithms?: readonly string[];
  /** Why lines were skipped or refused (sshd logs these at debug level). */
  log?(level: 1 | 2 | 3, text: string): void;
}

function parsed(source: AuthorizedKeysSource, log: AuthorizedKeysPolicyOptions["log"]): AuthorizedKeys | undefined {
  if (source === undefined) return undefined;
  if (typeof source !== "string") return source;
  const file = parseAuthorizedKeys(source);
  for (const e of file.errors) log?.(2, `authorized_keys line ${e.line} ignored: ${e.message}`);
  return file;
}

/**
 * `policy.publicKey` for AuthServer: accepts a key (or user certificate) that a line of the
 * user's authorized_keys authorises under that line's options, and returns the match.
 */
export function authorizedKeysPolicy(
  options: AuthorizedKeysPolicyOptions,
): (context: AuthContext, candidate: PublicKeyCandidate) => MaybePromise<PublicKeyDecision> {
  const { authorizedKeys, log } = options;
  const fixed = typeof authorizedKeys === "function" ? undefined : parsed(authorizedKeys, log);
  const decide = (file: AuthorizedKeys | undefined, context: AuthContext, candidate: PublicKeyCandidate) => {
    if (file === undefined) return false;
    const sourceAddress = options.clientAddress ?? context.clientAddress;
    const sourceHost = options.clientHost ?? context.clientHost;
    try {
      const match = findAuthorizedKey(file.entries, candidate.key.blob, {
        user: context.username,
        now: BigInt(Math.floor((options.now ?? Date.now)() / 1000)),
        ...(sourceAddress === undefined ? {} : { sourceAddress }),
        ...(sourceHost === undefined ? {} : { sourceHost }),
        ...(options.caSignatureAlgorithms ? { allowedSignatureAlgorithms: options.caSignatureAlgorithms } : {}),
        onRefused: (line, reason) => log?.(2, `authorized_keys line ${line} refused: ${reason}`),
      });
      if (match === undefined) return false;
      return match.certificate ? { authorizedKey: match, certificate: match.certificate } : { authorizedKey: match };
    } catch (e) {
      if (e instanceof KeyError) return false;
      throw e;
    }
  };
  return (context, candidate) => {
    if (typeof authorizedKeys !== "function") return decide(fixed, context, candidate);
    const source = authorizedKeys(context.username);
    return isPromiseLike(source)
      ? source.then((s) => decide(parsed(s, log), context, candidate))
      : decide(parsed(source, log), context, candidate);
  };
}

/**
 * Whether the login may ask for a remote forwarding (tcpip-forward, RFC 4254 §7.1) on host/port:
 * the authorized_keys line's restrict / no-port-forwarding / permitlisten=, else the certificate's
 * permit-port-forwarding extension; other logins may.
 */
export function allowsTcpipForward(result: AuthResult, host: string, port: number): boolean {
  if (result.authorizedKey) return permitsListen(result.authorizedKey, host, port);
  if (result.certificate) return result.certificate.permissions.permitPortForwarding;
  return true;
}

/** Like allowsTcpipForward for a local forwarding (direct-tcpip, RFC 4254 §7.2): permitopen=. */
export function allowsDirectTcpip(result: AuthResult, host: string, port: number): boolean {
  if (result.authorizedKey) return permitsOpen(result.authorizedKey, host, port);
  if (result.certificate) return result.certificate.permissions.permitPortForwarding;
  return true;
}
