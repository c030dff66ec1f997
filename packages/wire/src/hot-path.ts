/**
 * Hand-coded encoders/decoders for the two messages on the data path (DESIGN.md principle 1):
 * CHANNEL_DATA and CHANNEL_WINDOW_ADJUST (RFC 4254 §5.2). A test proves them byte-equal to the
 * schema codecs; they exist only to avoid per-field dispatch and copies for bulk data.
 * @module
 */
import { MSG } from "./constants.js";
import { WireError } from "./errors.js";

/** DataView.setUint32 silently wraps; the schema encoder rejects, and so must the hot path. */
function checkUint32(v: number, what: string): void {
  if (v >>> 0 !== v) throw new WireError("ERR_WIRE_RANGE", `${what}: uint32 out of range: ${v}`);
}

/** CHANNEL_DATA payload: byte 94, uint32 recipient, string data. */
export function encodeChannelData(recipientChannel: number, data: Uint8Array): Uint8Array {
  checkUint32(recipientChannel, "SSH_MSG_CHANNEL_DATA.recipientChannel");
  const out = new Uint8Array(9 + data.length);
  const v = new DataView(out.buffer);
  out[0] = MSG.CHANNEL_DATA;
  v.setUint32(1, recipientChannel);
  v.setUint32(5, data.length);
  out.set(data, 9);
  return out;
}

/** Decodes CHANNEL_DATA; `data` is a view into `payload`, not a copy. */
export function decodeChannelData(payload: Uint8Array): { recipientChannel: number; data: Uint8Array } {
  if (payload.length > 0 && payload[0] !== MSG.CHANNEL_DATA) {
    throw new WireError("ERR_WIRE_WRONG_MESSAGE", `expected SSH_MSG_CHANNEL_DATA (94), got message ${payload[0]}`);
  }
  if (payload.length < 9) {
    throw new WireError("ERR_WIRE_SHORT_READ", `SSH_MSG_CHANNEL_DATA too short (${payload.length} bytes)`);
  }
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const len = v.getUint32(5);
  if (len !== payload.length - 9) {
    throw new WireError(
      len > payload.length - 9 ? "ERR_WIRE_SHORT_READ" : "ERR_WIRE_TRAILING_BYTES",
      `SSH_MSG_CHANNEL_DATA.data length ${len} does not match the ${payload.length - 9} bytes present`,
    );
  }
  return { recipientChannel: v.getUint32(1), data: payload.subarray(9) };
}

/** CHANNEL_WINDOW_ADJUST payload: byte 93, uint32 recipient, uint32 bytes to add. */
export function encodeWindowAdjust(recipientChannel: number, bytesToAdd: number): Uint8Array {
  checkUint32(recipientChannel, "SSH_MSG_CHANNEL_WINDOW_ADJUST.recipientChannel");
  checkUint32(bytesToAdd, "SSH_MSG_CHANNEL_WINDOW_ADJUST.bytesToAdd");
  const out = new Uint8Array(9);
  const v = new DataView(out.buffer);
  out[0] = MSG.CHANNEL_WINDOW_ADJUST;
  v.setUint32(1, recipientChannel);
  v.setUint32(5, bytesToAdd);
  return out;
}
