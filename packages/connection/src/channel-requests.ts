/**
 * Channel requests (RFC 4254 §5.4) by type: the decoded fields of each request type we know —
 * `exec`, `shell`, `subsystem` (§6.5), `pty-req` (§6.2), `env` (§6.4), `window-change` (§6.7),
 * `signal` (§6.9), `exit-status` and `exit-signal` (§6.10), OpenSSH's `keepalive@openssh.com`
 * (PROTOCOL §2.1) — and the raw data of any other. Known types are decoded with their
 * second-level schemas; a known type whose data does not decode is a fatal WireError, as in
 * OpenSSH (sshpkt_fatal on a parse failure).
 * @module
 */
import {
  type ChannelRequest,
  ChannelRequestEnv,
  ChannelRequestExec,
  ChannelRequestExitSignal,
  ChannelRequestExitStatus,
  ChannelRequestKeepalive,
  ChannelRequestPtyReq,
  ChannelRequestShell,
  ChannelRequestSignal,
  ChannelRequestSubsystem,
  ChannelRequestWindowChange,
} from "@purssh/wire";

/** RFC 4254 §6.10 `exit-signal`: how the remote command died. */
export interface ExitSignal {
  /** Signal name without the "SIG" prefix, e.g. "TERM". */
  signalName: string;
  coreDumped: boolean;
  errorMessage: string;
  languageTag: string;
}

/** Terminal dimensions (RFC 4254 §6.2, §6.7). */
export interface TerminalSize {
  widthChars: number;
  heightRows: number;
  widthPixels: number;
  heightPixels: number;
}

/** The type-specific part of a channel request, discriminated by `kind` (the wire name, or "other"). */
export type ChannelRequestFields =
  | { kind: "exec"; command: string }
  | { kind: "shell" }
  | { kind: "subsystem"; name: string }
  | ({ kind: "pty-req"; term: string; terminalModes: Uint8Array } & TerminalSize)
  | { kind: "env"; name: string; value: string }
  | ({ kind: "window-change" } & TerminalSize)
  | { kind: "signal"; signalName: string }
  | { kind: "exit-status"; exitStatus: number }
  | ({ kind: "exit-signal" } & ExitSignal)
  | { kind: "keepalive@openssh.com" }
  | { kind: "other"; data: Uint8Array };

/** A channel request from the peer, handed to `channel.events.request`. */
export type IncomingChannelRequest = ChannelRequestFields & {
  /** The request type as sent, e.g. "exec" or "auth-agent-req@openssh.com". */
  readonly type: string;
  readonly wantReply: boolean;
  /** The whole SSH_MSG_CHANNEL_REQUEST as received (message number first), for packet helpers. */
  readonly payload: Uint8Array;
  /** Answers CHANNEL_SUCCESS (only sent when wantReply); replies leave in request order. */
  accept(): void;
  /** Answers CHANNEL_FAILURE (only sent when wantReply). */
  reject(): void;
};

/** Decodes the type-specific fields of `payload`, whose generic decoding is `request`. */
export function decodeChannelRequestFields(payload: Uint8Array, request: ChannelRequest): ChannelRequestFields {
  switch (request.requestType) {
    case "exec":
      return { kind: "exec", command: ChannelRequestExec.decode(payload).command };
    case "shell":
      ChannelRequestShell.decode(payload);
      return { kind: "shell" };
    case "subsystem":
      return { kind: "subsystem", name: ChannelRequestSubsystem.decode(payload).subsystemName };
    case "pty-req": {
      const m = ChannelRequestPtyReq.decode(payload);
      return {
        kind: "pty-req",
        term: m.term,
        widthChars: m.widthChars,
        heightRows: m.heightRows,
        widthPixels: m.widthPixels,
        heightPixels: m.heightPixels,
        terminalModes: m.terminalModes,
      };
    }
    case "env": {
      const m = ChannelRequestEnv.decode(payload);
      return { kind: "env", name: m.variableName, value: m.variableValue };
    }
    case "window-change": {
      const m = ChannelRequestWindowChange.decode(payload);
      return {
        kind: "window-change",
        widthChars: m.widthChars,
        heightRows: m.heightRows,
        widthPixels: m.widthPixels,
        heightPixels: m.heightPixels,
      };
    }
    case "signal":
      return { kind: "signal", signalName: ChannelRequestSignal.decode(payload).signalName };
    case "exit-status":
      return { kind: "exit-status", exitStatus: ChannelRequestExitStatus.decode(payload).exitStatus };
    case "exit-signal": {
      const m = ChannelRequestExitSignal.decode(payload);
      return {
        kind: "exit-signal",
        signalName: m.signalName,
        coreDumped: m.coreDumped,
        errorMessage: m.errorMessage,
        languageTag: m.languageTag,
      };
    }
    case "keepalive@openssh.com":
      ChannelRequestKeepalive.decode(payload);
      return { kind: "keepalive@openssh.com" };
    default:
      return { kind: "other", data: request.requestData };
  }
}
