/**
 * Connection-protocol messages, RFC 4254 §§4–7, plus OpenSSH's extensions (PROTOCOL):
 * `keepalive@openssh.com` (§2.1), streamlocal forwarding (§2.4) and `hostkeys-00@openssh.com`
 * (§2.5); `no-more-sessions@openssh.com` (§2.2) has no data and uses the generic GlobalRequest.
 * Global requests, channel opens and channel requests are declared generically and per type as
 * second-level schemas.
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

// OpenSSH PROTOCOL §2.4: remote forwarding of a Unix-domain socket (the streamlocal tcpip-forward)
export const GlobalRequestStreamlocalForward = msg(MSG.GLOBAL_REQUEST, "SSH_MSG_GLOBAL_REQUEST", {
  requestName: literal("streamlocal-forward@openssh.com"),
  wantReply: boolean,
  socketPath: utf8,
});
export type GlobalRequestStreamlocalForward = Infer<typeof GlobalRequestStreamlocalForward>;

// OpenSSH PROTOCOL §2.4 (ssh sends want-reply false; sshd answers when asked)
export const GlobalRequestCancelStreamlocalForward = msg(MSG.GLOBAL_REQUEST, "SSH_MSG_GLOBAL_REQUEST", {
  requestName: literal("cancel-streamlocal-forward@openssh.com"),
  wantReply: boolean,
  socketPath: utf8,
});
export type GlobalRequestCancelStreamlocalForward = Infer<typeof GlobalRequestCancelStreamlocalForward>;

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

// OpenSSH PROTOCOL §2.4: the client asks the server to connect to a Unix-domain socket
export const ChannelOpenDirectStreamlocal = msg(MSG.CHANNEL_OPEN, "SSH_MSG_CHANNEL_OPEN", {
  channelType: literal("direct-streamlocal@openssh.com"),
  senderChannel: uint32,
  initialWindowSize: uint32,
  maximumPacketSize: uint32,
  socketPath: utf8,
  reservedString: utf8,
  reservedUint32: uint32,
});
export type ChannelOpenDirectStreamlocal = Infer<typeof ChannelOpenDirectStreamlocal>;

// OpenSSH PROTOCOL §2.4: a connection to a socket the client asked the server to listen on
export const ChannelOpenForwardedStreamlocal = msg(MSG.CHANNEL_OPEN, "SSH_MSG_CHANNEL_OPEN", {
  channelType: literal("forwarded-streamlocal@openssh.com"),
  senderChannel: uint32,
  initialWindowSize: uint32,
  maximumPacketSize: uint32,
  socketPath: utf8,
  reserved: utf8,
});
export type ChannelOpenForwardedStreamlocal = Infer<typeof ChannelOpenForwardedStreamlocal>;

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

// RFC 4254 §6.10: the signal (name without the "SIG" prefix) that terminated the remote command
export const ChannelRequestExitSignal = msg(MSG.CHANNEL_REQUEST, "SSH_MSG_CHANNEL_REQUEST", {
  recipientChannel: uint32,
  requestType: literal("exit-signal"),
  wantReply: boolean,
  signalName: utf8,
  coreDumped: boolean,
  errorMessage: utf8,
  languageTag: utf8,
});
export type ChannelRequestExitSignal = Infer<typeof ChannelRequestExitSignal>;

// RFC 4254 §6.2
export const ChannelRequestPtyReq = msg(MSG.CHANNEL_REQUEST, "SSH_MSG_CHANNEL_REQUEST", {
  recipientChannel: uint32,
  requestType: literal("pty-req"),
  wantReply: boolean,
  term: utf8,
  widthChars: uint32,
  heightRows: uint32,
  widthPixels: uint32,
  heightPixels: uint32,
  terminalModes: string,
});
export type ChannelRequestPtyReq = Infer<typeof ChannelRequestPtyReq>;

// RFC 4254 §6.4
export const ChannelRequestEnv = msg(MSG.CHANNEL_REQUEST, "SSH_MSG_CHANNEL_REQUEST", {
  recipientChannel: uint32,
  requestType: literal("env"),
  wantReply: boolean,
  variableName: utf8,
  variableValue: utf8,
});
export type ChannelRequestEnv = Infer<typeof ChannelRequestEnv>;

// RFC 4254 §6.5
export const ChannelRequestShell = msg(MSG.CHANNEL_REQUEST, "SSH_MSG_CHANNEL_REQUEST", {
  recipientChannel: uint32,
  requestType: literal("shell"),
  wantReply: boolean,
});
export type ChannelRequestShell = Infer<typeof ChannelRequestShell>;

// RFC 4254 §6.5
export const ChannelRequestSubsystem = msg(MSG.CHANNEL_REQUEST, "SSH_MSG_CHANNEL_REQUEST", {
  recipientChannel: uint32,
  requestType: literal("subsystem"),
  wantReply: boolean,
  subsystemName: utf8,
});
export type ChannelRequestSubsystem = Infer<typeof ChannelRequestSubsystem>;

// RFC 4254 §6.7
export const ChannelRequestWindowChange = msg(MSG.CHANNEL_REQUEST, "SSH_MSG_CHANNEL_REQUEST", {
  recipientChannel: uint32,
  requestType: literal("window-change"),
  wantReply: boolean,
  widthChars: uint32,
  heightRows: uint32,
  widthPixels: uint32,
  heightPixels: uint32,
});
export type ChannelRequestWindowChange = Infer<typeof ChannelRequestWindowChange>;

// RFC 4254 §6.9
export const ChannelRequestSignal = msg(MSG.CHANNEL_REQUEST, "SSH_MSG_CHANNEL_REQUEST", {
  recipientChannel: uint32,
  requestType: literal("signal"),
  wantReply: boolean,
  signalName: utf8,
});
export type ChannelRequestSignal = Infer<typeof ChannelRequestSignal>;

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
