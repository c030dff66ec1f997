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
import { getCipher, getMac, type PacketCipher } from "../src/index.js";

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

/** A registered cipher; CTR/CBC ones composed with the MAC `macName`. */
function registered(name: string, macName?: string): () => [PacketCipher, PacketCipher] {
  const alg = getCipher(name);
  if (!alg) throw new Error(`${name} is not registered`);
  const algorithm = macName === undefined ? undefined : getMac(macName);
  if (macName !== undefined && !algorithm) throw new Error(`${macName} is not registered`);
  return () => {
    const [key, iv] = keyAndIv(alg.keyLength, alg.ivLength);
    const mac = algorithm && { algorithm, key: new Uint8Array(algorithm.keyLength).fill(0x42) };
    return [alg.create(key, iv, "seal", mac), alg.create(key, iv, "open", mac)];
  };
}

interface Candidate {
  label: string;
  run: (cpuMicros: number) => number;
  rates: number[];
}

function candidate(label: string, make: () => [PacketCipher, PacketCipher]): Candidate {
  const [sealer, opener] = make();
  // Encrypt-and-MAC encrypts the length too, so the body is 4 bytes shorter to keep whole blocks.
  const body = sealer.lengthExcludedFromPadding ? BODY : BODY - 4;
  const packet = new Uint8Array(4 + body + sealer.tagLength);
  const view = new DataView(packet.buffer);
  let seq = 0;
  const run = (cpuMicros: number): number => {
    const start = process.cpuUsage();
    let bytes = 0;
    for (;;) {
      for (let k = 0; k < 16; k++, seq = (seq + 1) >>> 0) {
        view.setUint32(0, body); // chacha20-poly1305 and encrypt-and-MAC encrypt the length in place
        sealer.seal(seq, packet);
        opener.lengthFromFirstBlock(seq, packet.subarray(0, opener.firstBlockLength));
        opener.open(seq, packet);
      }
      bytes += 16 * body;
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
  candidate("aes128-ctr + hmac-sha2-256-etm", registered("aes128-ctr", "hmac-sha2-256-etm@openssh.com")),
  candidate("aes128-ctr + hmac-sha2-256", registered("aes128-ctr", "hmac-sha2-256")),
  candidate("aes256-ctr + hmac-sha2-512-etm", registered("aes256-ctr", "hmac-sha2-512-etm@openssh.com")),
  candidate("aes128-ctr + hmac-sha1-etm", registered("aes128-ctr", "hmac-sha1-etm@openssh.com")),
  candidate("aes128-cbc + hmac-sha2-256-etm (legacy)", registered("aes128-cbc", "hmac-sha2-256-etm@openssh.com")),
  candidate("3des-cbc + hmac-sha2-256-etm (legacy)", registered("3des-cbc", "hmac-sha2-256-etm@openssh.com")),
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
