/**
 * What an AuthServer asks the application (RFC 4252 §5: "the server decides which methods are
 * allowed and required"): one pluggable callback per method, each sync or async, the
 * multi-factor chains a user must complete (OpenSSH AuthenticationMethods, RFC 4252 §5.1 partial
 * success), and what a successful login hands on to the connection layer.
 * @module
 */
import type { AuthorizedKeyMatch, Certificate, PublicKey, VerifiedCertificate } from "@purssh/keys";
import { type KeyboardInteractivePrompt, SshError } from "@purssh/wire";
import type { MaybePromise } from "./serial.js";

/** The methods this server implements (RFC 4252 §§5.2, 7, 8; RFC 4256). */
export const AUTH_METHOD_NAMES = ["none", "password", "publickey", "keyboard-interactive"] as const;
export type AuthMethodName = (typeof AUTH_METHOD_NAMES)[number];

export function isAuthMethodName(name: string): name is AuthMethodName {
  return (AUTH_METHOD_NAMES as readonly string[]).includes(name);
}

/** Who is asking, passed to every policy callback. */
export interface AuthContext {
  readonly username: string;
  /** The service requested after authentication ("ssh-connection"). */
  readonly service: string;
  /** The client's IP address, when the server knows it (from=, source-address). */
  readonly clientAddress?: string;
  /** The client's host name, if the server resolves names (sshd UseDNS); else undefined. */
  readonly clientHost?: string;
  /** Methods already completed for this login (partial success), in order. */
  readonly completed: readonly AuthMethodName[];
}

/** A key offered for publickey authentication (RFC 4252 §7). */
export interface PublicKeyCandidate {
  /** The public key algorithm named in the request, e.g. "rsa-sha2-256". */
  readonly algorithm: string;
  /** The key as sent (for a certificate: the certificate blob, of a `*-cert-v01@openssh.com` type). */
  readonly key: PublicKey;
  /** For a certificate: parsed, NOT yet verified (see authorizedKeysPolicy or trustedUserCAKeys). */
  readonly certificate?: Certificate;
  /** False for the query without signature (answered with PK_OK), true when a signature follows. */
  readonly signed: boolean;
}

/** A publickey decision with what the embedded server must enforce for the session. */
export interface PublicKeyAcceptance {
  /** The authorized_keys line that matched (its options: permitlisten, permitopen, restrict, …). */
  readonly authorizedKey?: AuthorizedKeyMatch;
  /** The verified user certificate (force-command, source-address, permit-* extensions). */
  readonly certificate?: VerifiedCertificate;
}
export type PublicKeyDecision = boolean | PublicKeyAcceptance;

/** RFC 4252 §8: the password is right but must be changed; `changeRequired` is the prompt. */
export interface PasswordChangeRequired {
  readonly changeRequired: string;
}
export type PasswordDecision = boolean | PasswordChangeRequired;

/** One RFC 4256 §3.2 INFO_REQUEST and how its answers are judged. */
export interface KeyboardInteractiveRound {
  readonly name?: string;
  readonly instruction?: string;
  /** At most MAX_KEYBOARD_INTERACTIVE_PROMPTS; zero is allowed (a message to show). */
  readonly prompts: readonly KeyboardInteractivePrompt[];
  /** Gets one response per prompt, in order; says whether to accept, refuse, or ask again. */
  verify(responses: readonly string[]): MaybePromise<KeyboardInteractiveStep>;
}
/** true: the method succeeded; false: it failed; a round: send another INFO_REQUEST. */
export type KeyboardInteractiveStep = boolean | KeyboardInteractiveRound;

/**
 * Method chains, OpenSSH AuthenticationMethods style: the login succeeds when every method of
 * one chain has succeeded, in that chain's order. `[["publickey", "password"]]` requires a key,
 * then a password; `[["publickey"], ["password"]]` either one.
 */
export type MethodChains = readonly (readonly AuthMethodName[])[];

