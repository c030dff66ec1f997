/**
 * The peer's channel opens (RFC 4254 §5.1) of every type: decoded by type — `session` (§6.1),
 * `direct-tcpip` and `forwarded-tcpip` (§7.2), OpenSSH's `direct-streamlocal@openssh.com` and
 * `forwarded-streamlocal@openssh.com` (PROTOCOL §2.4) — and refused automatically with the right
 * reason code unless the application has a handler for the type and room remains (DESIGN.md
 * principle 7). `forwarded-*` opens are refused unless we hold the forwarding they name (§7.2
 * MUST); `session` opens are refused after `no-more-sessions@openssh.com` (PROTOCOL §2.2; sshd
 * also disconnects, refusing is enough for us).
 * @module
 */
import {
  ChannelOpen,
  ChannelOpenDirectStreamlocal,
  ChannelOpenDirectTcpip,
  ChannelOpenForwardedStreamlocal,
  ChannelOpenForwardedTcpip,
  ChannelOpenSession,
  OPEN_FAILURE,
  type OpenFailureReason,
  SshError,
} from "@purssh/wire";
import type { Channel } from "./channel.js";
import type { ChannelTable, PeerOpen } from "./channel-table.js";
import type { ForwardTable, RemoteForward, StreamlocalForward } from "./forwarding.js";
import { MAX_CHANNELS, MAX_PENDING_OPENS } from "./limits.js";

/** The type-specific part of the peer's open, discriminated by `kind` (the wire type, or "other"). */
export type ChannelOpenFields =
  | { kind: "session" }
  | { kind: "direct-tcpip"; host: string; port: number; originatorAddress: string; originatorPort: number }
  | {
      kind: "forwarded-tcpip";
      connectedAddress: string;
      connectedPort: number;
      originatorAddress: string;
      originatorPort: number;
      /** The forwarding this connection arrived on. */
      forward: RemoteForward;
    }
  | { kind: "direct-streamlocal@openssh.com"; socketPath: string }
  | {
      kind: "forwarded-streamlocal@openssh.com";
      socketPath: string;
      /** The forwarding this connection arrived on. */
      forward: StreamlocalForward;
    }
  | { kind: "other"; data: Uint8Array };

/** A channel open from the peer waiting for the application's decision. */
export type IncomingChannelOpen = ChannelOpenFields & {
  /** The channel type as sent, e.g. "direct-tcpip" or "x11". */
  readonly type: string;
  /** The peer's channel number, window and maximum packet size. */
  readonly senderChannel: number;
  readonly initialWindowSize: number;
  readonly maximumPacketSize: number;
  /** Confirms the open; the channel is usable at once. Throws if already decided or ended. */
  accept(): Channel;
  /** Refuses with CHANNEL_OPEN_FAILURE (default CONNECT_FAILED, "connection refused"). */
  reject(reason?: OpenFailureReason, description?: string): void;
};

/** An incoming `forwarded-tcpip` open (the `onForwardedTcpip` handler's argument). */
export type ForwardedTcpipOpen = Extract<IncomingChannelOpen, { kind: "forwarded-tcpip" }>;

/** Decoded fields before the forwarding is looked up. */
type Decoded =
  | Exclude<ChannelOpenFields, { kind: "forwarded-tcpip" | "forwarded-streamlocal@openssh.com" }>
  | Omit<Extract<ChannelOpenFields, { kind: "forwarded-tcpip" }>, "forward">
  | Omit<Extract<ChannelOpenFields, { kind: "forwarded-streamlocal@openssh.com" }>, "forward">;

/** Decodes the type-specific fields; a known type whose data does not decode is a fatal WireError. */
function decodeFields(payload: Uint8Array, open: ChannelOpen): Decoded {
  switch (open.channelType) {
    case "session":
      ChannelOpenSession.decode(payload);
      return { kind: "session" };
    case "direct-tcpip": {
      const m = ChannelOpenDirectTcpip.decode(payload);
      return {
        kind: "direct-tcpip",
        host: m.hostToConnect,
        port: m.portToConnect,
        originatorAddress: m.originatorAddress,
        originatorPort: m.originatorPort,
      };
    }
    case "forwarded-tcpip": {
      const m = ChannelOpenForwardedTcpip.decode(payload);
      return {
        kind: "forwarded-tcpip",
        connectedAddress: m.connectedAddress,
        connectedPort: m.connectedPort,
        originatorAddress: m.originatorAddress,
        originatorPort: m.originatorPort,
      };
    }
    case "direct-streamlocal@openssh.com":
      return {
        kind: "direct-streamlocal@openssh.com",
        socketPath: ChannelOpenDirectStreamlocal.decode(payload).socketPath,
      };
    case "forwarded-streamlocal@openssh.com":
      return {
        kind: "forwarded-streamlocal@openssh.com",
        socketPath: ChannelOpenForwardedStreamlocal.decode(payload).socketPath,
      };
    default:
      return { kind: "other", data: open.channelTypeData };
  }
}

