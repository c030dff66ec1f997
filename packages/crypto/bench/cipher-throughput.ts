/**
 * Packet-cipher throughput: seals then opens packets through one sealer/opener pair and prints
 * MB/s = 10^6 bytes of packet body per CPU second through seal + open (one direction of a
 * connection with both ends in this process). Candidates run in interleaved rounds and the best
 * round is reported (the median in brackets), which keeps a busy machine from skewing one side.
 * "noble gcm() per packet" is the previous aes-gcm implementation, kept here as the baseline.
 *
 *   npx tsx packages/crypto/bench/cipher-throughput.ts [body bytes = 32768] [seconds per candidate = 2]
 * @module
 */
import { gcm } from "@noble/ciphers/aes.js";
import { getCipher, type PacketCipher } from "../src/index.js";

const BODY = Number(process.argv[2] ?? 32 * 1024);
const SECONDS = Number(process.argv[3] ?? 2);
const ROUNDS = 8;

/** The previous implementation: noble's gcm(key, nonce, aad) built for every packet. */
function nobleGcmPerPacket(keyLength: number): () => [PacketCipher, PacketCipher] {
  const make = (key: Uint8Array, iv: Uint8Array): PacketCipher => {
    const nonce = iv.slice();
    const view = new DataView(nonce.buffer);
    const next = () => view.setUint32(8, (view.getUint32(8) + 1) >>> 0);
    return {
      name: "noble",
      blockSize: 16,
      lengthExcludedFromPadding: true,
      tagLength: 16,
      firstBlockLength: 4,
      lengthFromFirstBlock: (_s, b) => new DataView(b.buffer, b.byteOffset).getUint32(0),
      seal(_s, p) {
        p.set(gcm(key, nonce, p.subarray(0, 4)).encrypt(p.subarray(4, p.length - 16)), 4);
        next();
        return p;
      },
      open(_s, p) {
        const plain = gcm(key, nonce, p.subarray(0, 4)).decrypt(p.subarray(4));
        next();
        return plain;
      },
    };
  };
  return () => {
    const [key, iv] = keyAndIv(keyLength, 12);
    return [make(key, iv), make(key, iv)];
  };
}

function keyAndIv(keyLength: number, ivLength: number): [Uint8Array, Uint8Array] {
  return [new Uint8Array(keyLength).map((_, i) => i), new Uint8Array(ivLength).map((_, i) => 0xa0 + i)];
}

function registered(name: string): () => [PacketCipher, PacketCipher] {
  const alg = getCipher(name);
  if (!alg) throw new Error(`${name} is not registered`);
  return () => {
    const [key, iv] = keyAndIv(alg.keyLength, alg.ivLength);
    return [alg.create(key, iv, "seal"), alg.create(key, iv, "open")];
  };
}

interface Candidate {
  label: string;
  run: (cpuMicros: number) => number;
  rates: number[];
}

function candidate(label: string, make: () => [PacketCipher, PacketCipher]): Candidate {
  const [sealer, opener] = make();
  const packet = new Uint8Array(4 + BODY + sealer.tagLength);
  const view = new DataView(packet.buffer);
  let seq = 0;
  const run = (cpuMicros: number): number => {
    const start = process.cpuUsage();
    let bytes = 0;
    for (;;) {
      for (let k = 0; k < 16; k++, seq = (seq + 1) >>> 0) {
        view.setUint32(0, BODY); // chacha20-poly1305 encrypts the length in place
        sealer.seal(seq, packet);
        opener.lengthFromFirstBlock(seq, packet.subarray(0, opener.firstBlockLength));
        opener.open(seq, packet);
      }
      bytes += 16 * BODY;
      const used = process.cpuUsage(start);
      const micros = used.user + used.system;
      if (micros >= cpuMicros) return bytes / micros; // bytes per µs = MB/s
    }
  };
  run(200_000); // warm-up
  return { label, run, rates: [] };
}

const candidates = [
  candidate("aes128-gcm  noble gcm() per packet", nobleGcmPerPacket(16)),
  candidate("aes128-gcm  @purssh/crypto", registered("aes128-gcm@openssh.com")),
  candidate("aes256-gcm  noble gcm() per packet", nobleGcmPerPacket(32)),
  candidate("aes256-gcm  @purssh/crypto", registered("aes256-gcm@openssh.com")),
  candidate("chacha20-poly1305  @purssh/crypto", registered("chacha20-poly1305@openssh.com")),
];
for (let r = 0; r < ROUNDS; r++) {
  for (const c of candidates) c.rates.push(c.run((SECONDS * 1e6) / ROUNDS));
}
console.log(`${BODY}-byte packets, seal + open, MB/s per CPU second: best of ${ROUNDS} rounds (median)`);
for (const c of candidates) {
  const sorted = c.rates.slice().sort((a, b) => a - b);
  const best = sorted[sorted.length - 1] ?? 0;
  const median = sorted[sorted.length >> 1] ?? 0;
  console.log(`  ${c.label.padEnd(40)} ${best.toFixed(1).padStart(7)}  (${median.toFixed(1)})`);
}
