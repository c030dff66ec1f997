/**
 * When each direction compresses (RFC 4253 §6.2, OpenSSH PROTOCOL §1.2): a fresh zlib stream
 * starts at every NEWKEYS of that direction when "zlib" was negotiated, and for the delayed
 * "zlib@openssh.com" at NEWKEYS once authentication has succeeded, or at authentication success
 * (the server after sending USERAUTH_SUCCESS, the client on receiving it). This is what OpenSSH's
 * ssh_set_newkeys() and ssh_packet_enable_delayed_compress() do.
 * @module
 */
import {
  createCompressor,
  createDecompressor,
  isDelayedCompression,
  isZlibCompression,
  type PacketCompressor,
  type PacketDecompressor,
} from "./compression.js";
import { MAX_PACKET_LENGTH } from "./limits.js";

type Direction<T> = { kind: "off" } | { kind: "awaitingAuth" } | { kind: "on"; stream: T };

export class CompressionState {
  private out: Direction<PacketCompressor> = { kind: "off" };
  private in: Direction<PacketDecompressor> = { kind: "off" };
  private authenticated = false;

  /** We sent NEWKEYS: the outgoing direction now uses `algorithm`. */
  outgoingKeysChanged(algorithm: string): void {
    this.out = this.start(algorithm, createCompressor);
  }

  /** The peer's NEWKEYS arrived: the incoming direction now uses `algorithm`. */
  incomingKeysChanged(algorithm: string): void {
    this.in = this.start(algorithm, () => createDecompressor(MAX_PACKET_LENGTH));
  }

  /** Authentication succeeded: delayed compression starts with the next packet each way. */
  authenticationSucceeded(): void {
    this.authenticated = true;
    if (this.out.kind === "awaitingAuth") this.out = { kind: "on", stream: createCompressor() };
    if (this.in.kind === "awaitingAuth") this.in = { kind: "on", stream: createDecompressor(MAX_PACKET_LENGTH) };
  }

  compress(payload: Uint8Array): Uint8Array {
    return this.out.kind === "on" ? this.out.stream.compress(payload) : payload;
  }

  /** Inflates an incoming payload; throws ERR_DECOMPRESSION past MAX_PACKET_LENGTH or on bad data. */
  decompress(payload: Uint8Array): Uint8Array {
    return this.in.kind === "on" ? this.in.stream.decompress(payload) : payload;
  }

  private start<T>(algorithm: string, create: () => T): Direction<T> {
    if (!isZlibCompression(algorithm)) return { kind: "off" };
    if (isDelayedCompression(algorithm) && !this.authenticated) return { kind: "awaitingAuth" };
    return { kind: "on", stream: create() };
  }
}
