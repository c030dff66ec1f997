/**
 * The methods an AuthClient can try (RFC 4252 §7 publickey, §8 password with its password
 * change, RFC 4256 keyboard-interactive), the limits that keep a hostile server from looping a
 * client through them, and the encoding of each method's first request.
 * @module
 */
import type { Signer } from "@purssh/keys";
import {
  SshError,
  type UserauthInfoRequestPrompts,
  UserauthRequestKeyboardInteractive,
  UserauthRequestPassword,
  UserauthRequestPasswordChange,
  UserauthRequestPublickey,
  UserauthRequestPublickeyQuery,
} from "@purssh/wire";
import type { MaybePromise } from "./serial.js";

/** RFC 4256 §3.2: what the server asks in one INFO_REQUEST round. */
export type KeyboardInteractiveChallenge = UserauthInfoRequestPrompts;

export interface PasswordMethod {
  kind: "password";
  password: string;
  /**
   * RFC 4252 §8: called with the server's prompt when it answers SSH_MSG_USERAUTH_PASSWD_CHANGEREQ
   * (again when it refuses the new one); return the new password, or undefined to give up. Without
   * it a change request fails this method and the next one is tried.
   */
  newPassword?(prompt: string): MaybePromise<string | undefined>;
}

export interface PublickeyMethod {
  kind: "publickey";
  /** A PrivateKey, a certified key (certifiedPrivateKey) or an ssh-agent identity. */
  key: Signer;
  /**
   * Signature algorithms allowed for this key, preferred first (default: the key's own list).
   * The first one the server lists in `server-sig-algs` is used (RFC 8332 §3.1, RFC 8308);
   * without that extension, the first one.
   */
  algorithms?: readonly string[];
}

export interface KeyboardInteractiveMethod {
  kind: "keyboard-interactive";
  /** RFC 4256 §3.1 submethods hint (e.g. "pam"); default "". */
  submethods?: string;
  /**
   * Answers one INFO_REQUEST: one response per prompt, in order. Called for zero-prompt rounds
   * too (so name and instruction can be shown); their answer is always zero responses. A throw
   * or rejection abandons this method and the next one is tried.
   */
  respond(challenge: KeyboardInteractiveChallenge): MaybePromise<readonly string[]>;
}

/**
 * A method the application drives packet by packet (the seed's SSHAuthMode amCustom): `step` gets
 * the server's latest user-authentication message (message number first; the first call gets the
 * USERAUTH_FAILURE that lists the methods that can continue) and returns the next message to send
 * — any SSH_MSG_USERAUTH_* message (50–79) — or undefined to give up. It is tried whatever the
 * server lists, since the application names the method inside its packets.
 */
export interface CustomMethod {
  kind: "custom";
  step(serverPacket: Uint8Array): MaybePromise<Uint8Array | undefined>;
}

export type AuthMethod = PasswordMethod | PublickeyMethod | KeyboardInteractiveMethod | CustomMethod;

/** A login that did not succeed: every method we had was refused. */
export class AuthError extends SshError {
  constructor(
    message: string,
    /** Methods the server said can continue (RFC 4252 §5.1). */
    readonly allowedMethods: readonly string[],
    options?: { cause?: unknown },
  ) {
    super("ERR_AUTH_FAILED", message, options);
  }
}

/** OpenSSH's bound on prompts in one INFO_REQUEST (auth2-chall.c, sshconnect2.c). */
export const MAX_KEYBOARD_INTERACTIVE_PROMPTS = 100;
/** INFO_REQUEST rounds one keyboard-interactive attempt may take before we abandon it. */
export const MAX_KEYBOARD_INTERACTIVE_ROUNDS = 32;
/** Packets one custom method may send before we abandon it. */
export const MAX_CUSTOM_ROUNDS = 32;
/** PASSWD_CHANGEREQs one password attempt may answer before we abandon it. */
export const MAX_PASSWORD_CHANGE_ROUNDS = 3;
/** Messages that may arrive while we wait for a signer, a response or a new password. */
export const MAX_QUEUED_CLIENT_MESSAGES = 16;

/** The service user authentication is for (RFC 4252 §5: "ssh-connection"). */
export const CONNECTION_SERVICE = "ssh-connection";

export function passwordRequest(userName: string, password: string): Uint8Array {
  return UserauthRequestPassword.encode({
    userName,
    serviceName: CONNECTION_SERVICE,
    methodName: "password",
    changePassword: false,
    password,
  });
}

export function passwordChangeRequest(userName: string, password: string, newPassword: string): Uint8Array {
  return UserauthRequestPasswordChange.encode({
    userName,
    serviceName: CONNECTION_SERVICE,
    methodName: "password",
    changePassword: true,
    password,
    newPassword,
  });
}

export function publickeyQuery(userName: string, algorithm: string, blob: Uint8Array): Uint8Array {
  return UserauthRequestPublickeyQuery.encode({
    userName,
    serviceName: CONNECTION_SERVICE,
    methodName: "publickey",
    hasSignature: false,
    publicKeyAlgorithm: algorithm,
    publicKey: blob,
  });
}

export function publickeyRequest(
  userName: string,
  algorithm: string,
  blob: Uint8Array,
  signature: Uint8Array,
): Uint8Array {
  return UserauthRequestPublickey.encode({
    userName,
    serviceName: CONNECTION_SERVICE,
    methodName: "publickey",
    hasSignature: true,
    publicKeyAlgorithm: algorithm,
    publicKey: blob,
    signature,
  });
}

export function keyboardInteractiveRequest(userName: string, submethods: string): Uint8Array {
  return UserauthRequestKeyboardInteractive.encode({
    userName,
    serviceName: CONNECTION_SERVICE,
    methodName: "keyboard-interactive",
    languageTag: "",
    submethods,
  });
}
