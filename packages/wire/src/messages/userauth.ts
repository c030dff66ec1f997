/**
 * User-authentication messages, RFC 4252 §§5–8 (none, password incl. the §8 password change,
 * publickey) and the banner, and RFC 4256 keyboard-interactive. USERAUTH_REQUEST is declared
 * generically and once per method as a second-level schema. Numbers 60–79 belong to the active
 * method (RFC 4252 §6): 60 is PK_OK, PASSWD_CHANGEREQ or INFO_REQUEST depending on what the client
 * last asked for, so the auth state machines pick the schema, not the registry.
 * @module
 */
import { MSG } from "../constants.js";
import { WireError } from "../errors.js";
import { SshReader } from "../reader.js";
import { boolean, type Infer, literal, literalBoolean, msg, nameList, rest, string, uint32, utf8 } from "../schema.js";
import { SshWriter } from "../writer.js";

// RFC 4252 §5
export const UserauthRequest = msg(MSG.USERAUTH_REQUEST, "SSH_MSG_USERAUTH_REQUEST", {
  userName: utf8,
  serviceName: utf8,
  methodName: utf8,
  methodData: rest,
});
export type UserauthRequest = Infer<typeof UserauthRequest>;

// RFC 4252 §5.2
export const UserauthRequestNone = msg(MSG.USERAUTH_REQUEST, "SSH_MSG_USERAUTH_REQUEST", {
  userName: utf8,
  serviceName: utf8,
  methodName: literal("none"),
});
export type UserauthRequestNone = Infer<typeof UserauthRequestNone>;

// RFC 4252 §8
export const UserauthRequestPassword = msg(MSG.USERAUTH_REQUEST, "SSH_MSG_USERAUTH_REQUEST", {
  userName: utf8,
  serviceName: utf8,
  methodName: literal("password"),
  changePassword: literalBoolean(false),
  password: utf8,
});
export type UserauthRequestPassword = Infer<typeof UserauthRequestPassword>;

// RFC 4252 §7: the query form (no signature)
export const UserauthRequestPublickeyQuery = msg(MSG.USERAUTH_REQUEST, "SSH_MSG_USERAUTH_REQUEST", {
  userName: utf8,
  serviceName: utf8,
  methodName: literal("publickey"),
  hasSignature: literalBoolean(false),
  publicKeyAlgorithm: utf8,
  publicKey: string,
});
export type UserauthRequestPublickeyQuery = Infer<typeof UserauthRequestPublickeyQuery>;

// RFC 4252 §7: the signed form
export const UserauthRequestPublickey = msg(MSG.USERAUTH_REQUEST, "SSH_MSG_USERAUTH_REQUEST", {
  userName: utf8,
  serviceName: utf8,
  methodName: literal("publickey"),
  hasSignature: literalBoolean(true),
  publicKeyAlgorithm: utf8,
  publicKey: string,
  signature: string,
});
export type UserauthRequestPublickey = Infer<typeof UserauthRequestPublickey>;

// RFC 4252 §5.1
export const UserauthFailure = msg(MSG.USERAUTH_FAILURE, "SSH_MSG_USERAUTH_FAILURE", {
  authentications: nameList,
  partialSuccess: boolean,
});
export type UserauthFailure = Infer<typeof UserauthFailure>;

// RFC 4252 §5.1
export const UserauthSuccess = msg(MSG.USERAUTH_SUCCESS, "SSH_MSG_USERAUTH_SUCCESS", {});
export type UserauthSuccess = Infer<typeof UserauthSuccess>;

// RFC 4252 §5.4
export const UserauthBanner = msg(MSG.USERAUTH_BANNER, "SSH_MSG_USERAUTH_BANNER", { message: utf8, languageTag: utf8 });
export type UserauthBanner = Infer<typeof UserauthBanner>;

// RFC 4252 §7 (60 while the publickey method is active)
export const UserauthPkOk = msg(MSG.USERAUTH_PK_OK, "SSH_MSG_USERAUTH_PK_OK", {
  publicKeyAlgorithm: utf8,
  publicKey: string,
});
export type UserauthPkOk = Infer<typeof UserauthPkOk>;

// RFC 4252 §8 (60 while the password method is active)
export const UserauthPasswdChangereq = msg(MSG.USERAUTH_PASSWD_CHANGEREQ, "SSH_MSG_USERAUTH_PASSWD_CHANGEREQ", {
  prompt: utf8,
  languageTag: utf8,
});
export type UserauthPasswdChangereq = Infer<typeof UserauthPasswdChangereq>;

// RFC 4252 §8: the password change request (sent after SSH_MSG_USERAUTH_PASSWD_CHANGEREQ)
export const UserauthRequestPasswordChange = msg(MSG.USERAUTH_REQUEST, "SSH_MSG_USERAUTH_REQUEST", {
  userName: utf8,
  serviceName: utf8,
  methodName: literal("password"),
  changePassword: literalBoolean(true),
  password: utf8,
  newPassword: utf8,
});
export type UserauthRequestPasswordChange = Infer<typeof UserauthRequestPasswordChange>;

