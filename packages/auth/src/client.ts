/**
 * Client-side user authentication, RFC 4252: the `ssh-userauth` service request (RFC 4253 §10),
 * a `none` probe that learns which methods the server allows (§5.2), then `publickey` with the
 * query-then-sign flow (§7) and `password` (§8), following partial success (§5.1) through
 * multi-factor chains. Sans-I/O: payloads in through `handle`, out through `send`.
 * @module
 */
import type { PrivateKey } from "@purssh/keys";
import {
  DISCONNECT,
  equalBytes,
  MSG,
  ProtocolError,
  ServiceAccept,
  ServiceRequest,
  SshError,
  SshWriter,
  UserauthBanner,
  UserauthFailure,
  UserauthPasswdChangereq,
  UserauthPkOk,
  UserauthRequestNone,
  UserauthRequestPassword,
  UserauthRequestPublickey,
  UserauthRequestPublickeyQuery,
} from "@purssh/wire";

export type AuthMethod =
  | { kind: "password"; password: string }
  | {
      kind: "publickey";
      key: PrivateKey;
      /**
       * Signature algorithms allowed for this key, preferred first (default: the key's own list).
       * The first one the server lists in `server-sig-algs` is used (RFC 8332 §3.1, RFC 8308);
       * without that extension, the first one.
       */
      algorithms?: readonly string[];
    };

/** A login that did not succeed: every method we had was refused. */
export class AuthError extends SshError {
  constructor(
    message: string,
    /** Methods the server said can continue (RFC 4252 §5.1). */
    readonly allowedMethods: readonly string[],
  ) {
    super("ERR_AUTH_FAILED", message);
  }
}

export interface AuthClientOptions {
  username: string;
  /** Methods to try, in order, among those the server allows. */
  methods: readonly AuthMethod[];
  /** The transport's session identifier (signed by publickey auth). */
  sessionId: Uint8Array;
  send(payload: Uint8Array): void;
  onSuccess(): void;
  onFailure(error: AuthError): void;
  onBanner?(message: string): void;
  /** The server's `server-sig-algs` extension (RFC 8308 §3.1), when it sent one. */
  serverSigAlgs?(): readonly string[] | undefined;
  log?(level: 1 | 2 | 3, text: string): void;
}

type AuthState =
  | { kind: "awaitingServiceAccept" }
  | { kind: "tryingNone" }
  | { kind: "tryingPassword" }
  | { kind: "queryingPublickey"; method: Extract<AuthMethod, { kind: "publickey" }>; algorithm: string }
  | { kind: "awaitingPublickeyResult" }
  | { kind: "done" };

const SERVICE = "ssh-connection";

export class AuthClient {
  private state: AuthState = { kind: "awaitingServiceAccept" };
  private remaining: AuthMethod[];
  private readonly tried: string[] = [];
  private allowed: readonly string[] = [];

  constructor(private readonly options: AuthClientOptions) {
    this.remaining = [...options.methods];
  }

  start(): void {
    this.options.send(ServiceRequest.encode({ serviceName: "ssh-userauth" }));
  }

  get finished(): boolean {
    return this.state.kind === "done";
  }