/** What deciding on the peer's open needs from the connection. */
export interface IncomingOpenContext {
  readonly table: ChannelTable;
  readonly forwards: ForwardTable;
  readonly onChannelOpen: ((open: IncomingChannelOpen) => void) | undefined;
  readonly onForwardedTcpip: ((open: ForwardedTcpipOpen) => void) | undefined;
  /** `no-more-sessions@openssh.com` was received. */
  sessionsRefused(): boolean;
  /** The connection's error once it ended. */
  ended(): Error | undefined;
}

/** CHANNEL_OPEN from the peer: refuse it, or hand it to the application's handler. */
export function receiveChannelOpen(payload: Uint8Array, ctx: IncomingOpenContext): void {
  const open = ChannelOpen.decode(payload);
  const { table } = ctx;
  const refuse = (reason: OpenFailureReason, description: string) =>
    table.refuse(open.senderChannel, reason, description);
  if (open.maximumPacketSize === 0) {
    // CVE-2026-59843: a zero maximum packet size would make us loop forever.
    refuse(OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED, "maximum packet size 0");
    return;
  }
  const decoded = decodeFields(payload, open);
  // onForwardedTcpip (the older, narrower handler) wins for its type; the cast is sound because it
  // is only chosen when the open is a forwarded-tcpip one.
  const handler =
    decoded.kind === "forwarded-tcpip" && ctx.onForwardedTcpip
      ? (ctx.onForwardedTcpip as (open: IncomingChannelOpen) => void)
      : ctx.onChannelOpen;
  if (!handler) {
    // RFC 4254 §5.1; e.g. a tunnel client accepts no session, x11, agent or direct-tcpip.
    refuse(OPEN_FAILURE.UNKNOWN_CHANNEL_TYPE, `channel type ${open.channelType} is not accepted`);
    return;
  }
  let fields: ChannelOpenFields;
  switch (decoded.kind) {
    case "forwarded-tcpip": {
      const forward = ctx.forwards.matchTcpip(decoded.connectedAddress, decoded.connectedPort);
      if (!forward) {
        // RFC 4254 §7.2: MUST reject unless we requested forwarding for that port.
        refuse(
          OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED,
          `no forwarding was requested for port ${decoded.connectedPort}`,
        );
        return;
      }
      fields = { ...decoded, forward };
      break;
    }
    case "forwarded-streamlocal@openssh.com": {
      const forward = ctx.forwards.matchStreamlocal(decoded.socketPath);
      if (!forward) {
        // The same rule as RFC 4254 §7.2, for sockets (OpenSSH checks its permitted forwards too).
        refuse(
          OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED,
          `no forwarding was requested for socket ${decoded.socketPath}`,
        );
        return;
      }
      fields = { ...decoded, forward };
      break;
    }
    case "session":
      if (ctx.sessionsRefused()) {
        refuse(OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED, "no-more-sessions@openssh.com was received");
        return;
      }
      fields = decoded;
      break;
    default:
      fields = decoded;
  }
  if (table.load >= MAX_CHANNELS || table.undecidedIncoming >= MAX_PENDING_OPENS) {
    refuse(OPEN_FAILURE.RESOURCE_SHORTAGE, "too many channels");
    return;
  }
  table.undecidedIncoming++;
  let decided = false;
  const decide = () => {
    if (decided) throw new SshError("ERR_CHANNEL_DECIDED", "this channel open was already accepted or rejected");
    decided = true;
    table.undecidedIncoming--;
  };
  const peer: PeerOpen = {
    channelType: open.channelType,
    senderChannel: open.senderChannel,
    initialWindowSize: open.initialWindowSize,
    maximumPacketSize: open.maximumPacketSize,
  };
  handler({
    ...fields,
    type: open.channelType,
    senderChannel: open.senderChannel,
    initialWindowSize: open.initialWindowSize,
    maximumPacketSize: open.maximumPacketSize,
    accept: () => {
      decide();
      const ended = ctx.ended();
      if (ended) throw ended;
      return table.accept(peer);
    },
    reject: (reason = OPEN_FAILURE.CONNECT_FAILED, description = "connection refused") => {
      decide();
      table.refuse(open.senderChannel, reason, description);
    },
  });
}
