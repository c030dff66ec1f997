/**
 * The in-process ceiling for the tunnel: how fast our packet ciphers (from "@purssh/crypto" via
 * getCipher) seal and open SSH packets that carry 32 KiB of channel data each, and how fast noble's
 * raw primitives process the same data without the SSH packet wrapper:
 *
 *   aes*-gcm@openssh.com           noble gcm(key, nonce, aad).encrypt / .decrypt over the packet body
 *   chacha20-poly1305@openssh.com  noble chacha20orig (length, Poly1305 key, body) + poly1305, i.e.
 *                                  the primitives the OpenSSH construction is made of
 *
 * Packets are framed like the transport's PacketWriter (CHANNEL_DATA payload of 9 + 32768 bytes,
 * random padding); only the seal()/open() (or primitive) calls are timed, with performance.now()
 * around each call. Rates count the 32768 data bytes per packet, like the tunnel runs count
 * application bytes. The packet cipher runs for about `seconds` in all, split into rounds, each
 * followed by noble on as many packets; the best round counts. Loaded only by the benchmark worker
 * (see throughput.ts).
 * @module
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { poly1305 } from "@noble/ciphers/_poly1305.js";
import { gcm } from "@noble/ciphers/aes.js";
import { chacha20orig } from "@noble/ciphers/chacha.js";
import { getCipher, type PacketCipher } from "@purssh/crypto";

/** Channel data bytes per packet (the 32 KiB maximum packet size both tunnels use). */
export const DATA_PER_PACKET = 32 * 1024;
/** byte SSH_MSG_CHANNEL_DATA, uint32 recipient channel, uint32 data length. */
const CHANNEL_DATA_HEADER = 9;
const WARMUP_PACKETS = 64;
const ROUNDS = 4;

export interface CeilingResult {
  cipher: string;
  packets: number;
  /** Our PacketCipher.seal / .open, MiB of channel data per second. */
  sealMibps: number;
  openMibps: number;
  /** noble's raw primitives over the same data. */
  nobleEncryptMibps: number;
  nobleDecryptMibps: number;
}

function mibps(packets: number, ms: number): number {
  return (packets * DATA_PER_PACKET) / (1024 * 1024) / (ms / 1000);
}

