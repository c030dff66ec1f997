/**
 * Connection-protocol messages, RFC 4254 §§4–7, plus OpenSSH's `hostkeys-00@openssh.com` and
 * `keepalive@openssh.com` (PROTOCOL §2.5, §2.1). Global requests, channel opens and channel
 * requests are declared generically and per type as second-level schemas.
 * @module
 */
import { MSG } from "../constants.js";
import { boolean, type Infer, literal, msg, rest, string, uint32, utf8 } from "../schema.js";

// RFC 4254 §4
export const GlobalRequest = msg(MSG.GLOBAL_REQUEST, "SSH_MSG_GLOBAL_REQUEST", {
  requestName: utf8,
  wantReply: boolean,
  requestData: rest,
});
export type GlobalRequest = Infer<typeof GlobalRequest>;

// RFC 4254 §7.1
export const GlobalRequestTcpipForward = msg(MSG.GLOBAL_REQUEST, "SSH_MSG_GLOBAL_REQUEST", {
  requestName: literal("tcpip-forward"),
  wantReply: boolean,
  addressToBind: utf8,
  portToBind: uint32,
});
export type GlobalRequestTcpipForward = Infer<typeof GlobalRequestTcpipForward>;

// RFC 4254 §7.1
export const GlobalRequestCancelTcpipForward = msg(MSG.GLOBAL_REQUEST, "SSH_MSG_GLOBAL_REQUEST", {
  requestName: literal("cancel-tcpip-forward"),
  wantReply: boolean,
  addressToBind: utf8,
  portToBind: uint32,
});
export type GlobalRequestCancelTcpipForward = Infer<typeof GlobalRequestCancelTcpipForward>;

// OpenSSH PROTOCOL §2.5: the server's host keys, sent after auth with want-reply false
export const GlobalRequestHostkeys = msg(MSG.GLOBAL_REQUEST, "SSH_MSG_GLOBAL_REQUEST", {
  requestName: literal("hostkeys-00@openssh.com"),
  wantReply: boolean,
  hostKeys: rest,
});
export type GlobalRequestHostkeys = Infer<typeof GlobalRequestHostkeys>;

// OpenSSH's keepalive probe (ServerAliveInterval / ClientAliveInterval), want-reply true
export const GlobalRequestKeepalive = msg(MSG.GLOBAL_REQUEST, "SSH_MSG_GLOBAL_REQUEST", {
  requestName: literal("keepalive@openssh.com"),
  wantReply: boolean,
});
export type GlobalRequestKeepalive = Infer<typeof GlobalRequestKeepalive>;

// RFC 4254 §4
export const RequestSuccess = msg(MSG.REQUEST_SUCCESS, "SSH_MSG_REQUEST_SUCCESS", { responseData: rest });
export type RequestSuccess = Infer<typeof RequestSuccess>;

// RFC 4254 §7.1: the reply to a tcpip-forward with port 0 carries the bound port
export const RequestSuccessTcpipForward = msg(MSG.REQUEST_SUCCESS, "SSH_MSG_REQUEST_SUCCESS", { boundPort: uint32 });
export type RequestSuccessTcpipForward = Infer<typeof RequestSuccessTcpipForward>;

// RFC 4254 §4
export const RequestFailure = msg(MSG.REQUEST_FAILURE, "SSH_MSG_REQUEST_FAILURE", {});
export type RequestFailure = Infer<typeof RequestFailure>;

// RFC 4254 §5.1
export const ChannelOpen = msg(MSG.CHANNEL_OPEN, "SSH_MSG_CHANNEL_OPEN", {
  channelType: utf8,
  senderChannel: uint32,
  initialWindowSize: uint32,
  maximumPacketSize: uint32,
  channelTypeData: rest,
});
export type ChannelOpen = Infer<typeof ChannelOpen>;

// RFC 4254 §7.2
export const ChannelOpenForwardedTcpip = msg(MSG.CHANNEL_OPEN, "SSH_MSG_CHANNEL_OPEN", {
  channelType: literal("forwarded-tcpip"),
  senderChannel: uint32,
  initialWindowSize: uint32,
  maximumPacketSize: uint32,
  connectedAddress: utf8,
  connectedPort: uint32,
  originatorAddress: utf8,
  originatorPort: uint32,
});
export type ChannelOpenForwardedTcpip = Infer<typeof ChannelOpenForwardedTcpip>;

// RFC 4254 §7.2
export const ChannelOpenDirectTcpip = msg(MSG.CHANNEL_OPEN, "SSH_MSG_CHANNEL_OPEN", {
  channelType: literal("direct-tcpip"),
  senderChannel: uint32,
  initialWindowSize: uint32,
  maximumPacketSize: uint32,
  hostToConnect: utf8,
  portToConnect: uint32,
  originatorAddress: utf8,
  originatorPort: uint32,
});
export type ChannelOpenDirectTcpip = Infer<typeof ChannelOpenDirectTcpip>;

