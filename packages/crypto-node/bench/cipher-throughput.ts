/**
 * Packet-cipher throughput, noble against node:crypto: seals then opens 32 KiB packets through one
 * sealer/opener pair per candidate and prints MB/s = 10^6 bytes of packet body per CPU second
 * through seal + open. Candidates run in interleaved rounds; the best round is reported (the median
 * in brackets), so a busy machine skews neither side.
 *
 * For chacha20-poly1305@openssh.com it also times the pieces of the node:crypto version against
 * noble's: the ChaCha20 key stream (OpenSSL vs chacha20orig) and the 4-byte length encryption.
 *
 *   npx tsx packages/crypto-node/bench/cipher-throughput.ts [body bytes = 32768] [seconds per candidate = 2]
 * @module
 */
import { createCipheriv } from "node:crypto";
import { poly1305 } from "@noble/ciphers/_poly1305.js";
import { chacha20orig } from "@noble/ciphers/chacha.js";
import { type CipherAlgorithm, getCipher, getMac, type PacketCipher } from "@purssh/crypto";
import { nodeCryptoProvider } from "@purssh/crypto-node";

const BODY = Number(process.argv[2] ?? 32 * 1024);
const SECONDS = Number(process.argv[3] ?? 2);
const ROUNDS = 8;

type Pair = [PacketCipher, PacketCipher];

function pair(alg: CipherAlgorithm, macName: string | undefined, fromNode: boolean): Pair {
  const key = new Uint8Array(alg.keyLength).map((_, i) => i);
  const iv = new Uint8Array(alg.ivLength).map((_, i) => 0xa0 + i);
  const macAlg = macName === undefined ? undefined : fromNode ? nodeCryptoProvider.mac?.(macName) : getMac(macName);
  const mac = macAlg && { algorithm: macAlg, key: new Uint8Array(macAlg.keyLength).fill(0x42) };
  return [alg.create(key, iv, "seal", mac), alg.create(key, iv, "open", mac)];
}

interface Candidate {
  label: string;
  run: (cpuMicros: number) => number;
  rates: number[];
}

/** Runs `step` (which processes `bytes` bytes) until `cpuMicros` of CPU time are used; returns MB/s. */
function timed(bytes: number, step: () => void): (cpuMicros: number) => number {
  return (cpuMicros) => {
    const start = process.cpuUsage();
    let done = 0;
    for (;;) {
      for (let k = 0; k < 16; k++) step();
      done += 16 * bytes;
      const used = process.cpuUsage(start);
      const micros = used.user + used.system;
      if (micros >= cpuMicros) return done / micros;
    }
  };
}

function packetCandidate(label: string, [sealer, opener]: Pair): Candidate {
  const body = sealer.lengthExcludedFromPadding ? BODY : BODY - 4;
  const packet = new Uint8Array(4 + body + sealer.tagLength);
  const view = new DataView(packet.buffer);
  let seq = 0;
  const run = timed(body, () => {
    view.setUint32(0, body);
    sealer.seal(seq, packet);
    opener.lengthFromFirstBlock(seq, packet.subarray(0, opener.firstBlockLength));
    opener.open(seq, packet);
    seq = (seq + 1) >>> 0;
  });
  run(200_000);
  return { label, run, rates: [] };
}

function stepCandidate(label: string, bytes: number, step: () => void): Candidate {
  const run = timed(bytes, step);
  run(200_000);
  return { label, run, rates: [] };
}

const CIPHERS: [string, string | undefined][] = [
  ["chacha20-poly1305@openssh.com", undefined],
  ["aes128-gcm@openssh.com", undefined],
  ["aes256-gcm@openssh.com", undefined],
  ["aes128-ctr", "hmac-sha2-256-etm@openssh.com"],
  ["aes256-ctr", "hmac-sha2-512-etm@openssh.com"],
  ["aes128-ctr", "hmac-sha2-256"],
  ["aes128-cbc", "hmac-sha2-256-etm@openssh.com"],
  ["3des-cbc", "hmac-sha2-256-etm@openssh.com"],
];

const candidates: Candidate[] = [];
for (const [name, mac] of CIPHERS) {
  const label = `${name}${mac ? ` + ${mac.replace("@openssh.com", "")}` : ""}`;
  candidates.push(packetCandidate(`${label}  noble`, pair(getCipher(name)!, mac, false)));
  candidates.push(packetCandidate(`${label}  node:crypto`, pair(nodeCryptoProvider.cipher!(name)!, mac, true)));
}

// chacha20-poly1305@openssh.com, piece by piece: one direction's work on one packet body.
const k32 = new Uint8Array(32).fill(7);
const nonce8 = new Uint8Array(8);
const iv16 = new Uint8Array(16);
const data = new Uint8Array(BODY);
const length = new Uint8Array(4);
candidates.push(
  stepCandidate("  ChaCha20 key stream  noble chacha20orig", BODY, () => chacha20orig(k32, nonce8, data, data, 1)),
  stepCandidate("  ChaCha20 key stream  OpenSSL chacha20", BODY, () => {
    data.set(createCipheriv("chacha20", k32, iv16).update(data));
  }),
  stepCandidate("  Poly1305  noble (the only one)", BODY, () => poly1305(data, k32)),
  stepCandidate("  4-byte length  noble (MB/s of bodies)", BODY, () => chacha20orig(k32, nonce8, length, length)),
  stepCandidate("  4-byte length  OpenSSL (MB/s of bodies)", BODY, () => {
    length.set(createCipheriv("chacha20", k32, iv16).update(length));
  }),
);

for (let r = 0; r < ROUNDS; r++) {
  for (const c of candidates) c.rates.push(c.run((SECONDS * 1e6) / ROUNDS));
}
console.log(`${BODY}-byte packets, seal + open, MB/s per CPU second: best of ${ROUNDS} rounds (median)`);
for (const c of candidates) {
  const sorted = c.rates.slice().sort((a, b) => a - b);
  const best = sorted[sorted.length - 1] ?? 0;
  const median = sorted[sorted.length >> 1] ?? 0;
  console.log(`  ${c.label.padEnd(58)} ${best.toFixed(1).padStart(8)}  (${median.toFixed(1)})`);
}
