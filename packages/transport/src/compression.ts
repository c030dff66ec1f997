/**
 * Packet payload compression (RFC 4253 §6.2 "zlib"; OpenSSH PROTOCOL §1.2 "zlib@openssh.com",
 * draft-miller-secsh-compression-delayed-00): one zlib stream (RFC 1950 header + RFC 1951 blocks)
 * per direction, each packet's payload compressed and ended with a partial flush so that the
 * receiver can inflate every packet completely on its own arrival.
 *
 * Lifecycle the transport must follow (RFC 4253 §6.2: "The compression context is initialized
 * after each key exchange"): create a fresh compressor for the outgoing direction at every
 * NEWKEYS sent, and a fresh decompressor for the incoming direction at every NEWKEYS received,
 * whenever that direction negotiated "zlib". OpenSSH does the same on rekey: ssh_set_newkeys() in
 * packet.c calls start_compression_out/in(), i.e. deflateEnd + deflateInit, so every key exchange
 * starts a new stream with a new zlib header. For "zlib@openssh.com" ({@link isDelayedCompression})
 * compression starts, in both directions, right after the server sends / the client receives
 * SSH_MSG_USERAUTH_SUCCESS (ssh_packet_enable_delayed_compress), and later key exchanges again
 * start fresh streams at NEWKEYS. OpenSSH ≥ 9.9 implements only "zlib@openssh.com" (commit
 * 10ccf611a removed client "zlib"; the server dropped it in 7.4).
 *
 * Deflate is fflate 0.8.3's streaming `Deflate`. Its `flush(true)` ("sync flush") writes a
 * corrupt empty stored block whenever the previous block ended mid-byte: it passes its packed
 * state `s.r` (bit offset | pending byte << 3) where a bit position is expected, so LEN/NLEN land
 * at the wrong offset and zlib rejects the next packet with "invalid stored block lengths"
 * (fflate issue #267, unmerged fix PR #286). We therefore call `flush(false)` — which ends the
 * current block and emits every complete byte, keeping the last partial byte in `s.r` — and then
 * finish the flush ourselves exactly like zlib's Z_PARTIAL_FLUSH (_tr_align in trees.c, what
 * OpenSSH's compress_buffer uses): append an empty fixed-Huffman block (10 bits), a second one
 * when fewer than 7 bits would follow the data (RFC 4253 §6.2: at least 8 bits from the start of
 * the end-of-block code to the end of the payload), emit the whole bytes, and hand the remaining
 * < 8 bits back to fflate through `s.r` so the next packet's first block continues after them.
 *
 * Inflate is fflate's raw streaming `Inflate` behind our own RFC 1950 header check (its `Unzlib`
 * waits for 6 bytes before decoding anything, and a first packet can be shorter). Input is fed in
 * slices so that a decompression bomb is stopped after at most one slice's worth of output
 * (deflate expands at most 1032:1), long before the whole packet is inflated.
 * @module
 */
import { DISCONNECT, ProtocolError } from "@purssh/wire";
import { Deflate, Inflate } from "fflate";

/** Compression names we implement, in RFC 4253 §6.2 / OpenSSH PROTOCOL §1.2 spelling. */
export const COMPRESSION_ALGORITHMS = ["none", "zlib@openssh.com", "zlib"] as const;
export type CompressionAlgorithm = (typeof COMPRESSION_ALGORITHMS)[number];

/**
 * What we offer unless configured otherwise: OpenSSH's default (`Compression no` gives "none",
 * `Compression yes` prefers "zlib@openssh.com,none"; sshd offers "none,zlib@openssh.com").
 * Plain "zlib" compresses before authentication and is only offered on request.
 */
export const DEFAULT_COMPRESSION_ALGORITHMS: readonly CompressionAlgorithm[] = ["none", "zlib@openssh.com"];

export function isCompressionAlgorithm(name: string): name is CompressionAlgorithm {
  return (COMPRESSION_ALGORITHMS as readonly string[]).includes(name);
}

/** True for "zlib@openssh.com": compression starts only after SSH_MSG_USERAUTH_SUCCESS. */
export function isDelayedCompression(name: string): boolean {
  return name === "zlib@openssh.com";
}

/** True when the negotiated name compresses at all ("zlib" or "zlib@openssh.com"). */
export function isZlibCompression(name: string): boolean {
  return name === "zlib" || name === "zlib@openssh.com";
}

