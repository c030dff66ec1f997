/**
 * Transport-layer messages: RFC 4253 §§7, 10, 11, RFC 8308 §2.3 (EXT_INFO), and the ECDH-style
 * key-exchange messages shared by RFC 5656 §4 and RFC 8731 §3 (curve25519-sha256).
 * @module
 */
import { MSG } from "../constants.js";
import { boolean, bytes16, extensionPairs, type Infer, mpint, msg, nameList, string, uint32, utf8 } from "../schema.js";

// RFC 4253 §11.1
export const Disconnect = msg(MSG.DISCONNECT, "SSH_MSG_DISCONNECT", {
  reasonCode: uint32,
  description: utf8,
  languageTag: utf8,
});
export type Disconnect = Infer<typeof Disconnect>;

// RFC 4253 §11.2
export const Ignore = msg(MSG.IGNORE, "SSH_MSG_IGNORE", { data: string });
export type Ignore = Infer<typeof Ignore>;

// RFC 4253 §11.4
export const Unimplemented = msg(MSG.UNIMPLEMENTED, "SSH_MSG_UNIMPLEMENTED", { packetSequenceNumber: uint32 });
export type Unimplemented = Infer<typeof Unimplemented>;

// RFC 4253 §11.3
export const Debug = msg(MSG.DEBUG, "SSH_MSG_DEBUG", { alwaysDisplay: boolean, message: utf8, languageTag: utf8 });
export type Debug = Infer<typeof Debug>;

// RFC 4253 §10
export const ServiceRequest = msg(MSG.SERVICE_REQUEST, "SSH_MSG_SERVICE_REQUEST", { serviceName: utf8 });
export type ServiceRequest = Infer<typeof ServiceRequest>;
export const ServiceAccept = msg(MSG.SERVICE_ACCEPT, "SSH_MSG_SERVICE_ACCEPT", { serviceName: utf8 });
export type ServiceAccept = Infer<typeof ServiceAccept>;

// RFC 8308 §2.3
export const ExtInfo = msg(MSG.EXT_INFO, "SSH_MSG_EXT_INFO", { extensions: extensionPairs });
export type ExtInfo = Infer<typeof ExtInfo>;

// OpenSSH PROTOCOL §1.10: SSH2_MSG_PING / SSH2_MSG_PONG, sent only to a peer that announced
// "ping@openssh.com" in EXT_INFO; a PONG echoes the PING's data.
export const Ping = msg(MSG.PING, "SSH2_MSG_PING", { data: string });
export type Ping = Infer<typeof Ping>;
export const Pong = msg(MSG.PONG, "SSH2_MSG_PONG", { data: string });
export type Pong = Infer<typeof Pong>;

// RFC 4253 §7.1
export const Kexinit = msg(MSG.KEXINIT, "SSH_MSG_KEXINIT", {
  cookie: bytes16,
  kexAlgorithms: nameList,
  serverHostKeyAlgorithms: nameList,
  encryptionAlgorithmsClientToServer: nameList,
  encryptionAlgorithmsServerToClient: nameList,
  macAlgorithmsClientToServer: nameList,
  macAlgorithmsServerToClient: nameList,
  compressionAlgorithmsClientToServer: nameList,
  compressionAlgorithmsServerToClient: nameList,
  languagesClientToServer: nameList,
  languagesServerToClient: nameList,
  firstKexPacketFollows: boolean,
  reserved: uint32,
});
export type Kexinit = Infer<typeof Kexinit>;

// RFC 4253 §7.3
export const Newkeys = msg(MSG.NEWKEYS, "SSH_MSG_NEWKEYS", {});
export type Newkeys = Infer<typeof Newkeys>;

// RFC 5656 §4 / RFC 8731 §3: Q_C
export const KexEcdhInit = msg(MSG.KEX_ECDH_INIT, "SSH_MSG_KEX_ECDH_INIT", { clientEphemeralPublicKey: string });
export type KexEcdhInit = Infer<typeof KexEcdhInit>;

// RFC 5656 §4 / RFC 8731 §3: K_S, Q_S, signature of H
export const KexEcdhReply = msg(MSG.KEX_ECDH_REPLY, "SSH_MSG_KEX_ECDH_REPLY", {
  hostKey: string,
  serverEphemeralPublicKey: string,
  signature: string,
});
export type KexEcdhReply = Infer<typeof KexEcdhReply>;

// RFC 4253 §8: finite-field Diffie-Hellman with a fixed group (e, then K_S, f, signature of H)
export const KexdhInit = msg(MSG.KEXDH_INIT, "SSH_MSG_KEXDH_INIT", { e: mpint });
export type KexdhInit = Infer<typeof KexdhInit>;
export const KexdhReply = msg(MSG.KEXDH_REPLY, "SSH_MSG_KEXDH_REPLY", { hostKey: string, f: mpint, signature: string });
export type KexdhReply = Infer<typeof KexdhReply>;

// RFC 4419 §3: Diffie-Hellman group exchange
export const KexDhGexRequest = msg(MSG.KEX_DH_GEX_REQUEST, "SSH_MSG_KEX_DH_GEX_REQUEST", {
  min: uint32,
  n: uint32,
  max: uint32,
});
export type KexDhGexRequest = Infer<typeof KexDhGexRequest>;
export const KexDhGexGroup = msg(MSG.KEX_DH_GEX_GROUP, "SSH_MSG_KEX_DH_GEX_GROUP", { p: mpint, g: mpint });
export type KexDhGexGroup = Infer<typeof KexDhGexGroup>;
export const KexDhGexInit = msg(MSG.KEX_DH_GEX_INIT, "SSH_MSG_KEX_DH_GEX_INIT", { e: mpint });
export type KexDhGexInit = Infer<typeof KexDhGexInit>;
export const KexDhGexReply = msg(MSG.KEX_DH_GEX_REPLY, "SSH_MSG_KEX_DH_GEX_REPLY", {
  hostKey: string,
  f: mpint,
  signature: string,
});
export type KexDhGexReply = Infer<typeof KexDhGexReply>;
