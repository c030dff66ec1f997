/**
 * Server-side user authentication, RFC 4252: the `ssh-userauth` service request (RFC 4253 §10),
 * then USERAUTH_REQUESTs for `none` (§5.2), `publickey` (§7, server-publickey.ts), `password`
 * with the §8 password change, and RFC 4256 `keyboard-interactive`, each decided by a pluggable
 * AuthPolicy (server-policy.ts). FAILURE lists the methods that can continue, with partial
 * success through multi-factor chains (§5.1); failures are counted (sshd MaxAuthTries) and may be
 * delayed. Sans-I/O: payloads in through `handle`, out through `send`. Requests are answered
 * strictly in order; while an async policy decides, later messages wait in a bounded queue.
 * @module
 */
import { type PublicKey, parsePublicKey } from "@purssh/keys";
import {
  DISCONNECT,
  decodeUserauthInfoResponse,
  encodeUserauthInfoRequest,
  MSG,
  ProtocolError,
  ServiceAccept,
  ServiceRequest,
  SshError,
  USERAUTH_INFO_RESPONSE,
  UserauthBanner,
  UserauthFailure,
  UserauthPasswdChangereq,
  UserauthRequest,
  UserauthRequestKeyboardInteractive,
  UserauthRequestNone,
  UserauthRequestPassword,
  UserauthRequestPasswordChange,
  UserauthSuccess,
  WireError,
} from "@purssh/wire";
import { CONNECTION_SERVICE, MAX_KEYBOARD_INTERACTIVE_PROMPTS } from "./client-methods.js";
import { DEFAULT_PUBLICKEY_ALGORITHMS } from "./publickey.js";
import { drive, isPromiseLike, type MaybePromise, SerialInbox, type Steps, settled } from "./serial.js";
import {
  type AuthContext,
  type AuthMethodName,
  type AuthPolicy,
  type AuthResult,
  ChainProgress,
  checkChains,
  defaultChains,
  isAuthMethodName,
  type KeyboardInteractiveRound,
  type KeyboardInteractiveStep,
  type PasswordDecision,
} from "./server-policy.js";
import { checkPublickey, type Outcome, type PublickeyEnvironment } from "./server-publickey.js";

/** sshd MaxAuthTries default: the sixth failure ends the connection. */
export const DEFAULT_MAX_AUTH_ATTEMPTS = 6;
/** INFO_REQUEST rounds one keyboard-interactive attempt may take. */
export const MAX_SERVER_KEYBOARD_INTERACTIVE_ROUNDS = 16;
/** Messages that may wait while a policy decision is pending. */
export const MAX_QUEUED_SERVER_MESSAGES = 16;

export interface AuthServerOptions {
  /** The transport's session identifier (what publickey signatures cover). */
  sessionId: Uint8Array;
  send(payload: Uint8Array): void;
  policy: AuthPolicy;
  /** RFC 4252 §5.4: sent once, before the answer to the first USERAUTH_REQUEST. */
  banner?: string;
  /** Failed attempts before DISCONNECT NO_MORE_AUTH_METHODS_AVAILABLE (default 6, sshd MaxAuthTries). */
  maxAttempts?: number;
  /**
   * Minimum time from a request to its FAILURE, in ms (sshd pads failures so their timing does not
   * tell why they failed). Default 0: the core has no timers; an embedding server should pass
   * e.g. 10 together with `sleep`.
   */
  failureDelayMs?: number;
  /** Waits `ms` milliseconds; required when failureDelayMs > 0. */
  sleep?(ms: number): Promise<void>;
  /** Milliseconds since 1970 (certificate validity, failure delay); default Date.now. */
  now?(): number;
  /** The client's IP address (authorized_keys from=, certificate source-address). */
  clientAddress?: string;
  /** The client's host name when the server resolves names; else leave undefined. */
  clientHost?: string;
  /** After USERAUTH_SUCCESS was sent: start the connection protocol (and markAuthenticated()). */
  onSuccess(result: AuthResult): void;
  /**
   * The connection must end: send DISCONNECT with `error.reason` (SERVICE_NOT_AVAILABLE,
   * NO_MORE_AUTH_METHODS_AVAILABLE, PROTOCOL_ERROR for malformed or out-of-phase messages,
   * BY_APPLICATION when a policy callback failed). Called at most once; `handle` never throws.
   */
  onDisconnect(error: ProtocolError): void;
  log?(level: 1 | 2 | 3, text: string): void;
}