/** One wire packet as PacketWriter frames it (tag area zero), ready for seal(). */
function frame(cipher: PacketCipher, payload: Uint8Array, padding: Uint8Array): Uint8Array {
  const align = Math.max(8, cipher.blockSize);
  const base = (cipher.lengthExcludedFromPadding ? 1 : 5) + payload.length;
  let pad = align - (base % align);
  if (pad < 4) pad += align;
  const packetLength = 1 + payload.length + pad;
  const out = new Uint8Array(4 + packetLength + cipher.tagLength);
  new DataView(out.buffer).setUint32(0, packetLength);
  out[4] = pad;
  out.set(payload, 5);
  out.set(padding.subarray(0, pad), 5 + payload.length);
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface Timings {
  packets: number;
  sealMs: number;
  openMs: number;
}

/** Our packet cipher: after a warm-up (which checks one round trip), seals and opens packets for a while. */
function packetBench(name: string): (ms: number) => Timings {
  const algorithm = getCipher(name);
  if (!algorithm) throw new Error(`@purssh/crypto has no cipher ${name}`);
  // Plain Uint8Array copies, as the transport's KDF produces them (not Node Buffers: see the README).
  const key = new Uint8Array(randomBytes(algorithm.keyLength));
  const iv = new Uint8Array(randomBytes(algorithm.ivLength));
  const sealer = algorithm.create(key, iv, "seal");
  const opener = algorithm.create(key, iv, "open");
  const payload = new Uint8Array(randomBytes(CHANNEL_DATA_HEADER + DATA_PER_PACKET));
  payload[0] = 94; // SSH_MSG_CHANNEL_DATA
  const padding = new Uint8Array(randomBytes(64));
  let seq = 0;
  const one = (check: boolean, t: Timings | undefined): void => {
    const packet = frame(sealer, payload, padding);
    const t0 = performance.now();
    sealer.seal(seq, packet);
    const t1 = performance.now();
    opener.lengthFromFirstBlock(seq, packet.subarray(0, opener.firstBlockLength));
    const plain = opener.open(seq, packet);
    const t2 = performance.now();
    if (check && !equal(plain.subarray(1, 1 + payload.length), payload)) {
      throw new Error(`${name}: open(seal(packet)) did not give the payload back`);
    }
    seq++;
    if (t) {
      t.packets++;
      t.sealMs += t1 - t0;
      t.openMs += t2 - t1;
    }
  };
  for (let i = 0; i < WARMUP_PACKETS; i++) one(i === 0, undefined);
  return (ms) => {
    const t: Timings = { packets: 0, sealMs: 0, openMs: 0 };
    const deadline = performance.now() + ms;
    while (performance.now() < deadline) one(false, t);
    return t;
  };
}

interface NobleTimings {
  encryptMs: number;
  decryptMs: number;
}

/** noble's primitives over packet bodies of the same size: after a warm-up, runs `packets` of them. */
function nobleBench(name: string): (packets: number) => NobleTimings {
  const algorithm = getCipher(name)!;
  // The body the packet cipher encrypts: padding_length ‖ payload ‖ padding.
  const body = frame(
    algorithm.create(new Uint8Array(algorithm.keyLength), new Uint8Array(algorithm.ivLength), "seal"),
    new Uint8Array(CHANNEL_DATA_HEADER + DATA_PER_PACKET),
    new Uint8Array(64),
  );
  const length = body.subarray(0, 4).slice();
  const plaintext = new Uint8Array(randomBytes(body.length - 4 - 16));
  let encryptMs = 0;
  let decryptMs = 0;
  let run: (i: number, timed: boolean) => void;
  if (name === "chacha20-poly1305@openssh.com") {
    const k1 = new Uint8Array(randomBytes(32));
    const k2 = new Uint8Array(randomBytes(32));
    const nonce = new Uint8Array(8);
    const zero32 = new Uint8Array(32);
    const polyKey = new Uint8Array(32);
    // In place, like the packet cipher: length ‖ body.
    const wire = new Uint8Array(4 + plaintext.length);
    const len = wire.subarray(0, 4);
    const text = wire.subarray(4);
    run = (i, timed) => {
      new DataView(nonce.buffer).setUint32(4, i);
      wire.set(length, 0);
      wire.set(plaintext, 4);
      // seal: encrypt the length (K_1), derive the Poly1305 key and encrypt the body (K_2), MAC both.
      const t0 = performance.now();
      chacha20orig(k1, nonce, len, len);
      chacha20orig(k2, nonce, zero32, polyKey);
      chacha20orig(k2, nonce, text, text, 1);
      const tag = poly1305(wire, polyKey);
      const t1 = performance.now();
      // open: derive the key, check the MAC, decrypt the body and the length.
      chacha20orig(k2, nonce, zero32, polyKey);
      const ok = equal(poly1305(wire, polyKey), tag);
      chacha20orig(k2, nonce, text, text, 1);
      chacha20orig(k1, nonce, len, len);
      const t2 = performance.now();
      if (!ok) throw new Error("noble chacha20-poly1305 round trip failed");
      if (timed) {
        encryptMs += t1 - t0;
        decryptMs += t2 - t1;
      }
    };
  } else {
    const key = new Uint8Array(randomBytes(algorithm.keyLength));
    const nonce = new Uint8Array(randomBytes(12));
    run = (_i, timed) => {
      const t0 = performance.now();
      const sealed = gcm(key, nonce, length).encrypt(plaintext);
      const t1 = performance.now();
      gcm(key, nonce, length).decrypt(sealed);
      const t2 = performance.now();
      if (timed) {
        encryptMs += t1 - t0;
        decryptMs += t2 - t1;
      }
    };
  }
  for (let i = 0; i < WARMUP_PACKETS; i++) run(i, false);
  let seq = 0;
  return (packets) => {
    encryptMs = 0;
    decryptMs = 0;
    for (let i = 0; i < packets; i++) run(seq++, true);
    return { encryptMs, decryptMs };
  };
}

/**
 * Measures one cipher in ROUNDS interleaved rounds (our packet cipher for seconds/ROUNDS, then noble
 * on as many packets), so that load from other processes hits both alike; each rate is the best
 * round's.
 */
export function measureCeiling(name: string, seconds: number): CeilingResult {
  const ours = packetBench(name);
  const noble = nobleBench(name);
  const best = { seal: 0, open: 0, encrypt: 0, decrypt: 0 };
  let packets = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const p = ours((seconds * 1000) / ROUNDS);
    const n = noble(p.packets);
    packets += p.packets;
    best.seal = Math.max(best.seal, mibps(p.packets, p.sealMs));
    best.open = Math.max(best.open, mibps(p.packets, p.openMs));
    best.encrypt = Math.max(best.encrypt, mibps(p.packets, n.encryptMs));
    best.decrypt = Math.max(best.decrypt, mibps(p.packets, n.decryptMs));
  }
  return {
    cipher: name,
    packets,
    sealMibps: best.seal,
    openMibps: best.open,
    nobleEncryptMibps: best.encrypt,
    nobleDecryptMibps: best.decrypt,
  };
}
