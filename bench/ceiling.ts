/**
 * The in-process ceiling for the tunnel: how fast our packet ciphers seal and open SSH packets that
 * carry 32 KiB of channel data each, with each CryptoProvider (noble: getCipher/getMac from
 * "@purssh/crypto" with no provider installed; node: nodeCryptoProvider's), and how fast noble's raw
 * primitives process the same data without the SSH packet wrapper:
 *
 *   aes*-gcm@openssh.com           noble gcm(key, nonce, aad).encrypt / .decrypt over the packet body
 *   chacha20-poly1305@openssh.com  noble chacha20orig (length, Poly1305 key, body) + poly1305, i.e.
 *                                  the primitives the OpenSSH construction is made of
 *   aes*-ctr, aes*-cbc             noble ctr(key, iv) / cbc(key, iv) over the body and noble hmac()
 *                                  with the MAC's hash over seq ‖ the packet (encrypt-then-MAC)
 *   3des-cbc                       none (noble has no DES; ours is in @purssh/crypto)
 *
 * Non-AEAD ciphers are measured with the benchmark's MAC. Packets are framed like the transport's
 * PacketWriter (CHANNEL_DATA payload of 9 + 32768 bytes, random padding); only the seal()/open() (or
 * primitive) calls are timed, with performance.now() around each call. Rates count the 32768 data
 * bytes per packet, like the tunnel runs count application bytes. The time is split into rounds:
 * the noble packet cipher, then noble's primitives on as many packets, then the node:crypto packet
 * cipher; the best round counts. Loaded only by the benchmark worker (see throughput.ts).
 * @module
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { poly1305 } from "@noble/ciphers/_poly1305.js";
import { cbc, ctr, gcm } from "@noble/ciphers/aes.js";
import { chacha20orig } from "@noble/ciphers/chacha.js";
import { hmac } from "@noble/hashes/hmac.js";
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import type { CipherAlgorithm, MacAlgorithm, PacketCipher } from "@purssh/crypto";

/** Channel data bytes per packet (the 32 KiB maximum packet size both tunnels use). */
export const DATA_PER_PACKET = 32 * 1024;
/** byte SSH_MSG_CHANNEL_DATA, uint32 recipient channel, uint32 data length. */
const CHANNEL_DATA_HEADER = 9;
const WARMUP_PACKETS = 64;
const ROUNDS = 4;

/** One implementation of a cipher (and, for a non-AEAD one, of the MAC it is measured with). */
export interface PacketImplementation {
  cipher: CipherAlgorithm;
  mac: MacAlgorithm | undefined;
}