type ServerState =
  | { kind: "awaitingServiceRequest" }
  | { kind: "awaitingRequest" }
  | { kind: "keyboardInteractive"; context: AuthContext; round: KeyboardInteractiveRound; rounds: number }
  | { kind: "authenticated"; result: AuthResult }
  | { kind: "closed" };

/** What each waiting state accepts, for out-of-phase errors. */
const EXPECTED = {
  awaitingServiceRequest: "SERVICE_REQUEST",
  awaitingRequest: "USERAUTH_REQUEST",
  keyboardInteractive: "INFO_RESPONSE or USERAUTH_REQUEST",
} as const;

/** Thrown inside a step when close() was called while it waited; nothing is reported. */
class Closed extends Error {}

const describe = (e: unknown) => (e instanceof Error ? e.message : String(e));

function caKeyBlob(key: PublicKey | Uint8Array | string): Uint8Array {
  if (key instanceof Uint8Array) return key;
  if (typeof key === "string") return parsePublicKey(key).blob;
  return key.blob;
}

export class AuthServer {
  private state: ServerState = { kind: "awaitingServiceRequest" };
  private readonly inbox: SerialInbox;
  private readonly maxAttempts: number;
  private readonly publickey: PublickeyEnvironment;
  private readonly usedKeys: Uint8Array[] = [];
  /** Fixed by the first request (RFC 4252 §5: a change of user or service is refused). */
  private session: { username: string; service: string } | undefined;
  private chains: ChainProgress | undefined;
  private readonly completed: AuthMethodName[] = [];
  private requests = 0;
  private failures = 0;
  private accepted: Pick<AuthResult, "publicKey" | "certificate" | "authorizedKey"> = {};

