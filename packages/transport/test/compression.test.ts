// RFC 4253 §6.2 packet compression, checked against node:zlib (the same zlib OpenSSH links):
// every packet our compressor emits must inflate completely, on its own arrival, in a persistent
// zlib inflate stream; and every packet zlib emits with Z_PARTIAL_FLUSH (OpenSSH's
// compress_buffer) must come out of our decompressor byte for byte.
import * as zlib from "node:zlib";
import { fc, test as fcTest } from "@fast-check/vitest";
import { DISCONNECT, ProtocolError } from "@purssh/wire";
import { Deflate } from "fflate";
import { describe, expect, test } from "vitest";
import {
  COMPRESSION_ALGORITHMS,
  createCompressor,
  createDecompressor,
  DEFAULT_COMPRESSION_ALGORITHMS,
  isCompressionAlgorithm,
  isDelayedCompression,
  isZlibCompression,
} from "../src/compression.js";
import { MAX_DECOMPRESSED_PAYLOAD } from "../src/limits.js";

const { Z_PARTIAL_FLUSH, Z_SYNC_FLUSH } = zlib.constants;

/**
 * One persistent node:zlib stream driven packet by packet: write the packet, flush with `mode`,
 * and return exactly what zlib produced for it (paused mode, so nothing waits on a reader).
 */
function nodeStream(stream: zlib.Inflate | zlib.Deflate | zlib.InflateRaw, mode: number) {
  return (chunk: Uint8Array) =>
    new Promise<Uint8Array>((resolve, reject) => {
      stream.once("error", reject);
      stream.write(chunk);
      stream.flush(mode, () => {
        stream.off("error", reject);
        const parts: Buffer[] = [];
        for (let part = stream.read(); part !== null; part = stream.read()) parts.push(part);
        resolve(new Uint8Array(Buffer.concat(parts)));
      });
    });
}
/** A stream option node:zlib passes on to its Transform (not in the ZlibOptions typing): never wait for a reader. */
const BIG = { highWaterMark: 1 << 30 } as unknown as zlib.ZlibOptions;
const nodeInflater = () => nodeStream(zlib.createInflate(BIG), Z_SYNC_FLUSH);
const nodeDeflater = (flush: number, level = 6) => nodeStream(zlib.createDeflate({ ...BIG, level }), flush);

/** mulberry32: the same "random" packets on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const bytes = (n: number) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = int(256);
    return out;
  };
  return { int, bytes };
}

/** Payloads of every kind a session carries: tiny messages, text, random (incompressible), runs, 256 KiB. */
function packets(seed: number, count: number): Uint8Array[] {
  const r = prng(seed);
  const words = ["channel", "data", "window", "ssh-connection", "keepalive@openssh.com", "\n", "  ", "0", "zz"];
  const text = (n: number) => {
    let s = "";
    while (s.length < n) s += words[r.int(words.length)];
    return new TextEncoder().encode(s.slice(0, n));
  };
  const sizes = [1, 5, 9, 30, 200, 1400, 4096, 16_384, 32_768, 40_000];
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const n = i % 499 === 7 ? 256 * 1024 : sizes[r.int(sizes.length)]! + r.int(17);
    switch (r.int(5)) {
      case 0:
        out.push(r.bytes(n));
        break;
      case 1:
        out.push(new Uint8Array(n).fill(r.int(256)));
        break;
      case 2: {
        // an SSH_MSG_CHANNEL_DATA-like header over text: message 94, channel, length
        const packet = new Uint8Array(9 + n);
        packet.set([94, 0, 0, 0, r.int(4), n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
        packet.set(text(n), 9);
        out.push(packet);
        break;
      }
      default:
        out.push(text(n));
    }
  }
  return out;
}

function expectDecompressionError(f: () => unknown) {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as ProtocolError).code).toBe("ERR_DECOMPRESSION");
    expect((e as ProtocolError).reason).toBe(DISCONNECT.COMPRESSION_ERROR);
    return;
  }
  expect.unreachable("expected ERR_DECOMPRESSION");
}

describe("algorithm names (RFC 4253 §6.2, OpenSSH PROTOCOL §1.2)", () => {
  test("zlib@openssh.com is delayed until USERAUTH_SUCCESS; zlib and none are not", () => {
    expect(isDelayedCompression("zlib@openssh.com")).toBe(true);
    expect(isDelayedCompression("zlib")).toBe(false);
    expect(isDelayedCompression("none")).toBe(false);
    expect(isZlibCompression("zlib")).toBe(true);
    expect(isZlibCompression("none")).toBe(false);
    expect(COMPRESSION_ALGORITHMS).toEqual(["none", "zlib@openssh.com", "zlib"]);
    expect(isCompressionAlgorithm("zlib")).toBe(true);
    expect(isCompressionAlgorithm("zstd@openssh.com")).toBe(false);
    expect(DEFAULT_COMPRESSION_ALGORITHMS[0]).toBe("none");
    expect(DEFAULT_COMPRESSION_ALGORITHMS).not.toContain("zlib");
  });
});