// RFC 4254 §6.1
export const ChannelOpenSession = msg(MSG.CHANNEL_OPEN, "SSH_MSG_CHANNEL_OPEN", {
  channelType: literal("session"),
  senderChannel: uint32,
  initialWindowSize: uint32,
  maximumPacketSize: uint32,
});
export type ChannelOpenSession = Infer<typeof ChannelOpenSession>;

// RFC 4254 §5.1
export const ChannelOpenConfirmation = msg(MSG.CHANNEL_OPEN_CONFIRMATION, "SSH_MSG_CHANNEL_OPEN_CONFIRMATION", {
  recipientChannel: uint32,
  senderChannel: uint32,
  initialWindowSize: uint32,
  maximumPacketSize: uint32,
  channelTypeData: rest,
});
export type ChannelOpenConfirmation = Infer<typeof ChannelOpenConfirmation>;

// RFC 4254 §5.1
export const ChannelOpenFailure = msg(MSG.CHANNEL_OPEN_FAILURE, "SSH_MSG_CHANNEL_OPEN_FAILURE", {
  recipientChannel: uint32,
  reasonCode: uint32,
  description: utf8,
  languageTag: utf8,
});
export type ChannelOpenFailure = Infer<typeof ChannelOpenFailure>;

// RFC 4254 §5.2
export const ChannelWindowAdjust = msg(MSG.CHANNEL_WINDOW_ADJUST, "SSH_MSG_CHANNEL_WINDOW_ADJUST", {
  recipientChannel: uint32,
  bytesToAdd: uint32,
});
export type ChannelWindowAdjust = Infer<typeof ChannelWindowAdjust>;

// RFC 4254 §5.2
export const ChannelData = msg(MSG.CHANNEL_DATA, "SSH_MSG_CHANNEL_DATA", { recipientChannel: uint32, data: string });
export type ChannelData = Infer<typeof ChannelData>;

// RFC 4254 §5.2
export const ChannelExtendedData = msg(MSG.CHANNEL_EXTENDED_DATA, "SSH_MSG_CHANNEL_EXTENDED_DATA", {
  recipientChannel: uint32,
  dataTypeCode: uint32,
  data: string,
});
export type ChannelExtendedData = Infer<typeof ChannelExtendedData>;

// RFC 4254 §5.3
export const ChannelEof = msg(MSG.CHANNEL_EOF, "SSH_MSG_CHANNEL_EOF", { recipientChannel: uint32 });
export type ChannelEof = Infer<typeof ChannelEof>;
export const ChannelClose = msg(MSG.CHANNEL_CLOSE, "SSH_MSG_CHANNEL_CLOSE", { recipientChannel: uint32 });
export type ChannelClose = Infer<typeof ChannelClose>;

// RFC 4254 §5.4
export const ChannelRequest = msg(MSG.CHANNEL_REQUEST, "SSH_MSG_CHANNEL_REQUEST", {
  recipientChannel: uint32,
  requestType: utf8,
  wantReply: boolean,
  requestData: rest,
});
export type ChannelRequest = Infer<typeof ChannelRequest>;

// RFC 4254 §6.5
export const ChannelRequestExec = msg(MSG.CHANNEL_REQUEST, "SSH_MSG_CHANNEL_REQUEST", {
  recipientChannel: uint32,
  requestType: literal("exec"),
  wantReply: boolean,
  command: utf8,
});
export type ChannelRequestExec = Infer<typeof ChannelRequestExec>;

// RFC 4254 §6.10
export const ChannelRequestExitStatus = msg(MSG.CHANNEL_REQUEST, "SSH_MSG_CHANNEL_REQUEST", {
  recipientChannel: uint32,
  requestType: literal("exit-status"),
  wantReply: boolean,
  exitStatus: uint32,
});
export type ChannelRequestExitStatus = Infer<typeof ChannelRequestExitStatus>;

// OpenSSH PROTOCOL §2.1 (sent by sshd's ClientAliveInterval on a channel)
export const ChannelRequestKeepalive = msg(MSG.CHANNEL_REQUEST, "SSH_MSG_CHANNEL_REQUEST", {
  recipientChannel: uint32,
  requestType: literal("keepalive@openssh.com"),
  wantReply: boolean,
});
export type ChannelRequestKeepalive = Infer<typeof ChannelRequestKeepalive>;

// RFC 4254 §5.4
export const ChannelSuccess = msg(MSG.CHANNEL_SUCCESS, "SSH_MSG_CHANNEL_SUCCESS", { recipientChannel: uint32 });
export type ChannelSuccess = Infer<typeof ChannelSuccess>;
export const ChannelFailure = msg(MSG.CHANNEL_FAILURE, "SSH_MSG_CHANNEL_FAILURE", { recipientChannel: uint32 });
export type ChannelFailure = Infer<typeof ChannelFailure>;