  constructor(private readonly options: AuthServerOptions) {
    const { policy } = options;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_AUTH_ATTEMPTS;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new SshError("ERR_AUTH_POLICY", `maxAttempts must be a positive integer, got ${options.maxAttempts}`);
    }
    if ((options.failureDelayMs ?? 0) > 0 && options.sleep === undefined) {
      throw new SshError("ERR_AUTH_POLICY", "failureDelayMs needs a sleep(ms) function (the core has no timers)");
    }
    if (Array.isArray(policy.requiredMethods)) checkChains(policy.requiredMethods);
    const now = options.now ?? (() => Date.now());
    this.publickey = {
      sessionId: options.sessionId,
      policy,
      trustedCAs: (policy.trustedUserCAKeys ?? []).map(caKeyBlob),
      algorithms: policy.publicKeyAlgorithms ?? DEFAULT_PUBLICKEY_ALGORITHMS,
      usedKeys: this.usedKeys,
      nowSeconds: () => BigInt(Math.floor(now() / 1000)),
      send: (p) => this.options.send(p),
      log: (level, text) => this.log(level, text),
      ask: (what, call) => this.ask(what, call),
    };
    this.inbox = new SerialInbox({
      handle: (p) => drive(this.steps(p)),
      fail: (e) => this.fatal(e),
      limit: MAX_QUEUED_SERVER_MESSAGES,
      throwSynchronously: false,
      peer: "the client",
    });
  }

  /** True once USERAUTH_SUCCESS was sent: only then may messages 80 and up be routed on. */
  get authenticated(): boolean {
    return this.state.kind === "authenticated";
  }

  /** The successful login, once authenticated. */
  get result(): AuthResult | undefined {
    return this.state.kind === "authenticated" ? this.state.result : undefined;
  }

  /** Failed attempts so far. */
  get failedAttempts(): number {
    return this.failures;
  }

  /** Stops for good (the connection closed): pending decisions are then ignored. */
  close(): void {
    if (this.state.kind !== "authenticated") this.state = { kind: "closed" };
    this.inbox.stop();
  }

  /**
   * Takes SERVICE_REQUEST (5, until authenticated) and 50–79; returns false for anything else.
   * Never throws on peer input: fatal problems go to onDisconnect. After success, 50–79 are
   * ignored (RFC 4252 §5.1).
   */
  handle(payload: Uint8Array): boolean {
    const n = payload[0];
    if (n === undefined) return false;
    if (n === MSG.SERVICE_REQUEST ? this.authenticated : n < 50 || n > 79) return false;
    this.inbox.push(payload);
    return true;
  }

  private *steps(payload: Uint8Array): Steps {
    const n = payload[0]!;
    const state = this.state;
    switch (state.kind) {
      case "awaitingServiceRequest":
        if (n === MSG.SERVICE_REQUEST) {
          this.onServiceRequest(payload);
          return;
        }
        break;
      case "awaitingRequest":
        if (n === MSG.USERAUTH_REQUEST) {
          yield* this.onRequest(payload);
          return;
        }
        break;
      case "keyboardInteractive":
        if (n === USERAUTH_INFO_RESPONSE) {
          yield* this.onInfoResponse(payload, state);
          return;
        }
        if (n === MSG.USERAUTH_REQUEST) {
          // RFC 4256 §3.2: a new request abandons the exchange; it counts as a failed attempt.
          this.state = { kind: "awaitingRequest" };
          this.countFailure("keyboard-interactive", "abandoned for a new request");
          yield* this.onRequest(payload);
          return;
        }
        break;
      case "authenticated":
      case "closed":
        return;
      default: {
        const never: never = state;
        throw new Error(`unhandled auth server state ${JSON.stringify(never)}`);
      }
    }
    throw new ProtocolError(
      "ERR_AUTH_PROTOCOL",
      `message ${n} is out of phase: the server expects ${EXPECTED[state.kind]}`,
    );
  }

  /** RFC 4253 §10: only ssh-userauth is offered before authentication. */
  private onServiceRequest(payload: Uint8Array): void {
    const { serviceName } = ServiceRequest.decode(payload);
    if (serviceName !== "ssh-userauth") {
      throw new ProtocolError(
        "ERR_AUTH_SERVICE_NOT_AVAILABLE",
        `service ${JSON.stringify(serviceName)} is not available before authentication`,
        DISCONNECT.SERVICE_NOT_AVAILABLE,
      );
    }
    this.state = { kind: "awaitingRequest" };
    this.options.send(ServiceAccept.encode({ serviceName }));
  }

  private *onRequest(payload: Uint8Array): Steps {
    const started = this.now();
    const { userName: username, serviceName: service, methodName } = UserauthRequest.decode(payload);
    if (this.session === undefined) {
      if (service !== CONNECTION_SERVICE) {
        throw new ProtocolError(
          "ERR_AUTH_SERVICE_NOT_AVAILABLE",
          `service ${JSON.stringify(service)} is not available`,
          DISCONNECT.SERVICE_NOT_AVAILABLE,
        );
      }
      this.session = { username, service };
      if (this.options.banner !== undefined) {
        this.options.send(UserauthBanner.encode({ message: this.options.banner, languageTag: "" }));
      }
    } else if (username !== this.session.username || service !== this.session.service) {
      // RFC 4252 §5 lets a server refuse this; sshd disconnects ("Change of username or service").
      throw new ProtocolError("ERR_AUTH_USER_CHANGED", "a change of user name or service is not allowed");
    }
    this.requests++;
    const context = this.context();
    if (this.chains === undefined) {
      const required = this.options.policy.requiredMethods;
      const chains =
        typeof required === "function"
          ? yield* this.ask("requiredMethods", () => required(context))
          : (required ?? defaultChains(this.options.policy));
      this.chains = yield* this.ask("requiredMethods", () => new ChainProgress(chains));
    }
    const method = isAuthMethodName(methodName) ? methodName : undefined;
    let outcome: Outcome;
    if (method === undefined || !this.chains.allows(method)) {
      outcome = { kind: "failure", reason: `method ${JSON.stringify(methodName)} is not allowed now` };
    } else {
      outcome = yield* this.tryMethod(method, context, payload);
    }
    yield* this.conclude(method ?? methodName, outcome, started);
  }

  private *tryMethod(
    method: AuthMethodName,
    context: AuthContext,
    payload: Uint8Array,
  ): Generator<unknown, Outcome, unknown> {
    const { policy } = this.options;
    switch (method) {
      case "none": {
        UserauthRequestNone.decode(payload);
        const ok = policy.none ? yield* this.ask("none", () => policy.none!(context)) : false;
        return ok === true ? { kind: "accepted" } : { kind: "failure", reason: "none is refused" };
      }
      case "password":
        return yield* this.tryPassword(context, payload);
      case "publickey":
        return yield* checkPublickey(this.publickey, context, payload);
      case "keyboard-interactive": {
        const { submethods } = UserauthRequestKeyboardInteractive.decode(payload);
        if (!policy.keyboardInteractive) return { kind: "failure", reason: "keyboard-interactive is not offered" };
        const hints = submethods === "" ? [] : submethods.split(",");
        const step = yield* this.ask("keyboardInteractive", () => policy.keyboardInteractive!(context, hints));
        return this.keyboardInteractiveStep(context, step, 0);
      }
      default: {
        const never: never = method;
        throw new Error(`unhandled method ${String(never)}`);
      }
    }
  }

  /** RFC 4252 §8: a password, or a change from the old to a new one. */
  private *tryPassword(context: AuthContext, payload: Uint8Array): Generator<unknown, Outcome, unknown> {
    const { policy } = this.options;
    const changing = UserauthRequest.decode(payload).methodData[0] !== 0;
    let decision: PasswordDecision;
    if (!changing) {
      const { password } = UserauthRequestPassword.decode(payload);
      if (!policy.password) return { kind: "failure", reason: "password is not offered" };
      decision = yield* this.ask("password", () => policy.password!(context, password));
    } else {
      const { password, newPassword } = UserauthRequestPasswordChange.decode(payload);
      if (!policy.changePassword) return { kind: "failure", reason: "password changes are not supported" };
      decision = yield* this.ask("changePassword", () => policy.changePassword!(context, password, newPassword));
    }
    if (decision === true) return { kind: "accepted" };
    if (typeof decision === "object" && decision !== null && typeof decision.changeRequired === "string") {
      this.options.send(UserauthPasswdChangereq.encode({ prompt: decision.changeRequired, languageTag: "" }));
      return { kind: "pending" };
    }
    return { kind: "failure", reason: changing ? "password change refused" : "wrong password" };
  }

  /** RFC 4256 §3.2: accept, refuse, or send the next INFO_REQUEST. */
  private keyboardInteractiveStep(context: AuthContext, step: KeyboardInteractiveStep, rounds: number): Outcome {
    if (step === true) return { kind: "accepted" };
    if (typeof step !== "object" || step === null) return { kind: "failure", reason: "keyboard-interactive refused" };
    if (!Array.isArray(step.prompts) || step.prompts.length > MAX_KEYBOARD_INTERACTIVE_PROMPTS) {
      throw new ProtocolError(
        "ERR_AUTH_POLICY",
        `the keyboardInteractive policy returned more than ${MAX_KEYBOARD_INTERACTIVE_PROMPTS} prompts`,
        DISCONNECT.BY_APPLICATION,
      );
    }
    if (rounds >= MAX_SERVER_KEYBOARD_INTERACTIVE_ROUNDS) {
      return {
        kind: "failure",
        reason: `more than ${MAX_SERVER_KEYBOARD_INTERACTIVE_ROUNDS} keyboard-interactive rounds`,
      };
    }
    this.options.send(
      encodeUserauthInfoRequest({
        name: step.name ?? "",
        instruction: step.instruction ?? "",
        languageTag: "",
        prompts: step.prompts,
      }),
    );
    this.state = { kind: "keyboardInteractive", context, round: step, rounds: rounds + 1 };
    return { kind: "pending" };
  }

  private *onInfoResponse(payload: Uint8Array, state: Extract<ServerState, { kind: "keyboardInteractive" }>): Steps {
    const started = this.now();
    const responses = decodeUserauthInfoResponse(payload);
    const expected = state.round.prompts.length;
    if (responses.length !== expected) {
      // sshd auth2-chall.c: "wrong number of replies" ends the connection.
      throw new ProtocolError(
        "ERR_AUTH_PROTOCOL",
        `INFO_RESPONSE has ${responses.length} responses to ${expected} prompts`,
      );
    }
    this.state = { kind: "awaitingRequest" };
    const step = yield* this.ask("keyboardInteractive verify", () => state.round.verify(responses));
    yield* this.conclude(
      "keyboard-interactive",
      this.keyboardInteractiveStep(state.context, step, state.rounds),
      started,
    );
  }

  /** Answers a request: SUCCESS, partial-success FAILURE, counted FAILURE, or nothing (pending). */
  private *conclude(method: string, outcome: Outcome, started: number): Steps {
    const username = this.session?.username ?? "";
    switch (outcome.kind) {
      case "pending":
        return;
      case "accepted": {
        const name = method as AuthMethodName;
        this.completed.push(name);
        if (outcome.publicKey) {
          this.usedKeys.push(outcome.publicKey.blob);
          this.accepted = { publicKey: outcome.publicKey, ...outcome.acceptance };
        }
        if (!this.chains!.complete(name)) {
          this.log(1, `${method} accepted for ${username}; more methods needed`);
          this.options.send(
            UserauthFailure.encode({ authentications: this.chains!.canContinue(), partialSuccess: true }),
          );
          return;
        }
        const result: AuthResult = {
          username,
          service: this.session!.service,
          methods: [...this.completed],
          ...this.accepted,
        };
        this.state = { kind: "authenticated", result };
        this.log(1, `authenticated ${username} with ${result.methods.join(",")}`);
        this.options.send(UserauthSuccess.encode({}));
        this.options.onSuccess(result);
        return;
      }
      case "failure": {
        // sshd: the first request may be a free `none` probe (RFC 4252 §5.2).
        const free = method === "none" && this.requests === 1;
        const last = free ? false : this.countFailure(method, outcome.reason, false);
        const delay = (this.options.failureDelayMs ?? 0) - (this.now() - started);
        if (delay > 0 && this.options.sleep) yield* this.ask("sleep", () => this.options.sleep!(delay));
        if (last) this.tooManyFailures();
        this.options.send(
          UserauthFailure.encode({ authentications: this.chains!.canContinue(), partialSuccess: false }),
        );
        return;
      }
      default: {
        const never: never = outcome;
        throw new Error(`unhandled outcome ${JSON.stringify(never)}`);
      }
    }
  }

  /** Counts a failed attempt; true (or, with `now`, DISCONNECT at once) when it was the last allowed. */
  private countFailure(method: string, reason: string, now = true): boolean {
    this.failures++;
    this.log(
      1,
      `${method} failed for ${this.session?.username ?? "?"}: ${reason} (${this.failures}/${this.maxAttempts})`,
    );
    const last = this.failures >= this.maxAttempts;
    if (last && now) this.tooManyFailures();
    return last;
  }

  private tooManyFailures(): never {
    throw new ProtocolError(
      "ERR_AUTH_TOO_MANY_FAILURES",
      `too many authentication failures for ${JSON.stringify(this.session?.username ?? "")} (${this.maxAttempts})`,
      DISCONNECT.NO_MORE_AUTH_METHODS_AVAILABLE,
    );
  }

  private context(): AuthContext {
    const { clientAddress, clientHost } = this.options;
    return {
      username: this.session!.username,
      service: this.session!.service,
      ...(clientAddress === undefined ? {} : { clientAddress }),
      ...(clientHost === undefined ? {} : { clientHost }),
      completed: [...this.completed],
    };
  }

  /** Calls into the application; a throw or rejection becomes ERR_AUTH_POLICY (BY_APPLICATION). */
  private *ask<T>(what: string, call: () => MaybePromise<T>): Generator<unknown, T, unknown> {
    const policyError = (e: unknown) =>
      e instanceof ProtocolError
        ? e
        : new ProtocolError("ERR_AUTH_POLICY", `the ${what} policy failed: ${describe(e)}`, DISCONNECT.BY_APPLICATION, {
            cause: e,
          });
    let value: MaybePromise<T>;
    try {
      value = call();
    } catch (e) {
      throw policyError(e);
    }
    if (!isPromiseLike(value)) return value;
    let settledValue: T;
    try {
      settledValue = yield* settled(value);
    } catch (e) {
      throw policyError(e);
    }
    if (this.state.kind === "closed") throw new Closed();
    return settledValue;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private fatal(e: unknown): void {
    if (e instanceof Closed || this.state.kind === "closed") return;
    this.state = { kind: "closed" };
    const error =
      e instanceof ProtocolError
        ? e
        : e instanceof WireError
          ? new ProtocolError(
              "ERR_AUTH_MALFORMED",
              `malformed user-authentication message: ${e.message}`,
              DISCONNECT.PROTOCOL_ERROR,
              {
                cause: e,
              },
            )
          : new ProtocolError("ERR_AUTH_INTERNAL", describe(e), DISCONNECT.BY_APPLICATION, { cause: e });
    this.log(1, `disconnecting: ${error.message}`);
    this.options.onDisconnect(error);
  }

  private log(level: 1 | 2 | 3, text: string): void {
    this.options.log?.(level, text);
  }
}