  /** Handles one message; returns false for a number that is not user-authentication. */
  handle(payload: Uint8Array): boolean {
    const n = payload[0]!;
    const state = this.state;
    if (n === MSG.USERAUTH_BANNER) {
      this.options.onBanner?.(UserauthBanner.decode(payload).message);
      return true;
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
          UserauthRequestNone.encode({ userName: this.options.username, serviceName: SERVICE, methodName: "none" }),
        );
        return true;
      }
      case "tryingNone":
      case "tryingPassword":
      case "awaitingPublickeyResult":
      case "queryingPublickey":
        if (n === MSG.USERAUTH_SUCCESS) {
          this.state = { kind: "done" };
          this.options.log?.(1, `authenticated as ${this.options.username}`);
          this.options.onSuccess();
          return true;
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
          this.next();
          return true;
        }
        if (n === 60 && state.kind === "queryingPublickey") {
          this.onPkOk(payload, state.method, state.algorithm);
          return true;
        }
        if (n === 60 && state.kind === "tryingPassword") {
          const req = UserauthPasswdChangereq.decode(payload);
          this.state = { kind: "done" };
          this.options.onFailure(
            new AuthError(
              `the server requires a password change (${req.prompt || "no prompt"}); changing passwords is not supported`,
              this.allowed,
            ),
          );
          return true;
        }
        break;
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
    if (n === MSG.SERVICE_ACCEPT) throw new ProtocolError("ERR_AUTH_PROTOCOL", "unexpected SERVICE_ACCEPT");
    return false;
  }

  /** Picks the next method the server allows, or fails with what was tried. */
  private next(): void {
    // Each configured method is tried at most once, in order, when the server's latest list
    // allows it; a method skipped now stays for later, since a partial success can change the
    // list (RFC 4252 §5.1, e.g. OpenSSH's AuthenticationMethods password,publickey).
    for (;;) {
      const index = this.remaining.findIndex(
        (m) => this.allowed.includes(m.kind) && (m.kind !== "publickey" || this.signatureAlgorithm(m) !== undefined),
      );
      const m = index < 0 ? undefined : this.remaining.splice(index, 1)[0];
      if (!m) {
        this.state = { kind: "done" };
        const configured = [...new Set(this.options.methods.map((x) => x.kind))].join(", ") || "none";
        const tried =
          this.tried.length > 0
            ? `tried ${this.tried.join(", ")}`
            : `none of the configured methods (${configured}) is allowed`;
        this.options.onFailure(
          new AuthError(
            `authentication failed for user ${JSON.stringify(this.options.username)}: ${tried}; the server allows ${this.allowed.join(", ") || "nothing"}`,
            this.allowed,
          ),
        );
        return;
      }
      const { username } = this.options;
      if (m.kind === "password") {
        this.tried.push("password");
        this.state = { kind: "tryingPassword" };
        this.options.send(
          UserauthRequestPassword.encode({
            userName: username,
            serviceName: SERVICE,
            methodName: "password",
            changePassword: false,
            password: m.password,
          }),
        );
        return;
      }
      const algorithm = this.signatureAlgorithm(m) as string;
      this.tried.push(`publickey (${algorithm})`);
      this.state = { kind: "queryingPublickey", method: m, algorithm };
      this.options.send(
        UserauthRequestPublickeyQuery.encode({
          userName: username,
          serviceName: SERVICE,
          methodName: "publickey",
          hasSignature: false,
          publicKeyAlgorithm: algorithm,
          publicKey: m.key.publicKey.blob,
        }),
      );
      return;
    }
  }

  /** RFC 8332 §3.1: the first allowed algorithm the key supports that the server accepts. */
  private signatureAlgorithm(m: Extract<AuthMethod, { kind: "publickey" }>): string | undefined {
    const usable = (m.algorithms ?? m.key.signatureAlgorithms).filter((a) => m.key.signatureAlgorithms.includes(a));
    const accepted = this.options.serverSigAlgs?.();
    return (accepted && usable.find((a) => accepted.includes(a))) ?? usable[0];
  }

  /** RFC 4252 §7: the server would accept this key; sign and send the real request. */
  private onPkOk(payload: Uint8Array, method: Extract<AuthMethod, { kind: "publickey" }>, algorithm: string): void {
    const ok = UserauthPkOk.decode(payload);
    if (ok.publicKeyAlgorithm !== algorithm || !equalBytes(ok.publicKey, method.key.publicKey.blob)) {
      throw new ProtocolError("ERR_AUTH_PROTOCOL", "USERAUTH_PK_OK names a key we did not offer");
    }
    const { username, sessionId } = this.options;
    const blob = method.key.publicKey.blob;
    const signed = new SshWriter(256)
      .string(sessionId)
      .byte(MSG.USERAUTH_REQUEST)
      .utf8(username)
      .utf8(SERVICE)
      .utf8("publickey")
      .boolean(true)
      .utf8(algorithm)
      .string(blob)
      .finish();
    this.state = { kind: "awaitingPublickeyResult" };
    this.options.send(
      UserauthRequestPublickey.encode({
        userName: username,
        serviceName: SERVICE,
        methodName: "publickey",
        hasSignature: true,
        publicKeyAlgorithm: algorithm,
        publicKey: blob,
        signature: method.key.sign(signed, algorithm),
      }),
    );
  }
}
