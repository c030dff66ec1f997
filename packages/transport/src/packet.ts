/**
 * The binary packet protocol, RFC 4253 §6: framing, padding and the per-direction packet cipher.
 * The reader checks every length before it allocates (CVE-2024-43410) and never hands out a
 * payload that failed authentication.
 * @module
 */
import type { PacketCipher, RandomBytes } from "@purssh/crypto";
import { DISCONNECT, ProtocolError } from "@purssh/wire";
import { MAX_PACKET_LENGTH } from "./limits.js";

/** The "none" cipher and MAC of the initial key exchange (RFC 4253 §6.3, §6.4). */
export function plaintextCipher(): PacketCipher {
  return {
    name: "none",
    blockSize: 8,
    lengthExcludedFromPadding: false,
    tagLength: 0,
    firstBlockLength: 4,
    lengthFromFirstBlock: (_seq, b) => ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0,
    seal: (_seq, packet) => packet,
    open: (_seq, packet) => packet.subarray(4),
  };
}

/** Builds outgoing packets for one direction. */
export class PacketWriter {
  cipher: PacketCipher = plaintextCipher();
  private padPool: Uint8Array = new Uint8Array(0);
  private padOffset = 0;

  constructor(private readonly random: RandomBytes) {}

  /** Frames, pads and seals one payload; returns the wire bytes. */
  build(seq: number, payload: Uint8Array): Uint8Array {
    const c = this.cipher;
    const align = Math.max(8, c.blockSize);
    const base = (c.lengthExcludedFromPadding ? 1 : 5) + payload.length;
    let pad = align - (base % align);
    if (pad < 4) pad += align;
    const packetLength = 1 + payload.length + pad;
    const out = new Uint8Array(4 + packetLength + c.tagLength);
    out[0] = packetLength >>> 24;
    out[1] = (packetLength >>> 16) & 0xff;
    out[2] = (packetLength >>> 8) & 0xff;
    out[3] = packetLength & 0xff;
    out[4] = pad;
    out.set(payload, 5);
    out.set(this.padding(pad), 5 + payload.length);
    return c.seal(seq, out);
  }

  /** Random padding (RFC 4253 §6), drawn from a pooled buffer to keep the hot path cheap. */
  private padding(n: number): Uint8Array {
    if (this.padOffset + n > this.padPool.length) {
      this.padPool = this.random(4096);
      this.padOffset = 0;
    }
    const p = this.padPool.subarray(this.padOffset, this.padOffset + n);
    this.padOffset += n;
    return p;
  }
}

/** Reassembles and opens incoming packets for one direction. */
export class PacketReader {
  cipher: PacketCipher = plaintextCipher();
  private buf = new Uint8Array(64 * 1024);
  private start = 0;
  private end = 0;
  /** packet_length of the packet whose first block has been read, or -1. */
  private pending = -1;

  get buffered(): number {
    return this.end - this.start;
  }

  push(bytes: Uint8Array): void {
    if (this.end + bytes.length > this.buf.length) {
      const live = this.end - this.start;
      if (live + bytes.length <= this.buf.length && this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        let cap = this.buf.length;
        while (cap < live + bytes.length) cap *= 2;
        const next = new Uint8Array(cap);
        next.set(this.buf.subarray(this.start, this.end));
        this.buf = next;
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(bytes, this.end);
    this.end += bytes.length;
  }

  /**
   * The next payload, or undefined when more bytes are needed. The returned payload is a copy the
   * caller owns.
   */
  next(seq: number): Uint8Array | undefined {
    const c = this.cipher;
    if (this.pending < 0) {
      if (this.end - this.start < c.firstBlockLength) return undefined;
      const len = c.lengthFromFirstBlock(seq, this.buf.subarray(this.start, this.start + c.firstBlockLength));
      const align = Math.max(8, c.blockSize);
      if (len < 5 || len > MAX_PACKET_LENGTH) {
        throw new ProtocolError(
          "ERR_PACKET_LENGTH",
          `packet length ${len} is outside 5..${MAX_PACKET_LENGTH}${c.tagLength > 0 ? " (a wrong key or corrupted data)" : ""}`,
          DISCONNECT.PROTOCOL_ERROR,
        );
      }
      if ((c.lengthExcludedFromPadding ? len : len + 4) % align !== 0) {
        throw new ProtocolError(
          "ERR_PACKET_ALIGNMENT",
          `packet length ${len} is not a multiple of the ${align}-byte block size`,
          DISCONNECT.PROTOCOL_ERROR,
        );
      }
      this.pending = len;
    }
    const total = 4 + this.pending + c.tagLength;
    if (this.end - this.start < total) return undefined;
    const wire = this.buf.subarray(this.start, this.start + total);
    const plain = c.open(seq, wire);
    const packetLength = this.pending;
    this.start += total;
    this.pending = -1;
    if (this.start === this.end) this.start = this.end = 0;
    const padLength = plain[0]!;
    const payloadLength = packetLength - padLength - 1;
    if (padLength < 4 || payloadLength < 1) {
      throw new ProtocolError(
        "ERR_PACKET_PADDING",
        padLength < 4 ? `padding length ${padLength} is below the minimum of 4` : "packet has an empty payload",
        DISCONNECT.PROTOCOL_ERROR,
      );
    }
    return plain.slice(1, 1 + payloadLength);
  }
}
