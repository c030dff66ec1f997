/**
 * Client-side user authentication, RFC 4252: the `ssh-userauth` service request (RFC 4253 §10),
 * a `none` probe that learns which methods the server allows (§5.2), then `publickey` with the
 * query-then-sign flow (§7; RFC 8332 algorithm choice), `password` with the §8 password change,
 * and RFC 4256 `keyboard-interactive`, following partial success (§5.1) through multi-factor
 * chains. Sans-I/O: payloads in through `handle`, out through `send`. Signers, prompt answers and
 * new passwords may arrive later (an ssh-agent, a person); meanwhile incoming messages wait, in
 * order, in a bounded queue.
 * @module
 */
import {
  DISCONNECT,
  decodeUserauthInfoRequest,
  encodeUserauthInfoResponse,
  equalBytes,
  MSG,
  ProtocolError,
  ServiceAccept,
  ServiceRequest,
  SshError,
  UserauthBanner,
  UserauthFailure,
  UserauthPasswdChangereq,
  UserauthPkOk,
  UserauthRequestNone,
} from "@purssh/wire";
import {
  AuthError,
  type AuthMethod,
  CONNECTION_SERVICE,
  type CustomMethod,
  type KeyboardInteractiveMethod,
  keyboardInteractiveRequest,
  MAX_CUSTOM_ROUNDS,
  MAX_KEYBOARD_INTERACTIVE_PROMPTS,
  MAX_KEYBOARD_INTERACTIVE_ROUNDS,
  MAX_PASSWORD_CHANGE_ROUNDS,
  MAX_QUEUED_CLIENT_MESSAGES,
  type PasswordMethod,
  type PublickeyMethod,
  passwordChangeRequest,
  passwordRequest,
  publickeyQuery,
  publickeyRequest,
} from "./client-methods.js";
import { chooseSignatureAlgorithm, publickeySignedData } from "./publickey.js";
import { isPromiseLike, type MaybePromise, SerialInbox } from "./serial.js";

export interface AuthClientOptions {
  username: string;
  /** Methods to try, in order, among those the server allows. */
  methods: readonly AuthMethod[];
  /** The transport's session identifier (signed by publickey auth). */
  sessionId: Uint8Array;
  send(payload: Uint8Array): void;
  onSuccess(): void;
  onFailure(error: AuthError): void;
  /**
   * A fatal error found after `handle` returned (in a message that waited for a signer or a
   * response): close the connection with `error.reason` when it is a ProtocolError. Default: it is
   * reported to onFailure as an AuthError whose cause is the error. Errors found while `handle`
   * runs are thrown by `handle`.
   */
  onError?(error: SshError): void;
  onBanner?(message: string): void;
  /** The server's `server-sig-algs` extension (RFC 8308 §3.1), when it sent one. */
  serverSigAlgs?(): readonly string[] | undefined;
  log?(level: 1 | 2 | 3, text: string): void;
}

type AuthState =
  | { kind: "awaitingServiceAccept" }
  | { kind: "tryingNone" }
  | { kind: "tryingPassword"; method: PasswordMethod; changes: number }
  | { kind: "queryingPublickey"; method: PublickeyMethod; algorithm: string }
  | { kind: "awaitingPublickeyResult" }
  | { kind: "tryingKeyboardInteractive"; method: KeyboardInteractiveMethod; rounds: number }
  | { kind: "tryingCustom"; method: CustomMethod; rounds: number }
  | {
      kind: "waitingForCaller";
      what: "signature" | "keyboard-interactive responses" | "new password" | "custom packet";
    }
  | { kind: "done" };