// RFC 4256 §3.1
export const UserauthRequestKeyboardInteractive = msg(MSG.USERAUTH_REQUEST, "SSH_MSG_USERAUTH_REQUEST", {
  userName: utf8,
  serviceName: utf8,
  methodName: literal("keyboard-interactive"),
  /** Deprecated (RFC 4256 §3.1: SHOULD be empty). */
  languageTag: utf8,
  /** Comma-separated hints such as "pam"; may be empty. */
  submethods: utf8,
});
export type UserauthRequestKeyboardInteractive = Infer<typeof UserauthRequestKeyboardInteractive>;

/** RFC 4256 §5: SSH_MSG_USERAUTH_INFO_REQUEST (60 while keyboard-interactive is active). */
export const USERAUTH_INFO_REQUEST = 60;
/** RFC 4256 §5: SSH_MSG_USERAUTH_INFO_RESPONSE. */
export const USERAUTH_INFO_RESPONSE = 61;

// RFC 4256 §3.2: `prompts` holds num-prompts pairs of (string prompt, boolean echo); read and
// write them with decodeUserauthInfoRequest / encodeUserauthInfoRequest.
export const UserauthInfoRequest = msg(USERAUTH_INFO_REQUEST, "SSH_MSG_USERAUTH_INFO_REQUEST", {
  name: utf8,
  instruction: utf8,
  languageTag: utf8,
  numPrompts: uint32,
  prompts: rest,
});
export type UserauthInfoRequest = Infer<typeof UserauthInfoRequest>;

// RFC 4256 §3.4: `responses` holds num-responses `string response` fields; read and write them
// with decodeUserauthInfoResponse / encodeUserauthInfoResponse.
export const UserauthInfoResponse = msg(USERAUTH_INFO_RESPONSE, "SSH_MSG_USERAUTH_INFO_RESPONSE", {
  numResponses: uint32,
  responses: rest,
});
export type UserauthInfoResponse = Infer<typeof UserauthInfoResponse>;

/** One RFC 4256 §3.2 prompt: the text and whether the user's answer may be echoed. */
export interface KeyboardInteractivePrompt {
  readonly prompt: string;
  readonly echo: boolean;
}

/** An INFO_REQUEST with its prompts decoded. */
export interface UserauthInfoRequestPrompts {
  readonly name: string;
  readonly instruction: string;
  readonly languageTag: string;
  readonly prompts: readonly KeyboardInteractivePrompt[];
}

/** Every prompt takes at least 5 bytes (empty string + boolean), every response at least 4. */
const MIN_PROMPT_BYTES = 5;
const MIN_RESPONSE_BYTES = 4;

function checkCount(count: number, available: number, minBytes: number, what: string): void {
  if (count > available / minBytes) {
    throw new WireError("ERR_WIRE_SHORT_READ", `${what} count ${count} exceeds the ${available} bytes left`);
  }
}

/** Encodes an RFC 4256 §3.2 INFO_REQUEST from its prompts. */
export function encodeUserauthInfoRequest(v: UserauthInfoRequestPrompts): Uint8Array {
  const w = new SshWriter(64);
  for (const p of v.prompts) w.utf8(p.prompt).boolean(p.echo);
  return UserauthInfoRequest.encode({
    name: v.name,
    instruction: v.instruction,
    languageTag: v.languageTag,
    numPrompts: v.prompts.length,
    prompts: w.finish(),
  });
}

/** Decodes an RFC 4256 §3.2 INFO_REQUEST strictly: exactly num-prompts prompts, no trailing bytes. */
export function decodeUserauthInfoRequest(payload: Uint8Array): UserauthInfoRequestPrompts {
  const m = UserauthInfoRequest.decode(payload);
  checkCount(m.numPrompts, m.prompts.length, MIN_PROMPT_BYTES, "SSH_MSG_USERAUTH_INFO_REQUEST num-prompts");
  const r = new SshReader(m.prompts);
  const prompts: KeyboardInteractivePrompt[] = [];
  for (let i = 0; i < m.numPrompts; i++) prompts.push({ prompt: r.utf8(), echo: r.boolean() });
  r.expectEnd("SSH_MSG_USERAUTH_INFO_REQUEST");
  return { name: m.name, instruction: m.instruction, languageTag: m.languageTag, prompts };
}

/** Encodes an RFC 4256 §3.4 INFO_RESPONSE. */
export function encodeUserauthInfoResponse(responses: readonly string[]): Uint8Array {
  const w = new SshWriter(64);
  for (const r of responses) w.utf8(r);
  return UserauthInfoResponse.encode({ numResponses: responses.length, responses: w.finish() });
}

/** Decodes an RFC 4256 §3.4 INFO_RESPONSE strictly: exactly num-responses strings, no trailing bytes. */
export function decodeUserauthInfoResponse(payload: Uint8Array): string[] {
  const m = UserauthInfoResponse.decode(payload);
  checkCount(m.numResponses, m.responses.length, MIN_RESPONSE_BYTES, "SSH_MSG_USERAUTH_INFO_RESPONSE num-responses");
  const r = new SshReader(m.responses);
  const responses: string[] = [];
  for (let i = 0; i < m.numResponses; i++) responses.push(r.utf8());
  r.expectEnd("SSH_MSG_USERAUTH_INFO_RESPONSE");
  return responses;
}