/** One direction's deflate stream. `compress` returns a fresh array the caller may keep. */
export interface PacketCompressor {
  compress(payload: Uint8Array): Uint8Array;
}

/** One direction's inflate stream. `decompress` returns a fresh array the caller may keep. */
export interface PacketDecompressor {
  decompress(data: Uint8Array): Uint8Array;
}

export interface CompressorOptions {
  /** zlib level 1–9; OpenSSH always uses 6 (start_compression_out(ssh, 6) in packet.c). */
  level?: 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
}

/**
 * fflate `mem` option: hash table of 2^(12 + mem) entries. fflate's streaming default is 2^20
 * (2 MiB per stream); 3 gives zlib's default memLevel 8 table of 2^15 entries (deflateInit).
 */
const FFLATE_MEM = 3;

/** RFC 1950 header for a 32 KiB window: CMF 0x78; FLG FLEVEL per level, FCHECK so that %31 == 0. */
function zlibHeader(level: number): Uint8Array {
  const flevel = level < 2 ? 0 : level < 6 ? 1 : level === 6 ? 2 : 3; // zlib deflate.c mapping
  const cmf = 0x78;
  let flg = flevel << 6;
  flg |= 31 - (((cmf << 8) | flg) % 31);
  return Uint8Array.of(cmf, flg);
}

/** The private streaming state of fflate 0.8.3's Deflate that the partial flush must adjust. */
interface FflateDeflateState {
  /** Pending output bits: `count | byte << 3` (count 0–7, the low `count` bits of `byte` are valid). */
  r?: number;
}

function deflateState(deflate: Deflate): FflateDeflateState {
  const s = (deflate as unknown as { s?: FflateDeflateState }).s;
  if (typeof s !== "object" || s === null) {
    throw new Error("fflate Deflate internals changed (no stream state); the partial flush needs fflate 0.8.3");
  }
  return s;
}

/**
 * Finishes a Z_PARTIAL_FLUSH after fflate's `flush(false)`: appends one or two empty fixed blocks
 * (BFINAL 0, BTYPE 01, end-of-block code 0000000 — bit value 0b010 over 10 bits, LSB first) to
 * the pending bits, returns the complete bytes and leaves the rest pending in `state.r`.
 */