describe("our compressor → node:zlib inflate, packet by packet", () => {
  test("RFC 4253 §6.2: each packet inflates completely on arrival, byte-exact, over 2 000 varied packets", async () => {
    for (const level of [6, 1, 9] as const) {
      const compressor = createCompressor({ level });
      const inflate = nodeInflater();
      const all = packets(level, level === 6 ? 2000 : 250);
      for (const [i, payload] of all.entries()) {
        const inflated = await inflate(compressor.compress(payload));
        if (inflated.length !== payload.length || !Buffer.from(inflated).equals(payload)) {
          expect.unreachable(`level ${level} packet ${i} (${payload.length} bytes) inflated to ${inflated.length}`);
        }
      }
    }
  }, 120_000);

  test("every compressor starts a new zlib stream (RFC 1950 header 78 9C): the context restarts at each NEWKEYS", async () => {
    for (let rekey = 0; rekey < 3; rekey++) {
      const compressor = createCompressor();
      const first = compressor.compress(new TextEncoder().encode(`after NEWKEYS #${rekey}`));
      expect([...first.subarray(0, 2)]).toEqual([0x78, 0x9c]);
      expect(new TextDecoder().decode(await nodeInflater()(first))).toBe(`after NEWKEYS #${rekey}`);
    }
  });

  test("fflate 0.8.3's own sync flush (Deflate.flush(true)) is rejected by zlib — why we finish the flush ourselves", async () => {
    // fflate issue #267: flush(true) mis-places the empty stored block once a block ends mid-byte.
    const raw = new Deflate({ level: 6 }, (chunk) => chunks.push(chunk));
    const chunks: Uint8Array[] = [];
    const inflate = nodeStream(zlib.createInflateRaw(BIG), Z_SYNC_FLUSH);
    let rejected: unknown;
    for (const payload of packets(99, 200)) {
      raw.push(payload);
      raw.flush(true);
      try {
        await inflate(Buffer.concat(chunks.splice(0)));
      } catch (e) {
        rejected = e;
        break;
      }
    }
    expect(String(rejected)).toMatch(/invalid stored block lengths|invalid/);
  });
});

describe("node:zlib deflate (OpenSSH's Z_PARTIAL_FLUSH) → our decompressor", () => {
  test("Z_PARTIAL_FLUSH packets at levels 1, 6 and 9 decompress byte-exact, packet by packet", async () => {
    for (const level of [6, 1, 9]) {
      const deflate = nodeDeflater(Z_PARTIAL_FLUSH, level);
      const decompressor = createDecompressor(MAX_DECOMPRESSED_PAYLOAD);
      const all = packets(100 + level, level === 6 ? 2000 : 250);
      for (const [i, payload] of all.entries()) {
        const out = decompressor.decompress(await deflate(payload));
        if (!Buffer.from(out).equals(payload)) {
          expect.unreachable(`level ${level} packet ${i} (${payload.length} bytes) decompressed to ${out.length}`);
        }
      }
    }
  }, 120_000);

  test("Z_SYNC_FLUSH packets (another valid per-packet flush) decompress byte-exact too", async () => {
    const deflate = nodeDeflater(Z_SYNC_FLUSH);
    const decompressor = createDecompressor(MAX_DECOMPRESSED_PAYLOAD);
    for (const payload of packets(7, 500)) {
      expect(Buffer.from(decompressor.decompress(await deflate(payload))).equals(payload)).toBe(true);
    }
  });

  test("OpenSSH starts a new zlib stream at every NEWKEYS (ssh_set_newkeys → deflateInit): only a fresh decompressor reads it", async () => {
    const decompressor = createDecompressor(MAX_DECOMPRESSED_PAYLOAD);
    const beforeRekey = nodeDeflater(Z_PARTIAL_FLUSH);
    for (const payload of packets(11, 20)) decompressor.decompress(await beforeRekey(payload));
    const payload = new TextEncoder().encode("SSH_MSG_CHANNEL_DATA after the second key exchange");
    const first = await nodeDeflater(Z_PARTIAL_FLUSH)(payload);
    expect([...first.subarray(0, 2)]).toEqual([0x78, 0x9c]);
    let stale: unknown;
    try {
      stale = decompressor.decompress(first);
    } catch (e) {
      stale = e;
    }
    expect(stale).not.toEqual(payload);
    expect(createDecompressor(MAX_DECOMPRESSED_PAYLOAD).decompress(first)).toEqual(payload);
  });

  test("a first packet shorter than 6 bytes still decodes (fflate's Unzlib would wait for more)", async () => {
    const deflate = nodeDeflater(Z_PARTIAL_FLUSH);
    const first = await deflate(Uint8Array.of(5));
    const decompressor = createDecompressor(16);
    expect(first.length).toBeLessThan(6);
    expect([...decompressor.decompress(first)]).toEqual([5]);
    expect([...decompressor.decompress(await deflate(Uint8Array.of(5, 5)))]).toEqual([5, 5]);
  });
});

