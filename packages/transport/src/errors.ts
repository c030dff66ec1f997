/**
 * How anything thrown while processing peer input becomes the error that closes the connection
 * (DESIGN.md principle 8): protocol violations keep their DISCONNECT reason, malformed bytes become
 * PROTOCOL_ERROR, and anything unexpected is an internal error — never an exception that escapes.
 * @module
 */
import { DISCONNECT, ProtocolError, SshError, WireError } from "@purssh/wire";

export function asConnectionError(e: unknown): SshError {
  if (e instanceof ProtocolError) return e;
  if (e instanceof WireError) {
    return new ProtocolError(e.code, `malformed message from the server: ${e.message}`, DISCONNECT.PROTOCOL_ERROR, {
      cause: e,
    });
  }
  if (e instanceof SshError) return e;
  return new SshError("ERR_INTERNAL", `internal error: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}