function partialFlushTrailer(state: FflateDeflateState): Uint8Array {
  const r = state.r ?? 0;
  let count = r & 7;
  let bits = (r >> 3) & ((1 << count) - 1);
  const emptyFixedBlock = () => {
    bits |= 0b010 << count;
    count += 10;
  };
  emptyFixedBlock();
  // Bits of this packet after the data's end-of-block code: 10 - (count & 7). The RFC asks for 8
  // counting from the start of that code (≥ 1 bit long), so 7 after its end suffice.
  if ((count & 7) > 3) emptyFixedBlock();
  const whole = count >> 3; // count ≤ 27, so `bits` fits in 31 bits
  const out = new Uint8Array(whole);
  for (let i = 0; i < whole; i++) out[i] = (bits >>> (8 * i)) & 0xff;
  const rest = count & 7;
  state.r = rest | (((bits >>> (8 * whole)) & ((1 << rest) - 1)) << 3);
  return out;
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A fresh deflate stream for one direction (create a new one after every NEWKEYS; see module doc). */
export function createCompressor(options: CompressorOptions = {}): PacketCompressor {
  const level = options.level ?? 6;
  if (!Number.isInteger(level) || level < 1 || level > 9) throw new RangeError(`zlib level must be 1–9, got ${level}`);
  const chunks: Uint8Array[] = [];
  let pendingBytes = 0;
  const deflate = new Deflate({ level, mem: FFLATE_MEM }, (chunk) => {
    chunks.push(chunk);
    pendingBytes += chunk.length;
  });
  const state = deflateState(deflate);
  let header: Uint8Array | undefined = zlibHeader(level);
  return {
    compress(payload: Uint8Array): Uint8Array {
      if (header) {
        chunks.push(header);
        pendingBytes += header.length;
        header = undefined;
      }
      // fflate keeps a reference to nothing of ours: push copies into its own window buffer.
      deflate.push(payload);
      deflate.flush(false);
      const trailer = partialFlushTrailer(state);
      chunks.push(trailer);
      const out = concat(chunks, pendingBytes + trailer.length);
      chunks.length = 0;
      pendingBytes = 0;
      return out;
    },
  };
}

/** fflate's inflate window: the last 32 KiB of output that back-references may reach (RFC 1951 §2). */
const WINDOW = 32 * 1024;

/**
 * fflate 0.8.3's streaming Inflate keeps only the 32 KiB window between pushes (`o`, its length in
 * `s.b`) and, on the next push, grows it by allocating and zero-filling a fresh ≥ 160 KiB buffer —
 * the dominant cost of inflating a small packet (~150 µs). When those private fields look as
 * expected we hand it one reusable buffer with room for the window plus 256 KiB of output instead
 * (~25 µs); fflate only ever writes past the window and reads back within it, and still allocates
 * its own buffer when an output outgrows ours. If the fields are not there (another fflate
 * version), this returns a no-op and inflation is merely slower.
 */
function recycleInflateWindow(inflate: Inflate): () => void {
  const internals = inflate as unknown as { o?: unknown; s?: { b?: unknown } };
  const state = internals.s;
  if (!(internals.o instanceof Uint8Array) || typeof state !== "object" || typeof state.b !== "number") {
    return () => {};
  }
  const buffer = new Uint8Array(WINDOW + 256 * 1024);
  return () => {
    const history = internals.o as Uint8Array;
    if (history === buffer || history.length > WINDOW) return;
    buffer.set(history, 0);
    internals.o = buffer;
    state.b = history.length;
  };
}

/**
 * Compressed bytes handed to fflate per step. Deflate's maximum expansion is 1032:1, so one step
 * materializes at most ~4 MiB before the size bound is checked, whatever the packet holds.
 */
const INFLATE_SLICE = 4096;

function decompressionError(message: string, cause?: unknown): ProtocolError {
  return new ProtocolError("ERR_DECOMPRESSION", message, DISCONNECT.COMPRESSION_ERROR, { cause });
}

/**
 * A fresh inflate stream for one direction (create a new one after every NEWKEYS; see module doc).
 * `decompress` throws ProtocolError ERR_DECOMPRESSION (DISCONNECT.COMPRESSION_ERROR) when a
 * packet would inflate beyond `maxPayload` bytes, inflates to nothing, or is not valid zlib data;
 * after that every call throws the same error (the stream state is unusable).
 */
export function createDecompressor(maxPayload: number): PacketDecompressor {
  if (!Number.isSafeInteger(maxPayload) || maxPayload < 1) {
    throw new RangeError(`maxPayload must be a positive integer, got ${maxPayload}`);
  }
  let chunks: Uint8Array[] = [];
  let produced = 0;
  // fflate hands each output chunk over as a fresh copy (slc), never a view of its window.
  const inflate = new Inflate((chunk) => {
    if (chunk.length === 0) return;
    chunks.push(chunk);
    produced += chunk.length;
  });
  const recycle = recycleInflateWindow(inflate);
  recycle();
  let headerBytes: number[] | undefined = [];
  let failure: ProtocolError | undefined;

  const readHeader = (data: Uint8Array): Uint8Array => {
    if (!headerBytes) return data;
    let used = 0;
    while (headerBytes.length < 2 && used < data.length) headerBytes.push(data[used++]!);
    if (headerBytes.length < 2) return data.subarray(used);
    const [cmf, flg] = headerBytes as [number, number];
    if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7) {
      throw decompressionError(`not a zlib deflate stream (CMF 0x${cmf.toString(16)})`);
    }
    if (((cmf << 8) | flg) % 31 !== 0) throw decompressionError("zlib header check bits are wrong");
    if (flg & 0x20) throw decompressionError("zlib stream asks for a preset dictionary, which SSH never uses");
    headerBytes = undefined;
    return data.subarray(used);
  };

  return {
    decompress(data: Uint8Array): Uint8Array {
      if (failure) throw failure;
      try {
        const body = readHeader(data);
        for (let at = 0; at < body.length; at += INFLATE_SLICE) {
          inflate.push(body.subarray(at, at + INFLATE_SLICE));
          recycle();
          if (produced > maxPayload) {
            throw decompressionError(`compressed packet inflates beyond the ${maxPayload}-byte payload limit`);
          }
        }
        if (produced === 0) throw decompressionError("compressed packet inflates to an empty payload");
        const out = chunks.length === 1 ? chunks[0]! : concat(chunks, produced);
        chunks = [];
        produced = 0;
        return out;
      } catch (e) {
        failure =
          e instanceof ProtocolError
            ? e
            : decompressionError(`corrupt compressed packet: ${e instanceof Error ? e.message : String(e)}`, e);
        chunks = [];
        throw failure;
      }
    },
  };
}
