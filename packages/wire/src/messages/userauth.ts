/**
 * User-authentication messages, RFC 4252 §§5–8 (none, password, publickey) and the banner.
 * USERAUTH_REQUEST is declared generically and once per method as a second-level schema.
 * @module
 */
import { MSG } from "../constants.js";
import { boolean, type Infer, literal, literalBoolean, msg, nameList, rest, string, utf8 } from "../schema.js";

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