const describe = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class AuthClient {
  private state: AuthState = { kind: "awaitingServiceAccept" };
  private remaining: AuthMethod[];
  private readonly tried: string[] = [];
  private allowed: readonly string[] = [];
  /** The server's latest user-authentication message (what a custom method answers). */
  private lastPacket: Uint8Array = new Uint8Array(0);
  private readonly inbox: SerialInbox;

  constructor(private readonly options: AuthClientOptions) {
    this.remaining = [...options.methods];
    this.inbox = new SerialInbox({
      handle: (p) => this.dispatch(p),
      fail: (e) => this.fatal(e),
      limit: MAX_QUEUED_CLIENT_MESSAGES,
      throwSynchronously: true,
      peer: "the server",
    });
  }

  start(): void {
    this.options.send(ServiceRequest.encode({ serviceName: "ssh-userauth" }));
  }

  get finished(): boolean {
    return this.state.kind === "done";
  }

  /** Stops for good (the connection closed): pending signatures and answers are then ignored. */
  close(): void {
    this.state = { kind: "done" };
    this.inbox.stop();
  }

  /**
   * Handles one message; returns false for a number that is not user-authentication (5–6 and
   * 50–79 are). Throws a ProtocolError for a message that is out of phase.
   */
  handle(payload: Uint8Array): boolean {
    const n = payload[0];
    if (n === undefined || (n !== MSG.SERVICE_ACCEPT && (n < 50 || n > 79))) return false;
    try {
      this.inbox.push(payload);
    } catch (e) {
      this.state = { kind: "done" }; // the connection is going away: ignore pending answers
      throw e;
    }
    return true;
  }

  private dispatch(payload: Uint8Array): MaybePromise<void> {
    const n = payload[0]!;
    const state = this.state;
    if (n === MSG.USERAUTH_BANNER) {
      this.options.onBanner?.(UserauthBanner.decode(payload).message);
      return;
    }
    if (n >= 50 && n <= 79) this.lastPacket = payload;
    if (state.kind === "tryingCustom" && n >= 50 && n <= 79 && n !== MSG.USERAUTH_SUCCESS) {
      return this.stepCustom(payload, state.method, state.rounds);
    }
    switch (state.kind) {
      case "awaitingServiceAccept": {
        if (n !== MSG.SERVICE_ACCEPT) break;
        const { serviceName } = ServiceAccept.decode(payload);
        if (serviceName !== "ssh-userauth") {
          throw new ProtocolError(
            "ERR_AUTH_PROTOCOL",
            `server accepted service ${JSON.stringify(serviceName)}, not ssh-userauth`,
          );
        }
        this.state = { kind: "tryingNone" };
        this.options.send(
          UserauthRequestNone.encode({
            userName: this.options.username,
            serviceName: CONNECTION_SERVICE,
            methodName: "none",
          }),
        );
        return;
      }
      case "tryingNone":
      case "tryingPassword":
      case "awaitingPublickeyResult":
      case "queryingPublickey":
      case "tryingKeyboardInteractive":
      case "tryingCustom":
        if (n === MSG.USERAUTH_SUCCESS) {
          this.state = { kind: "done" };
          this.options.log?.(1, `authenticated as ${this.options.username}`);
          this.options.onSuccess();
          return;
        }
        if (n === MSG.USERAUTH_FAILURE) {
          const f = UserauthFailure.decode(payload);
          this.allowed = f.authentications;
          if (state.kind !== "tryingNone") {
            this.options.log?.(
              1,
              `${this.tried.at(-1)} ${f.partialSuccess ? "accepted; more methods needed" : "refused"}`,
            );
          }
          return this.next();
        }
        // RFC 4252 §6: 60 means what the method in progress says it means.
        if (n === 60 && state.kind === "queryingPublickey") return this.onPkOk(payload, state);
        if (n === 60 && state.kind === "tryingPassword") return this.onPasswdChangereq(payload, state);
        if (n === 60 && state.kind === "tryingKeyboardInteractive") return this.onInfoRequest(payload, state);
        break;
      case "waitingForCaller": // unreachable: the inbox holds messages while we wait
      case "done":
        break;
      default: {
        const never: never = state;
        throw new Error(`unhandled auth state ${JSON.stringify(never)}`);
      }
    }
    if (n >= 50 && n <= 79) {
      throw new ProtocolError(
        "ERR_AUTH_PROTOCOL",
        `unexpected user-authentication message ${n} in state ${state.kind}`,
        DISCONNECT.PROTOCOL_ERROR,
      );
    }
    throw new ProtocolError("ERR_AUTH_PROTOCOL", "unexpected SERVICE_ACCEPT");
  }

  /** Picks the next method the server allows, or fails with what was tried. */
  private next(): MaybePromise<void> {
    // Each configured method is tried at most once, in order, when the server's latest list
    // allows it; a method skipped now stays for later, since a partial success can change the
    // list (RFC 4252 §5.1, e.g. OpenSSH's AuthenticationMethods password,publickey).
    const index = this.remaining.findIndex(
      (m) =>
        m.kind === "custom" ||
        (this.allowed.includes(m.kind) && (m.kind !== "publickey" || this.signatureAlgorithm(m) !== undefined)),
    );
    const m = index < 0 ? undefined : this.remaining.splice(index, 1)[0];
    const { username } = this.options;
    if (!m) {
      this.state = { kind: "done" };
      const configured = [...new Set(this.options.methods.map((x) => x.kind))].join(", ") || "none";
      const tried =
        this.tried.length > 0
          ? `tried ${this.tried.join(", ")}`
          : `none of the configured methods (${configured}) is allowed`;
      this.options.onFailure(
        new AuthError(
          `authentication failed for user ${JSON.stringify(username)}: ${tried}; the server allows ${this.allowed.join(", ") || "nothing"}`,
          this.allowed,
        ),
      );
      return;
    }
    switch (m.kind) {
      case "password":
        this.tried.push("password");
        this.state = { kind: "tryingPassword", method: m, changes: 0 };
        this.options.send(passwordRequest(username, m.password));
        return;
      case "keyboard-interactive":
        this.tried.push("keyboard-interactive");
        this.state = { kind: "tryingKeyboardInteractive", method: m, rounds: 0 };
        this.options.send(keyboardInteractiveRequest(username, m.submethods ?? ""));
        return;
      case "publickey": {
        const algorithm = this.signatureAlgorithm(m) as string;
        this.tried.push(`publickey (${algorithm})`);
        this.state = { kind: "queryingPublickey", method: m, algorithm };
        this.options.send(publickeyQuery(username, algorithm, m.key.publicKey.blob));
        return;
      }
      case "custom":
        this.tried.push("custom");
        this.state = { kind: "tryingCustom", method: m, rounds: 0 };
        return this.stepCustom(this.lastPacket, m, 0);
      default: {
        const never: never = m;
        throw new Error(`unknown auth method ${JSON.stringify(never)}`);
      }
    }
  }

  private signatureAlgorithm(m: PublickeyMethod): string | undefined {
    return chooseSignatureAlgorithm(m.key, m.algorithms, this.options.serverSigAlgs?.());
  }

  /** The method in progress cannot go on (declined, a callback failed, a bound was hit): next one. */
  private abandon(note: string, cause?: unknown): MaybePromise<void> {
    const last = this.tried.length - 1;
    if (last >= 0) this.tried[last] = `${this.tried[last]} (${note})`;
    this.options.log?.(1, `${this.tried.at(-1) ?? note}${cause === undefined ? "" : `: ${describe(cause)}`}`);
    return this.next();
  }

  /** A custom method answers the server's latest packet with its next one (or gives up). */
  private stepCustom(packet: Uint8Array, method: CustomMethod, rounds: number): MaybePromise<void> {
    if (rounds >= MAX_CUSTOM_ROUNDS) return this.abandon(`more than ${MAX_CUSTOM_ROUNDS} packets`);
    return this.ask(
      "custom packet",
      () => method.step(packet.slice()),
      (next) => {
        if (next === undefined || next.length === 0) return this.abandon("given up by the application");
        const n = next[0]!;
        if (n < 50 || n > 79) {
          return this.abandon(`the application's packet is message ${n}, not a user-authentication message (50–79)`);
        }
        this.state = { kind: "tryingCustom", method, rounds: rounds + 1 };
        this.options.send(next);
        return undefined;
      },
      (e) => this.abandon("the custom step failed", e),
    );
  }

  /**
   * Calls back into the application. A plain value is used at once; a promise parks the state
   * machine (incoming messages queue) until it settles, unless close() was called meanwhile.
   */
  private ask<T>(
    what: Extract<AuthState, { kind: "waitingForCaller" }>["what"],
    call: () => MaybePromise<T>,
    onValue: (value: T) => MaybePromise<void>,
    onError: (error: unknown) => MaybePromise<void>,
  ): MaybePromise<void> {
    let result: MaybePromise<T>;
    try {
      result = call();
    } catch (e) {
      return onError(e);
    }
    if (!isPromiseLike(result)) return onValue(result);
    this.state = { kind: "waitingForCaller", what };
    const stillWaiting = () => this.state.kind === "waitingForCaller";
    return result.then(
      (v) => (stillWaiting() ? onValue(v) : undefined),
      (e: unknown) => (stillWaiting() ? onError(e) : undefined),
    );
  }

  /** RFC 4252 §7: the server would accept this key; sign and send the real request. */
  private onPkOk(payload: Uint8Array, state: Extract<AuthState, { kind: "queryingPublickey" }>): MaybePromise<void> {
    const ok = UserauthPkOk.decode(payload);
    const { key } = state.method;
    const { algorithm } = state;
    if (ok.publicKeyAlgorithm !== algorithm || !equalBytes(ok.publicKey, key.publicKey.blob)) {
      throw new ProtocolError("ERR_AUTH_PROTOCOL", "USERAUTH_PK_OK names a key we did not offer");
    }
    const { username, sessionId } = this.options;
    const blob = key.publicKey.blob;
    const signed = publickeySignedData(sessionId, username, CONNECTION_SERVICE, algorithm, blob);
    return this.ask(
      "signature",
      () => key.sign(signed, algorithm),
      (signature) => {
        this.state = { kind: "awaitingPublickeyResult" };
        this.options.send(publickeyRequest(username, algorithm, blob, signature));
      },
      (e) => this.abandon("signing failed", e),
    );
  }

  /** RFC 4252 §8: the password is right but expired; ask the application for a new one. */
  private onPasswdChangereq(
    payload: Uint8Array,
    state: Extract<AuthState, { kind: "tryingPassword" }>,
  ): MaybePromise<void> {
    const { prompt } = UserauthPasswdChangereq.decode(payload);
    const { method } = state;
    const ask = method.newPassword?.bind(method);
    if (ask === undefined) {
      this.abandon(
        `the server requires a password change (${JSON.stringify(prompt)}) and there is no newPassword callback`,
      );
      return;
    }
    if (state.changes >= MAX_PASSWORD_CHANGE_ROUNDS) {
      this.abandon(`the server refused ${state.changes} new passwords`);
      return;
    }
    return this.ask(
      "new password",
      () => ask(prompt),
      (newPassword) => {
        if (newPassword === undefined) {
          this.abandon(`password change (${JSON.stringify(prompt)}) declined`);
          return;
        }
        this.state = { kind: "tryingPassword", method, changes: state.changes + 1 };
        this.options.send(passwordChangeRequest(this.options.username, method.password, newPassword));
      },
      (e) => this.abandon("the newPassword callback failed", e),
    );
  }

  /** RFC 4256 §3.2–3.4: answer one round of prompts (zero prompts: zero responses). */
  private onInfoRequest(
    payload: Uint8Array,
    state: Extract<AuthState, { kind: "tryingKeyboardInteractive" }>,
  ): MaybePromise<void> {
    const challenge = decodeUserauthInfoRequest(payload);
    const expected = challenge.prompts.length;
    if (expected > MAX_KEYBOARD_INTERACTIVE_PROMPTS) {
      throw new ProtocolError(
        "ERR_AUTH_PROTOCOL",
        `INFO_REQUEST with ${expected} prompts (at most ${MAX_KEYBOARD_INTERACTIVE_PROMPTS})`,
      );
    }
    if (state.rounds >= MAX_KEYBOARD_INTERACTIVE_ROUNDS) {
      this.abandon(`more than ${MAX_KEYBOARD_INTERACTIVE_ROUNDS} INFO_REQUEST rounds`);
      return;
    }
    const { method } = state;
    return this.ask(
      "keyboard-interactive responses",
      () => method.respond(challenge),
      (responses) => {
        if (expected > 0 && responses.length !== expected) {
          this.abandon(`respond() gave ${responses.length} responses to ${expected} prompts`);
          return;
        }
        this.state = { kind: "tryingKeyboardInteractive", method, rounds: state.rounds + 1 };
        this.options.send(encodeUserauthInfoResponse(expected === 0 ? [] : responses));
      },
      (e) => this.abandon("respond() failed", e),
    );
  }

  /** An error found after `handle` returned ends authentication. */
  private fatal(e: unknown): void {
    this.state = { kind: "done" };
    const error = e instanceof SshError ? e : new SshError("ERR_AUTH_INTERNAL", describe(e), { cause: e });
    if (this.options.onError) {
      this.options.onError(error);
      return;
    }
    this.options.onFailure(new AuthError(`authentication failed: ${error.message}`, this.allowed, { cause: error }));
  }
}