describe("round trips (fast-check)", () => {
  fcTest.prop([fc.array(fc.uint8Array({ maxLength: 3000, minLength: 1 }), { minLength: 1, maxLength: 40 })], {
    numRuns: 150,
  })("createCompressor → createDecompressor returns every payload unchanged", (payloads) => {
    const compressor = createCompressor();
    const decompressor = createDecompressor(MAX_DECOMPRESSED_PAYLOAD);
    for (const p of payloads) expect(decompressor.decompress(compressor.compress(p))).toEqual(p);
  });

  test("outputs are fresh arrays: later packets never change an earlier result (no aliasing of fflate buffers)", () => {
    const compressor = createCompressor();
    const decompressor = createDecompressor(MAX_DECOMPRESSED_PAYLOAD);
    const kept: { payload: Uint8Array; compressed: Uint8Array; copy: Uint8Array; out: Uint8Array }[] = [];
    for (const payload of packets(3, 300)) {
      const compressed = compressor.compress(payload);
      kept.push({ payload, compressed, copy: compressed.slice(), out: decompressor.decompress(compressed) });
    }
    for (const k of kept) {
      expect(Buffer.from(k.out).equals(k.payload)).toBe(true);
      expect(Buffer.from(k.compressed).equals(k.copy)).toBe(true);
    }
  });
});

describe("decompression bombs and corrupt input end the connection with COMPRESSION_ERROR", () => {
  test("1 MiB of zeros (~1 KiB compressed) trips the payload bound instead of being inflated", async () => {
    const bomb = await nodeDeflater(Z_PARTIAL_FLUSH)(new Uint8Array(1024 * 1024));
    expect(bomb.length).toBeLessThan(2048);
    const decompressor = createDecompressor(MAX_DECOMPRESSED_PAYLOAD);
    expectDecompressionError(() => decompressor.decompress(bomb));
    // the stream is unusable afterwards, and says so again
    expectDecompressionError(() => decompressor.decompress(bomb));
  });

  test("a 256 KiB packet of maximally compressed zeros (≈ 256 MiB inflated) is refused, not inflated", async () => {
    const deflate = zlib.createDeflate({ level: 9, ...BIG });
    const zeros = new Uint8Array(16 * 1024 * 1024);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 16; i++) parts.push(await nodeStream(deflate, Z_PARTIAL_FLUSH)(zeros));
    const bomb = Buffer.concat(parts);
    expect(bomb.length).toBeGreaterThan(200 * 1024);
    const decompressor = createDecompressor(MAX_DECOMPRESSED_PAYLOAD);
    expectDecompressionError(() => decompressor.decompress(bomb));
  });

  test("the bound is exact: maxPayload bytes pass, maxPayload + 1 fail", () => {
    const exact = createCompressor();
    expect(createDecompressor(1000).decompress(exact.compress(new Uint8Array(1000))).length).toBe(1000);
    const over = createCompressor();
    expectDecompressionError(() => createDecompressor(1000).decompress(over.compress(new Uint8Array(1001))));
  });

  test("RFC 1950 header violations: wrong method, bad check bits, preset dictionary", () => {
    expectDecompressionError(() => createDecompressor(100).decompress(Uint8Array.of(0x79, 0x9c, 0, 0)));
    expectDecompressionError(() => createDecompressor(100).decompress(Uint8Array.of(0x78, 0x9d, 0, 0)));
    expectDecompressionError(() => createDecompressor(100).decompress(Uint8Array.of(0x78, 0xbb, 0, 0, 0, 1)));
    expectDecompressionError(() => createDecompressor(100).decompress(Uint8Array.of(0x88, 0x98, 0, 0)));
  });

  test("reserved block type 3 and a packet that inflates to nothing are errors", () => {
    expectDecompressionError(() => createDecompressor(100).decompress(Uint8Array.of(0x78, 0x9c, 0b110, 0, 0)));
    // an empty fixed block only: valid deflate, but an SSH payload always has a message number
    expectDecompressionError(() => createDecompressor(100).decompress(Uint8Array.of(0x78, 0x9c, 0x02, 0x00)));
  });

  test("random garbage, bit flips and truncations give only ERR_DECOMPRESSION or some output — never a crash or hang", () => {
    const r = prng(42);
    const good = createCompressor();
    const valid = packets(5, 80)
      .filter((p) => p.length <= 5000)
      .slice(0, 24)
      .map((p) => good.compress(p));
    let errors = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const decompressor = createDecompressor(MAX_DECOMPRESSED_PAYLOAD);
      const stream = valid.map((v) => v.slice());
      const victim = r.int(stream.length);
      const mode = trial % 3;
      if (mode === 0) stream[victim] = Uint8Array.of(0x78, 0x9c, ...r.bytes(1 + r.int(400)));
      else if (mode === 1) {
        const v = stream[victim]!;
        for (let k = 0; k <= r.int(4); k++) v[r.int(v.length)]! ^= 1 << r.int(8);
      } else stream[victim] = stream[victim]!.subarray(0, r.int(stream[victim]!.length));
      try {
        for (const packet of stream) decompressor.decompress(packet);
      } catch (e) {
        if (!(e instanceof ProtocolError) || e.code !== "ERR_DECOMPRESSION") throw e;
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(600);
  });
});