export interface CeilingResult {
  cipher: string;
  /** The MAC measured with a non-AEAD cipher, else "". */
  mac: string;
  packets: number;
  /** The noble packet cipher's PacketCipher.seal / .open, MiB of channel data per second. */
  sealMibps: number;
  openMibps: number;
  /** The node:crypto packet cipher's, when it was measured. */
  nodeSealMibps: number | null;
  nodeOpenMibps: number | null;
  /** noble's raw primitives over the same data (null: none to compare with, 3des-cbc). */
  nobleEncryptMibps: number | null;
  nobleDecryptMibps: number | null;
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

/** A sealer and an opener of one implementation under fresh random keys. */
function endpoints(impl: PacketImplementation): [PacketCipher, PacketCipher] {
  // Plain Uint8Array copies, as the transport's KDF produces them (not Node Buffers: see the README).
  const key = new Uint8Array(randomBytes(impl.cipher.keyLength));
  const iv = new Uint8Array(randomBytes(impl.cipher.ivLength));
  const mac = impl.mac && { algorithm: impl.mac, key: new Uint8Array(randomBytes(impl.mac.keyLength)) };
  return [impl.cipher.create(key, iv, "seal", mac), impl.cipher.create(key, iv, "open", mac)];
}

/** A packet cipher: after a warm-up (which checks one round trip), seals and opens packets for a while. */
function packetBench(impl: PacketImplementation): (ms: number) => Timings {
  const name = impl.cipher.name;
  const [sealer, opener] = endpoints(impl);
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

const NOBLE_HASH = { "hmac-sha2-256": sha256, "hmac-sha2-512": sha512, "hmac-sha1": sha1, "hmac-md5": md5 } as const;

/** noble's primitives over packet bodies of the same size: after a warm-up, runs `packets` of them. */
function nobleBench(impl: PacketImplementation): ((packets: number) => NobleTimings) | undefined {
  const name = impl.cipher.name;
  const [sealer] = endpoints(impl);
  // The body the packet cipher encrypts: padding_length ‖ payload ‖ padding (length excluded).
  const framed = frame(sealer, new Uint8Array(CHANNEL_DATA_HEADER + DATA_PER_PACKET), new Uint8Array(64));
  const length = framed.subarray(0, 4).slice();
  const bodyLength = framed.length - 4 - sealer.tagLength;
  const plaintext = new Uint8Array(randomBytes(bodyLength));
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
  } else if (name.endsWith("-gcm@openssh.com")) {
    const key = new Uint8Array(randomBytes(impl.cipher.keyLength));
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
  } else if (/^aes\d+-(ctr|cbc)$/.test(name) && impl.mac) {
    const hash = NOBLE_HASH[impl.mac.name.replace("-etm@openssh.com", "") as keyof typeof NOBLE_HASH];
    if (hash === undefined) return undefined;
    const mode = name.endsWith("-ctr")
      ? (k: Uint8Array, iv: Uint8Array) => ctr(k, iv)
      : (k: Uint8Array, iv: Uint8Array) => cbc(k, iv, { disablePadding: true });
    const key = new Uint8Array(randomBytes(impl.cipher.keyLength));
    const iv = new Uint8Array(randomBytes(16));
    const macKey = new Uint8Array(randomBytes(impl.mac.keyLength));
    const seq = new Uint8Array(4);
    const mac = (body: Uint8Array) => hmac.create(hash, macKey).update(seq).update(length).update(body).digest();
    run = (_i, timed) => {
      const t0 = performance.now();
      const sealed = mode(key, iv).encrypt(plaintext);
      const tag = mac(sealed);
      const t1 = performance.now();
      const ok = equal(mac(sealed), tag);
      mode(key, iv).decrypt(sealed);
      const t2 = performance.now();
      if (!ok) throw new Error(`noble ${name} round trip failed`);
      if (timed) {
        encryptMs += t1 - t0;
        decryptMs += t2 - t1;
      }
    };
  } else {
    return undefined;
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
 * Measures one cipher in ROUNDS interleaved rounds (the noble packet cipher for seconds/ROUNDS,
 * noble's primitives on as many packets, the node:crypto packet cipher for seconds/ROUNDS), so that
 * load from other processes hits all alike; each rate is the best round's.
 */
export function measureCeiling(
  noble: PacketImplementation,
  node: PacketImplementation | undefined,
  seconds: number,
): CeilingResult {
  const ours = packetBench(noble);
  const raw = nobleBench(noble);
  const accelerated = node && packetBench(node);
  const best = { seal: 0, open: 0, nodeSeal: 0, nodeOpen: 0, encrypt: 0, decrypt: 0 };
  let packets = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const p = ours((seconds * 1000) / ROUNDS);
    packets += p.packets;
    best.seal = Math.max(best.seal, mibps(p.packets, p.sealMs));
    best.open = Math.max(best.open, mibps(p.packets, p.openMs));
    if (raw) {
      const n = raw(p.packets);
      best.encrypt = Math.max(best.encrypt, mibps(p.packets, n.encryptMs));
      best.decrypt = Math.max(best.decrypt, mibps(p.packets, n.decryptMs));
    }
    if (accelerated) {
      const q = accelerated((seconds * 1000) / ROUNDS);
      best.nodeSeal = Math.max(best.nodeSeal, mibps(q.packets, q.sealMs));
      best.nodeOpen = Math.max(best.nodeOpen, mibps(q.packets, q.openMs));
    }
  }
  return {
    cipher: noble.cipher.name,
    mac: noble.cipher.aead ? "" : (noble.mac?.name ?? ""),
    packets,
    sealMibps: best.seal,
    openMibps: best.open,
    nodeSealMibps: accelerated ? best.nodeSeal : null,
    nodeOpenMibps: accelerated ? best.nodeOpen : null,
    nobleEncryptMibps: raw ? best.encrypt : null,
    nobleDecryptMibps: raw ? best.decrypt : null,
  };
}
