/**
 * The non-fatal errors of the connection protocol (DESIGN.md principle 8): a global request the
 * peer refused (RFC 4254 §4), a channel open it refused (§5.1) and a channel request it refused
 * (§5.4). Each has a stable `code`; none ends the connection.
 * @module
 */
import { OPEN_FAILURE, SshError } from "@purssh/wire";

/** A global request the peer refused (RFC 4254 §4 REQUEST_FAILURE). */
export class RequestDeniedError extends SshError {
  constructor(
    readonly requestName: string,
    message: string,
  ) {
    super("ERR_REQUEST_DENIED", message);
  }
}

/** The OPEN_FAILURE name of a reason code (RFC 4254 §5.1), e.g. "CONNECT_FAILED". */
export function openFailureReasonName(code: number): string {
  for (const [name, value] of Object.entries(OPEN_FAILURE)) if (value === code) return name;
  return `UNKNOWN(${code})`;
}

/** A channel open the peer refused with CHANNEL_OPEN_FAILURE (RFC 4254 §5.1). */
export class ChannelOpenError extends SshError {
  /** OPEN_FAILURE name of `reasonCode`, e.g. "ADMINISTRATIVELY_PROHIBITED". */
  readonly reasonName: string;
  constructor(
    /** The channel type we asked for, e.g. "direct-tcpip". */
    readonly channelType: string,
    /** RFC 4254 §5.1 reason code (OPEN_FAILURE); other values are possible from a peer. */
    readonly reasonCode: number,
    /** The peer's description, verbatim. */
    readonly description: string,
  ) {
    const reasonName = openFailureReasonName(reasonCode);
    super(
      "ERR_CHANNEL_OPEN_FAILED",
      `the peer refused to open a ${channelType} channel: ${reasonName} (${reasonCode})${description ? `: ${description}` : ""}`,
    );
    this.reasonName = reasonName;
  }
}

/** A channel request with want-reply that the peer answered with CHANNEL_FAILURE (RFC 4254 §5.4). */
export class ChannelRequestDeniedError extends SshError {
  constructor(
    readonly requestType: string,
    /** Our channel number. */
    readonly channel: number,
  ) {
    super("ERR_CHANNEL_REQUEST_DENIED", `the peer refused the ${requestType} request on channel ${channel}`);
  }
}