export interface AuthPolicy {
  /** The chains a user must complete; default: any single method this policy implements. */
  requiredMethods?: MethodChains | ((context: AuthContext) => MaybePromise<MethodChains>);
  /** RFC 4252 §5.2: accept `none` (no credentials at all). Default: refuse. */
  none?(context: AuthContext): MaybePromise<boolean>;
  password?(context: AuthContext, password: string): MaybePromise<PasswordDecision>;
  /** RFC 4252 §8: the client sends the old and a new password. Absent: change requests fail. */
  changePassword?(context: AuthContext, oldPassword: string, newPassword: string): MaybePromise<PasswordDecision>;
  /** Whether `candidate` may log in as the user; asked for the query and again for the signed request. */
  publicKey?(context: AuthContext, candidate: PublicKeyCandidate): MaybePromise<PublicKeyDecision>;
  /**
   * CA keys trusted to sign user certificates (sshd TrustedUserCAKeys): a PublicKey, its blob or
   * its one-line text. A certificate by one of them is accepted without asking `publicKey` when it
   * verifies (type user, validity, principals, critical options, source-address).
   */
  trustedUserCAKeys?: readonly (PublicKey | Uint8Array | string)[];
  /** sshd AuthorizedPrincipalsFile: names one of which a certificate must list; default [username]. */
  authorizedPrincipals?(context: AuthContext, certificate: Certificate): MaybePromise<readonly string[]>;
  /** CA signature algorithms for certificates; default DEFAULT_CA_SIGNATURE_ALGORITHMS (no ssh-rsa). */
  caSignatureAlgorithms?: readonly string[];
  /** Accepted publickey algorithms (sshd PubkeyAcceptedAlgorithms); default DEFAULT_PUBLICKEY_ALGORITHMS. */
  publicKeyAlgorithms?: readonly string[];
  /** RFC 4256 §3.1: start a keyboard-interactive exchange; `submethods` is the client's hint list. */
  keyboardInteractive?(context: AuthContext, submethods: readonly string[]): MaybePromise<KeyboardInteractiveStep>;
}

/** What a successful login hands to the connection layer. */
export interface AuthResult {
  readonly username: string;
  readonly service: string;
  /** The methods that succeeded, in order (several for a multi-factor chain). */
  readonly methods: readonly AuthMethodName[];
  /** The key of the (last) successful publickey step. */
  readonly publicKey?: PublicKey;
  readonly certificate?: VerifiedCertificate;
  /** Enforce its options for the session: permitsListen / permitsOpen from @purssh/keys. */
  readonly authorizedKey?: AuthorizedKeyMatch;
}

/** The chains a policy implies when it names none: each method it implements, on its own. */
export function defaultChains(policy: AuthPolicy): MethodChains {
  const chains: AuthMethodName[][] = [];
  if (policy.publicKey || (policy.trustedUserCAKeys?.length ?? 0) > 0) chains.push(["publickey"]);
  if (policy.keyboardInteractive) chains.push(["keyboard-interactive"]);
  if (policy.password) chains.push(["password"]);
  if (policy.none) chains.push(["none"]);
  return chains;
}

/** Checks chains from the application: at least one, none empty, only known methods. */
export function checkChains(chains: MethodChains): MethodChains {
  if (!Array.isArray(chains) || chains.length === 0) {
    throw new SshError("ERR_AUTH_POLICY", "requiredMethods must list at least one chain of methods");
  }
  for (const chain of chains) {
    if (!Array.isArray(chain) || chain.length === 0) {
      throw new SshError("ERR_AUTH_POLICY", "a requiredMethods chain is empty");
    }
    for (const m of chain) {
      if (typeof m !== "string" || !isAuthMethodName(m)) {
        throw new SshError(
          "ERR_AUTH_POLICY",
          `requiredMethods names ${JSON.stringify(m)}; known methods: ${AUTH_METHOD_NAMES.join(", ")}`,
        );
      }
    }
  }
  return chains;
}

/**
 * Progress through the chains (OpenSSH auth2_update_methods_lists): a method is allowed when it
 * is next in some chain; completing it removes it from the front of every chain it leads.
 */
export class ChainProgress {
  private chains: (readonly AuthMethodName[])[];

  constructor(chains: MethodChains) {
    this.chains = checkChains(chains).map((c) => [...c]);
  }

  allows(method: AuthMethodName): boolean {
    return this.chains.some((c) => c[0] === method);
  }

  /** Records that `method` succeeded; true when a chain is now complete. */
  complete(method: AuthMethodName): boolean {
    this.chains = this.chains.map((c) => (c[0] === method ? c.slice(1) : c));
    return this.chains.some((c) => c.length === 0);
  }

  /** RFC 4252 §5.1 "authentications that can continue"; `none` is never listed (§5.2). */
  canContinue(): string[] {
    return [
      ...new Set(this.chains.map((c) => c[0]).filter((m): m is AuthMethodName => m !== undefined && m !== "none")),
    ];
  }
}
